package dev.winnow.kv.codec;

import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;

/** Store factories and random data for the codec tests. */
final class Stores {
    private Stores() {
    }

    record Kind(String name, IntFunction<VectorStore> factory) {
        @Override
        public String toString() {
            return name;
        }
    }

    /** Every store kind, with small groups and residuals so that tests cross their boundaries. */
    static List<Kind> all() {
        return List.of(
                new Kind("f32", F32Store::new),
                new Kind("f16", d -> new F16Store(d, false)),
                new Kind("bf16", d -> new F16Store(d, true)),
                new Kind("f32-keys", F32KeyStore::new),
                new Kind("f16-keys", d -> new F16KeyStore(d, false)),
                new Kind("bf16-keys", d -> new F16KeyStore(d, true)),
                new Kind("int8", d -> new Int8Store(d, 32)),
                new Kind("int8-smooth", d -> new Int8Store(d, 32, true)),
                new Kind("int4", d -> new AsymStore(d, 4, 32)),
                new Kind("int2", d -> new AsymStore(d, 2, 32)),
                new Kind("kivi2-keys", d -> KvCodec.kiviKeys(2, 8, 8).newStore(d)),
                new Kind("kivi4-keys", d -> KvCodec.kiviKeys(4, 8, 16).newStore(d)),
                new Kind("kivi2-values", d -> KvCodec.kiviValues(2, 8, 5, 32).newStore(d)),
                new Kind("kivi4-values", d -> KvCodec.kiviValues(4, 8, 0, 32).newStore(d)),
                new Kind("gear2-keys", d -> KvCodec.gearKeys(2, 8, 5, 2, 0.05).newStore(d)),
                new Kind("gear2-values", d -> KvCodec.gearValues(2, 8, 0, 32, 3, 0.02).newStore(d)),
                new Kind("mixed-int8/int2", d -> KvCodec.mixed(KvCodec.int8(32), KvCodec.asym(2, 32)).newStore(d)));
    }

    /** Gaussian values with a few outliers (about 1 in 50 values 10× larger), as keys have. */
    static float[] vectors(Random r, int count, int dim) {
        float[] v = new float[count * dim];
        for (int i = 0; i < v.length; i++) {
            double x = r.nextGaussian();
            if (r.nextInt(50) == 0) x *= 10;
            v[i] = (float) x;
        }
        return v;
    }

    static VectorStore filled(Kind kind, int dim, float[] v, int count) {
        VectorStore s = kind.factory().apply(dim);
        for (int i = 0; i < count; i++) s.append(v, i * dim);
        return s;
    }

    /** An f32 copy of what a store decodes to. */
    static F32Store decoded(VectorStore s) {
        F32Store d = new F32Store(s.dim());
        float[] tmp = new float[s.dim()];
        for (int i = 0; i < s.size(); i++) {
            s.get(i, tmp, 0);
            d.append(tmp, 0);
        }
        return d;
    }
}
