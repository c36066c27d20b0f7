package dev.winnow.kv.codec;

import dev.winnow.kv.policy.KvSpecException;

/** Block sizes of the block codecs and their checks. */
final class Blocks {
    private Blocks() {
    }

    /**
     * The block size for vectors of {@code dim} values: {@code block}, or the whole vector when
     * it is smaller; the block must divide the vector.
     */
    static int check(int dim, int block, String codec) {
        if (block < 1) throw new KvSpecException(codec + ": block=" + block + " must be >= 1");
        int b = Math.min(block, dim);
        if (dim % b != 0) {
            throw new KvSpecException(codec + ": block=" + block + " does not divide the head size " + dim
                    + " (use a divisor of " + dim + ")");
        }
        return b;
    }

    /** Checks that {@code values} codes of {@code bits} bits fill whole bytes. */
    static void checkPacking(int values, int bits, String codec, String what) {
        if (values * bits % 8 != 0 || values % (8 / bits) != 0) {
            throw new KvSpecException(codec + ": " + what + " of " + values + " values cannot be packed at " + bits
                    + " bits (needs a multiple of " + 8 / bits + ")");
        }
    }
}
