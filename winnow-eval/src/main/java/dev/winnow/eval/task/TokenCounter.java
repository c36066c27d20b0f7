package dev.winnow.eval.task;

/**
 * Token counts that haystack generators size their texts with: a model's tokenizer and prompt
 * format, or (for tests) a word count.
 */
public interface TokenCounter {
    /** Tokens of a piece of text inside a prompt. */
    int text(String s);

    /** Tokens of a whole prompt (user text and answer prefix, formatted, BOS included). */
    int prompt(String user, String answerPrefix);

    static TokenCounter of(PromptFormat.Formatter f) {
        return new TokenCounter() {
            @Override
            public int text(String s) {
                return f.tokenizer().encode(s, false, false).length;
            }

            @Override
            public int prompt(String user, String answerPrefix) {
                return f.encode(user, answerPrefix).length;
            }
        };
    }

    /** Whitespace-separated words (for tests without a model). */
    static TokenCounter words() {
        return new TokenCounter() {
            @Override
            public int text(String s) {
                String t = s.strip();
                return t.isEmpty() ? 0 : t.split("\\s+").length;
            }

            @Override
            public int prompt(String user, String answerPrefix) {
                return 1 + text(user) + text(answerPrefix);
            }
        };
    }
}
