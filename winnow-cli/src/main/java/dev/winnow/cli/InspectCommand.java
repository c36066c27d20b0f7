package dev.winnow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.winnow.gguf.GgufArray;
import dev.winnow.gguf.GgufException;
import dev.winnow.gguf.GgufFile;
import dev.winnow.gguf.GgufTensorInfo;
import dev.winnow.gguf.GgufValueType;
import dev.winnow.model.Architecture;
import dev.winnow.model.ModelConfig;
import dev.winnow.model.ModelException;
import dev.winnow.model.Weights;
import dev.winnow.tensor.GgmlType;
import dev.winnow.tokenizer.Tokenizer;
import dev.winnow.tokenizer.Tokenizers;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code winnow inspect}: what a GGUF file holds. Works on any GGUF file: when Winnow cannot
 * run the architecture (or the file has no weights) it says why and shows what the GGUF
 * metadata gives.
 */
@Command(name = "inspect", sortOptions = false, mixinStandardHelpOptions = true,
        description = {"Describe a GGUF file (dimensions, tokenizer, tensor types, KV cache size).",
                "Prints the architecture, name, dimensions, context length, rope, tokenizer, tensor type histogram, "
                        + "parameters and bytes, and KV cache bytes per token. Works on files Winnow cannot run "
                        + "(unsupported architecture, vocab-only files): it says why and shows what the GGUF metadata gives."})
