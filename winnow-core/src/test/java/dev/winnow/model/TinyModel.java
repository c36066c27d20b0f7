package dev.winnow.model;

import dev.winnow.gguf.GgufFile;
import dev.winnow.gguf.GgufWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A small F32 model with random weights, written with {@link GgufWriter} (tokenizer metadata
 * copied from a real vocabulary), and a straightforward float64 forward pass of the same
 * weights to check the engine against.
 */
final class TinyModel {
    final String arch;
    final int dim, layers, heads, kvHeads, headSize, ffn, vocab;
    final float theta = 10000f, eps = 1e-6f;
    final boolean neox, qkNorm, biases;
    final Map<String, float[]> tensors = new LinkedHashMap<>();
    /** Rope scaling written to the file: "none", "linear", "yarn" or "llama3" (with a rope_freqs tensor). */
    String ropeScaling = "none";
    float ropeFactor = 1f;
    int ropeOriginalContext = 64;
    final Map<String, long[]> shapes = new LinkedHashMap<>();

    TinyModel(String arch, int dim, int layers, int heads, int kvHeads, int headSize, int ffn, int vocab, long seed) {
        this.arch = arch;
        this.dim = dim;
        this.layers = layers;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headSize = headSize;
        this.ffn = ffn;
        this.vocab = vocab;
        this.neox = !arch.equals("llama");
        this.qkNorm = arch.equals("qwen3");
        this.biases = arch.equals("qwen2");
        Random r = new Random(seed);
        add(r, "token_embd.weight", vocab, dim, 1.0);
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            norm(r, p + "attn_norm.weight", dim);
            add(r, p + "attn_q.weight", heads * headSize, dim, 1 / Math.sqrt(dim));
            add(r, p + "attn_k.weight", kvHeads * headSize, dim, 1 / Math.sqrt(dim));
            add(r, p + "attn_v.weight", kvHeads * headSize, dim, 1 / Math.sqrt(dim));
            add(r, p + "attn_output.weight", dim, heads * headSize, 1 / Math.sqrt(heads * headSize));
            if (biases) {
                vec(r, p + "attn_q.bias", heads * headSize, 0.1);
                vec(r, p + "attn_k.bias", kvHeads * headSize, 0.1);
                vec(r, p + "attn_v.bias", kvHeads * headSize, 0.1);
            }
            if (qkNorm) {
                norm(r, p + "attn_q_norm.weight", headSize);
                norm(r, p + "attn_k_norm.weight", headSize);
            }
            norm(r, p + "ffn_norm.weight", dim);
            add(r, p + "ffn_gate.weight", ffn, dim, 1 / Math.sqrt(dim));
            add(r, p + "ffn_up.weight", ffn, dim, 1 / Math.sqrt(dim));
            add(r, p + "ffn_down.weight", dim, ffn, 1 / Math.sqrt(ffn));
        }
        norm(r, "output_norm.weight", dim);
        add(r, "output.weight", vocab, dim, 1 / Math.sqrt(dim));
    }

    private void add(Random r, String name, int rows, int cols, double std) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextGaussian() * std);
        tensors.put(name, w);
        shapes.put(name, new long[] {cols, rows});
    }

    private void vec(Random r, String name, int n, double std) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (r.nextGaussian() * std);
        tensors.put(name, w);
        shapes.put(name, new long[] {n});
    }

    private void norm(Random r, String name, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) w[i] = (float) (1 + 0.2 * r.nextGaussian());
        tensors.put(name, w);
        shapes.put(name, new long[] {n});
    }

    /** Writes the model; tokenizer metadata comes from {@code vocabFile}. */
    void write(Path out, Path vocabFile) {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", arch).putString("general.name", "tiny-" + arch);
        String p = arch + ".";
        w.putUInt32(p + "embedding_length", dim).putUInt32(p + "block_count", layers)
                .putUInt32(p + "attention.head_count", heads).putUInt32(p + "attention.head_count_kv", kvHeads)
                .putUInt32(p + "attention.key_length", headSize).putUInt32(p + "attention.value_length", headSize)
                .putUInt32(p + "feed_forward_length", ffn).putUInt32(p + "context_length", 256)
                .putFloat32(p + "rope.freq_base", theta).putFloat32(p + "attention.layer_norm_rms_epsilon", eps);
        if (!ropeScaling.equals("none")) {
            w.putString(p + "rope.scaling.type", ropeScaling).putFloat32(p + "rope.scaling.factor", ropeFactor)
                    .putUInt32(p + "rope.scaling.original_context_length", ropeOriginalContext);
        }
        try (GgufFile v = GgufFile.open(vocabFile)) {
            for (String k : v.metadataKeys()) {
                if (k.startsWith("tokenizer.")) w.put(k, v.metadataTypes().get(k), v.get(k));
            }
        }
        tensors.forEach((name, data) -> w.addF32(name, shapes.get(name), data));
        w.write(out);
    }

    /** Float64 forward pass over {@code tokens} at positions 0…n−1: logits per position. */
    double[][] reference(int[] tokens) {
        int n = tokens.length, hs = headSize, group = heads / kvHeads;
        double[][] x = new double[n][dim];
        for (int t = 0; t < n; t++) for (int i = 0; i < dim; i++) x[t][i] = tensors.get("token_embd.weight")[tokens[t] * dim + i];
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            double[][] q = new double[n][], k = new double[n][], v = new double[n][];
            for (int t = 0; t < n; t++) {
                double[] xn = rms(x[t], tensors.get(p + "attn_norm.weight"));
                q[t] = mat(p + "attn_q.weight", xn, heads * hs);
                k[t] = mat(p + "attn_k.weight", xn, kvHeads * hs);
                v[t] = mat(p + "attn_v.weight", xn, kvHeads * hs);
                if (biases) {
                    addTo(q[t], tensors.get(p + "attn_q.bias"));
                    addTo(k[t], tensors.get(p + "attn_k.bias"));
                    addTo(v[t], tensors.get(p + "attn_v.bias"));
                }
                for (int h = 0; h < heads; h++) rotate(q[t], h * hs, t, qkNorm ? tensors.get(p + "attn_q_norm.weight") : null);
                for (int h = 0; h < kvHeads; h++) rotate(k[t], h * hs, t, qkNorm ? tensors.get(p + "attn_k_norm.weight") : null);
            }
            for (int t = 0; t < n; t++) {
                double[] att = new double[heads * hs];
                for (int h = 0; h < heads; h++) {
                    int kh = h / group;
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= t; j++) {
                        double d = 0;
                        for (int i = 0; i < hs; i++) d += q[t][h * hs + i] * k[j][kh * hs + i];
                        s[j] = d / Math.sqrt(hs);
                        max = Math.max(max, s[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= t; j++) sum += s[j] = Math.exp(s[j] - max);
                    for (int j = 0; j <= t; j++) for (int i = 0; i < hs; i++) att[h * hs + i] += s[j] / sum * v[j][kh * hs + i];
                }
                addTo(x[t], mat(p + "attn_output.weight", att, dim));
                double[] xn = rms(x[t], tensors.get(p + "ffn_norm.weight"));
                double[] g = mat(p + "ffn_gate.weight", xn, ffn), u = mat(p + "ffn_up.weight", xn, ffn);
                for (int i = 0; i < ffn; i++) g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
                addTo(x[t], mat(p + "ffn_down.weight", g, dim));
            }
        }
        double[][] logits = new double[n][];
        for (int t = 0; t < n; t++) logits[t] = mat("output.weight", rms(x[t], tensors.get("output_norm.weight")), vocab);
        return logits;
    }

    private void rotate(double[] x, int off, int pos, float[] norm) {
        if (norm != null) {
            double[] h = new double[headSize];
            System.arraycopy(x, off, h, 0, headSize);
            double[] nh = rms(h, norm);
            System.arraycopy(nh, 0, x, off, headSize);
        }
        int half = headSize / 2;
        float[] factors = tensors.get("rope_freqs.weight");
        double mscale = 1;
        double low = 0, high = 0;
        if (ropeScaling.equals("yarn")) {
            mscale = 1 + 0.1 * Math.log(ropeFactor);
            low = Math.max(0, Math.floor(headSize * Math.log(ropeOriginalContext / (32 * 2 * Math.PI)) / (2 * Math.log(theta))));
            high = Math.min(headSize - 1, Math.ceil(headSize * Math.log(ropeOriginalContext / (1 * 2 * Math.PI)) / (2 * Math.log(theta))));
        }
        for (int i = 0; i < half; i++) {
            double base = Math.pow(theta, -2.0 * i / headSize);
            if (factors != null) base /= factors[i];
            double a = switch (ropeScaling) {
                case "linear" -> pos * base / ropeFactor;
                case "yarn" -> {
                    double ramp = 1 - Math.min(1, Math.max(0, (i - low) / Math.max(0.001, high - low)));
                    yield pos * (base / ropeFactor * (1 - ramp) + base * ramp);
                }
                default -> pos * base;
            };
            int i0 = neox ? off + i : off + 2 * i, i1 = neox ? off + i + half : off + 2 * i + 1;
            double x0 = x[i0], x1 = x[i1];
            x[i0] = (x0 * Math.cos(a) - x1 * Math.sin(a)) * mscale;
            x[i1] = (x0 * Math.sin(a) + x1 * Math.cos(a)) * mscale;
        }
    }

    private double[] rms(double[] x, float[] w) {
        double ss = 0;
        for (double v : x) ss += v * v;
        double inv = 1 / Math.sqrt(ss / x.length + eps);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) out[i] = x[i] * inv * w[i];
        return out;
    }

    private double[] mat(String name, double[] x, int rows) {
        float[] w = tensors.get(name);
        int cols = x.length;
        double[] out = new double[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) s += w[r * cols + c] * x[c];
            out[r] = s;
        }
        return out;
    }

    private static void addTo(double[] x, float[] b) {
        for (int i = 0; i < x.length; i++) x[i] += b[i];
    }

    private static void addTo(double[] x, double[] b) {
        for (int i = 0; i < x.length; i++) x[i] += b[i];
    }
}
