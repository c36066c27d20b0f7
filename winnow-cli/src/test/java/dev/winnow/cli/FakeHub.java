package dev.winnow.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback HTTP server that answers as the Hugging Face hub does for one repository
 * ({@code test-org/stories}): the model listing, {@code HEAD/GET /{repo}/resolve/{rev}/{file}}
 * redirecting to {@code /blobs/{sha}} with X-Repo-Commit, X-Linked-Etag, X-Linked-Size and ETag,
 * and blob downloads honouring Range. Faults on demand: a connection cut mid-file, a wrong
 * checksum, a token requirement.
 */
final class FakeHub implements AutoCloseable {
    static final String REPO = "test-org/stories";
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    static final String TOKEN = "hf_test_token";
    final HttpServer server;
    final byte[] content;
    final String sha;
    final List<String> log = new CopyOnWriteArrayList<>();
    volatile long cutAfter = -1;
    volatile boolean wrongSha;
    volatile boolean requireToken;

    FakeHub(byte[] content) throws Exception {
        this.content = content;
        this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        String range = x.getRequestHeaders().getFirst("Range");
        log.add(x.getRequestMethod() + " " + path + (range == null ? "" : " " + range));
        try (x) {
            boolean blob = path.startsWith("/blobs/");
            String auth = x.getRequestHeaders().getFirst("Authorization");
            if (requireToken && !blob && !("Bearer " + TOKEN).equals(auth)) {
                x.getResponseHeaders().add("X-Error-Code", "GatedRepo");
                x.sendResponseHeaders(401, -1);
                return;
            }
            if (path.equals("/api/models/" + REPO)) {
                byte[] json = ("{\"id\":\"" + REPO + "\",\"sha\":\"" + COMMIT + "\",\"siblings\":[{\"rfilename\":\"README.md\"},"
                        + "{\"rfilename\":\"stories-F32.gguf\"},{\"rfilename\":\"stories-Q8_0.gguf\"}]}").getBytes(StandardCharsets.UTF_8);
                x.getResponseHeaders().add("Content-Type", "application/json");
                x.sendResponseHeaders(200, json.length);
                x.getResponseBody().write(json);
                return;
            }
            String prefix = "/" + REPO + "/resolve/";
            if (path.startsWith(prefix) && path.endsWith(".gguf")) {
                String etag = wrongSha ? "f".repeat(64) : sha;
                x.getResponseHeaders().add("X-Repo-Commit", COMMIT);
                x.getResponseHeaders().add("X-Linked-Etag", "\"" + etag + "\"");
                x.getResponseHeaders().add("X-Linked-Size", Long.toString(content.length));
                x.getResponseHeaders().add("ETag", "\"0a1b2c3d\"");
                x.getResponseHeaders().add("Location", endpoint() + "/blobs/" + sha + "?signature=xyz");
                x.sendResponseHeaders(302, -1);
                return;
            }
            if (blob && path.equals("/blobs/" + sha)) {
                if (!"GET".equals(x.getRequestMethod())) {
                    x.sendResponseHeaders(405, -1);
                    return;
                }
                int from = 0;
                if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
                    from = Integer.parseInt(range.substring(6, range.length() - 1));
                    x.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (content.length - 1) + "/" + content.length);
                    x.sendResponseHeaders(206, content.length - from);
                } else {
                    x.sendResponseHeaders(200, content.length);
                }
                OutputStream out = x.getResponseBody();
                long cut = cutAfter;
                if (cut >= 0 && from == 0) {
                    out.write(content, 0, (int) cut);
                    out.flush();
                    cutAfter = -1;
                    return;
                }
                out.write(content, from, content.length - from);
                return;
            }
            x.getResponseHeaders().add("X-Error-Code", path.startsWith("/api/models/") ? "RepoNotFound" : "EntryNotFound");
            x.sendResponseHeaders(404, -1);
        }
    }

    Map<String, String> env(java.nio.file.Path home, String... more) {
        java.util.HashMap<String, String> env = new java.util.HashMap<>();
        env.put("HF_HOME", home.toString());
        env.put("HF_ENDPOINT", endpoint());
        for (int i = 0; i + 1 < more.length; i += 2) env.put(more[i], more[i + 1]);
        return env;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
