package dev.winnow.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Hugging Face hub's local cache, shared with the hub's own tools:
 * {@code <root>/models--org--name/blobs/<etag>} holds each file once,
 * {@code snapshots/<commit>/<path>} links to the blobs, {@code refs/main} names the commit.
 * The root is {@code HF_HUB_CACHE}, else {@code HF_HOME/hub}, else
 * {@code $XDG_CACHE_HOME/huggingface/hub}, else {@code ~/.cache/huggingface/hub}.
 */
public final class HubCache {
    private final Path root;

    public HubCache(Path root) {
        this.root = root;
    }

    /** The cache the environment names. */
    public static HubCache fromEnvironment() {
        return new HubCache(root(System.getenv()));
    }

    public static Path root(Map<String, String> env) {
        String cache = env.get("HF_HUB_CACHE");
        if (cache != null && !cache.isBlank()) return Path.of(cache);
        String home = env.get("HF_HOME");
        if (home != null && !home.isBlank()) return Path.of(home, "hub");
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "huggingface", "hub");
        return Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
    }

    public Path root() {
        return root;
    }

    public Path repoDir(ModelRef ref) {
        return root.resolve(ref.folderName());
    }

    public Path blob(ModelRef ref, String etag) {
        return repoDir(ref).resolve("blobs").resolve(etag);
    }

    public Path snapshotFile(ModelRef ref, String commit, String file) {
        return repoDir(ref).resolve("snapshots").resolve(commit).resolve(file);
    }

    /** The commit {@code refs/main} names, if the repository was fetched. */
    public Optional<String> mainCommit(ModelRef ref) {
        Path main = repoDir(ref).resolve("refs").resolve("main");
        try {
            return Files.isRegularFile(main) ? Optional.of(Files.readString(main, StandardCharsets.UTF_8).strip()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + main + ": " + e.getMessage(), e);
        }
    }

    /** The GGUF files of the main snapshot (paths relative to it), sorted; empty when not cached. */
    public List<String> ggufFiles(ModelRef ref) {
        Optional<String> commit = mainCommit(ref);
        if (commit.isEmpty()) return List.of();
        Path snap = repoDir(ref).resolve("snapshots").resolve(commit.get());
        if (!Files.isDirectory(snap)) return List.of();
        try (Stream<Path> s = Files.walk(snap)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".gguf") && Files.isRegularFile(p))
                    .map(p -> snap.relativize(p).toString().replace('\\', '/')).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + snap + ": " + e.getMessage(), e);
        }
    }

    /**
     * The cached file {@code ref} names: the one file matching its selector, or — without one — the
     * repository's only GGUF file (or its Q4_K_M file when it has several).
     *
     * @throws IllegalArgumentException with a one-line message when nothing or several files match
     */
    public Path resolve(ModelRef ref) {
        List<String> files = ggufFiles(ref);
        if (files.isEmpty()) {
            throw new IllegalArgumentException(ref.repo() + " is not in the hub cache " + root + " (run: winnow pull " + ref + ")");
        }
        String chosen = choose(ref, files);
        return snapshotFile(ref, mainCommit(ref).orElseThrow(), chosen);
    }

    /** Picks the file of {@code files} that {@code ref} names (the same rule locally and on the hub). */
    public static String choose(ModelRef ref, List<String> files) {
        List<String> matching = files.stream().filter(ref::selects).toList();
        if (ref.selector() == null && matching.size() > 1) {
            List<String> q4km = files.stream().filter(new ModelRef(ref.repo(), "Q4_K_M")::selects).toList();
            if (q4km.size() == 1) return q4km.get(0);
        }
        if (matching.size() == 1) return matching.get(0);
        String what = matching.isEmpty() ? "no GGUF file of " + ref.repo() + " matches '" + ref.selector() + "'"
                : ref.repo() + " has " + matching.size() + " GGUF files" + (ref.selector() == null ? "" : " matching '" + ref.selector() + "'");
        throw new IllegalArgumentException(what + "; choose one with " + ref.repo() + ":FILE, one of: "
                + String.join(", ", (matching.isEmpty() ? files : matching)));
    }

    /** One pulled GGUF file: repository, path in the snapshot, resolved file. */
    public record Entry(String repo, String file, Path path) {
    }

    /** Every GGUF file of every repository's main snapshot, by repository then file. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.sorted(Comparator.comparing(Path::toString)).toList()) {
                String name = d.getFileName().toString();
                if (!name.startsWith("models--") || !Files.isDirectory(d)) continue;
                String[] parts = name.substring("models--".length()).split("--", 2);
                if (parts.length != 2) continue;
                ModelRef ref = new ModelRef(parts[0] + "/" + parts[1], null);
                String commit = mainCommit(ref).orElse(null);
                for (String f : ggufFiles(ref)) out.add(new Entry(ref.repo(), f, snapshotFile(ref, commit, f)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Resolves a {@code -m} argument: an existing file as it is; otherwise, when it reads
     * {@code org/name[:FILE]} and that model was pulled, the cached file; otherwise the path as given
     * (so the caller's "no such file" error names it).
     */
    public Path resolveModelArgument(String arg) {
        Path p = Path.of(arg);
        if (Files.exists(p) || !ModelRef.looksLike(arg)) return p;
        ModelRef ref = ModelRef.parse(arg);
        if (mainCommit(ref).isEmpty()) return p;
        return resolve(ref);
    }
}
