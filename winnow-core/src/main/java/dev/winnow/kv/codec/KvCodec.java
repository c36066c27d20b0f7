package dev.winnow.kv.codec;

import java.util.function.IntFunction;

/**
 * An encoding of the vectors of one head: a name and factories of {@link VectorStore}s for a head
 * size, one for values (and any vectors) and one for keys, which may lay the same encoding out for
 * faster scoring (f32/f16/bf16 keys are channel-major: {@link F32KeyStore}, {@link F16KeyStore}). Factories check the
 * head size (block sizes must divide it) and say what is wrong.
 */
public record KvCodec(String name, IntFunction<VectorStore> factory, IntFunction<VectorStore> keyFactory) {
    /** f32: values row-major ({@link F32Store}), keys channel-major in tiles of 16 ({@link F32KeyStore}). */
    public static final KvCodec F32 = new KvCodec("f32", F32Store::new, F32KeyStore::new);
    /** f16: values row-major ({@link F16Store}), keys channel-major in tiles of 16 ({@link F16KeyStore}). */
    public static final KvCodec F16 = new KvCodec("f16", d -> new F16Store(d, false), d -> new F16KeyStore(d, false));
    public static final KvCodec BF16 = new KvCodec("bf16", d -> new F16Store(d, true), d -> new F16KeyStore(d, true));

    /** A codec whose keys and values are stored alike. */
    public KvCodec(String name, IntFunction<VectorStore> factory) {
        this(name, factory, factory);
    }

    /** A store for values (or for vectors of either kind, as mixed precision and merging use them). */
    public VectorStore newStore(int headSize) {
        return factory.apply(headSize);
    }

    /** A store for a head's keys: the same encoding, in the layout its score kernel reads fastest. */
    public VectorStore newKeyStore(int headSize) {
        return keyFactory.apply(headSize);
    }

    /** GGUF Q8_0 blocks. */
    public static KvCodec int8(int block) {
        return int8(block, false);
    }

    /**
     * GGUF Q8_0 blocks; {@code smooth} (for keys) divides each channel by a scale fixed from the
     * first vector and folds it into the query ({@link Int8Store}). The name does not say which:
     * {@code int8} keys are smoothed, {@code int8} values are not.
     */
    public static KvCodec int8(int block, boolean smooth) {
        return new KvCodec(block == 32 ? "int8" : "int8:block=" + block, d -> new Int8Store(d, block, smooth));
    }

    /** GGUF Q4_1 blocks (bits 4) or their 2-bit analogue. */
    public static KvCodec asym(int bits, int block) {
        return new KvCodec(block == 32 ? "int" + bits : "int" + bits + ":block=" + block, d -> new AsymStore(d, bits, block));
    }

    /** A per-token codec by bits: 32 f32, 16 f16, 8 int8, 4 int4, 2 int2 (blocks of {@code block}). */
    public static KvCodec byBits(int bits, int block) {
        return switch (bits) {
            case 32 -> F32;
            case 16 -> F16;
            case 8 -> int8(block);
            case 4, 2 -> asym(bits, block);
            default -> throw new IllegalArgumentException("no per-token codec of " + bits + " bits");
        };
    }

    /** KIVI keys: per-channel quantization over groups of {@code group} tokens; 0 … residual − 1 newest in f32 (flushed at residual). */
    public static KvCodec kiviKeys(int bits, int group, int residual) {
        String name = "kivi" + bits;
        return new KvCodec(name, d -> ResidualStore.keys(new ChannelGroupStore(d, bits, group, name), residual, group, name));
    }

    /** KIVI values: per-token asymmetric blocks of {@code block} channels, the newest {@code residual} in f32. */
    public static KvCodec kiviValues(int bits, int group, int residual, int block) {
        String name = "kivi" + bits;
        return new KvCodec(name, d -> ResidualStore.values(new AsymStore(d, bits, block, name), residual, name));
    }

    /** GEAR on KIVI keys: per-channel groups, plus a rank-{@code rank} residual and sparse outliers. */
    public static KvCodec gearKeys(int bits, int group, int residual, int rank, double outliers) {
        String name = "gear" + bits;
        return new KvCodec(name, d -> new GearStore(new ChannelGroupStore(d, bits, group, name), residual, group, rank, outliers, name));
    }

    /** GEAR on KIVI values: per-token blocks, plus a rank-{@code rank} residual and sparse outliers. */
    public static KvCodec gearValues(int bits, int group, int residual, int block, int rank, double outliers) {
        String name = "gear" + bits;
        return new KvCodec(name, d -> new GearStore(new AsymStore(d, bits, block, name), residual, group, rank, outliers, name));
    }

    /** Per-entry mixed precision between two per-token codecs. */
    public static KvCodec mixed(KvCodec high, KvCodec low) {
        return mixed(high, low, false);
    }

    /**
     * Per-entry mixed precision between two per-token codecs; {@code balanced} stores the
     * low-precision vectors channel-separated (for keys, see {@link MixedStore}).
     */
    public static KvCodec mixed(KvCodec high, KvCodec low, boolean balanced) {
        return new KvCodec(high.name + "/" + low.name, d -> {
            VectorStore h = high.newStore(d), l = low.newStore(d);
            if (!(h instanceof TokenStore th) || !(l instanceof TokenStore tl)) {
                throw new IllegalArgumentException("mixed precision needs per-token codecs, got " + high.name + ", " + low.name);
            }
            return new MixedStore(th, tl, balanced);
        });
    }

    @Override
    public String toString() {
        return name;
    }
}
