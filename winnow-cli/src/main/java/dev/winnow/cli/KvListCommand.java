package dev.winnow.cli;

import dev.winnow.kv.policy.KvPolicies;
import dev.winnow.kv.policy.PolicyInfo;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code winnow kv list}: every policy, its parameters and defaults. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List every KV compression policy with its parameters and defaults.",
                "A spec is NAME[:key=value,...], e.g. snapkv:budget=256,window=32 or h2o:ratio=0.75."})
final class KvListCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        out.println("Budgeted policies (all with a budget) also take trigger=always|prefill and slack=N (during decoding,");
        out.println("compress once a head holds more than budget + N entries; default 0, the SnapKV family: its window).");
        out.println("ratio=R instead of budget=N: at every compression keep 1-R of the tokens the sequence holds then");
        out.println("(prompt and generated so far), so the budget grows with the sequence; recent windows given as a");
        out.println("share of the budget (h2o: budget/2) are the same share of it.");
        out.println();
        out.println("Eviction policies (one per spec):");
        print(out, KvPolicies.all());
        out.println();
        out.println("Storage, precision and merging (compose with '+', e.g. snapkv:budget=256+kivi:bits=2):");
        java.util.List<dev.winnow.kv.policy.PolicyInfo> sparse = dev.winnow.kv.sparse.SparseMethods.all();
        print(out, dev.winnow.kv.codec.KvCodecs.all().stream().filter(p -> !sparse.contains(p)).toList());
        out.println();
        out.println("Sparse attention: every entry kept, each decoding step reads at most budget entries per head");
        out.println("(compose with '+', e.g. quest:budget=512+int8, streaming:sinks=4,window=8192+tidal:budget=256):");
        print(out, sparse);
        out.flush();
        return 0;
    }

    private static void print(PrintWriter out, java.util.List<PolicyInfo> infos) {
        for (PolicyInfo p : infos) {
            out.println(Format.f("%-12s %s  [%s]", p.name(), p.summary(), p.source()));
            for (PolicyInfo.Param param : p.params()) {
                out.println(Format.f("    %-12s %-10s %s", param.name(), param.defaultValue(), param.description()));
            }
        }
    }
}
