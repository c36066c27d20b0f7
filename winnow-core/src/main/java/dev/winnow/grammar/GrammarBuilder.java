package dev.winnow.grammar;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Collects rules as alternatives of element sequences and flattens them into a {@link Grammar}.
 * Elements are ints: {@code END} (0), a byte-set terminal ({@code set << 2 | 1}) or a rule
 * reference ({@code rule << 2 | 2}). Repetitions are desugared into right-recursive helper rules,
 * as llama.cpp does, so the parser stack does not grow with repetition count.
 */
final class GrammarBuilder {
    static final int END = 0, TERM = 1, REF = 2;
    private static final int MAX_ELEMENTS = 4_000_000;

    private final Map<String, Integer> ruleIds = new LinkedHashMap<>();
    private final List<String> names = new ArrayList<>();
    private final List<List<int[]>> rules = new ArrayList<>();
    private final List<long[]> sets = new ArrayList<>();
    private final Map<String, Integer> setIds = new HashMap<>();
    private final Map<String, Integer> anonRules = new HashMap<>();
    private long elements;

    /** The id of a named rule, created undefined on first use. */
    int rule(String name) {
        Integer id = ruleIds.get(name);
        if (id != null) return id;
        int nid = names.size();
        ruleIds.put(name, nid);
        names.add(name);
        rules.add(null);
        return nid;
    }

    boolean isDefined(String name) {
        Integer id = ruleIds.get(name);
        return id != null && rules.get(id) != null;
    }

    void define(int rule, List<int[]> alternatives) {
        if (rules.get(rule) != null) throw new GrammarException("rule '" + names.get(rule) + "' is defined twice");
        for (int[] a : alternatives) elements += a.length + 1;
        if (elements > MAX_ELEMENTS) throw new GrammarException("grammar too large (more than " + MAX_ELEMENTS + " elements)");
        rules.set(rule, alternatives);
    }

    /** A fresh helper rule with these alternatives; identical helpers are shared. */
    int helper(String hint, List<int[]> alternatives) {
        StringBuilder key = new StringBuilder();
        for (int[] a : alternatives) key.append(Arrays.toString(a)).append('|');
        Integer existing = anonRules.get(key.toString());
        if (existing != null) return existing;
        int id = rule(hint + "-" + names.size());
        define(id, alternatives);
        anonRules.put(key.toString(), id);
        return id;
    }

    static int ref(int rule) {
        return rule << 2 | REF;
    }

    /** A terminal matching the bytes set in {@code bits} (256 bits). */
    int term(long[] bits) {
        String key = Arrays.toString(bits);
        Integer id = setIds.get(key);
        if (id == null) {
            id = sets.size();
            sets.add(bits.clone());
            setIds.put(key, id);
        }
        return id << 2 | TERM;
    }

    int byteTerm(int lo, int hi) {
        long[] bits = new long[4];
        for (int b = lo; b <= hi; b++) bits[b >> 6] |= 1L << (b & 63);
        return term(bits);
    }

    /** Elements matching the UTF-8 bytes of a literal string. */
    int[] literal(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int[] out = new int[b.length];
        for (int k = 0; k < b.length; k++) out[k] = byteTerm(b[k] & 0xFF, b[k] & 0xFF);
        return out;
    }

    /**
     * Elements matching one code point from the given inclusive ranges (pairs), as UTF-8: a
     * single terminal when every code point is ASCII, else a helper rule of byte sequences.
     */
    int[] charClass(int[] ranges, boolean negated) {
        int[] r = normalize(ranges);
        if (negated) r = complement(r);
        if (r.length == 0) throw new GrammarException("character class matches nothing");
        List<int[]> seqs = new ArrayList<>();
        for (int k = 0; k < r.length; k += 2) seqs.addAll(Utf8Ranges.sequences(r[k], r[k + 1]));
        // Merge the one-byte sequences into one terminal.
        long[] single = new long[4];
        boolean any = false;
        List<int[]> alts = new ArrayList<>();
        for (int[] s : seqs) {
            if (s.length == 2) {
                for (int b = s[0]; b <= s[1]; b++) single[b >> 6] |= 1L << (b & 63);
                any = true;
            } else {
                int[] alt = new int[s.length / 2];
                for (int k = 0; k < alt.length; k++) alt[k] = byteTerm(s[2 * k], s[2 * k + 1]);
                alts.add(alt);
            }
        }
        if (alts.isEmpty()) return new int[] {term(single)};
        if (any) alts.add(0, new int[] {term(single)});
        return new int[] {ref(helper("char", alts))};
    }

