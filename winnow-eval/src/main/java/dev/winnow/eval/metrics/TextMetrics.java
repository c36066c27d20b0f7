package dev.winnow.eval.metrics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Answer-scoring metrics as LongBench computes them ({@code metrics.py}): exact match and token
 * F1 over SQuAD-normalised answers, ROUGE-L as the {@code rouge} package LongBench uses, and the
 * substring matches RULER scores with. Each returns a value in [0, 1]; LongBench takes the best
 * over the reference answers ({@link #best}).
 */
public final class TextMetrics {
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"; // Python's string.punctuation
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b");

    /** The metrics a QA item can be scored with. */
    public enum Metric {
        /** Exact match of the normalised answers. */
        EM("em"),
        /** Token F1 of the normalised answers (LongBench's qa_f1_score). */
        F1("f1"),
        /** ROUGE-L F (LongBench's rouge_score). */
        ROUGE_L("rouge-l"),
        /** 1 when the prediction contains the answer, ignoring case (RULER's string_match_part). */
        CONTAINS("contains");

        private final String id;

        Metric(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        public double score(String prediction, String answer) {
            return switch (this) {
                case EM -> exactMatch(prediction, answer);
                case F1 -> f1(prediction, answer);
                case ROUGE_L -> rougeL(prediction, answer);
                case CONTAINS -> contains(prediction, answer);
            };
        }

        public static Metric parse(String s) {
            String t = s.trim().toLowerCase(Locale.ROOT).replace("_", "-");
            if (t.equals("rougel") || t.equals("rouge")) t = "rouge-l";
            if (t.equals("exact") || t.equals("exact-match")) t = "em";
            for (Metric m : values()) if (m.id.equals(t)) return m;
            throw new IllegalArgumentException("unknown metric '" + s + "'; valid: em, f1, rouge-l, contains");
        }
    }

    private TextMetrics() {
    }

    /** Lower-case, remove punctuation, remove the articles a/an/the, collapse whitespace (SQuAD, LongBench). */
    public static String normalizeAnswer(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        StringBuilder sb = new StringBuilder(t.length());
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (PUNCTUATION.indexOf(c) < 0) sb.append(c);
        }
        t = ARTICLES.matcher(sb).replaceAll(" ");
        return String.join(" ", words(t));
    }

    /** Whitespace-separated words (Python's {@code str.split()}). */
    static List<String> words(String s) {
        List<String> out = new ArrayList<>();
        for (String w : s.strip().split("\\s+")) if (!w.isEmpty()) out.add(w);
        return out;
    }

    /** 1 when the normalised prediction equals the normalised answer, else 0. */
    public static double exactMatch(String prediction, String answer) {
        return normalizeAnswer(prediction).equals(normalizeAnswer(answer)) ? 1 : 0;
    }

    /** Token F1 of the normalised prediction and answer (LongBench's qa_f1_score); 0 when nothing is shared. */
    public static double f1(String prediction, String answer) {
        return f1(words(normalizeAnswer(prediction)), words(normalizeAnswer(answer)));
    }

    /** F1 of two token lists counted as multisets (LongBench's f1_score). */
    public static double f1(List<String> prediction, List<String> answer) {
        Map<String, Integer> counts = new HashMap<>();
        for (String w : answer) counts.merge(w, 1, Integer::sum);
        int same = 0;
        for (String w : prediction) {
            Integer c = counts.get(w);
            if (c != null && c > 0) {
                same++;
                counts.put(w, c - 1);
            }
        }
        if (same == 0) return 0;
        double precision = (double) same / prediction.size();
        double recall = (double) same / answer.size();
        return 2 * precision * recall / (precision + recall);
    }

    /**
     * ROUGE-L F as the {@code rouge} package (1.0.1) that LongBench calls computes it: both texts
     * are split into sentences at '.', words at single spaces (after collapsing whitespace);
     * the summary-level union LCS over distinct words, R = LCS/|distinct reference words|,
     * P = LCS/|distinct prediction words|, F = 2PR/(P+R+1e-8). Case-sensitive and not normalised,
     * like LongBench. An empty prediction or answer scores 0 (LongBench catches the package's error).
     */
    public static double rougeL(String prediction, String answer) {
        List<List<String>> hyp = sentences(prediction), ref = sentences(answer);
        if (hyp.isEmpty() || ref.isEmpty()) return 0;
        Set<String> refWords = new HashSet<>(), hypWords = new HashSet<>();
        for (List<String> s : ref) refWords.addAll(s);
        for (List<String> s : hyp) hypWords.addAll(s);
        Set<String> union = new HashSet<>();
        for (List<String> r : ref) {
            for (List<String> h : hyp) union.addAll(lcs(r, h));
        }
        double llcs = union.size();
        double recall = llcs / refWords.size(), precision = llcs / hypWords.size();
        return 2.0 * (precision * recall / (precision + recall + 1e-8));
    }

    /** The package's sentence split: pieces between '.', non-empty, whitespace collapsed, words split at ' '. */
    private static List<List<String>> sentences(String text) {
        List<List<String>> out = new ArrayList<>();
        for (String piece : text.split("\\.", -1)) {
            if (piece.isEmpty()) continue;
            String collapsed = String.join(" ", words(piece));
            out.add(Arrays.asList(collapsed.split(" ", -1)));
        }
        return out;
    }

    /** The longest common subsequence of x and y, reconstructed with the package's tie-breaking. */
    static List<String> lcs(List<String> x, List<String> y) {
        int n = x.size(), m = y.size();
        int[][] t = new int[n + 1][m + 1];
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                t[i][j] = x.get(i - 1).equals(y.get(j - 1)) ? t[i - 1][j - 1] + 1 : Math.max(t[i - 1][j], t[i][j - 1]);
            }
        }
        List<String> out = new ArrayList<>();
        int i = n, j = m;
        while (i > 0 && j > 0) {
            if (x.get(i - 1).equals(y.get(j - 1))) {
                out.add(x.get(i - 1));
                i--;
                j--;
            } else if (t[i - 1][j] > t[i][j - 1]) {
                i--;
            } else {
                j--;
            }
        }
        java.util.Collections.reverse(out);
        return out;
    }

    /** 1 when the prediction contains the answer, ignoring case (RULER's string_match_part for one answer). */
    public static double contains(String prediction, String answer) {
        return prediction.toLowerCase(Locale.ROOT).contains(answer.toLowerCase(Locale.ROOT)) ? 1 : 0;
    }

    /** The fraction of the answers the prediction contains, ignoring case (RULER's string_match_all). */
    public static double containsAll(String prediction, List<String> answers) {
        if (answers.isEmpty()) throw new IllegalArgumentException("no answers");
        double s = 0;
        for (String a : answers) s += contains(prediction, a);
        return s / answers.size();
    }

    /** The best score over the reference answers, as LongBench scores an item. */
    public static double best(Metric metric, String prediction, List<String> answers) {
        if (answers.isEmpty()) throw new IllegalArgumentException("no answers");
        double best = 0;
        for (String a : answers) best = Math.max(best, metric.score(prediction, a));
        return best;
    }
}
