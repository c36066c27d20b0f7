package dev.winnow.eval.task;

import dev.winnow.generate.Sampler;
import dev.winnow.generate.Session;
import dev.winnow.model.Model;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A task on token ids rather than text: subclasses produce {@link TokenProbe}s (e.g. the MQAR
 * recall sequences) and this class runs them — context prefilled, continuation teacher-forced
 * token by token, argmax at the scored steps compared with the expected tokens — and reports
 * {@code accuracy} (correct / scored steps over all probes), with per-probe accuracies in the details.
 */
public abstract class TokenTask implements Task {
    /** The probes for a model (deterministic for a seed). */
    protected abstract List<TokenProbe> probes(Model model, long seed);

    @Override
    public List<String> headline() {
        return List.of("accuracy");
    }

    @Override
    public Prepared prepare(Model model, long seed) {
        List<TokenProbe> probes = probes(model, seed);
        if (probes.isEmpty()) throw new dev.winnow.eval.EvalException(name() + ": no probes");
        return runner -> run(runner, probes);
    }

    /** A token task from a fixed list of probes (for scripts and tests). */
    public static TokenTask of(String name, Map<String, Object> params, List<TokenProbe> probes) {
        Map<String, Object> p = new LinkedHashMap<>(params);
        return new TokenTask() {
            @Override
            protected List<TokenProbe> probes(Model model, long seed) {
                return probes;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public Map<String, Object> params() {
                return p;
            }
        };
    }

    private TaskResult run(Runner runner, List<TokenProbe> probes) {
        int vocab = runner.model().config().vocabSize();
        int correct = 0, total = 0;
        double[] perProbe = new double[probes.size()];
        for (int p = 0; p < probes.size(); p++) {
            TokenProbe probe = probes.get(p);
            // argmax after each step; step -1 is the context's last logits
            int[] predicted = new int[probe.continuation().length + 1];
            Session s = runner.newSession(probe.length());
            float[] logits = runner.prefill(s, probe.context());
            predicted[0] = Sampler.argmax(logits, vocab);
            for (int i = 0; i < probe.continuation().length; i++) {
                logits = runner.decode(s, probe.continuation()[i]);
                predicted[i + 1] = Sampler.argmax(logits, vocab);
            }
            runner.observe(s);
            int ok = 0;
            for (int k = 0; k < probe.scored().length; k++) {
                if (predicted[probe.scored()[k] + 1] == probe.expected()[k]) ok++;
            }
            correct += ok;
            total += probe.scored().length;
            perProbe[p] = (double) ok / probe.scored().length;
            runner.progress((p + 1.0) / probes.size());
        }
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("accuracy", (double) correct / total);
        m.put("probes", (double) probes.size());
        m.put("scored", (double) total);
        return new TaskResult(m, Map.of("per_probe", java.util.Arrays.stream(perProbe).boxed().toList()));
    }
}
