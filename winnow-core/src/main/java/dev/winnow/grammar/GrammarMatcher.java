package dev.winnow.grammar;

import dev.winnow.tokenizer.Tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * One generation's position in a grammar: masks logits to the tokens that keep the output a
 * prefix of the language ({@link #mask}) and advances with the chosen token ({@link #accept}).
 * End-of-generation tokens are allowed only when the output is a complete sentence; once the
 * output is complete and nothing more can follow, they are the only tokens allowed.
 *
 * <p>For a {@linkplain Grammar#triggeredBy triggered} grammar nothing is masked until the output
 * contains a trigger; then the bytes from the trigger on are fed to the grammar.
 */
public final class GrammarMatcher {
    private final Grammar grammar;
    private final TokenVocabulary vocab;
    private final ParserStates states;
    private final MaskCache masks;
    private int state;
    private boolean active;
    private boolean failed;
    private boolean ended;
    private ByteArrayOutputStream pending;

    public GrammarMatcher(Grammar grammar, Tokenizer tokenizer) {
        this(grammar, TokenVocabulary.of(tokenizer));
    }

    public GrammarMatcher(Grammar grammar, TokenVocabulary vocab) {
        this.grammar = grammar;
        this.vocab = vocab;
        this.states = grammar.states();
        this.masks = states.masks(vocab);
        this.state = states.initial();
        this.active = !grammar.isTriggered();
        if (!active) pending = new ByteArrayOutputStream();
    }

    /** Whether the grammar constrains the next token (false before a trigger or after a failed trigger). */
    public boolean isActive() {
        return active && !failed;
    }

    /** Whether the output so far is a complete sentence of the grammar. */
    public boolean isComplete() {
        return active && !failed && states.accepting(state);
    }

    /** Whether the grammar is complete and no byte can follow: only end of generation remains. */
    public boolean isFinished() {
        return ended || (isComplete() && !states.canContinue(state));
    }

    /** Sets {@code logits[i]} to −∞ for every token {@code i < n} the grammar does not allow now. */
    public void mask(float[] logits, int n) {
        if (!isActive()) return;
        long[] m = ended ? eogOnly() : masks.mask(state);
        int limit = Math.min(n, vocab.size);
        boolean any = false;
        for (int w = 0; w < (limit + 63) >>> 6; w++) {
            long bits = m[w];
            int base = w << 6;
            if (bits == -1L && base + 64 <= limit) {
                any = true;
                continue;
            }
            if (bits != 0) any = true;
            int end = Math.min(64, limit - base);
            for (int k = 0; k < end; k++) if ((bits & (1L << k)) == 0) logits[base + k] = Float.NEGATIVE_INFINITY;
        }
        for (int i = limit; i < n; i++) logits[i] = Float.NEGATIVE_INFINITY;
        if (!any) throw new GrammarException("no token of the vocabulary can continue the grammar here");
    }

    /** Whether the grammar allows this token next. */
    public boolean allows(int token) {
        if (!isActive()) return true;
        if (token < 0 || token >= vocab.size) return false;
        long[] m = ended ? eogOnly() : masks.mask(state);
        return (m[token >>> 6] & (1L << token)) != 0;
    }

    /** Advances past the chosen token. */
    public void accept(int token) {
        if (failed) return;
        if (!active) {
            pending.writeBytes(vocab.bytes[token]);
            trigger();
            return;
        }
        if (!allows(token)) {
            throw new GrammarException("token " + token + " is not allowed by the grammar here");
        }
        if (vocab.isEog(token) && vocab.bytes[token].length == 0) {
            ended = true;
            return;
        }
        state = advance(state, vocab.bytes[token], 0);
    }

    private long[] eogOnly() {
        long[] m = new long[(vocab.size + 63) >>> 6];
        for (int id : vocab.eog) m[id >>> 6] |= 1L << id;
        return m;
    }

    private int advance(int s, byte[] b, int from) {
        for (int k = from; k < b.length && s >= 0; k++) s = states.next(s, b[k] & 0xFF);
        return s;
    }

    private void trigger() {
        byte[] out = pending.toByteArray();
        int at = -1;
        for (String t : grammar.triggers()) {
            int i = indexOf(out, t.getBytes(StandardCharsets.UTF_8));
            if (i >= 0 && (at < 0 || i < at)) at = i;
        }
        if (at < 0) return;
        active = true;
        pending = null;
        int s = advance(states.initial(), out, at);
        if (s < 0) failed = true;
        else state = s;
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int k = 0; k < needle.length; k++) if (hay[i + k] != needle[k]) continue outer;
            return i;
        }
        return -1;
    }

    @Override
    public String toString() {
        return "GrammarMatcher[active=" + active + ", state=" + state + ", vocab=" + vocab.size + "]";
    }
}
