package dev.winnow.kv.codec;

/**
 * How a cache stores its keys and values: a {@link VectorStore} for the keys and one for the
 * values of every layer and KV head. Usually one codec for all keys and one for all values
 * ({@link #of}); cross-layer schemes (MiniCache) make stores that share state between layers.
 */
public interface KvStorage {
    /** The default: f32 keys and values. */
    KvStorage F32 = of(KvCodec.F32, KvCodec.F32);

    VectorStore keys(int layer, int kvHead, int headSize);

    VectorStore values(int layer, int kvHead, int headSize);

    /** A short description, e.g. {@code k=int8,v=int4}. */
    String describe();

    static KvStorage of(KvCodec keys, KvCodec values) {
        return new KvStorage() {
            @Override
            public VectorStore keys(int layer, int kvHead, int headSize) {
                return keys.newKeyStore(headSize);
            }

            @Override
            public VectorStore values(int layer, int kvHead, int headSize) {
                return values.newStore(headSize);
            }

            @Override
            public String describe() {
                return keys.name().equals(values.name()) ? keys.name() : "k=" + keys.name() + ",v=" + values.name();
            }
        };
    }
}
