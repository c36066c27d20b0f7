package dev.winnow.cli;

import dev.winnow.hub.HubCache;
import dev.winnow.hub.ModelRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code winnow rm REPO[:FILE]}: removes a pulled model (one file, or the whole repository) from the hub cache. */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = {"Remove a pulled model from the Hugging Face hub cache: REPO:FILE removes that file (and its blob",
                "when no snapshot uses it any more), REPO alone the whole repository."})
final class RmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "REPO[:FILE]")
    String model;

    @Override
    public Integer call() throws IOException {
        ModelRef ref;
        try {
            ref = ModelRef.parse(model);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        HubCache cache = new HubCache(HubCache.root(HubEnvironment.current));
        Path dir = cache.repoDir(ref);
        if (!Files.isDirectory(dir)) throw new CliException(ref.repo() + " is not in the hub cache " + cache.root());
        if (ref.selector() == null) {
            deleteTree(dir);
            spec.commandLine().getErr().println("removed " + ref.repo());
            return 0;
        }
        Path file;
        try {
            file = cache.resolve(ref);
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        Path blob = Files.isSymbolicLink(file) ? file.getParent().resolve(Files.readSymbolicLink(file)).normalize() : null;
        Files.delete(file);
        if (blob != null && !usedBySnapshot(dir, blob)) Files.deleteIfExists(blob);
        spec.commandLine().getErr().println("removed " + ref.repo() + ":" + dir.resolve("snapshots").relativize(file));
        return 0;
    }

    private static boolean usedBySnapshot(Path repo, Path blob) throws IOException {
        try (Stream<Path> s = Files.walk(repo.resolve("snapshots"))) {
            for (Path p : s.filter(Files::isSymbolicLink).toList()) {
                if (p.getParent().resolve(Files.readSymbolicLink(p)).normalize().equals(blob)) return true;
            }
        }
        return false;
    }

    private static void deleteTree(Path dir) throws IOException {
        List<Path> all;
        try (Stream<Path> s = Files.walk(dir)) {
            all = s.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : all) Files.deleteIfExists(p);
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) Files.delete(dir);
    }
}
