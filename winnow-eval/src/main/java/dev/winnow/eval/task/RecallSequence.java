package dev.winnow.eval.task;

import java.util.Arrays;

/**
 * One multi-query associative recall sequence (MQAR, {@code ../shared/docs/recall-task.md}):
 * token ids, the positions of the query tokens, and the value each query must be answered with
 * (the token that follows it). The query region starts at the first query position and runs to the
 * end of the sequence; everything before it is the context.
 *
 * @param tokens the sequence (BOS, key-value pairs, filler, query-answer pairs)
 * @param queryPositions positions of the query tokens, ascending
 * @param expected the answer to each query: the argmax after the query token must be this id
 */
public record RecallSequence(int[] tokens, int[] queryPositions, int[] expected) {
    public RecallSequence {
        if (tokens.length < 2) throw new IllegalArgumentException("a recall sequence needs at least 2 tokens, got " + tokens.length);
        if (queryPositions.length == 0) throw new IllegalArgumentException("a recall sequence needs at least one query");
        if (queryPositions.length != expected.length) {
            throw new IllegalArgumentException(queryPositions.length + " query positions but " + expected.length + " expected answers");
        }
        for (int i = 0; i < queryPositions.length; i++) {
            int p = queryPositions[i];
            if (p < 1 || p >= tokens.length - 1) {
                throw new IllegalArgumentException("query position " + p + " outside 1.." + (tokens.length - 2)
                        + " (a query needs its answer after it)");
            }
            if (i > 0 && p <= queryPositions[i - 1]) {
                throw new IllegalArgumentException("query positions must ascend: " + queryPositions[i - 1] + " then " + p);
            }
        }
        tokens = tokens.clone();
        queryPositions = queryPositions.clone();
        expected = expected.clone();
    }

    /** The first position of the query region (= the context's length). */
    public int queryStart() {
        return queryPositions[0];
    }

    /** Tokens before the query region. */
    public int[] context() {
        return Arrays.copyOfRange(tokens, 0, queryStart());
    }

    /** The query region: the queries with their answers, to be teacher-forced. */
    public int[] queryRegion() {
        return Arrays.copyOfRange(tokens, queryStart(), tokens.length);
    }

    @Override
    public int[] tokens() {
        return tokens.clone();
    }

    @Override
    public int[] queryPositions() {
        return queryPositions.clone();
    }

    @Override
    public int[] expected() {
        return expected.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecallSequence r && Arrays.equals(tokens, r.tokens) && Arrays.equals(queryPositions, r.queryPositions)
                && Arrays.equals(expected, r.expected);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(tokens) + Arrays.hashCode(queryPositions)) + Arrays.hashCode(expected);
    }

    @Override
    public String toString() {
        return "RecallSequence[" + tokens.length + " tokens, " + queryPositions.length + " queries from " + queryStart() + "]";
    }
}
