package dev.winnow.kv.codec;

import dev.winnow.kv.merge.MergeIntoNearest;
import dev.winnow.kv.merge.MiniCache;
import dev.winnow.kv.sparse.SparseMethods;
import dev.winnow.kv.policy.EvictionPolicy;
import dev.winnow.kv.policy.KvPolicies;
import dev.winnow.kv.policy.KvPolicy;
import dev.winnow.kv.policy.KvSpecException;
import dev.winnow.kv.policy.Params;
import dev.winnow.kv.policy.PolicyInfo;
import dev.winnow.kv.policy.Scorer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The registry of spec components that are not eviction policies — codecs, mixed precision,
 * merging — by name. They join an eviction policy with {@code +}
 * ({@code snapkv:budget=1024+kivi:bits=2}) or stand alone ({@code int8}). Each entry's factory
 * returns a {@link KvComponent}. {@link KvPolicies} keeps the eviction policies.
 */
public final class KvCodecs {
    private static final Map<String, PolicyInfo> REGISTRY = new LinkedHashMap<>();
    /** Per-token codecs by name (for {@code codec:k=…,v=…}). */
    static final List<String> TOKEN_CODECS = List.of("f32", "f16", "bf16", "int8", "int4", "int2");

    static {
        register(new PolicyInfo("f32", "keys and values in f32 (the default; 32 bits per number)", "-", List.of(),
                p -> new CodecComponent("f32", KvCodec.F32, KvCodec.F32)));
        register(new PolicyInfo("f16", "keys and values in IEEE half precision (16 bits)", "-", List.of(),
                p -> new CodecComponent("f16", KvCodec.F16, KvCodec.F16)));
        register(new PolicyInfo("bf16", "keys and values in bfloat16 (16 bits)", "-", List.of(),
                p -> new CodecComponent("bf16", KvCodec.BF16, KvCodec.BF16)));
        register(new PolicyInfo("int8", "per-token blocks: f16 scale + 8-bit codes (GGUF Q8_0; 8.5 bits); "
                + "keys channel-smoothed", "llama.cpp --cache-type-k/v q8_0; SmoothQuant-style key smoothing",
                List.of(blockParam(), smoothParam()), p -> tokenCodec(p, "int8")));
        register(new PolicyInfo("int4", "per-token blocks: f16 scale + f16 min + 4-bit codes (GGUF Q4_1; 5 bits)",
                "llama.cpp --cache-type-k/v q4_1", List.of(blockParam()), p -> tokenCodec(p, "int4")));
        register(new PolicyInfo("int2", "per-token blocks: f16 scale + f16 min + 2-bit codes (3 bits)", "-",
                List.of(blockParam()), p -> tokenCodec(p, "int2")));
        register(new PolicyInfo("codec", "separate codecs for keys and values; also written k=…,v=… without the name",
                "llama.cpp --cache-type-k / --cache-type-v",
                List.of(PolicyInfo.param("k", "f32", "key codec: " + String.join(" | ", TOKEN_CODECS)),
                        PolicyInfo.param("v", "f32", "value codec: " + String.join(" | ", TOKEN_CODECS)), blockParam(),
                        smoothParam()),
                KvCodecs::keyValueCodec));
        register(new PolicyInfo("kivi", "keys per channel over groups of tokens, values per token, asymmetric; "
                + "the newest tokens in f32", "Liu et al. 2024, KIVI",
                List.of(PolicyInfo.param("bits", "2", "2 | 4"),
                        PolicyInfo.param("group", "32", "tokens per key group (quantized together once complete)"),
                        PolicyInfo.param("residual", "128", "f32 window: values the newest N; keys 0…N-1, quantized all at once at N (multiple of group)"),
                        PolicyInfo.param("block", "32", "value channels per scale/zero point (the head size if smaller)")),
                KvCodecs::kivi));
        register(new PolicyInfo("gear", "KIVI quantization + a low-rank approximation of its residual + sparse outliers",
                "Kang et al. 2024, GEAR",
                List.of(PolicyInfo.param("bits", "2", "2 | 4"),
                        PolicyInfo.param("rank", "2", "rank of the residual's approximation per block of tokens"),
                        PolicyInfo.param("outliers", "0.02", "fraction of each block's values kept exactly"),
                        PolicyInfo.param("group", "32", "tokens per block"),
                        PolicyInfo.param("residual", "128", "f32 window: values the newest N; keys 0…N-1, quantized all at once at N (multiple of group)"),
                        PolicyInfo.param("block", "32", "value channels per scale/zero point")),
                KvCodecs::gear));
        register(new PolicyInfo("mixed", "salient entries (by a scorer) at high precision, the others at low precision",
                "He et al. 2024, ZipCache",
                List.of(PolicyInfo.param("high", "8", "bits of salient entries: 32 | 16 | 8 | 4"),
                        PolicyInfo.param("low", "2", "bits of the others: 8 | 4 | 2"),
                        PolicyInfo.param("salient", "0.5", "fraction of a head's entries kept at high precision"),
                        PolicyInfo.param("budget", "-", "instead of salient: high-precision entries per head"),
                        PolicyInfo.param("recent", "0", "newest entries always at high precision"),
                        PolicyInfo.param("score", "zipcache", "saliency: the scorer of this eviction policy"),
                        PolicyInfo.param("balance", "true", "low-precision keys channel-separated (÷√max|k_c|)"),
                        blockParam(),
                        PolicyInfo.param("trigger", "always", "always | prefill")),
                KvCodecs::mixed));
        register(new PolicyInfo("mikv", "entries the eviction policy evicts are demoted to low precision instead of dropped",
                "Yang et al. 2024, MiKV (No Token Left Behind)",
                List.of(PolicyInfo.param("high", "8", "bits of the entries the policy keeps: 32 | 16 | 8 | 4"),
                        PolicyInfo.param("low", "2", "bits of the entries it evicts: 8 | 4 | 2"),
                        PolicyInfo.param("balance", "true", "low-precision keys channel-separated (÷√max|k_c|)"), blockParam()),
                KvCodecs::mikv));
        register(MergeIntoNearest.INFO);
        register(MiniCache.INFO);
        for (PolicyInfo info : SparseMethods.all()) register(info);
    }

