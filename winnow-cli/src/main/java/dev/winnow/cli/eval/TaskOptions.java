package dev.winnow.cli.eval;

import dev.winnow.eval.EvalException;
import dev.winnow.eval.metrics.TextMetrics;
import dev.winnow.eval.task.FidelityTask;
import dev.winnow.eval.task.NeedleTask;
import dev.winnow.eval.task.PerplexityTask;
import dev.winnow.eval.task.PromptFormat;
import dev.winnow.eval.task.QaDataset;
import dev.winnow.eval.task.QaTask;
import dev.winnow.eval.task.RecallProtocol;
import dev.winnow.eval.task.RecallTask;
import dev.winnow.eval.task.RulerTask;
import dev.winnow.eval.task.Task;
import dev.winnow.eval.task.TextSource;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options of every evaluation task. Each command (and {@code eval sweep --task T}) builds its
 * task from them; an option given to a task it does not apply to is an error naming both.
 * Unset options (null) take the task's defaults.
 */
final class TaskOptions {
    /** The tasks {@code --task} accepts. */
    static final List<String> TASKS = List.of("fidelity", "ppl", "needle", "ruler", "longbench", "recall");

    @Option(names = "--text", paramLabel = "sample|noise|FILE",
            description = "fidelity, ppl: the text (default: sample — built-in short stories; noise — RULER's filler; or a UTF-8 file).")
    String text;

    @Option(names = "--prefix", paramLabel = "N", description = "fidelity: tokens of the text prefilled before teacher forcing (default: 32).")
    Integer prefix;

    @Option(names = "--tokens", paramLabel = "N",
            description = "fidelity: tokens teacher-forced and scored (default: 480); ppl: tokens of the text used (default: 0 = all).")
    Integer tokens;

    @Option(names = "--prompt", paramLabel = "TEXT", description = "fidelity: prompt of the free generation (default: Once upon a time).")
    String prompt;

    @Option(names = "--gen-tokens", paramLabel = "N", description = "fidelity: tokens generated greedily from the prompt (default: 128; 0 = none).")
    Integer genTokens;

    @Option(names = "--segment", paramLabel = "N", description = "ppl: tokens per reported segment (default: 256).")
    Integer segment;

    @Option(names = "--chunk", paramLabel = "N",
            description = "ppl: tokens per forward pass (default: 1 = token by token, as StreamingLLM; larger is faster).")
    Integer chunk;

    @Option(names = "--context", paramLabel = "N", description = "ppl: context length of specs that cannot run past it (default: the model's).")
    Integer context;

    @Option(names = "--lengths", paramLabel = "N", split = ",",
            description = "needle, ruler: prompt lengths in tokens (default: 256,512,1024).")
    List<Integer> lengths;

    @Option(names = "--depths", paramLabel = "D", split = ",",
            description = "needle: depths of the needle, 0 (start) to 1 (end) (default: 0,0.25,0.5,0.75,1).")
    List<Double> depths;

    @Option(names = "--samples", paramLabel = "N", description = "needle: items per (length, depth) (default: 2); ruler: items per length (default: 4).")
    Integer samples;

    @Option(names = "--filler", paramLabel = "sample|noise|FILE",
            description = "needle, ruler: haystack text (default: sample for needle, noise for ruler).")
    String filler;

    @Option(names = "--needle", paramLabel = "TEXT",
            description = "needle: the fact, with {value} (default: The pass key is {value}. Remember it. {value} is the pass key.).")
    String needle;

    @Option(names = "--question", paramLabel = "TEXT", description = "needle: the question after the context (default: What is the pass key?).")
    String question;

    @Option(names = "--answer-prefix", paramLabel = "TEXT", description = "needle: the start of the answer (default: The pass key is).")
    String answerPrefix;

    @Option(names = "--values", paramLabel = "number|word", description = "needle: random numbers or words as values (default: number).")
    String values;

    @Option(names = "--digits", paramLabel = "N", description = "needle: digits of a number value (default: 5).")
    Integer digits;

    @Option(names = "--variant", paramLabel = "multikey|vartrack",
            description = "ruler: multi-key retrieval or variable tracking (default: multikey).")
    String variant;

    @Option(names = "--keys", paramLabel = "N", description = "ruler multikey: facts planted, one asked for (default: 4).")
    Integer keys;

