package dev.winnow.tokenizer;

import dev.winnow.SharedData;
import dev.winnow.gguf.GgufFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Loads the shared vocabularies and llama.cpp's tokenizer test vectors. */
final class TokenizerTestSupport {
    static final String SEPARATOR = "\n__ggml_vocab_test__\n";
    static final String LLAMA_SPM = "ggml-vocab-llama-spm.gguf";
    static final String PHI3 = "ggml-vocab-phi-3.gguf";
    static final String LLAMA_BPE = "ggml-vocab-llama-bpe.gguf";
    static final String QWEN2 = "ggml-vocab-qwen2.gguf";
    static final String GPT2 = "ggml-vocab-gpt-2.gguf";
    static final String DEEPSEEK_CODER = "ggml-vocab-deepseek-coder.gguf";
    static final String DEEPSEEK_LLM = "ggml-vocab-deepseek-llm.gguf";
    static final String STARCODER = "ggml-vocab-starcoder.gguf";
    static final String FALCON = "ggml-vocab-falcon.gguf";
    static final List<String> BPE_VOCABS = List.of(LLAMA_BPE, QWEN2, GPT2, DEEPSEEK_CODER, DEEPSEEK_LLM, STARCODER, FALCON);

    private static final Map<String, Tokenizer> CACHE = new ConcurrentHashMap<>();

    private TokenizerTestSupport() {
    }

    /** The tokenizer of {@code tokenizers/<name>} (cached; the test is skipped when the file is absent). */
    static Tokenizer vocab(String name) {
        Path p = SharedData.path("tokenizers/" + name);
        return CACHE.computeIfAbsent(name, n -> {
            try (GgufFile f = GgufFile.open(p)) {
                return Tokenizers.fromGguf(f);
            }
        });
    }

    static SentencePieceTokenizer spm(String name) {
        return (SentencePieceTokenizer) vocab(name);
    }

    static ByteLevelBpeTokenizer bpe(String name) {
        return (ByteLevelBpeTokenizer) vocab(name);
    }

    /** One test vector: the input text and llama.cpp's token ids. */
    record Case(int index, String text, int[] expected) {
        String displayName() {
            String t = text.length() > 48 ? text.substring(0, 48) + "…" : text;
            StringBuilder sb = new StringBuilder();
            for (char c : t.toCharArray()) {
                switch (c) {
                    case '\n' -> sb.append("\\n");
                    case '\t' -> sb.append("\\t");
                    case '\r' -> sb.append("\\r");
                    default -> sb.append(c);
                }
            }
            return "#" + index + " \"" + sb + "\"";
        }
    }

    /**
     * Reads {@code <gguf>.inp} (cases each followed by the separator; a final separator ends the
     * last case rather than starting an empty one) and {@code <gguf>.out} (one line of
     * space-separated ids per case).
     */
    static List<Case> cases(String name) {
        Path inp = SharedData.path("tokenizers/" + name + ".inp");
        Path out = SharedData.path("tokenizers/" + name + ".out");
        try {
            String all = Files.readString(inp, StandardCharsets.UTF_8);
            List<String> texts = splitCases(all);
            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            if (lines.size() != texts.size()) {
                throw new IllegalStateException(inp + " has " + texts.size() + " cases but " + out + " has "
                        + lines.size() + " lines");
            }
            List<Case> cases = new ArrayList<>();
            for (int i = 0; i < texts.size(); i++) {
                String line = lines.get(i).trim();
                int[] ids = line.isEmpty() ? new int[0]
                        : Arrays.stream(line.split("\\s+")).mapToInt(Integer::parseInt).toArray();
                cases.add(new Case(i, texts.get(i), ids));
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> splitCases(String all) {
        List<String> texts = new ArrayList<>();
        int from = 0;
        while (true) {
            int at = all.indexOf(SEPARATOR, from);
            if (at < 0) {
                if (from < all.length()) texts.add(all.substring(from)); // last case without a separator
                break;
            }
            texts.add(all.substring(from, at));
            from = at + SEPARATOR.length();
        }
        return texts;
    }
}
