package dev.winnow.cli.eval;

import picocli.CommandLine.Command;

/**
 * The task commands: {@code winnow eval fidelity|ppl|needle|ruler|longbench|recall}. Each is its
 * annotation only: the task is the command's name, and {@link EvalRunCommand.OnlyItsOptions}
 * keeps the task options that apply to it.
 */
final class TaskCommands {
    private TaskCommands() {
    }

    static final String FOOTER = "%nA grid: --kv base specs × --budgets (or --ratios); a Markdown table of every cell goes to stdout, "
            + "progress to stderr. -o FILE keeps the results (JSON Lines) and makes the run resumable.";

    @Command(name = "fidelity", mixinStandardHelpOptions = true, sortOptions = false,
            modelTransformer = EvalRunCommand.OnlyItsOptions.class,
            description = {"Next-token fidelity to the full cache: teacher-forced over a text (--prefix tokens prefilled, then --tokens "
                    + "decoded one at a time), KL(full ‖ spec) mean and p95, top-1 agreement, perplexity and its delta; then "
                    + "greedy generation from --prompt and the first token where it departs from the full cache's."},
            footer = FOOTER)
    static final class Fidelity extends EvalRunCommand.Single {
    }

    @Command(name = "ppl", mixinStandardHelpOptions = true, sortOptions = false,
            modelTransformer = EvalRunCommand.OnlyItsOptions.class,
            description = {"Perplexity over a long text in segments (StreamingLLM protocol: token by token through the compressed "
                    + "cache). Specs that can run past the model's context (streaming) read the whole text; the others stop at the "
                    + "context."},
            footer = FOOTER)
    static final class Ppl extends EvalRunCommand.Single {
    }

    @Command(name = "needle", mixinStandardHelpOptions = true, sortOptions = false,
            modelTransformer = EvalRunCommand.OnlyItsOptions.class,
            description = {"Passkey / needle in a haystack: a fact planted at each depth of a filler context of each length, the "
                    + "question at the end; accuracy over the (length, depth) grid."},
            footer = FOOTER)
    static final class Needle extends EvalRunCommand.Single {
    }

    @Command(name = "ruler", mixinStandardHelpOptions = true, sortOptions = false,
            modelTransformer = EvalRunCommand.OnlyItsOptions.class,
            description = {"RULER-style synthetic tasks generated from the seed: multi-key retrieval (--variant multikey) or variable "
                    + "tracking (--variant vartrack); scored by substring match as RULER."},
            footer = FOOTER)
    static final class Ruler extends EvalRunCommand.Single {
    }

    @Command(name = "longbench", aliases = "qa", mixinStandardHelpOptions = true, sortOptions = false,
            modelTransformer = EvalRunCommand.OnlyItsOptions.class,
            description = {"QA over long contexts from a local JSONL file (LongBench's {context, input, answers} items), scored as "
                    + "LongBench: F1 (default), exact match, ROUGE-L or contains; best over the reference answers."},
            footer = FOOTER)
    static final class LongBench extends EvalRunCommand.Single {
    }

    @Command(name = "recall", mixinStandardHelpOptions = true, sortOptions = false,
            modelTransformer = EvalRunCommand.OnlyItsOptions.class,
            description = {"Multi-query associative recall on token ids (recall-mqar.gguf, ../shared/docs/recall-task.md): 64 "
                    + "key-value pairs, filler, then 32 queries; accuracy = queries answered with their value (argmax), the "
                    + "answers teacher-forced. Every query whose pair the compression lost is a wrong answer.",
                    "Sequences are generated from --seed (--sequences N) or read from --examples FILE. Recorded as task recall "
                            + "(--protocol agnostic) or recall-aware."},
            footer = {"%nA grid: --kv base specs × --budgets (or --ratios); a Markdown table of every cell goes to stdout, "
                    + "progress to stderr. -o FILE keeps the results (JSON Lines) and makes the run resumable.",
                    "Example: winnow eval recall -m recall-mqar.gguf --kv full --kv window --kv snapkv --budgets 64,128 "
                            + "--examples recall-examples.json"})
    static final class Recall extends EvalRunCommand.Single {
    }
}
