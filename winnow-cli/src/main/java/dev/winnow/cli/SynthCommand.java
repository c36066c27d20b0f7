package dev.winnow.cli;

import dev.winnow.gguf.GgufArray;
import dev.winnow.gguf.GgufFile;
import dev.winnow.gguf.GgufValueType;
import dev.winnow.gguf.GgufWriter;
import dev.winnow.tensor.GgmlType;
import dev.winnow.tensor.Quantizer;
import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code winnow synth}: a llama-architecture model with real shapes and random weights, for
 * benchmarks and tests. Matrices are Gaussian (std 0.02, seeded), norms 1, so activations stay
 * finite; the tokenizer is copied from a vocabulary file and padded with unused tokens when the
 * model's vocabulary is larger.
 */
@Command(name = "synth", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Write a synthetic model with random weights (real shapes) for benchmarks.",
                "llama architecture, shapes of a preset (dimensions overridable), Gaussian weights (seeded), the "
                        + "tokenizer of a vocabulary file (padded with unused tokens up to the vocab size).",
                "token_embd and every blk.N matrix get --type; output.weight is separate and gets Q6_K when --type is "
                        + "Q4_0 or Q4_K (as llama.cpp's quantizer does), else --type. Rows that are not a multiple of the "
                        + "type's block (256 for K-quants) fall back to Q8_0 (F16 if not a multiple of 32), with a note. "
                        + "Norms are F32 ones."})
final class SynthCommand implements Callable<Integer> {
    static final String DEFAULT_VOCAB = "models/stories260K.gguf";
    /** Values generated per parallel work item. */
    private static final int CHUNK_VALUES = 1 << 20;
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.gguf", description = "File to write.")
    Path output;

    @Option(names = "--preset", paramLabel = "NAME", defaultValue = "tiny",
            description = "Model shape: llama-3.2-1b, smollm2-135m or tiny (default: ${DEFAULT-VALUE}).")
    String preset;

