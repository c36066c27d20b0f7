package dev.winnow.eval.task;

import dev.winnow.eval.EvalException;
import dev.winnow.eval.metrics.TextMetrics;
import dev.winnow.model.Model;
import dev.winnow.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code longbench}: QA over long contexts from a local JSONL file ({@link QaDataset}: LongBench's
 * {context, input, answers} items), scored as LongBench does: the prompt template is filled,
 * a prompt longer than the limit is cut in the middle (first and last halves kept), the model
 * answers greedily, and the answer's score is the best over the references of the chosen
 * metric (F1 by default; exact match, ROUGE-L, contains).
 */
public final class QaTask extends GenerationTask {
    /** LongBench's prompt for English single-document QA (multifieldqa_en). */
    public static final String DEFAULT_TEMPLATE = "Read the following text and answer briefly.\n\n{context}\n\n"
            + "Now, answer the question based on the above text, only give me the answer and do not output any other words."
            + "\n\nQuestion: {input}\nAnswer:";

    /**
     * @param data the JSONL file
     * @param template the prompt; {@code {context}} and {@code {input}} are replaced
     * @param metric how answers are scored
     * @param maxItems the first N items only (0: all)
     * @param maxLength prompt tokens above which the prompt is cut in the middle (0: the model's context minus the answer)
     * @param firstLine score only the first line of the answer (LongBench does for TREC, TriviaQA, SAMSum)
     */
    public record Options(QaDataset data, String template, TextMetrics.Metric metric, int maxItems, int maxLength,
                          boolean firstLine) {
        public Options {
            if (!template.contains("{context}") || !template.contains("{input}")) {
                throw new EvalException("longbench: the prompt template must contain {context} and {input}");
            }
            if (maxItems < 0) throw new EvalException("longbench: max items must be >= 0, got " + maxItems);
            if (maxLength < 0) throw new EvalException("longbench: max length must be >= 0, got " + maxLength);
        }

        public static Options of(QaDataset data) {
            return new Options(data, DEFAULT_TEMPLATE, TextMetrics.Metric.F1, 0, 0, false);
        }
    }

    private final Options options;

    public QaTask(Options options, PromptFormat format, int maxNewTokens) {
        super(format, maxNewTokens);
        this.options = options;
    }

    @Override
    public String name() {
        return "longbench";
    }

    @Override
    protected String metricName() {
        return options.metric().id();
    }

    @Override
    public Map<String, Object> params() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("data", options.data().path().getFileName() + "@" + options.data().sha256().substring(0, 12));
        p.put("template", options.template());
        p.put("metric", options.metric().id());
        p.put("max_items", options.maxItems());
        p.put("max_length", options.maxLength());
        p.put("first_line", options.firstLine());
        commonParams(p);
        return p;
    }

    @Override
    protected List<GenerationItem> items(PromptFormat.Formatter formatter, Model model, long seed) {
        List<QaDataset.Item> all = options.data().items();
        if (options.maxItems() > 0 && all.size() > options.maxItems()) all = all.subList(0, options.maxItems());
        int overhead = formatter.encode("", "").length;
        int limit = options.maxLength() > 0 ? options.maxLength()
                : model.config().contextLength() - maxNewTokens - overhead;
        if (limit < 2) throw new EvalException("longbench: no room for a prompt (limit " + limit + " tokens)");
        List<GenerationItem> items = new ArrayList<>();
        for (QaDataset.Item it : all) {
            String prompt = options.template().replace("{context}", it.context()).replace("{input}", it.input());
            prompt = truncateMiddle(formatter.tokenizer(), prompt, limit);
            Map<String, Object> labels = new LinkedHashMap<>();
            labels.put("line", it.line());
            items.add(new GenerationItem(it.id(), labels, prompt, "", it.answers()));
        }
        return items;
    }

    /** LongBench's truncation: a prompt of more than {@code limit} tokens keeps its first and last limit/2 tokens. */
    static String truncateMiddle(Tokenizer tok, String prompt, int limit) {
        int[] ids = tok.encode(prompt, false, false);
        if (ids.length <= limit) return prompt;
        int half = limit / 2;
        return tok.decode(Arrays.copyOf(ids, half)) + tok.decode(Arrays.copyOfRange(ids, ids.length - half, ids.length));
    }

    @Override
    protected String prediction(String generated) {
        String p = generated.strip();
        if (options.firstLine()) {
            int nl = p.indexOf('\n');
            if (nl >= 0) p = p.substring(0, nl);
        }
        return p;
    }

    @Override
    protected double score(String prediction, GenerationItem item) {
        return TextMetrics.best(options.metric(), prediction, item.answers());
    }
}
