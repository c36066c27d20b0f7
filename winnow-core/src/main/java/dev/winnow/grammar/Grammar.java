package dev.winnow.grammar;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A compiled context-free grammar over bytes (UTF-8), from GBNF text ({@link #parse}) or a JSON
 * schema ({@link JsonSchema#grammar()}). Immutable and shareable; the parser states it reaches are
 * memoized in one {@link ParserStates} per grammar, so repeated generations get cheaper.
 *
 * <p>A grammar may be <em>triggered</em> ({@link #triggeredBy}): output is free until one of the
 * trigger strings appears, and from that point on (the trigger included) it must match the grammar.
 */
public final class Grammar {
    final int[] elems;
    final long[][] sets;
    final int[][] altStarts;
    final String[] ruleNames;
    final int root;
    private final List<String> triggers;
    private final ParserStates states;

    Grammar(int[] elems, long[][] sets, int[][] altStarts, String[] ruleNames, int root) {
        this.elems = elems;
        this.sets = sets;
        this.altStarts = altStarts;
        this.ruleNames = ruleNames;
        this.root = root;
        this.triggers = List.of();
        this.states = new ParserStates(this);
    }

    private Grammar(Grammar g, List<String> triggers) {
        this.elems = g.elems;
        this.sets = g.sets;
        this.altStarts = g.altStarts;
        this.ruleNames = g.ruleNames;
        this.root = g.root;
        this.triggers = triggers;
        this.states = g.states;
    }

    /** Parses GBNF text whose start rule is {@code root}. */
    public static Grammar parse(String gbnf) {
        return parse(gbnf, "root");
    }

    public static Grammar parse(String gbnf, String rootRule) {
        Objects.requireNonNull(gbnf, "gbnf");
        return GbnfParser.parse(gbnf, rootRule);
    }

    /**
     * The same grammar, applied only once the output contains one of {@code triggers}; the
     * grammar must match the output from the trigger's first byte on (so it starts with them).
     */
    public Grammar triggeredBy(List<String> triggers) {
        for (String t : triggers) {
            if (t.isEmpty()) throw new IllegalArgumentException("trigger strings must not be empty");
        }
        return new Grammar(this, List.copyOf(triggers));
    }

    public List<String> triggers() {
        return triggers;
    }

    public boolean isTriggered() {
        return !triggers.isEmpty();
    }

    /** Whether the whole text is in the language. */
    public boolean matches(String text) {
        int s = states.initial();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            s = states.next(s, b & 0xFF);
            if (s < 0) return false;
        }
        return states.accepting(s);
    }

    /** Whether the text is a prefix of some sentence of the language. */
    public boolean isPrefix(String text) {
        int s = states.initial();
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            s = states.next(s, b & 0xFF);
            if (s < 0) return false;
        }
        return true;
    }

    ParserStates states() {
        return states;
    }

    public int ruleCount() {
        return altStarts.length;
    }
}
