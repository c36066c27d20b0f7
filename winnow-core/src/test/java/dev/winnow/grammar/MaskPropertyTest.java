package dev.winnow.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.winnow.SharedData;
import dev.winnow.gguf.GgufFile;
import dev.winnow.tokenizer.Tokenizer;
import dev.winnow.tokenizer.Tokenizers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Property test of the token masks: random documents valid under a schema, generated straight
 * from the schema ({@link RandomInstances}, no grammar engine involved) and checked valid by
 * networknt, are tokenized with the real tokenizer; at every step the token the tokenizer chose
 * must be allowed by the mask (computed over the whole vocabulary, as the sampler does), and at
 * the end an end-of-generation token must be allowed. Every schema of the corpus the instance
 * generator can handle, on four vocabularies (SentencePiece with byte fallback, two byte-level
 * BPE, and the 512-token stories260K vocabulary).
 */
class MaskPropertyTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonSchemaFactory VALIDATORS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private static final int DOCS_PER_SCHEMA = 6;

    @ParameterizedTest
    @ValueSource(strings = {"models/stories260K.gguf", "tokenizers/ggml-vocab-llama-spm.gguf",
            "tokenizers/ggml-vocab-llama-bpe.gguf", "tokenizers/ggml-vocab-qwen2.gguf"})
    void everyTokenOfAValidDocumentIsAllowed(String file) throws Exception {
        Tokenizer tok;
        try (GgufFile f = GgufFile.open(SharedData.path(file))) {
            tok = Tokenizers.fromGguf(f);
        }
        TokenVocabulary vocab = TokenVocabulary.of(tok);
        List<String> failures = new ArrayList<>();
        int checked = 0, tokens = 0;
        long maskNanos = 0;
        float[] logits = new float[vocab.size()];
        List<String> schemas = SchemaCorpus.all();
        for (int k = 0; k < schemas.size(); k++) {
            String text = schemas.get(k);
            JsonNode schemaNode = JSON.readTree(text);
            var validator = VALIDATORS.getSchema(text);
            Grammar grammar = JsonSchema.parse(text).grammar();
            RandomInstances gen = new RandomInstances(schemaNode, 1000L * k + 1);
            for (int d = 0; d < DOCS_PER_SCHEMA; d++) {
                String doc;
                try {
                    doc = gen.next();
                } catch (UnsupportedOperationException e) {
                    break; // a schema the instance generator cannot sample (e.g. a free-form pattern)
                }
                assertThat(validator.validate(JSON.readTree(doc))).as("generated document %s for %s", doc, text).isEmpty();
                checked++;
                int[] ids = tok.encode(doc, false, false);
                GrammarMatcher m = new GrammarMatcher(grammar, vocab);
                String failure = null;
                for (int i = 0; i < ids.length && failure == null; i++) {
                    Arrays.fill(logits, 0f);
                    long t0 = System.nanoTime();
                    m.mask(logits, logits.length);
                    maskNanos += System.nanoTime() - t0;
                    tokens++;
                    if (i == 0) {
                        int blocked = 0;
                        for (float v : logits) if (v == Float.NEGATIVE_INFINITY) blocked++;
                        if (blocked == 0) failure = "the first mask allows every token (no document starts with '}')";
                    }
                    if (failure == null && (logits[ids[i]] == Float.NEGATIVE_INFINITY || !m.allows(ids[i]))) {
                        failure = "token " + i + " (" + ids[i] + " '" + new String(vocab.bytes(ids[i]), java.nio.charset.StandardCharsets.UTF_8)
                                + "') masked after '" + tok.decode(Arrays.copyOf(ids, i)) + "'";
                    } else if (failure == null) {
                        m.accept(ids[i]);
                    }
                }
                if (failure == null) {
                    Arrays.fill(logits, 0f);
                    m.mask(logits, logits.length);
                    boolean eog = false;
                    for (int id : vocab.eog) eog |= logits[id] == 0f;
                    if (!eog || !m.isComplete()) failure = "end of generation not allowed at the end";
                }
                if (failure != null) failures.add("schema #" + k + " " + text + "\n  document " + doc + "\n  " + failure);
            }
        }
        System.out.printf("MaskPropertyTest %s: %d documents, %d tokens, mask %.3f ms/token%n", file, checked, tokens,
                maskNanos / 1e6 / Math.max(1, tokens));
        assertThat(checked).isGreaterThan(300);
        assertThat(failures).as(file).isEmpty();
    }
}