    @Option(names = "--chains", paramLabel = "N", description = "ruler vartrack: chains of assignments, one asked for (default: 1).")
    Integer chains;

    @Option(names = "--hops", paramLabel = "N", description = "ruler vartrack: assignments after the first in a chain (default: 4).")
    Integer hops;

    @Option(names = "--data", paramLabel = "FILE", description = "longbench: JSONL file of {context, input, answers} items (required).")
    Path data;

    @Option(names = "--template", paramLabel = "TEXT",
            description = "longbench: prompt with {context} and {input} (default: LongBench's single-document QA prompt).")
    String template;

    @Option(names = "--metric", paramLabel = "f1|em|rouge-l|contains", description = "longbench: answer metric (default: f1).")
    String metric;

    @Option(names = "--max-items", paramLabel = "N", description = "longbench: only the first N items (default: all).")
    Integer maxItems;

    @Option(names = "--max-length", paramLabel = "N",
            description = "longbench: prompts longer than N tokens are cut in the middle (default: the model's context minus the answer).")
    Integer maxLength;

    @Option(names = "--first-line", description = "longbench: score only the first line of the answer.")
    Boolean firstLine;

    @Option(names = "--chat", description = "needle, ruler, longbench: format prompts with the model's chat template (instruct models).")
    Boolean chat;

    @Option(names = "--chat-template", paramLabel = "FILE", description = "needle, ruler, longbench: format prompts with this Jinja chat template.")
    Path chatTemplate;

    @Option(names = "--max-new-tokens", paramLabel = "N",
            description = "needle, ruler, longbench: longest answer (default: needle 12, ruler 16 (vartrack 32), longbench 32).")
    Integer maxNewTokens;

    @Option(names = "--protocol", paramLabel = "agnostic|aware",
            description = "recall: agnostic — the context before the queries is compressed, then the queries are asked; aware — "
                    + "the questions (answers hidden) are prefilled too, compressed, then asked again (default: agnostic).")
    String protocol;

    @Option(names = "--sequences", paramLabel = "N", description = "recall: sequences generated from --seed (default: 50).")
    Integer sequences;

    @Option(names = "--examples", paramLabel = "FILE",
            description = "recall: the sequences of this JSON file instead ({\"sequences\": [{tokens, query_positions, expected}, …]}, "
                    + "as ../shared/reference/recall-examples.json).")
    Path examples;

    /** Which tasks each option applies to. */
    static final Map<String, List<String>> APPLIES = new LinkedHashMap<>();

    static {
        applies("fidelity", "--text", "--prefix", "--tokens", "--prompt", "--gen-tokens");
        applies("ppl", "--text", "--tokens", "--segment", "--chunk", "--context");
        applies("needle", "--lengths", "--depths", "--samples", "--filler", "--needle", "--question", "--answer-prefix", "--values",
                "--digits", "--chat", "--chat-template", "--max-new-tokens");
        applies("ruler", "--variant", "--lengths", "--samples", "--filler", "--keys", "--chains", "--hops", "--chat",
                "--chat-template", "--max-new-tokens");
        applies("longbench", "--data", "--template", "--metric", "--max-items", "--max-length", "--first-line", "--chat",
                "--chat-template", "--max-new-tokens");
        applies("recall", "--protocol", "--sequences", "--examples");
    }

    private static void applies(String task, String... options) {
        for (String o : options) APPLIES.computeIfAbsent(o, k -> new ArrayList<>()).add(task);
    }

    /** The options given (non-null), by name. */
    private Map<String, Object> given() {
        Map<String, Object> m = new LinkedHashMap<>();
        Object[][] all = {{"--text", text}, {"--prefix", prefix}, {"--tokens", tokens}, {"--prompt", prompt},
            {"--gen-tokens", genTokens}, {"--segment", segment}, {"--chunk", chunk}, {"--context", context},
            {"--lengths", lengths}, {"--depths", depths}, {"--samples", samples}, {"--filler", filler}, {"--needle", needle},
            {"--question", question}, {"--answer-prefix", answerPrefix}, {"--values", values}, {"--digits", digits},
            {"--variant", variant}, {"--keys", keys}, {"--chains", chains}, {"--hops", hops}, {"--data", data},
            {"--template", template}, {"--metric", metric}, {"--max-items", maxItems}, {"--max-length", maxLength},
            {"--first-line", firstLine}, {"--chat", chat}, {"--chat-template", chatTemplate}, {"--max-new-tokens", maxNewTokens},
            {"--protocol", protocol}, {"--sequences", sequences}, {"--examples", examples}};
        for (Object[] e : all) if (e[1] != null) m.put((String) e[0], e[1]);
        return m;
    }

