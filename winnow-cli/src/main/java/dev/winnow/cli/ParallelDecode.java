package dev.winnow.cli;

import dev.winnow.generate.BatchEngine;
import dev.winnow.generate.BatchListener;
import dev.winnow.generate.BatchSequence;
import dev.winnow.generate.Generation;
import dev.winnow.generate.GenerationParams;
import dev.winnow.kv.KvStats;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import dev.winnow.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code winnow bench --parallel P}'s generation test: P sequences decode together through a
 * {@link BatchEngine} (one forward pass per step for all of them, greedy, end of generation
 * ignored), each from its own cache of {@code depth} random tokens (prefilled first, not timed).
 * The result is the aggregate speed: P × N tokens over the time of the N steps.
 */
final class ParallelDecode {
    /** Aggregate tokens/s and the caches after the run. */
    record Run(double tokensPerSecond, List<KvStats> caches) {
    }

    private ParallelDecode() {
    }

    static Run run(Model m, KvSpec kv, int parallel, int n, int depth, int batch, long seed) {
        BatchEngine engine = new BatchEngine(m, Math.max(parallel, batch), Math.min(batch, Math.max(parallel, batch)));
        List<BatchSequence> seqs = new ArrayList<>();
        Tokenizer tok = m.tokenizer();
        int bos = tok.addBosByDefault() && tok.bosId() >= 0 ? tok.bosId() : -1;
        SplittableRandom rnd = new SplittableRandom(seed);
        int vocab = m.config().vocabSize();
        BatchListener quiet = new BatchListener() {
            @Override
            public void onToken(int token, String text, float[] logits) {
            }

            @Override
            public void onFinish(Generation generation) {
            }

            @Override
            public void onError(RuntimeException e) {
                throw e;
            }
        };
        for (int i = 0; i < parallel; i++) {
            BatchSequence s = new BatchSequence(m, depth + n + 2, kv.newPolicy());
            if (depth > 0) {
                int[] ctx = new int[depth];
                for (int j = 0; j < depth; j++) ctx[j] = rnd.nextInt(vocab);
                if (bos >= 0) ctx[0] = bos;
                s.start(ctx, GenerationParams.greedy(0), quiet);
            }
            seqs.add(s);
        }
        runAll(engine, seqs);
        GenerationParams gen = GenerationParams.builder().temperature(0).maxTokens(n).ignoreEos(true).build();
        for (BatchSequence s : seqs) {
            int first = s.length() == 0 && bos >= 0 ? bos : rnd.nextInt(vocab);
            s.start(new int[] {first}, gen, quiet);
        }
        long t0 = System.nanoTime();
        runAll(engine, seqs);
        long t1 = System.nanoTime();
        List<KvStats> stats = new ArrayList<>();
        for (BatchSequence s : seqs) stats.add(s.cache().stats());
        return new Run((double) parallel * n * 1e9 / (t1 - t0), stats);
    }

    private static void runAll(BatchEngine engine, List<BatchSequence> seqs) {
        while (seqs.stream().anyMatch(BatchSequence::active)) engine.step(seqs);
    }
}
