package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hostile-input rows of issue 19 that reach the command line: one-line errors naming what was given. */
class HostileInputCliTest {
    @TempDir
    Path dir;

    private static String oneLineError(Cli.Result r) {
        assertThat(r.exit()).as(r.err()).isNotZero();
        assertThat(r.errLines()).as(r.err()).hasSize(1);
        String line = r.errLines().getFirst();
        assertThat(line).startsWith("winnow: ").doesNotContain("internal error").doesNotContain("\tat ");
        return line;
    }

    @Test
    void corruptHeadsSideFileIsAUserError() throws Exception {
        Path model = dir.resolve("m.gguf");
        Files.copy(SharedData.stories(), model);
        Path side = dir.resolve("m.gguf.winnow-heads");
        Files.writeString(side, "winnow-head-profile 1\nmodel-size twelve\n");
        String line = oneLineError(Cli.run("generate", "-m", model, "--kv", "duo", "-p", "hi", "-n", "2"));
        assertThat(line).contains("corrupt head profile " + side).contains("model-size 'twelve'");
    }

    @Test
    void duoProfileInAMissingDirectoryNamesThePathGiven() throws Exception {
        Path model = dir.resolve("fresh.gguf"); // a model no earlier test profiled (profiles are cached per file)
        Files.copy(SharedData.stories(), model);
        // like /nonexistent/dir/h of the issue, but surely missing on a shared machine
        Path missing = dir.resolve("nonexistent/dir/h");
        String line = oneLineError(Cli.run("generate", "-m", model, "--kv",
                "duo:profile=" + missing, "-p", "hi", "-n", "2"));
        assertThat(line).contains(missing.toString()).contains("does not exist").doesNotContain(".tmp");
    }

    @Test
    void hugeBudgetIsTooLargeNotNotAWholeNumber() {
        String line = oneLineError(Cli.run("generate", "-m", SharedData.stories(), "--kv", "h2o:budget=99999999999999",
                "-p", "hi", "-n", "2"));
        assertThat(line).contains("budget=99999999999999 is too large").doesNotContain("not a whole number");
    }

    @Test
    void fifoAsModelIsRefusedAtOnce() throws Exception {
        Path fifo = dir.resolve("pipe.gguf");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "mkfifo not available");
        assertThat(oneLineError(Cli.run("generate", "-m", fifo, "-p", "hi"))).contains("not a regular file");
    }

    @Test
    void hugeBatchAndThreadCountsAreClampedWithANote() {
        Cli.Result r = Cli.run("generate", "-m", SharedData.stories(), "-p", "Once", "-n", "5", "--seed", "1",
                "-b", "10000000", "-t", "1000");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("--batch 10000000 is more than the context").contains("--threads 1000 is more than the")
                .doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).isNotBlank();
    }

    @Test
    void benchClampsHugeBatchAndThreadCountsWithANote() {
        long start = System.nanoTime();
        Cli.Result r = Cli.run("bench", "-m", SharedData.stories(), "-p", "8", "-n", "4", "-r", "1", "--no-warmup",
                "-b", "10000000", "-t", "1000");
        assertThat(r.exit()).as(r.err()).isZero();
        // the longest test sequence is 8 prompt tokens + 1
        assertThat(r.err()).contains("--batch 10000000 is more than the context 9; using 9")
                .contains("--threads 1000 is more than the").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(r.out()).contains("pp8").contains("tg4");
        assertThat(System.nanoTime() - start).as("seconds, not minutes").isLessThan(60_000_000_000L);
    }

    @Test
    void contextAboveTheTrainedOneIsWarned() {
        Cli.Result r = Cli.run("generate", "-m", SharedData.stories(), "-p", "Once", "-n", "2", "-c", "4096");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.err()).contains("--ctx 4096 is above the model's trained context 2048");
        Cli.Result ok = Cli.run("generate", "-m", SharedData.stories(), "-p", "Once", "-n", "2", "-c", "256");
        assertThat(ok.err()).doesNotContain("trained context");
    }

    @Test
    void kvCacheThatCannotFitIsReportedWithTheNumber() {
        Cli.Result r = Cli.run("generate", "-m", SharedData.stories(), "-p", "Once", "-n", "2", "-c", "2000000000",
                "--kv", "streaming:sinks=4,window=60");
        assertThat(r.err()).containsPattern("a full KV cache at context 2000000000 needs [0-9.]+ [KMGT]i?B");
    }

    @Test
    void promptFileWithInvalidUtf8() throws Exception {
        Path f = dir.resolve("bad.txt");
        Files.write(f, new byte[] {'h', 'i', (byte) 0xff, (byte) 0xfe});
        assertThat(oneLineError(Cli.run("generate", "-m", SharedData.stories(), "--prompt-file", f)))
                .contains("bad.txt").contains("not valid UTF-8");
    }
}
