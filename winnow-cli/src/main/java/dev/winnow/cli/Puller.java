package dev.winnow.cli;

import dev.winnow.hub.HubCache;
import dev.winnow.hub.ModelRef;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * Pulls one GGUF file into the hub cache: resolves it, downloads the blob to
 * {@code blobs/<etag>.incomplete} (resuming with a Range request when that exists), checks the
 * SHA-256 of an LFS file against its ETag, moves it to {@code blobs/<etag>}, links
 * {@code snapshots/<commit>/<file>} to it and writes {@code refs/main}. Offline
 * ({@code HF_HUB_OFFLINE}), it only resolves from the cache.
 */
final class Puller {
    static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    private final HubCache cache;
    private final HubClient client;
    private final boolean offline;
    private final PrintWriter err;

    Puller(Map<String, String> env, PrintWriter err) {
        this.cache = new HubCache(HubCache.root(env));
        String endpoint = env.getOrDefault("HF_ENDPOINT", DEFAULT_ENDPOINT);
        this.client = new HubClient(endpoint.isBlank() ? DEFAULT_ENDPOINT : endpoint, env.get("HF_TOKEN"));
        String off = env.getOrDefault("HF_HUB_OFFLINE", "");
        this.offline = off.equals("1") || off.equalsIgnoreCase("true") || off.equalsIgnoreCase("yes") || off.equalsIgnoreCase("on");
        this.err = err;
    }

    HubCache cache() {
        return cache;
    }

    /** The cached file of {@code ref}, downloading it unless it is cached and current. */
    Path pull(ModelRef ref) {
        if (offline) {
            try {
                Path p = cache.resolve(ref);
                err.println("offline (HF_HUB_OFFLINE): using the cached " + p);
                return p;
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage().replace(" (run: winnow pull " + ref + ")", "")
                        + " (offline: HF_HUB_OFFLINE is set, only cached files are used)");
            }
        }
        HubClient.Listing listing = client.list(ref);
        if (listing.ggufFiles().isEmpty()) throw new CliException(ref.repo() + " has no GGUF files");
        String file;
        try {
            file = HubCache.choose(ref, listing.ggufFiles());
        } catch (IllegalArgumentException e) {
            throw new CliException(e.getMessage());
        }
        HubClient.FileInfo info = client.head(ref, listing.commit(), file);
        Path blob = cache.blob(ref, info.etag());
        if (!Files.isRegularFile(blob) || (info.size() >= 0 && size(blob) != info.size())) download(ref, file, info, blob);
        else err.println(file + ": already in the cache");
        Path link = cache.snapshotFile(ref, info.commit(), file);
        try {
            Files.createDirectories(link.getParent());
            if (Files.exists(link, LinkOption.NOFOLLOW_LINKS)) Files.delete(link);
            try {
                Files.createSymbolicLink(link, link.getParent().relativize(blob));
            } catch (UnsupportedOperationException | IOException e) {
                Files.copy(blob, link); // no symlinks (some Windows setups): a copy, as the hub's tools do
            }
            Path refs = cache.repoDir(ref).resolve("refs");
            Files.createDirectories(refs);
            Files.writeString(refs.resolve("main"), info.commit(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException("cannot write the hub cache " + cache.root() + ": " + e.getMessage());
        }
        return link;
    }

    private void download(ModelRef ref, String file, HubClient.FileInfo info, Path blob) {
        Path part = blob.resolveSibling(blob.getFileName() + ".incomplete");
        MessageDigest sha = sha256();
        try {
            Files.createDirectories(blob.getParent());
            long have = Files.isRegularFile(part) ? Files.size(part) : 0;
            if (info.size() >= 0 && have > info.size()) {
                Files.delete(part);
                have = 0;
            }
            if (have > 0) {
                try (InputStream in = Files.newInputStream(part)) {
                    in.transferTo(new DigestOut(sha));
                }
            }
            HttpResponse<InputStream> r = client.download(info.download(), have, ref, file);
            boolean resumed = have > 0 && r.statusCode() == 206;
            if (have > 0 && !resumed) { // the server ignored the Range: start over
                sha = sha256();
                have = 0;
            }
            if (resumed) err.println(file + ": resuming at " + Format.f("%.1f", have / 1048576.0) + " MiB");
            ProgressBar bar = new ProgressBar(err, file, info.size(), have);
            try (InputStream body = r.body();
                 DigestInputStream in = new DigestInputStream(body, sha);
                 OutputStream out = Files.newOutputStream(part, StandardOpenOption.CREATE,
                         resumed ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                    have += n;
                    bar.update(have);
                }
            } catch (IOException e) {
                bar.done();
                throw new CliException(file + ": the download broke off at " + have + " bytes (" + e.getMessage()
                        + "); run the same command again to resume");
            }
            bar.done();
            if (info.size() >= 0 && have != info.size()) {
                throw new CliException(file + ": the download ended at " + have + " of " + info.size()
                        + " bytes; run the same command again to resume");
            }
            String got = HexFormat.of().formatHex(sha.digest());
            if (info.lfs() && info.etag().length() == 64 && !got.equalsIgnoreCase(info.etag())) {
                Files.deleteIfExists(part);
                throw new CliException(file + ": SHA-256 mismatch — the hub says " + info.etag() + ", the download is " + got
                        + "; the file was discarded");
            }
            Files.move(part, blob, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CliException("cannot write " + part + ": " + e.getMessage());
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An output stream that only hashes. */
    private static final class DigestOut extends OutputStream {
        private final MessageDigest md;

        DigestOut(MessageDigest md) {
            this.md = md;
        }

        @Override
        public void write(int b) {
            md.update((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            md.update(b, off, len);
        }
    }
}
