package dev.winnow.cli;

import dev.winnow.generate.GenerationParams;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;
import picocli.CommandLine.Option;

/** The sampling and stopping options shared by {@code generate} and {@code chat}. */
final class SamplingOptions {
    @Option(names = {"-n", "--max-tokens"}, paramLabel = "N", defaultValue = "256",
            description = "Most tokens to generate; -1: until end of generation or the context is full (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--temp", paramLabel = "T", defaultValue = "0.8", description = "Temperature; 0 = greedy (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "40", description = "Top-k sampling; 0 = off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95", description = "Top-p (nucleus) sampling; 1 = off (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", paramLabel = "P", defaultValue = "0.05", description = "Min-p sampling; 0 = off (default: ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--repeat-penalty", paramLabel = "X", defaultValue = "1.0", description = "Repetition penalty; 1 = off (default: ${DEFAULT-VALUE}).")
    float repeatPenalty;

    @Option(names = "--repeat-last-n", paramLabel = "N", defaultValue = "64", description = "Recent tokens the penalty looks at (default: ${DEFAULT-VALUE}).")
    int repeatLastN;

    @Option(names = "--seed", paramLabel = "N", description = "Random seed (default: random; --verbose prints it).")
    Long seed;

    @Option(names = "--stop", paramLabel = "STR", description = "Stop when this string appears (not printed); repeatable.")
    List<String> stop = new ArrayList<>();

    @Option(names = "--ignore-eos", description = "Keep generating past end-of-generation tokens.")
    boolean ignoreEos;

    private Long usedSeed;

    /** The generation parameters; a random seed is drawn once when none was given. */
    GenerationParams params() {
        if (usedSeed == null) usedSeed = seed != null ? seed : RandomGenerator.getDefault().nextLong();
        try {
            return GenerationParams.builder()
                    .maxTokens(maxTokens).temperature(temperature).topK(topK).topP(topP).minP(minP)
                    .repeatPenalty(repeatPenalty).repeatLastN(repeatLastN).seed(usedSeed).stop(stop)
                    .ignoreEos(ignoreEos).build();
        } catch (IllegalArgumentException e) {
            throw new CliException(optionNames(e.getMessage()));
        }
    }

    /** Names options as the user typed them (topP → --top-p). */
    private static String optionNames(String message) {
        return message.replace("maxTokens", "--max-tokens").replace("temperature", "--temp").replace("topK", "--top-k")
                .replace("topP", "--top-p").replace("minP", "--min-p").replace("repeatPenalty", "--repeat-penalty")
                .replace("repeatLastN", "--repeat-last-n").replace("stop strings", "--stop strings");
    }

    String describe() {
        params();
        return Format.f("sampling: temp %s, top-k %d, top-p %s, min-p %s, repeat-penalty %s (last %d)%s, seed %d",
                temperature, topK, topP, minP, repeatPenalty, repeatLastN, ignoreEos ? ", ignore EOS" : "", usedSeed);
    }
}