    /** The task, from its name (see {@link #TASKS}; {@code qa} is an alias of longbench). */
    Task build(String name) {
        String task = name.equals("qa") ? "longbench" : name;
        if (!TASKS.contains(task)) throw new EvalException("unknown task '" + name + "'; valid: " + String.join(", ", TASKS));
        List<String> wrong = new ArrayList<>();
        for (String opt : given().keySet()) {
            List<String> tasks = APPLIES.get(opt);
            if (!tasks.contains(task)) wrong.add(opt + " (" + String.join(", ", tasks) + ")");
        }
        if (!wrong.isEmpty()) {
            throw new EvalException("option" + (wrong.size() > 1 ? "s " : " ") + String.join(", ", wrong) + " do"
                    + (wrong.size() > 1 ? "" : "es") + " not apply to the " + task + " task");
        }
        return switch (task) {
            case "fidelity" -> fidelity();
            case "ppl" -> ppl();
            case "needle" -> needle();
            case "ruler" -> ruler();
            case "recall" -> recall();
            default -> longbench();
        };
    }

    private Task fidelity() {
        FidelityTask.Options d = FidelityTask.Options.defaults();
        return new FidelityTask(new FidelityTask.Options(text == null ? d.text() : TextSource.of(text), or(prefix, d.prefix()),
                or(tokens, d.tokens()), or(prompt, d.prompt()), or(genTokens, d.genTokens())));
    }

    private Task ppl() {
        PerplexityTask.Options d = PerplexityTask.Options.defaults();
        return new PerplexityTask(new PerplexityTask.Options(text == null ? d.text() : TextSource.of(text), or(tokens, d.maxTokens()),
                or(segment, d.segment()), or(chunk, d.chunk()), or(context, d.context())));
    }

    private Task needle() {
        NeedleTask.Options d = NeedleTask.Options.defaults();
        NeedleTask.Options o = new NeedleTask.Options(or(lengths, d.lengths()), or(depths, d.depths()), or(samples, d.samples()),
                filler == null ? d.filler() : TextSource.of(filler), or(needle, d.needle()), or(question, d.question()),
                or(answerPrefix, d.answerPrefix()), or(values, d.values()), or(digits, d.digits()));
        return new NeedleTask(o, format(), or(maxNewTokens, 12));
    }

    private Task ruler() {
        String v = or(variant, "multikey");
        RulerTask.Options d = RulerTask.Options.defaults(v);
        RulerTask.Options o = new RulerTask.Options(v, or(lengths, d.lengths()), or(samples, d.samples()), or(keys, d.keys()),
                or(chains, d.chains()), or(hops, d.hops()), filler == null ? d.filler() : TextSource.of(filler));
        return new RulerTask(o, format(), or(maxNewTokens, RulerTask.defaultMaxNewTokens(v)));
    }

    private Task longbench() {
        if (data == null) throw new EvalException("longbench: give the items with --data FILE (JSONL: {context, input, answers} per line)");
        QaTask.Options d = QaTask.Options.of(QaDataset.read(data));
        QaTask.Options o = new QaTask.Options(d.data(), or(template, d.template()),
                metric == null ? d.metric() : TextMetrics.Metric.parse(metric), or(maxItems, d.maxItems()),
                or(maxLength, d.maxLength()), or(firstLine, d.firstLine()));
        return new QaTask(o, format(), or(maxNewTokens, 32));
    }

    private Task recall() {
        if (examples != null && sequences != null) throw new EvalException("recall: give --sequences or --examples, not both");
        RecallTask.Options o = RecallTask.Options.defaults();
        if (protocol != null) o = o.protocol(RecallProtocol.parse(protocol));
        if (sequences != null) o = o.sequences(sequences);
        if (examples != null) o = o.examples(examples);
        return new RecallTask(o);
    }

    private PromptFormat format() {
        if (chatTemplate != null) return PromptFormat.chat(chatTemplate);
        return Boolean.TRUE.equals(chat) ? PromptFormat.chat() : PromptFormat.PLAIN;
    }

    private static <T> T or(T v, T d) {
        return v != null ? v : d;
    }
}
