package dev.winnow.grammar;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.winnow.SharedData;
import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Session;
import dev.winnow.generate.StopReason;
import dev.winnow.model.Model;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The structured-output suite (issue 17): every schema of {@link SchemaCorpus} (hand-written and
 * generated, 50+), sampled at temperature 1 without top-k/top-p/min-p, on the real stories260K
 * model (SentencePiece, 512 tokens) and on synthetic models with the llama-spm (32k), llama-bpe
 * (128k) and qwen2 (151k, byte-level BPE) vocabularies. Each output must end by end of
 * generation, be exactly one JSON document (no trailing text) and validate against its schema
 * with an independent validator (networknt). All failures are collected before the test fails.
 */
class SchemaSuiteTest {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final JsonSchemaFactory VALIDATORS = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    @Test
    void corpusHasFiftyPlusSchemasCoveringTheKeywords() {
        List<String> all = SchemaCorpus.all();
        assertThat(all).hasSizeGreaterThanOrEqualTo(50).doesNotHaveDuplicates();
        String joined = String.join("\n", all);
        for (String k : List.of("\"required\"", "\"minItems\"", "\"maxItems\"", "\"enum\"", "\"const\"", "\"minLength\"",
                "\"maxLength\"", "\"pattern\"", "\"number\"", "\"minimum\"", "\"maximum\"", "\"boolean\"", "\"null\"",
                "\"anyOf\"", "\"oneOf\"", "\"$ref\"", "\"$defs\"", "\"prefixItems\"", "\"allOf\"")) {
            assertThat(joined).as("corpus uses %s", k).contains(k);
        }
        assertThat(all).contains("true", "{}");
        assertThat(all.stream().filter(s -> !SchemaCorpus.isOpenEnded(s)).count()).as("bounded schemas (run on stories260K)")
                .isGreaterThanOrEqualTo(50);
        assertThat(SchemaCorpus.isOpenEnded("{\"type\":\"string\"}")).isTrue();
        assertThat(SchemaCorpus.isOpenEnded("{\"type\":\"string\",\"maxLength\":3}")).isFalse();
        assertThat(SchemaCorpus.isOpenEnded("{\"type\":\"object\"}")).isTrue();
        assertThat(SchemaCorpus.isOpenEnded("{\"type\":\"array\",\"items\":{\"type\":\"null\"},\"maxItems\":2}")).isFalse();
    }

    @Test
    void storiesModel() {
        try (Model m = Model.load(SharedData.path("models/stories260K.gguf"))) {
            run(m, "stories260K", 2, 600, SchemaCorpus.all().stream().filter(s -> !SchemaCorpus.isOpenEnded(s)).toList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ggml-vocab-llama-spm.gguf", "ggml-vocab-llama-bpe.gguf", "ggml-vocab-qwen2.gguf"})
    void syntheticModelWithRealVocabulary(String vocab) {
        try (Model m = VocabModels.load(vocab)) {
            run(m, vocab, 1, 600, SchemaCorpus.all());
        }
    }

    private static void run(Model m, String label, int seeds, int maxTokens, List<String> schemas) {
        List<String> failures = new ArrayList<>();
        long t0 = System.nanoTime();
        int tokens = 0;
        for (int k = 0; k < schemas.size(); k++) {
            String text = schemas.get(k);
            JsonSchema schema = JsonSchema.parse(text);
            com.networknt.schema.JsonSchema validator = VALIDATORS.getSchema(text);
            for (int seed = 1; seed <= seeds; seed++) {
                Session session = new Session(m, 1024, Session.DEFAULT_BATCH);
                GenerationParams params = GenerationParams.builder().temperature(1f).topK(0).topP(1f).minP(0f)
                        .seed(seed * 7919L + k).maxTokens(maxTokens).responseFormat(schema).build();
                Generation g = session.generate("Once upon a time", params, t -> { });
                tokens += g.tokens().length;
                String where = label + " schema #" + k + " seed " + seed + " " + text + "\n  output: " + g.text();
                if (g.stopReason() != StopReason.END_OF_GENERATION) {
                    failures.add(where + "\n  stopped by " + g.stopReason());
                    continue;
                }
                try {
                    JsonNode doc = JSON.readTree(g.text());
                    Set<ValidationMessage> errors = validator.validate(doc);
                    if (!errors.isEmpty()) failures.add(where + "\n  invalid: " + errors);
                } catch (Exception e) {
                    failures.add(where + "\n  not JSON: " + e.getMessage());
                }
            }
        }
        System.out.printf("SchemaSuiteTest %s: %d schemas x %d seeds, %d tokens in %.1f s%n", label, schemas.size(), seeds,
                tokens, (System.nanoTime() - t0) / 1e9);
        assertThat(failures).as(label).isEmpty();
    }
}