final class InspectCommand implements Callable<Integer> {
    private static final int ARRAY_HEAD = 16;
    private static final int STRING_MAX = 160;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "GGUF file.")
    Path file;

    @Option(names = "--tensors", description = "List every tensor (name, type, shape, bytes).")
    boolean tensors;

    @Option(names = "--metadata", description = "Dump all metadata (long arrays and strings abbreviated).")
    boolean metadata;

    @Option(names = "--json", description = "Print the summary as JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (GgufFile f = GgufFile.open(file)) {
            Map<String, Object> s = summary(f);
            if (tensors) s.put("tensors", tensorList(f));
            if (metadata) s.put("metadata", metadataMap(f));
            if (json) {
                ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                out.println(om.writeValueAsString(s));
            } else {
                printText(out, f, s);
            }
        }
        out.flush();
        return 0;
    }

    /** The summary as nested maps and lists (the JSON output; the text output prints the same values). */
    static Map<String, Object> summary(GgufFile f) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("file", f.path().toString());
        s.put("fileSize", f.fileSize());
        s.put("ggufVersion", f.version());
        s.put("alignment", f.alignment());
        s.put("metadataCount", f.metadata().size());
        s.put("tensorCount", f.tensors().size());

        String arch = f.findString("general.architecture").orElse(null);
        ModelConfig config = null;
        String problem = null;
        try {
            config = ModelConfig.fromGguf(f);
        } catch (RuntimeException e) {
            problem = strip(f, ErrorHandler.message(e));
        }
        if (config != null) {
            try {
                Weights.load(f, config);
            } catch (RuntimeException e) {
                problem = strip(f, ErrorHandler.message(e));
            }
        }
        Tokenizer tok = null;
        String tokProblem = null;
        if (!f.has("tokenizer.ggml.model")) {
            tokProblem = "no tokenizer metadata";
        } else {
            try {
                tok = Tokenizers.fromGguf(f);
            } catch (RuntimeException e) {
                tokProblem = strip(f, ErrorHandler.message(e));
            }
        }
        if (f.tensors().isEmpty()) problem = "vocab-only file (no tensors)";
        if (problem == null && tok == null) problem = "tokenizer: " + tokProblem;
        s.put("architecture", arch);
        s.put("runnable", problem == null);
        s.put("problem", problem);
        s.put("name", f.findString("general.name").orElse(null));

        Map<String, Object> dims = new LinkedHashMap<>();
        Map<String, Object> rope = new LinkedHashMap<>();
        String p = arch + ".";
        if (config != null) {
            dims.put("dim", config.dim());
            dims.put("layers", config.layers());
            dims.put("heads", config.heads());
            dims.put("kvHeads", config.kvHeads());
            dims.put("headSize", config.headSize());
            dims.put("ffn", config.ffnDim());
            dims.put("vocab", config.vocabSize());
            s.put("dimensions", dims);
            s.put("contextLength", config.contextLength());
            rope.put("type", config.architecture().ropeType().name().toLowerCase(java.util.Locale.ROOT));
            rope.put("base", config.ropeTheta());
            rope.put("dimensions", config.ropeDimensions());
        } else if (arch != null) {
            // GGUF-level: whatever the <arch>.* keys say.
            putMeta(dims, "dim", f, p + "embedding_length");
            putMeta(dims, "layers", f, p + "block_count");
            putMeta(dims, "heads", f, p + "attention.head_count");
            putMeta(dims, "kvHeads", f, p + "attention.head_count_kv");
            putMeta(dims, "headSize", f, p + "attention.key_length");
            putMeta(dims, "ffn", f, p + "feed_forward_length");
            f.findTensor("token_embd.weight").ifPresent(t -> dims.put("vocab", t.dim(1)));
            if (!dims.containsKey("vocab")) putMeta(dims, "vocab", f, p + "vocab_size");
            s.put("dimensions", dims);
            s.put("contextLength", f.has(p + "context_length") ? f.get(p + "context_length") : null);
            try {
                rope.put("type", Architecture.fromGguf(arch, f.path()).ropeType().name().toLowerCase(java.util.Locale.ROOT));
            } catch (ModelException e) {
                rope.put("type", "unknown");
            }
            if (f.has(p + "rope.freq_base")) rope.put("base", f.get(p + "rope.freq_base"));
            if (f.has(p + "rope.dimension_count")) rope.put("dimensions", f.get(p + "rope.dimension_count"));
        }
        boolean ropeKeys = f.metadataKeys().stream().anyMatch(k -> k.startsWith(p + "rope."));
        if (arch != null && (config != null || ropeKeys)) {
            Map<String, Object> scaling = new LinkedHashMap<>();
            scaling.put("type", f.findString(p + "rope.scaling.type").orElse("none"));
            if (f.has(p + "rope.scaling.factor")) scaling.put("factor", f.get(p + "rope.scaling.factor"));
            if (f.has(p + "rope.scaling.original_context_length")) {
                scaling.put("originalContextLength", f.get(p + "rope.scaling.original_context_length"));
            }
            scaling.put("freqFactorsTensor", f.findTensor("rope_freqs.weight").isPresent());
            rope.put("scaling", scaling);
            s.put("rope", rope);
        }

        s.put("tokenizer", tokenizer(f, tok, tokProblem));

        List<Map<String, Object>> types = new ArrayList<>();
        for (Map.Entry<GgmlType, Models.TypeStats> e : Models.typeHistogram(f).entrySet()) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("type", e.getKey().name());
            t.put("tensors", e.getValue().tensors);
            t.put("parameters", e.getValue().elements);
            t.put("bytes", e.getValue().bytes);
            t.put("supported", e.getKey().supported());
            types.add(t);
        }
        s.put("tensorTypes", types);
        s.put("parameters", Models.parameterCount(f));
        s.put("tensorBytes", Models.tensorBytes(f));

        if (config != null) {
            Map<String, Object> kv = new LinkedHashMap<>();
            long perToken = config.kvBytesPerTokenF32();
            int generateCtx = Math.min(config.contextLength(), GenerateCommand.DEFAULT_MAX_CONTEXT);
            kv.put("bytesPerToken", perToken);
            kv.put("contextLength", config.contextLength());
            kv.put("bytesAtContext", perToken * config.contextLength());
            kv.put("generateContextLength", generateCtx);
            kv.put("bytesAtGenerateContext", perToken * generateCtx);
            s.put("kvCacheF32", kv);
        }
        return s;
    }

    private static Map<String, Object> tokenizer(GgufFile f, Tokenizer tok, String problem) {
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("model", f.findString("tokenizer.ggml.model").orElse(null));
        if (f.has("tokenizer.ggml.pre")) t.put("pre", f.get("tokenizer.ggml.pre"));
        t.put("supported", tok != null);
        t.put("problem", problem);
        if (tok != null) {
            t.put("vocabSize", tok.vocabSize());
            t.put("bos", special(tok.bosId(), tok));
            t.put("eos", special(tok.eosId(), tok));
            t.put("addBos", tok.addBosByDefault());
        } else if (f.has("tokenizer.ggml.model")) {
            String[] tokens = f.findArray("tokenizer.ggml.tokens").filter(a -> a.elements() instanceof String[])
                    .map(GgufArray::asStrings).orElse(new String[0]);
            t.put("vocabSize", tokens.length);
            t.put("bos", special(metaId(f, "tokenizer.ggml.bos_token_id"), tokens));
            t.put("eos", special(metaId(f, "tokenizer.ggml.eos_token_id"), tokens));
            t.put("addBos", f.has("tokenizer.ggml.add_bos_token") ? f.get("tokenizer.ggml.add_bos_token") : null);
        }
        String template = f.findString("tokenizer.chat_template").orElse(null);
        t.put("chatTemplate", template == null ? null : template.length() + " chars");
        return t;
    }

    private static Map<String, Object> special(int id, Tokenizer tok) {
        if (id < 0) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("text", tok.tokenText(id));
        return m;
    }

    private static Map<String, Object> special(int id, String[] tokens) {
        if (id < 0) return null;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("text", id < tokens.length ? tokens[id] : null);
        return m;
    }

    private static int metaId(GgufFile f, String key) {
        try {
            return f.has(key) ? f.getInt(key) : -1;
        } catch (GgufException e) {
            return -1;
        }
    }

    private static void putMeta(Map<String, Object> m, String name, GgufFile f, String key) {
        if (f.has(key)) m.put(name, f.get(key) instanceof GgufArray a ? a.toString() : f.get(key));
    }

    /** Core messages start with the file path; inspect prints the path once. */
    private static String strip(GgufFile f, String msg) {
        String prefix = f.path() + ": ";
        String m = ErrorHandler.oneLine(msg);
        return m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    static List<Map<String, Object>> tensorList(GgufFile f) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (GgufTensorInfo t : f.tensors().values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("type", t.type().name());
            m.put("shape", t.shape());
            m.put("parameters", t.elementCount());
            m.put("bytes", t.byteSize());
            m.put("offset", t.offset());
            list.add(m);
        }
        return list;
    }

    static Map<String, Object> metadataMap(GgufFile f) {
        Map<String, Object> md = new LinkedHashMap<>();
        for (String key : f.metadataKeys()) {
            Map<String, Object> e = new LinkedHashMap<>();
            GgufValueType type = f.metadataTypes().get(key);
            e.put("type", type.name());
            Object v = f.get(key);
            if (v instanceof GgufArray a) {
                e.put("elementType", a.elementType().name());
                e.put("size", a.size());
                List<Object> head = new ArrayList<>();
                for (int i = 0; i < Math.min(a.size(), ARRAY_HEAD); i++) {
                    Object x = a.get(i);
                    head.add(x instanceof GgufArray nested ? nested.toString() : x);
                }
                e.put(a.size() > ARRAY_HEAD ? "first" : "values", head);
            } else {
                e.put("value", v);
            }
            md.put(key, e);
        }
        return md;
    }

    // ---- text output -----------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private void printText(PrintWriter out, GgufFile f, Map<String, Object> s) {
        line(out, "file", Format.f("%s (%s, GGUF v%d, alignment %d, %d metadata keys, %d tensors)", s.get("file"),
                Format.bytes(f.fileSize()), f.version(), f.alignment(), f.metadata().size(), f.tensors().size()));
        String arch = (String) s.get("architecture");
        boolean runnable = (Boolean) s.get("runnable");
        line(out, "architecture", arch == null ? "(none: no general.architecture)" : arch);
        line(out, "status", runnable ? "supported: Winnow can run this model"
                : "not runnable: " + s.get("problem"));
        if (s.get("name") != null) line(out, "name", (String) s.get("name"));
        Map<String, Object> dims = (Map<String, Object>) s.get("dimensions");
        if (dims != null && !dims.isEmpty()) {
            List<String> parts = new ArrayList<>();
            String[][] names = {{"dim", "dim"}, {"layers", "layers"}, {"heads", "heads"}, {"kvHeads", "KV heads"},
                {"headSize", "head size"}, {"ffn", "FFN"}, {"vocab", "vocab"}};
            for (String[] n : names) {
                if (dims.containsKey(n[0])) parts.add(n[1] + " " + dims.get(n[0]));
            }
            line(out, "dimensions", String.join(", ", parts));
        }
        if (s.get("contextLength") != null) line(out, "context", s.get("contextLength") + " tokens (trained)");
        Map<String, Object> rope = (Map<String, Object>) s.get("rope");
        if (rope != null) {
            StringBuilder r = new StringBuilder(String.valueOf(rope.get("type")));
            if (rope.containsKey("base")) r.append(", base ").append(rope.get("base"));
            if (rope.containsKey("dimensions")) r.append(", ").append(rope.get("dimensions")).append(" dims");
            Map<String, Object> sc = (Map<String, Object>) rope.get("scaling");
            r.append(", scaling ").append(sc.get("type"));
            if (sc.containsKey("factor")) r.append(" ×").append(sc.get("factor"));
            if (sc.containsKey("originalContextLength")) r.append(" (original context ").append(sc.get("originalContextLength")).append(")");
            if ((Boolean) sc.get("freqFactorsTensor")) r.append(", rope_freqs tensor");
            line(out, "rope", r.toString());
        }
        Map<String, Object> t = (Map<String, Object>) s.get("tokenizer");
        if (t.get("model") == null) {
            line(out, "tokenizer", "none (no tokenizer.ggml.model)");
        } else {
            StringBuilder tb = new StringBuilder(String.valueOf(t.get("model")));
            if (t.containsKey("pre")) tb.append(" (pre ").append(t.get("pre")).append(")");
            if (t.containsKey("vocabSize")) tb.append(", vocab ").append(t.get("vocabSize"));
            appendSpecial(tb, "BOS", (Map<String, Object>) t.get("bos"));
            appendSpecial(tb, "EOS", (Map<String, Object>) t.get("eos"));
            Object addBos = t.get("addBos");
            tb.append(", add BOS ").append(addBos == null ? "unset" : (Boolean) addBos ? "yes" : "no");
            if (t.get("chatTemplate") != null) tb.append(", chat template (").append(t.get("chatTemplate")).append(")");
            if (!(Boolean) t.get("supported")) tb.append(" [not supported: ").append(t.get("problem")).append("]");
            line(out, "tokenizer", tb.toString());
        }
        line(out, "parameters", Format.f("%s (%,d) in %s of tensor data", Format.count((Long) s.get("parameters")),
                (Long) s.get("parameters"), Format.bytes((Long) s.get("tensorBytes"))));
        List<Map<String, Object>> types = (List<Map<String, Object>>) s.get("tensorTypes");
        if (!types.isEmpty()) {
            line(out, "tensor types", "");
            Format.Table table = new Format.Table(false, new boolean[] {false, true, true, true, true, false},
                    "  type", "tensors", "parameters", "bytes", "share", "");
            long total = (Long) s.get("tensorBytes");
            for (Map<String, Object> ty : types) {
                long b = (Long) ty.get("bytes");
                table.row("  " + ty.get("type"), String.valueOf(ty.get("tensors")), Format.count((Long) ty.get("parameters")),
                        Format.bytes(b), Format.f("%.1f%%", total == 0 ? 0 : 100.0 * b / total),
                        (Boolean) ty.get("supported") ? "" : "(not supported by Winnow)");
            }
            out.print(table.render());
        }
        Map<String, Object> kv = (Map<String, Object>) s.get("kvCacheF32");
        if (kv != null) {
            long per = (Long) kv.get("bytesPerToken");
            String at = Format.f("%s per token (f32 keys + values), %s at the context %d", Format.bytes(per),
                    Format.bytes((Long) kv.get("bytesAtContext")), (Integer) kv.get("contextLength"));
            if (!kv.get("generateContextLength").equals(kv.get("contextLength"))) {
                at += Format.f(", %s at %d (generate's default)", Format.bytes((Long) kv.get("bytesAtGenerateContext")),
                        (Integer) kv.get("generateContextLength"));
            }
            line(out, "KV cache", at);
        }
        if (tensors) {
            out.println();
            Format.Table table = new Format.Table(false, new boolean[] {false, false, false, true, true},
                    "tensor", "type", "shape", "parameters", "bytes");
            for (GgufTensorInfo ti : f.tensors().values()) {
                table.row(ti.name(), ti.type().name(), Arrays.toString(ti.shape()), String.valueOf(ti.elementCount()),
                        Format.bytes(ti.byteSize()));
            }
            out.print(table.render());
        }
        if (metadata) {
            out.println();
            Format.Table table = new Format.Table(false, new boolean[] {false, false, false}, "key", "type", "value");
            for (String key : f.metadataKeys()) {
                Object v = f.get(key);
                String type = f.metadataTypes().get(key).name();
                String value;
                if (v instanceof GgufArray a) {
                    type = a.elementType().name() + "[" + a.size() + "]";
                    value = Format.abbreviate(a.toString(), STRING_MAX);
                } else if (v instanceof String str) {
                    value = "\"" + Format.abbreviate(str, STRING_MAX) + "\"";
                } else {
                    value = String.valueOf(v);
                }
                table.row(key, type, value);
            }
            out.print(table.render());
        }
    }

    private static void appendSpecial(StringBuilder sb, String label, Map<String, Object> sp) {
        if (sp == null) {
            sb.append(", ").append(label).append(" none");
            return;
        }
        Object text = sp.get("text");
        sb.append(", ").append(label).append(' ').append(sp.get("id"));
        if (text != null) sb.append(" '").append(Format.escape((String) text)).append("'");
    }

    private static void line(PrintWriter out, String label, String value) {
        out.println(value.isEmpty() ? label + ":" : Format.f("%-14s%s", label + ":", value));
    }
}
