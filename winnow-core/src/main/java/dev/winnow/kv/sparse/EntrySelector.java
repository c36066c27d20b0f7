package dev.winnow.kv.sparse;

import dev.winnow.kv.KvCache;

/**
 * Chooses, at each decoding step, which entries of each KV head of a layer the attention reads
 * (sparse attention): installed with {@link KvCache#useSelector}, called by the model once per
 * layer and decoding step, before that layer's attention, after the new token's key and value
 * were appended.
 */
@FunctionalInterface
public interface EntrySelector {
    /**
     * Fills {@code out} for every KV head of {@code layer}: either {@link Selection#all} or a
     * list of entry indices (ascending, distinct).
     *
     * @param q the token's queries of every query head of the layer (after RoPE), head {@code h}
     *          at {@code h × headSize}
     */
    void select(int layer, float[] q, KvCache cache, Selection out);
}