    private KvCodecs() {
    }

    private static void register(PolicyInfo info) {
        if (REGISTRY.put(info.name(), info) != null) throw new IllegalStateException("duplicate component " + info.name());
    }

    private static PolicyInfo.Param blockParam() {
        return PolicyInfo.param("block", "32", "values per scale (the head size if smaller; must divide it)");
    }

    private static PolicyInfo.Param smoothParam() {
        return PolicyInfo.param("smooth", "true", "int8 keys divided per channel by a scale fixed from the first key "
                + "(folded into the query); false: plain Q8_0");
    }

    private static boolean smooth(Params p) {
        return p.getString("smooth", "true", "true", "false").equals("true");
    }

    /** Every component, in registration order. */
    public static List<PolicyInfo> all() {
        return Collections.unmodifiableList(new ArrayList<>(REGISTRY.values()));
    }

    public static String names() {
        return String.join(", ", REGISTRY.keySet());
    }

    /** The component named {@code name}, or null. */
    public static PolicyInfo lookup(String name) {
        return REGISTRY.get(name);
    }

    private static KvComponent tokenCodec(Params p, String name) {
        int block = p.getInt("block", 32, 1);
        boolean smooth = name.equals("int8") && smooth(p);
        return new CodecComponent(p.spec(), codecByName(name, block, p.policy(), "codec", smooth),
                codecByName(name, block, p.policy(), "codec", false));
    }