    @Option(names = "--type", paramLabel = "TYPE", defaultValue = "Q8_0",
            description = "Type of the matrices: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K (default: ${DEFAULT-VALUE}).")
    GgmlType type;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--vocab", paramLabel = "FILE",
            description = "GGUF file whose tokenizer.* metadata is copied (default: ../shared/" + DEFAULT_VOCAB
                    + " if present).")
    Path vocab;

    @Option(names = "--dim", paramLabel = "N", description = "Override: embedding length.")
    Integer dim;

    @Option(names = "--layers", paramLabel = "N", description = "Override: block count.")
    Integer layers;

    @Option(names = "--heads", paramLabel = "N", description = "Override: attention heads.")
    Integer heads;

    @Option(names = "--kv-heads", paramLabel = "N", description = "Override: KV heads.")
    Integer kvHeads;

    @Option(names = "--ffn", paramLabel = "N", description = "Override: feed-forward length.")
    Integer ffn;

    @Option(names = "--vocab-size", paramLabel = "N", description = "Override: vocabulary size (rows of token_embd).")
    Integer vocabSize;

    @Option(names = "--ctx", paramLabel = "N", description = "Override: context length.")
    Integer context;

    @Option(names = "--rope-base", paramLabel = "X", description = "Override: rope frequency base.")
    Float ropeBase;

    @Option(names = "--rms-eps", paramLabel = "X", defaultValue = "1e-5", description = "RMSNorm epsilon (default: ${DEFAULT-VALUE}).")
    float rmsEps;

    @Option(names = "--std", paramLabel = "X", defaultValue = "0.02",
            description = "Standard deviation of the random matrix values (default: ${DEFAULT-VALUE}).")
    double std;

    @Option(names = {"-t", "--threads"}, paramLabel = "N", description = "Threads generating values (default: available processors).")
    Integer threads;

    @Option(names = {"-q", "--quiet"}, description = "No progress on stderr.")
    boolean quiet;

    /** One tensor to write. */
    private record Planned(String name, GgmlType type, long[] shape, boolean norm) {
        long elements() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }

        long bytes() {
            return type.byteSize(elements());
        }
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SynthPreset p;
        try {
            p = SynthPreset.of(preset);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--preset: " + e.getMessage());
        }
        if (!Quantizer.canQuantize(type)) {
            throw new ParameterException(spec.commandLine(), "--type " + type + " cannot be written; writable types: "
                    + Arrays.stream(GgmlType.values()).filter(Quantizer::canQuantize).map(Enum::name)
                    .collect(Collectors.joining(", ")));
        }
        int d = or(dim, p.dim, "--dim"), nl = or(layers, p.layers, "--layers"), nh = or(heads, p.heads, "--heads");
        int nkv = or(kvHeads, p.kvHeads, "--kv-heads"), nf = or(ffn, p.ffn, "--ffn");
        int nv = or(vocabSize, p.vocab, "--vocab-size"), ctx = or(context, p.context, "--ctx");
        float base = ropeBase != null ? ropeBase : p.ropeBase;
        if (d % nh != 0) throw new ParameterException(spec.commandLine(), "--dim " + d + " is not a multiple of --heads " + nh);
        if (nh % nkv != 0) throw new ParameterException(spec.commandLine(), "--heads " + nh + " is not a multiple of --kv-heads " + nkv);
        int headSize = d / nh;
        if (headSize % 2 != 0) throw new ParameterException(spec.commandLine(), "head size " + headSize + " (dim / heads) must be even");
        if (!(std > 0 && std < 1e3)) throw new ParameterException(spec.commandLine(), "--std must be in (0, 1000), got " + std);
        int nThreads = Threads.count(threads);

        GgufWriter w = new GgufWriter();
        String typeName = type.name();
        w.putString("general.architecture", "llama");
        w.putString("general.name", "synthetic " + p.id + " " + typeName);
        w.putString("general.description", Format.f("winnow synth: random weights (Gaussian, std %s, seed %d)", std, seed));
        int ftype = fileType(type);
        if (ftype >= 0) w.putUInt32("general.file_type", ftype);
        if (type != GgmlType.F32 && type != GgmlType.F16 && type != GgmlType.BF16) w.putUInt32("general.quantization_version", 2);
        w.putUInt32("llama.context_length", ctx);
        w.putUInt32("llama.embedding_length", d);
        w.putUInt32("llama.block_count", nl);
        w.putUInt32("llama.feed_forward_length", nf);
        w.putUInt32("llama.attention.head_count", nh);
        w.putUInt32("llama.attention.head_count_kv", nkv);
        w.putFloat32("llama.rope.freq_base", base);
        w.putFloat32("llama.attention.layer_norm_rms_epsilon", rmsEps);
        w.putUInt32("llama.rope.dimension_count", headSize);
        w.putUInt32("llama.vocab_size", nv);
        Path vocabFile = vocabFile();
        int padded = copyTokenizer(vocabFile, w, nv);

        List<Planned> plan = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        GgmlType outType = type == GgmlType.Q4_0 || type == GgmlType.Q4_K ? GgmlType.Q6_K : type;
        plan.add(matrix("token_embd.weight", type, d, nv, notes));
        for (int l = 0; l < nl; l++) {
            String b = "blk." + l + ".";
            plan.add(new Planned(b + "attn_norm.weight", GgmlType.F32, new long[] {d}, true));
            plan.add(matrix(b + "attn_q.weight", type, d, (long) nh * headSize, notes));
            plan.add(matrix(b + "attn_k.weight", type, d, (long) nkv * headSize, notes));
            plan.add(matrix(b + "attn_v.weight", type, d, (long) nkv * headSize, notes));
            plan.add(matrix(b + "attn_output.weight", type, (long) nh * headSize, d, notes));
            plan.add(new Planned(b + "ffn_norm.weight", GgmlType.F32, new long[] {d}, true));
            plan.add(matrix(b + "ffn_gate.weight", type, d, nf, notes));
            plan.add(matrix(b + "ffn_up.weight", type, d, nf, notes));
            plan.add(matrix(b + "ffn_down.weight", type, nf, d, notes));
        }
        plan.add(new Planned("output_norm.weight", GgmlType.F32, new long[] {d}, true));
        plan.add(matrix("output.weight", outType, d, nv, notes));

        long totalBytes = plan.stream().mapToLong(Planned::bytes).sum();
        long totalParams = plan.stream().mapToLong(Planned::elements).sum();
        if (!quiet) {
            err.println(Format.f("synth: %s, %s: dim %d, %d layers, %d heads, %d KV heads, FFN %d, vocab %d, context %d; "
                            + "%d tensors, %s parameters, %s", p.id, typeName, d, nl, nh, nkv, nf, nv, ctx, plan.size(),
                    Format.count(totalParams), Format.bytes(totalBytes)));
            err.println("tokenizer from " + vocabFile + (padded > 0 ? " (padded with " + padded + " <unused_N> tokens)" : ""));
            for (String n : notes.stream().distinct().toList()) err.println("note: " + n);
            err.flush();
        }

        ExecutorService pool = Executors.newFixedThreadPool(nThreads, r -> {
            Thread t = new Thread(r, "winnow-synth");
            t.setDaemon(true);
            return t;
        });
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < plan.size(); i++) {
                Planned t = plan.get(i);
                int index = i;
                w.addTensor(t.name(), t.type(), t.shape(), dst -> {
                    long ts = System.nanoTime();
                    if (t.norm()) {
                        for (long k = 0; k < t.elements(); k++) dst.set(F32_LE, 4 * k, 1.0f);
                    } else {
                        fillRandom(t, index, dst, pool, nThreads);
                    }
                    if (!quiet) {
                        err.println(Format.f("[%3d/%d] %-28s %-5s %-16s %10s %6.2f s", index + 1, plan.size(), t.name(),
                                t.type(), Arrays.toString(t.shape()), Format.bytes(t.bytes()), (System.nanoTime() - ts) / 1e9));
                        err.flush();
                    }
                });
            }
            w.write(output);
        } finally {
            pool.shutdownNow();
        }
        long fileSize;
        try {
            fileSize = Files.size(output);
        } catch (java.io.IOException e) {
            fileSize = -1;
        }
        out.println(Format.f("wrote %s (%s, %s parameters, %s) in %.1f s", output, Format.bytes(fileSize),
                Format.count(totalParams), typeName, (System.nanoTime() - t0) / 1e9));
        out.flush();
        return 0;
    }

    private int or(Integer override, int preset, String name) {
        int v = override != null ? override : preset;
        if (v < 1) throw new ParameterException(spec.commandLine(), name + " must be at least 1, got " + v);
        return v;
    }

    /** A matrix of {@code rows} rows of {@code cols} values in {@code want}, or the fallback type when rows don't fit its blocks. */
    private static Planned matrix(String name, GgmlType want, long cols, long rows, List<String> notes) {
        GgmlType t = want;
        if (cols % want.blockSize() != 0) {
            t = cols % GgmlType.Q8_0.blockSize() == 0 ? GgmlType.Q8_0 : GgmlType.F16;
            notes.add(Format.f("%s rows of %d values are not a multiple of %s's block of %d: written as %s",
                    name.replaceFirst("^blk\\.\\d+\\.", "blk.N."), cols, want, want.blockSize(), t));
        }
        return new Planned(name, t, new long[] {cols, rows}, false);
    }

    /** llama.cpp's general.file_type (LLAMA_FTYPE_*) for files written with --type, or -1 if there is no exact one. */
    private static int fileType(GgmlType t) {
        return switch (t) {
            case F32 -> 0;
            case F16 -> 1;
            case Q4_0 -> 2;
            case Q8_0 -> 7;
            case Q6_K -> 18;
            case BF16 -> 32;
            default -> -1;
        };
    }

    /**
     * Gaussian values in parallel chunks of whole rows, each chunk with its own generator seeded by
     * (seed, tensor, chunk), so the file does not depend on the thread count. Chunks are encoded on
     * the pool and copied into {@code dst} on this thread (the writer's buffer is confined to it).
     */
    private void fillRandom(Planned t, int tensorIndex, MemorySegment dst, ExecutorService pool, int nThreads) {
        long cols = t.shape()[0], rows = t.shape()[1];
        long rowBytes = t.type().byteSize(cols);
        long chunkRows = Math.max(1, CHUNK_VALUES / cols);
        int chunks = Math.toIntExact((rows + chunkRows - 1) / chunkRows);
        int window = 2 * nThreads;
        List<Future<byte[]>> futures = new ArrayList<>(chunks);
        try {
            for (int c = 0; c < chunks; c++) {
                while (futures.size() < Math.min(chunks, c + window)) {
                    int chunk = futures.size();
                    long r0 = chunk * chunkRows, n = Math.min(chunkRows, rows - r0) * cols;
                    futures.add(pool.submit(() -> encodeChunk(t.type(), Math.toIntExact(n), chunkSeed(tensorIndex, chunk))));
                }
                byte[] b = futures.get(c).get();
                futures.set(c, null);
                MemorySegment.copy(b, 0, dst, ValueLayout.JAVA_BYTE, c * chunkRows * rowBytes, b.length);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        }
    }

    private byte[] encodeChunk(GgmlType type, int n, long chunkSeed) {
        SplittableRandom rnd = new SplittableRandom(chunkSeed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * std);
        byte[] out = new byte[Math.toIntExact(type.byteSize(n))];
        Quantizer.quantize(type, v, 0, n, MemorySegment.ofArray(out), 0);
        return out;
    }

    private long chunkSeed(int tensorIndex, int chunk) {
        return new SplittableRandom(seed).split().nextLong() ^ (tensorIndex * 0x9E3779B97F4A7C15L) ^ ((long) chunk << 32)
                ^ chunk;
    }

    private Path vocabFile() {
        if (vocab != null) {
            if (!Files.isRegularFile(vocab)) throw new CliException(vocab + ": no such file (--vocab)");
            return vocab;
        }
        List<Path> candidates = new ArrayList<>();
        String prop = System.getProperty("winnow.shared");
        if (prop != null && !prop.isBlank()) candidates.add(Path.of(prop).resolve(DEFAULT_VOCAB));
        candidates.add(Path.of("..", "shared").resolve(DEFAULT_VOCAB));
        // Next to the repository the jar (or classes folder) was built in: <repo>/../shared.
        try {
            Path code = Path.of(SynthCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path a = code.toAbsolutePath().getParent(); a != null; a = a.getParent()) {
                candidates.add(a.resolve("shared").resolve(DEFAULT_VOCAB));
            }
        } catch (Exception e) {
            // no code source: only the other candidates
        }
        for (Path c : candidates) {
            if (Files.isRegularFile(c)) return c.toAbsolutePath().normalize();
        }
        throw new CliException("no vocabulary file: give --vocab FILE (a GGUF file with tokenizer metadata); looked at "
                + candidates.stream().limit(2).map(c -> c.toAbsolutePath().normalize().toString())
                .collect(Collectors.joining(", ")));
    }

    /**
     * Copies every {@code tokenizer.*} key of {@code vocabFile}; pads the token list (type unused,
     * score 0) up to {@code vocabSize}. Returns how many tokens were added.
     */
    private static int copyTokenizer(Path vocabFile, GgufWriter w, int vocabSize) {
        try (GgufFile f = GgufFile.open(vocabFile)) {
            GgufArray tokens = f.findArray("tokenizer.ggml.tokens").orElseThrow(() -> new CliException(vocabFile
                    + ": no tokenizer (missing metadata 'tokenizer.ggml.tokens'); --vocab needs a GGUF file with a tokenizer"));
            int have = tokens.size();
            if (vocabSize < have) {
                throw new CliException(Format.f("the vocabulary of %s has %d tokens, more than the model's vocab size %d; "
                        + "use --vocab-size %d or larger", vocabFile, have, vocabSize, have));
            }
            int pad = vocabSize - have;
            for (String key : f.metadataKeys()) {
                if (!key.startsWith("tokenizer.")) continue;
                Object v = f.get(key);
                GgufValueType t = f.metadataTypes().get(key);
                if (pad > 0 && v instanceof GgufArray a && a.size() == have) {
                    switch (key) {
                        case "tokenizer.ggml.tokens" -> v = padStrings(a.asStrings(), pad);
                        case "tokenizer.ggml.scores" -> v = padFloats(a, pad);
                        case "tokenizer.ggml.token_type" -> v = padTypes(a, pad);
                        default -> { }
                    }
                }
                w.put(key, t, v);
            }
            return pad;
        }
    }

    private static GgufArray padStrings(String[] tokens, int pad) {
        String[] out = Arrays.copyOf(tokens, tokens.length + pad);
        for (int i = 0; i < pad; i++) out[tokens.length + i] = "<unused_" + i + ">";
        return new GgufArray(GgufValueType.STRING, out);
    }

    private static GgufArray padFloats(GgufArray a, int pad) {
        if (a.elements() instanceof float[] f) return new GgufArray(GgufValueType.FLOAT32, Arrays.copyOf(f, f.length + pad));
        if (a.elements() instanceof double[] d) return new GgufArray(GgufValueType.FLOAT64, Arrays.copyOf(d, d.length + pad));
        throw new CliException("tokenizer.ggml.scores should be an array of floats, found " + a.elementType());
    }

    private static GgufArray padTypes(GgufArray a, int pad) {
        int[] types = a.asInts();
        int[] out = Arrays.copyOf(types, types.length + pad);
        Arrays.fill(out, types.length, out.length, 5); // LLAMA_TOKEN_TYPE_UNUSED
        GgufValueType et = a.elementType() == GgufValueType.UINT32 ? GgufValueType.UINT32 : GgufValueType.INT32;
        return new GgufArray(et, out);
    }
}
