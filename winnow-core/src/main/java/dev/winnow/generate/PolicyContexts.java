package dev.winnow.generate;

import dev.winnow.kv.policy.PolicyContext;
import dev.winnow.model.Model;
import dev.winnow.model.ModelConfig;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/** The {@link PolicyContext} a sequence's policy sees: the model's shape and the sequence's token history. */
final class PolicyContexts {
    private PolicyContexts() {
    }

    /**
     * @param length the number of tokens in the history now
     * @param history the history array now (it may be replaced as it grows)
     */
    static PolicyContext create(Model model, int contextLength, int batchSize, IntSupplier length, Supplier<int[]> history) {
        ModelConfig config = model.config();
        return new PolicyContext(config.layers(), config.kvHeads(), config.heads(), config.headSize(), contextLength,
                model.transformer().rope(), model.tokenizer(), model.path(),
                new ScratchProfiler(model.transformer(), batchSize), new PolicyContext.History() {
                    @Override
                    public int length() {
                        return length.getAsInt();
                    }

                    @Override
                    public int token(int index) {
                        int n = length.getAsInt();
                        if (index < 0 || index >= n) throw new IndexOutOfBoundsException("token " + index + " of " + n);
                        return history.get()[index];
                    }
                });
    }
}
