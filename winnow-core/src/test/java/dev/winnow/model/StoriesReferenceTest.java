package dev.winnow.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.SharedData;
import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Session;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** stories260K against llama.cpp's greedy tokens, text and logits. */
class StoriesReferenceTest {
    private static Model model;
    private static int[] refTokens;
    private static String refText;

    @BeforeAll
    static void load() throws Exception {
        Path modelPath = SharedData.path("models/stories260K.gguf");
        JsonNode ref = new ObjectMapper().readTree(SharedData.path("reference/stories260K.greedy.json").toFile());
        List<Integer> t = new ArrayList<>();
        ref.get("tokens").forEach(n -> t.add(n.asInt()));
        refTokens = t.stream().mapToInt(Integer::intValue).toArray();
        refText = ref.get("text_of_first_255_generated_tokens").asText();
        model = Model.load(modelPath);
    }

    @AfterAll
    static void close() {
        if (model != null) model.close();
    }

    /**
     * The reference file's text field, although named "text of first 255 generated tokens", is
     * the text of 300 greedy tokens (its 256 token ids decode to a 564-character prefix of it);
     * so: the first 255 generated ids must equal the reference ids, and the text of 300 greedy
     * tokens must equal the reference text exactly.
     */
    @Test
    void greedyDecodingFromBosReproducesTheReferenceTokensAndText() {
        Session session = new Session(model);
        StringBuilder streamed = new StringBuilder();
        Generation g = session.generate(new int[] {refTokens[0]}, GenerationParams.greedy(300), streamed::append);
        int[] expected = java.util.Arrays.copyOfRange(refTokens, 1, refTokens.length);
        assertThat(java.util.Arrays.copyOf(g.tokens(), expected.length)).containsExactly(expected);
        assertThat(g.text()).isEqualTo(refText);
        assertThat(streamed.toString()).isEqualTo(refText);
        assertThat(model.tokenizer().decode(g.tokens())).isEqualTo(refText);
        assertThat(refText).startsWith(model.tokenizer().decode(expected));
    }

    @Test
    void logitsAtEveryPositionMatchLlamaCpp() throws Exception {
        int vocab = model.config().vocabSize();
        float[][] ref = ReferenceLogits.read(SharedData.path("reference/stories260K.logits.f32"), vocab);
        assertThat(ref.length).isEqualTo(refTokens.length);
        // Prefill in chunks (batched path) and compare every row.
        Session session = new Session(model, model.config().contextLength(), 64);
        float[][] logits = session.evaluate(refTokens);
        for (int i = 0; i < ref.length; i++) {
            assertThat(ReferenceLogits.relativeL2(logits[i], ref[i])).as("row %d", i).isLessThan(1e-4);
        }
    }

    @Test
    void singleTokenDecodeMatchesBatchedPrefill() {
        int vocab = model.config().vocabSize();
        int[] prompt = java.util.Arrays.copyOf(refTokens, 40);
        float[][] batched = new Session(model, 512, 16).evaluate(prompt);
        Session single = new Session(model, 512, 1);
        for (int i = 0; i < prompt.length; i++) {
            float[] l = single.decode(prompt[i]);
            assertThat(l).hasSize(vocab);
            assertThat(ReferenceLogits.relativeL2(l, batched[i])).as("row %d", i).isLessThan(1e-5);
        }
    }

    @Test
    void continuationAfterATextPromptKeepsItsLeadingSpace() {
        Session session = new Session(model);
        Generation g = session.generate("Once upon a", GenerationParams.greedy(3), dev.winnow.generate.TokenListener.NONE);
        assertThat(g.text()).startsWith(" time");
        // The session keeps its context: a second call continues where the first stopped.
        int before = session.position();
        Generation more = session.generate(" there", GenerationParams.greedy(2), dev.winnow.generate.TokenListener.NONE);
        assertThat(session.position()).isEqualTo(before + more.promptTokens() + more.tokens().length);
    }
}
