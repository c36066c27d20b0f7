package dev.winnow.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The grammar's pushdown automaton, built lazily and memoized. A parser stack is a chain of
 * interned nodes (an element position and the node below it); its top always points at a byte
 * terminal. A parser <em>state</em> is an interned set of stacks (the grammar may be ambiguous),
 * numbered from 0; {@link #next} follows one byte and caches the result per (state, byte), so a
 * walk over the vocabulary trie costs an array read per trie node once states repeat.
 *
 * <p>Rule references whose continuation is the end of an alternative push nothing (tail calls),
 * so right-recursive repetitions keep stacks flat. Empty cycles are cut by a visited set.
 */
final class ParserStates {
    static final int DEAD = -1;
    private static final int UNKNOWN = -2;
    private static final int ACCEPT = 0;
    private static final int MAX_STATES = 2_000_000;

    private final int[] elems;
    private final long[][] sets;
    private final int[][] altStarts;
    private final int root;

    // Stack nodes: 0 = the empty stack (input complete).
    private int[] nodePos = new int[1024];
    private int[] nodeParent = new int[1024];
    private int nodeCount = 1;
    private final Map<Long, Integer> nodeIds = new HashMap<>();

    // States.
    private final List<int[]> stateNodes = new ArrayList<>();
    private final Map<Key, Integer> stateIds = new HashMap<>();
    private int[][] trans = new int[64][];
    private boolean[] accepting = new boolean[64];
    private boolean[] open = new boolean[64];
    private final int initial;

    private final Map<TokenVocabulary, MaskCache> masks = new HashMap<>();

    ParserStates(Grammar g) {
        this.elems = g.elems;
        this.sets = g.sets;
        this.altStarts = g.altStarts;
        this.root = g.root;
        int[] start;
        synchronized (this) {
            Builder out = new Builder();
            for (int a : altStarts[root]) expand(a, -1, out);
            start = out.sorted();
            if (start.length == 0) throw new GrammarException("grammar matches nothing");
            initial = intern(start);
        }
    }

    int initial() {
        return initial;
    }

    synchronized boolean accepting(int state) {
        return accepting[state];
    }

    /** Whether some byte can follow (the state is not only "complete"). */
    synchronized boolean canContinue(int state) {
        return open[state];
    }

    synchronized int next(int state, int b) {
        return step(state, b);
    }

    synchronized MaskCache masks(TokenVocabulary vocab) {
        return masks.computeIfAbsent(vocab, v -> new MaskCache(this, v));
    }

    /** Unsynchronized: callers hold the lock. */
    int step(int state, int b) {
        int[] t = trans[state];
        if (t == null) {
            t = new int[256];
            Arrays.fill(t, UNKNOWN);
            trans[state] = t;
        }
        int v = t[b];
        if (v != UNKNOWN) return v;
        Builder out = new Builder();
        for (int n : stateNodes.get(state)) {
            if (n == ACCEPT) continue;
            int pos = nodePos[n];
            long[] set = sets[elems[pos] >>> 2];
            if ((set[b >> 6] & (1L << (b & 63))) != 0) expand(pos + 1, nodeParent[n], out);
        }
        int[] nodes = out.sorted();
        v = nodes.length == 0 ? DEAD : intern(nodes);
        t[b] = v;
        return v;
    }

    boolean acceptingUnlocked(int state) {
        return accepting[state];
    }

    /** Adds the stacks reached from position {@code pos} over {@code parent} to {@code out}. */
    private void expand(int pos, int parent, Builder out) {
        if (!out.visited.add(((long) pos << 32) | (parent & 0xFFFFFFFFL))) return;
        int e = elems[pos];
        switch (e & 3) {
            case GrammarBuilder.END -> {
                if (parent < 0) out.add(ACCEPT);
                else expand(nodePos[parent], nodeParent[parent], out);
            }
            case GrammarBuilder.TERM -> out.add(node(pos, parent));
            default -> {
                int cont = pos + 1;
                int np = (elems[cont] & 3) == GrammarBuilder.END ? parent : node(cont, parent);
                for (int a : altStarts[e >>> 2]) expand(a, np, out);
            }
        }
    }

    private int node(int pos, int parent) {
        long key = ((long) pos << 32) | (parent & 0xFFFFFFFFL);
        Integer id = nodeIds.get(key);
        if (id != null) return id;
        if (nodeCount == nodePos.length) {
            nodePos = Arrays.copyOf(nodePos, nodeCount * 2);
            nodeParent = Arrays.copyOf(nodeParent, nodeCount * 2);
        }
        nodePos[nodeCount] = pos;
        nodeParent[nodeCount] = parent;
        nodeIds.put(key, nodeCount);
        return nodeCount++;
    }

    private int intern(int[] nodes) {
        Key k = new Key(nodes);
        Integer id = stateIds.get(k);
        if (id != null) return id;
        int n = stateNodes.size();
        if (n >= MAX_STATES) throw new GrammarException("grammar parser reached " + MAX_STATES + " states (too ambiguous or too deep)");
        if (n == trans.length) {
            trans = Arrays.copyOf(trans, n * 2);
            accepting = Arrays.copyOf(accepting, n * 2);
            open = Arrays.copyOf(open, n * 2);
        }
        stateNodes.add(nodes);
        accepting[n] = nodes[0] == ACCEPT;
        open[n] = nodes[nodes.length - 1] != ACCEPT;
        stateIds.put(k, n);
        return n;
    }

    private record Key(int[] a) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(a, k.a);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(a);
        }
    }

    private static final class Builder {
        final Set<Long> visited = new HashSet<>();
        int[] a = new int[8];
        int n;

        void add(int v) {
            if (n == a.length) a = Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        int[] sorted() {
            int[] s = Arrays.copyOf(a, n);
            Arrays.sort(s);
            int m = 0;
            for (int k = 0; k < s.length; k++) if (m == 0 || s[m - 1] != s[k]) s[m++] = s[k];
            return Arrays.copyOf(s, m);
        }
    }
}
