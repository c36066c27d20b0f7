package dev.winnow.grammar;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token masks of one grammar over one vocabulary, per parser state, least recently used first
 * out. A mask is a bitset over token ids: the tokens whose bytes the state accepts in full, plus
 * the end-of-generation tokens when the state is complete.
 */
final class MaskCache {
    private static final long MAX_BYTES = 64L << 20;

    private final ParserStates states;
    private final TokenVocabulary vocab;
    private final Map<Integer, long[]> cache;

    MaskCache(ParserStates states, TokenVocabulary vocab) {
        this.states = states;
        this.vocab = vocab;
        int words = (vocab.size + 63) >>> 6;
        int maxEntries = (int) Math.max(16, MAX_BYTES / (8L * words));
        this.cache = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, long[]> e) {
                return size() > maxEntries;
            }
        };
    }

    /** The mask of a state (shared: do not modify). */
    long[] mask(int state) {
        synchronized (states) {
            long[] m = cache.get(state);
            if (m == null) {
                m = compute(state);
                cache.put(state, m);
            }
            return m;
        }
    }

    /** Walks the trie in preorder, skipping each subtree whose first byte the grammar rejects. */
    private long[] compute(int state) {
        TokenVocabulary v = vocab;
        long[] m = new long[(v.size + 63) >>> 6];
        int[] st = new int[v.maxDepth + 1];
        st[0] = state;
        byte[] nb = v.nodeByte;
        int[] nd = v.nodeDepth, ne = v.nodeEnd, ts = v.nodeTokStart, ids = v.tokIds;
        int n = nb.length;
        for (int i = 0; i < n; ) {
            int d = nd[i];
            int s = states.step(st[d - 1], nb[i] & 0xFF);
            if (s < 0) {
                i = ne[i];
                continue;
            }
            st[d] = s;
            for (int k = ts[i]; k < ts[i + 1]; k++) m[ids[k] >>> 6] |= 1L << ids[k];
            i++;
        }
        if (states.acceptingUnlocked(state)) {
            for (int id : v.eog) m[id >>> 6] |= 1L << id;
        }
        return m;
    }
}
