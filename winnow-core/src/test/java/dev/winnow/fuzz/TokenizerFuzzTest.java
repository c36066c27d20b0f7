package dev.winnow.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.winnow.SharedData;
import dev.winnow.gguf.GgufFile;
import dev.winnow.tokenizer.StreamingDecoder;
import dev.winnow.tokenizer.Tokenizer;
import dev.winnow.tokenizer.Tokenizers;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Both tokenizer families on arbitrary text, over llama.cpp's vocabularies from the shared data:
 * SentencePiece (Llama 2) and byte-level BPE (Llama 3, with its pre-tokenizer regex). No input
 * may throw; every id must be in the vocabulary; plain text must come back unchanged from
 * {@code decode(encode(text))} (both are lossless on well-formed text: byte fallback, byte-level
 * pieces; SentencePiece turns its space symbol U+2581 into a space); streaming decode must equal
 * decode.
 */
class TokenizerFuzzTest {
    private static final Map<String, Tokenizer> VOCABS = new ConcurrentHashMap<>();

    private static Tokenizer vocab(String file) {
        return VOCABS.computeIfAbsent(file, f -> {
            try (GgufFile g = GgufFile.open(SharedData.path("tokenizers/" + f))) {
                return Tokenizers.fromGguf(g);
            }
        });
    }

    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "3s")
    void sentencePiece(FuzzedDataProvider data) {
        check(vocab("ggml-vocab-llama-spm.gguf"), data, true);
    }

    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "3s")
    void byteLevelBpe(FuzzedDataProvider data) {
        check(vocab("ggml-vocab-llama-bpe.gguf"), data, false);
    }

    /**
     * @param spaceMeta SentencePiece: U+2581 in the text is the space symbol and decodes to a
     *                  space (as in llama.cpp), so the round trip compares with that text
     */
    private static void check(Tokenizer tok, FuzzedDataProvider data, boolean spaceMeta) {
        boolean parseSpecial = data.consumeBoolean();
        String text = data.consumeRemainingAsString();
        int[] ids = tok.encode(text, false, parseSpecial);
        for (int id : ids) {
            if (id < 0 || id >= tok.vocabSize()) throw new AssertionError("id " + id + " outside the vocabulary");
        }
        String decoded = tok.decode(ids);
        StreamingDecoder stream = tok.streamingDecoder();
        StringBuilder streamed = new StringBuilder();
        for (int id : ids) streamed.append(stream.push(id));
        streamed.append(stream.flush());
        if (!streamed.toString().equals(decoded)) {
            throw new AssertionError("streaming decode " + quote(streamed) + " differs from decode " + quote(decoded));
        }
        String expected = spaceMeta ? text.replace('\u2581', ' ') : text;
        if (!parseSpecial && wellFormed(text) && !decoded.equals(expected)) {
            throw new AssertionError("decode(encode(" + quote(text) + ")) = " + quote(decoded));
        }
    }

    private static boolean wellFormed(String s) {
        return s.equals(new String(s.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
    }

    private static String quote(CharSequence s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().limit(200).forEach(c -> {
            if (c < 0x20 || c >= 0x7f) sb.append(String.format("\\u{%x}", c));
            else sb.appendCodePoint(c);
        });
        return sb.append('"').toString();
    }
}
