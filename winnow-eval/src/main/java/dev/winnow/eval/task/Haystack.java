package dev.winnow.eval.task;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Builds a haystack: filler sentences (taken in order from {@code start}, cycling) up to about
 * a number of tokens, with texts inserted at relative depths (0 = before the first sentence,
 * 1 = after the last), each at the sentence boundary nearest to its depth. Deterministic.
 */
public final class Haystack {
    /** A text inserted at a relative depth in [0, 1]. */
    public record Insertion(double depth, String text) {
        public Insertion {
            if (!(depth >= 0 && depth <= 1)) throw new IllegalArgumentException("depth " + depth + " not in [0, 1]");
        }
    }

    private Haystack() {
    }

    /**
     * @param sentences filler sentences
     * @param start index of the first sentence used
     * @param tokens filler tokens wanted (at least one sentence is used)
     * @param insertions texts to insert (insertions at the same boundary keep their order)
     * @param tokenCount tokens of a sentence
     */
    public static String build(List<String> sentences, int start, int tokens, List<Insertion> insertions,
                               ToIntFunction<String> tokenCount) {
        if (sentences.isEmpty()) throw new IllegalArgumentException("no filler sentences");
        List<String> used = new ArrayList<>();
        List<Integer> boundary = new ArrayList<>(); // tokens before sentence i
        int total = 0;
        int i = Math.floorMod(start, sentences.size());
        while (total < tokens || used.isEmpty()) {
            String s = sentences.get(i);
            int t = Math.max(1, tokenCount.applyAsInt(s));
            if (total + t > tokens && !used.isEmpty() && total + t - tokens > tokens - total) break; // closer without it
            boundary.add(total);
            used.add(s);
            total += t;
            i = (i + 1) % sentences.size();
            if (total >= tokens) break;
        }
        boundary.add(total);
        // For each insertion, the boundary (0..used.size()) nearest to depth × total.
        List<List<String>> at = new ArrayList<>();
        for (int b = 0; b <= used.size(); b++) at.add(new ArrayList<>());
        for (Insertion ins : insertions) {
            double target = ins.depth() * total;
            int best = 0;
            for (int b = 1; b < boundary.size(); b++) {
                if (Math.abs(boundary.get(b) - target) < Math.abs(boundary.get(best) - target)) best = b;
            }
            at.get(best).add(ins.text());
        }
        StringBuilder sb = new StringBuilder();
        for (int b = 0; b <= used.size(); b++) {
            for (String ins : at.get(b)) append(sb, ins);
            if (b < used.size()) append(sb, used.get(b));
        }
        return sb.toString();
    }

    /**
     * A prompt of about {@code target} tokens: the user text {@code user.apply(haystack)} with a
     * haystack sized so that the formatted prompt (BOS, template, question, answer prefix) comes
     * to the target; one correction pass after measuring the whole prompt.
     */
    public static String fit(int target, java.util.function.UnaryOperator<String> user, String answerPrefix,
                             List<String> sentences, int start, List<Insertion> insertions, TokenCounter counter) {
        int overhead = counter.prompt(user.apply(""), answerPrefix);
        int inserted = 0;
        for (Insertion ins : insertions) inserted += counter.text(ins.text());
        int filler = Math.max(1, target - overhead - inserted);
        String text = user.apply(build(sentences, start, filler, insertions, counter::text));
        int actual = counter.prompt(text, answerPrefix);
        if (actual != target) {
            int corrected = Math.max(1, filler - (actual - target));
            if (corrected != filler) text = user.apply(build(sentences, start, corrected, insertions, counter::text));
        }
        return text;
    }

    private static void append(StringBuilder sb, String s) {
        if (!sb.isEmpty()) sb.append(' ');
        sb.append(s);
    }
}
