package dev.winnow.grammar;

import dev.winnow.tokenizer.ByteLevelBpeTokenizer;
import dev.winnow.tokenizer.SentencePieceTokenizer;
import dev.winnow.tokenizer.Tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * What constrained decoding precomputes once per vocabulary: each token's bytes as decoding
 * produces them (byte-level BPE stand-ins unmapped, SentencePiece {@code ▁} as a space,
 * {@code <0xNN>} byte-fallback tokens as their byte; control tokens have none), the
 * end-of-generation ids, and a byte trie of all tokens in preorder — node {@code i} has a byte,
 * a depth and the index just past its subtree, so a mask is one linear scan that skips every
 * subtree the grammar rejects.
 */
public final class TokenVocabulary {
    private static final Map<Tokenizer, TokenVocabulary> CACHE = new WeakHashMap<>();

    final int size;
    final byte[][] bytes;
    final int[] eog;
    // The trie in preorder.
    final byte[] nodeByte;
    final int[] nodeDepth;
    final int[] nodeEnd;
    final int[] nodeTokStart; // tokens ending at node i: tokIds[nodeTokStart[i] .. nodeTokStart[i + 1])
    final int[] tokIds;
    final int maxDepth;

    private TokenVocabulary(Tokenizer tok) {
        size = tok.vocabSize();
        bytes = new byte[size][];
        int eogCount = 0;
        int[] eogs = new int[size];
        for (int id = 0; id < size; id++) {
            if (tok.isEndOfGeneration(id)) eogs[eogCount++] = id;
            bytes[id] = tok.isControl(id) ? new byte[0] : tokenBytes(tok, id);
        }
        eog = Arrays.copyOf(eogs, eogCount);

        Integer[] order = new Integer[size];
        for (int k = 0; k < size; k++) order[k] = k;
        Arrays.sort(order, (a, b) -> Arrays.compareUnsigned(bytes[a], bytes[b]));
        int cap = 1024;
        byte[] nb = new byte[cap];
        int[] nd = new int[cap], ne = new int[cap];
        int[] tokenNode = new int[size];
        Arrays.fill(tokenNode, -1);
        int[] path = new int[1];
        int pathLen = 0;
        int n = 0, deepest = 0;
        byte[] prev = new byte[0];
        for (int id : order) {
            byte[] b = bytes[id];
            if (b.length == 0) continue;
            int lcp = 0;
            while (lcp < Math.min(prev.length, b.length) && prev[lcp] == b[lcp]) lcp++;
            while (pathLen > lcp) ne[path[--pathLen]] = n;
            for (int d = lcp; d < b.length; d++) {
                if (n == nb.length) {
                    nb = Arrays.copyOf(nb, n * 2);
                    nd = Arrays.copyOf(nd, n * 2);
                    ne = Arrays.copyOf(ne, n * 2);
                }
                nb[n] = b[d];
                nd[n] = d + 1;
                if (pathLen == path.length) path = Arrays.copyOf(path, pathLen * 2);
                path[pathLen++] = n++;
            }
            tokenNode[id] = path[b.length - 1];
            deepest = Math.max(deepest, b.length);
            prev = b;
        }
        while (pathLen > 0) ne[path[--pathLen]] = n;
        nodeByte = Arrays.copyOf(nb, n);
        nodeDepth = Arrays.copyOf(nd, n);
        nodeEnd = Arrays.copyOf(ne, n);
        nodeTokStart = new int[n + 1];
        for (int id = 0; id < size; id++) if (tokenNode[id] >= 0) nodeTokStart[tokenNode[id] + 1]++;
        for (int k = 0; k < n; k++) nodeTokStart[k + 1] += nodeTokStart[k];
        tokIds = new int[nodeTokStart[n]];
        int[] fill = Arrays.copyOf(nodeTokStart, n);
        for (int id = 0; id < size; id++) if (tokenNode[id] >= 0) tokIds[fill[tokenNode[id]]++] = id;
        maxDepth = deepest;
    }

    /** The vocabulary of a tokenizer, built once and cached while the tokenizer lives. */
    public static TokenVocabulary of(Tokenizer tok) {
        synchronized (CACHE) {
            return CACHE.computeIfAbsent(tok, TokenVocabulary::new);
        }
    }

    private static byte[] tokenBytes(Tokenizer tok, int id) {
        if (tok instanceof SentencePieceTokenizer s) return s.pieceBytes(id);
        if (tok instanceof ByteLevelBpeTokenizer b) return b.pieceBytes(id);
        return tok.tokenText(id).getBytes(StandardCharsets.UTF_8);
    }

    public int size() {
        return size;
    }

    /** The bytes token {@code id} adds to the output (empty for control tokens). */
    public byte[] bytes(int id) {
        return bytes[id].clone();
    }

    public int trieNodes() {
        return nodeByte.length;
    }

    boolean isEog(int id) {
        for (int e : eog) if (e == id) return true;
        return false;
    }
}