    /** A per-token codec by name; {@code smooth}: int8 with channel smoothing (for keys). */
    static KvCodec codecByName(String name, int block, String component, String param, boolean smooth) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "f32" -> KvCodec.F32;
            case "f16" -> KvCodec.F16;
            case "bf16" -> KvCodec.BF16;
            case "int8", "q8_0" -> KvCodec.int8(block, smooth);
            case "int4", "q4_1" -> KvCodec.asym(4, block);
            case "int2" -> KvCodec.asym(2, block);
            default -> throw new KvSpecException(component + ": " + param + "='" + name + "' is not a codec; valid: "
                    + String.join(", ", TOKEN_CODECS) + (name.startsWith("kivi") ? " (kivi is its own component: kivi:bits=2)" : ""));
        };
    }

    private static KvComponent keyValueCodec(Params p) {
        int block = p.getInt("block", 32, 1);
        boolean smooth = smooth(p);
        KvCodec k = codecByName(p.getString("k", "f32"), block, p.policy(), "k", smooth);
        KvCodec v = codecByName(p.getString("v", "f32"), block, p.policy(), "v", false);
        return new CodecComponent(p.spec(), k, v);
    }

    private static int bits(Params p, String name, int defaultBits, List<Integer> valid) {
        String v = p.getString(name, String.valueOf(defaultBits));
        int bits;
        try {
            bits = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new KvSpecException(p.policy() + ": " + name + "='" + v + "' is not a whole number; valid: " + join(valid));
        }
        if (!valid.contains(bits)) {
            throw new KvSpecException(p.policy() + ": " + name + "=" + bits + " is not supported; valid: " + join(valid));
        }
        return bits;
    }

    private static String join(List<Integer> xs) {
        return String.join(", ", xs.stream().map(String::valueOf).toList());
    }

    private static KvComponent kivi(Params p) {
        int bits = bits(p, "bits", 2, List.of(2, 4));
        int group = p.getInt("group", 32, 1);
        int residual = p.getInt("residual", 128, 0);
        int block = p.getInt("block", 32, 1);
        if (residual % group != 0) {
            throw new KvSpecException(p.spec() + ": residual (" + residual + ") must be a multiple of group (" + group
                    + "), as KIVI quantizes the whole residual in groups when it fills");
        }
        return new CodecComponent(p.spec(), KvCodec.kiviKeys(bits, group, residual), KvCodec.kiviValues(bits, group, residual, block));
    }

    private static KvComponent gear(Params p) {
        int bits = bits(p, "bits", 2, List.of(2, 4));
        int rank = p.getInt("rank", 2, 0);
        double outliers = p.getDouble("outliers", 0.02, 0, 0.5);
        int group = p.getInt("group", 32, 1);
        int residual = p.getInt("residual", 128, 0);
        int block = p.getInt("block", 32, 1);
        return new CodecComponent(p.spec(), KvCodec.gearKeys(bits, group, residual, rank, outliers),
                KvCodec.gearValues(bits, group, residual, block, rank, outliers));
    }

    private static KvCodec[] highLow(Params p, int defaultHigh, int defaultLow) {
        int high = bits(p, "high", defaultHigh, List.of(32, 16, 8, 4));
        int low = bits(p, "low", defaultLow, List.of(8, 4, 2));
        if (low >= high) throw new KvSpecException(p.policy() + ": low=" + low + " must be below high=" + high);
        int block = p.getInt("block", 32, 1);
        return new KvCodec[] {KvCodec.byBits(high, block), KvCodec.byBits(low, block)};
    }

    private static KvComponent mikv(Params p) {
        KvCodec[] hl = highLow(p, 8, 2);
        boolean balance = p.getString("balance", "true", "true", "false").equals("true");
        return MixedPrecision.mikv(p.spec(), hl[0], hl[1]).balanced(balance);
    }

    private static KvComponent mixed(Params p) {
        KvCodec[] hl = highLow(p, 8, 2);
        boolean hasBudget = p.has("budget"), hasSalient = p.has("salient");
        if (hasBudget && hasSalient) throw new KvSpecException("mixed: give either budget=N or salient=F, not both");
        int budget = hasBudget ? p.getInt("budget", 0, 1) : 0;
        double salient = p.getDouble("salient", 0.5, 0, 1);
        int recent = p.getInt("recent", 0, 0);
        String score = p.getString("score", "zipcache").toLowerCase(Locale.ROOT);
        boolean onlyAfterPrefill = p.getString("trigger", "always", "always", "prefill").equals("prefill");
        boolean balance = p.getString("balance", "true", "true", "false").equals("true");
        return MixedPrecision.mixed(p.spec(), hl[0], hl[1], scorer(score), score, budget, salient, recent, onlyAfterPrefill)
                .balanced(balance);
    }

    /** The scorer of the eviction policy named {@code name} (with its default parameters). */
    static Scorer scorer(String name) {
        List<String> scoring = new ArrayList<>();
        for (PolicyInfo info : KvPolicies.all()) {
            KvPolicy policy;
            try {
                policy = info.factory().apply(Params.empty(info.name()));
            } catch (RuntimeException e) {
                continue;
            }
            if (policy instanceof EvictionPolicy ep) {
                if (info.name().equals(name)) return ep.scorer();
                scoring.add(info.name());
            }
        }
        throw new KvSpecException("mixed: score='" + name + "' is not a scoring policy; valid: " + String.join(", ", scoring));
    }
}
