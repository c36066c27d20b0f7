package dev.winnow.kv.policy;

import dev.winnow.kv.KeyRotation;
import dev.winnow.tokenizer.Tokenizer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What a policy may know about the session: the model's shape, how to re-rotate keys, the
 * tokenizer and the token history (for token-aware policies such as SepLLM), and the model
 * file (for profiles cached next to it). Policies never see the weights.
 *
 * @param modelFile the GGUF file, or null when unknown
 * @param profiler runs a profiling pass for policies that classify heads, or null
 */
public record PolicyContext(int layers, int kvHeads, int heads, int headSize, int contextLength,
                            KeyRotation rotation, Tokenizer tokenizer, Path modelFile,
                            HeadProfiler profiler, History history) {

    /** The session's token history (absolute index → token id). */
    public interface History {
        int length();

        int token(int index);
    }

    /** Query heads per KV head. */
    public int groupSize() {
        return heads / kvHeads;
    }

    /** A history over a fixed array (for tests). */
    public static History historyOf(int... tokens) {
        int[] t = Arrays.copyOf(tokens, tokens.length);
        return new History() {
            @Override
            public int length() {
                return t.length;
            }

            @Override
            public int token(int index) {
                return t[index];
            }
        };
    }
}