    private static int[] normalize(int[] ranges) {
        int n = ranges.length / 2;
        int[][] rs = new int[n][];
        for (int k = 0; k < n; k++) {
            if (ranges[2 * k] > ranges[2 * k + 1]) {
                throw new GrammarException("bad character range " + ranges[2 * k] + "-" + ranges[2 * k + 1]);
            }
            rs[k] = new int[] {ranges[2 * k], ranges[2 * k + 1]};
        }
        Arrays.sort(rs, (a, b) -> Integer.compare(a[0], b[0]));
        List<int[]> merged = new ArrayList<>();
        for (int[] x : rs) {
            if (!merged.isEmpty() && x[0] <= merged.getLast()[1] + 1) {
                merged.getLast()[1] = Math.max(merged.getLast()[1], x[1]);
            } else {
                merged.add(x.clone());
            }
        }
        int[] out = new int[merged.size() * 2];
        for (int k = 0; k < merged.size(); k++) {
            out[2 * k] = merged.get(k)[0];
            out[2 * k + 1] = merged.get(k)[1];
        }
        return out;
    }

    private static int[] complement(int[] r) {
        List<Integer> out = new ArrayList<>();
        int next = 0;
        for (int k = 0; k < r.length; k += 2) {
            if (r[k] > next) {
                out.add(next);
                out.add(r[k] - 1);
            }
            next = r[k + 1] + 1;
        }
        if (next <= Utf8Ranges.MAX_CP) {
            out.add(next);
            out.add(Utf8Ranges.MAX_CP);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@code x*} as a reference to {@code R ::= x R | ε}. */
    int[] star(int[] x) {
        int id = rule("star-" + names.size());
        define(id, List.of(concat(x, new int[] {ref(id)}), new int[0]));
        return new int[] {ref(id)};
    }

    /** {@code x{min,max}}; max −1 = unbounded. */
    int[] repeat(int[] x, int min, int max) {
        if (min < 0 || (max >= 0 && max < min)) throw new GrammarException("bad repetition {" + min + "," + max + "}");
        if ((long) x.length * Math.max(min, max) > MAX_ELEMENTS) throw new GrammarException("repetition too large: {" + min + "," + max + "}");
        List<int[]> parts = new ArrayList<>();
        for (int k = 0; k < min; k++) parts.add(x);
        if (max < 0) {
            parts.add(star(x));
        } else if (max > min) {
            // opt_1 ::= x | ε; opt_k ::= x opt_{k-1} | ε
            int prev = -1;
            for (int k = 0; k < max - min; k++) {
                int[] first = prev < 0 ? x : concat(x, new int[] {ref(prev)});
                prev = helper("rep", List.of(first, new int[0]));
            }
            parts.add(new int[] {ref(prev)});
        }
        int total = 0;
        for (int[] p : parts) total += p.length;
        int[] out = new int[total];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Flattens the rules; every referenced rule must be defined. */
    Grammar build(String rootName) {
        Integer root = ruleIds.get(rootName);
        if (root == null || rules.get(root) == null) throw new GrammarException("grammar has no rule '" + rootName + "'");
        for (int k = 0; k < names.size(); k++) {
            if (rules.get(k) == null) throw new GrammarException("rule '" + names.get(k) + "' is used but not defined");
        }
        int size = 0;
        for (List<int[]> alts : rules) for (int[] a : alts) size += a.length + 1;
        int[] elems = new int[size];
        int[][] altStarts = new int[rules.size()][];
        int at = 0;
        for (int r = 0; r < rules.size(); r++) {
            List<int[]> alts = rules.get(r);
            altStarts[r] = new int[alts.size()];
            for (int k = 0; k < alts.size(); k++) {
                altStarts[r][k] = at;
                System.arraycopy(alts.get(k), 0, elems, at, alts.get(k).length);
                at += alts.get(k).length;
                elems[at++] = END;
            }
        }
        return new Grammar(elems, sets.toArray(new long[0][]), altStarts, names.toArray(new String[0]), root);
    }
}
