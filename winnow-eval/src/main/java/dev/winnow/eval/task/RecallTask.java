package dev.winnow.eval.task;

import dev.winnow.eval.EvalException;
import dev.winnow.model.Model;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Multi-query associative recall on token ids ({@code recall-mqar.gguf},
 * {@code ../shared/docs/recall-task.md}): every query whose key-value pair the compression lost
 * becomes a wrong answer. The sequences are generated from the seed ({@link RecallGenerator}) or
 * read from a file ({@link RecallExamples}); a {@link RecallProtocol} turns each into a
 * {@link TokenProbe}, which {@link TokenTask} runs and scores ({@code accuracy} = correct answers
 * / queries). Recorded as task {@code recall} (query-agnostic protocol) or {@code recall-aware}.
 */
public final class RecallTask extends TokenTask {
    /**
     * @param protocol how the sequences are put to the cache
     * @param sequences how many sequences to generate (ignored with {@code examples})
     * @param examples sequences from this file instead of generated ones, or null
     */
    public record Options(RecallProtocol protocol, int sequences, RecallExamples examples) {
        public Options {
            if (protocol == null) throw new EvalException("recall: no protocol");
            if (sequences < 1) throw new EvalException("recall: sequences must be >= 1, got " + sequences);
        }

        /** Query-agnostic, 50 generated sequences. */
        public static Options defaults() {
            return new Options(RecallProtocol.AGNOSTIC, 50, null);
        }

        public Options protocol(RecallProtocol p) {
            return new Options(p, sequences, examples);
        }

        public Options sequences(int n) {
            return new Options(protocol, n, examples);
        }

        /** Sequences read from a JSON file (errors name the file and field now, before any model is loaded). */
        public Options examples(Path file) {
            return new Options(protocol, sequences, RecallExamples.read(file));
        }
    }

    private final Options options;

    public RecallTask(Options options) {
        this.options = options;
    }

    public Options options() {
        return options;
    }

    @Override
    public String name() {
        return options.protocol() == RecallProtocol.AGNOSTIC ? "recall" : "recall-" + options.protocol().id();
    }

    @Override
    public Map<String, Object> params() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("protocol", options.protocol().id());
        if (options.examples() != null) {
            p.put("examples", options.examples().id());
            p.put("sequences", options.examples().sequences().size());
        } else {
            p.put("generator", "mqar-v1");
            p.put("sequences", options.sequences());
        }
        return p;
    }

    /** The sequences for a seed: the file's, or generated. */
    public List<RecallSequence> sequences(long seed) {
        return options.examples() != null ? options.examples().sequences() : RecallGenerator.generate(seed, options.sequences());
    }

    @Override
    protected List<TokenProbe> probes(Model model, long seed) {
        int vocab = model.config().vocabSize();
        List<TokenProbe> probes = new ArrayList<>();
        List<RecallSequence> seqs = sequences(seed);
        for (int i = 0; i < seqs.size(); i++) {
            RecallSequence s = seqs.get(i);
            for (int t : s.tokens()) {
                if (t >= vocab) {
                    throw new EvalException("recall: sequence " + i + " uses token id " + t + " but the model's vocabulary has "
                            + vocab + " ids (the recall task is made for recall-mqar.gguf)");
                }
            }
            probes.add(options.protocol().probe(s));
        }
        return probes;
    }
}
