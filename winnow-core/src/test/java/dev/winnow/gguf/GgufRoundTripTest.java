package dev.winnow.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.SharedData;
import dev.winnow.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void everyValueTypeAndTensorReadsBackIdentical() throws Exception {
        float[] weights = new float[4 * 32];
        Random r = new Random(3);
        for (int i = 0; i < weights.length; i++) weights[i] = (float) r.nextGaussian();
        byte[] q8 = new byte[4 * 34];
        r.nextBytes(q8);
        GgufWriter w = new GgufWriter()
                .put("u8", GgufValueType.UINT8, (byte) 200)
                .put("i8", GgufValueType.INT8, (byte) -5)
                .put("u16", GgufValueType.UINT16, (short) 60000)
                .put("i16", GgufValueType.INT16, (short) -300)
                .putUInt32("u32", 0xFFFFFFF0)
                .putInt32("i32", -7)
                .putFloat32("f32", 1.5f)
                .putBool("bool", true)
                .putString("str", "héllo ▁ world")
                .put("u64", GgufValueType.UINT64, 1L << 40)
                .put("i64", GgufValueType.INT64, -(1L << 40))
                .put("f64", GgufValueType.FLOAT64, Math.PI)
                .putArray("strings", GgufArray.of("a", "", "ß"))
                .putArray("floats", GgufArray.of(1f, 2f, -3f))
                .putArray("ints", GgufArray.ofInt32(1, -2, 3))
                .putArray("bytes", new GgufArray(GgufValueType.UINT8, new byte[] {1, (byte) 255}))
                .putArray("bools", new GgufArray(GgufValueType.BOOL, new boolean[] {true, false}))
                .putArray("nested", new GgufArray(GgufValueType.ARRAY, new GgufArray[] {
                        GgufArray.ofInt32(1, 2), new GgufArray(GgufValueType.ARRAY, new GgufArray[] {GgufArray.of("x")})}))
                .addF32("w", new long[] {32, 4}, weights)
                .addTensor("q", GgmlType.Q8_0, new long[] {128}, MemorySegment.ofArray(q8));
        Path p = dir.resolve("all.gguf");
        w.write(p);

        try (GgufFile f = GgufFile.open(p)) {
            assertThat(f.version()).isEqualTo(3);
            assertThat(f.getLong("u8")).isEqualTo(200);
            assertThat(f.getLong("i8")).isEqualTo(-5);
            assertThat(f.getLong("u16")).isEqualTo(60000);
            assertThat(f.getLong("i16")).isEqualTo(-300);
            assertThat(f.getLong("u32")).isEqualTo(0xFFFFFFF0L);
            assertThat(f.getInt("i32")).isEqualTo(-7);
            assertThat(f.getFloat("f32")).isEqualTo(1.5f);
            assertThat(f.getBoolean("bool", false)).isTrue();
            assertThat(f.getString("str")).isEqualTo("héllo ▁ world");
            assertThat(f.getLong("u64")).isEqualTo(1L << 40);
            assertThat(f.getLong("i64")).isEqualTo(-(1L << 40));
            assertThat(f.get("f64")).isEqualTo(Math.PI);
            assertThat(f.getArray("strings").asStrings()).containsExactly("a", "", "ß");
            assertThat(f.getArray("floats").asFloats()).containsExactly(1f, 2f, -3f);
            assertThat(f.getArray("ints").asInts()).containsExactly(1, -2, 3);
            assertThat(f.getArray("bytes").asInts()).containsExactly(1, 255);
            assertThat(f.getArray("bools").get(0)).isEqualTo(true);
            GgufArray nested = f.getArray("nested");
            assertThat(nested.elementType()).isEqualTo(GgufValueType.ARRAY);
            assertThat(((GgufArray) nested.get(0)).asInts()).containsExactly(1, 2);
            assertThat(((GgufArray) ((GgufArray) nested.get(1)).get(0)).asStrings()).containsExactly("x");
            assertThat(f.metadataTypes().get("u16")).isEqualTo(GgufValueType.UINT16);
            GgufTensorInfo wi = f.tensor("w");
            assertThat(wi.shape()).containsExactly(32, 4);
            assertThat(wi.type()).isEqualTo(GgmlType.F32);
            assertThat(wi.offset() % f.alignment()).isZero();
            assertThat(f.dataOffset() % f.alignment()).isZero();
            float[] back = new float[weights.length];
            MemorySegment.copy(f.tensorData("w"), java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, 0, back, 0, back.length);
            assertThat(back).containsExactly(weights);
            assertThat(f.tensorData("q").toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).containsExactly(q8);

            // Writing what was read gives the same bytes.
            Path copy = dir.resolve("copy.gguf");
            copyOf(f).write(copy);
            assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(p));
        }
    }

    @Test
    void aRealModelRewrittenReadsBackIdentical() throws Exception {
        Path src = SharedData.path("models/stories260K.gguf");
        Path copy = dir.resolve("stories-copy.gguf");
        try (GgufFile f = GgufFile.open(src)) {
            copyOf(f).write(copy);
            try (GgufFile g = GgufFile.open(copy)) {
                assertThat(g.metadataKeys()).containsExactlyElementsOf(f.metadataKeys());
                for (String k : f.metadataKeys()) {
                    assertThat(g.metadataTypes().get(k)).as(k).isEqualTo(f.metadataTypes().get(k));
                    assertThat(g.get(k)).as(k).isEqualTo(f.get(k));
                }
                assertThat(g.tensors().keySet()).containsExactlyElementsOf(f.tensors().keySet());
                for (GgufTensorInfo t : f.tensors().values()) {
                    GgufTensorInfo u = g.tensor(t.name());
                    assertThat(u.shape()).containsExactly(t.shape());
                    assertThat(u.type()).isEqualTo(t.type());
                    assertThat(g.tensorData(u).mismatch(f.tensorData(t))).as(t.name()).isEqualTo(-1L);
                }
            }
        }
    }

    static GgufWriter copyOf(GgufFile f) {
        GgufWriter w = new GgufWriter().putAll(f);
        for (GgufTensorInfo t : f.tensors().values()) w.addTensor(t.name(), t.type(), t.shape(), f.tensorData(t));
        return w;
    }
}
