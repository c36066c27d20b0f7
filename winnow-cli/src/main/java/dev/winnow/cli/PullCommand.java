package dev.winnow.cli;

import dev.winnow.hub.ModelRef;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code winnow pull REPO[:FILE]}: downloads a GGUF file from the Hugging Face hub into its cache. */
@Command(name = "pull", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Download a GGUF model from the Hugging Face hub (or HF_ENDPOINT) into the hub cache.",
                "REPO is org/name; FILE a .gguf file name or a quantization (Q4_K_M, Q8_0, ...); without it the",
                "repository's only GGUF file, or its Q4_K_M one. Interrupted downloads resume; LFS files are",
                "checked against the SHA-256 the hub reports. Afterwards -m org/name[:FILE] works in every command.",
                "",
                "Environment: HF_HUB_CACHE or HF_HOME (cache: $HF_HOME/hub, default ~/.cache/huggingface/hub),",
                "HF_TOKEN (gated or private repositories), HF_HUB_OFFLINE=1 (no network: cached files only),",
                "HF_ENDPOINT (default https://huggingface.co)."})
final class PullCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "REPO[:FILE]", description = "e.g. Qwen/Qwen2.5-0.5B-Instruct-GGUF:Q4_K_M")
    String model;

    @Override
    public Integer call() {
        ModelRef ref;
        try {
            ref = ModelRef.parse(model);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        Puller p = new Puller(HubEnvironment.current, spec.commandLine().getErr());
        Path file = p.pull(ref);
        spec.commandLine().getOut().println(file);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
