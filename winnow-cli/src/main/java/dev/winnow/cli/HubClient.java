package dev.winnow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.winnow.hub.ModelRef;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Hugging Face hub's HTTP API, as far as pulling a file needs it (java.net.http only):
 * {@code GET /api/models/{repo}} lists a repository's files and commit; {@code HEAD
 * /{repo}/resolve/{rev}/{file}} (redirects not followed) reports {@code X-Repo-Commit},
 * {@code X-Linked-Etag}/{@code ETag} (the SHA-256 of an LFS file) and {@code X-Linked-Size}, and
 * redirects to the blob's download URL. The token goes to the endpoint's host only.
 */
final class HubClient {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private final URI endpoint;
    private final String token;
    private final HttpClient http;

    HubClient(String endpoint, String token) {
        String e = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.endpoint = URI.create(e);
        this.token = token == null || token.isBlank() ? null : token.strip();
        this.http = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A repository's commit and its GGUF files. */
    record Listing(String commit, List<String> ggufFiles) {
    }

    /** What the hub says about one file. */
    record FileInfo(String commit, String etag, long size, URI download, boolean lfs) {
    }

    Listing list(ModelRef ref) {
        HttpResponse<InputStream> r = send(request(endpoint + "/api/models/" + ref.repo()).GET(), ref, null);
        try (InputStream in = r.body()) {
            JsonNode root = new ObjectMapper().readTree(in.readNBytes(16 << 20));
            String sha = root.path("sha").asText(null);
            List<String> files = new ArrayList<>();
            for (JsonNode s : root.path("siblings")) {
                String name = s.path("rfilename").asText("");
                if (name.toLowerCase(Locale.ROOT).endsWith(".gguf")) files.add(name);
            }
            if (sha == null) throw new CliException(endpoint + ": the listing of " + ref.repo() + " has no commit ('sha')");
            return new Listing(sha, files);
        } catch (IOException e) {
            throw new CliException(endpoint + ": cannot read the listing of " + ref.repo() + ": " + e.getMessage());
        }
    }

    FileInfo head(ModelRef ref, String revision, String file) {
        String url = endpoint + "/" + ref.repo() + "/resolve/" + revision + "/" + encodePath(file);
        HttpResponse<InputStream> r = send(request(url).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept-Encoding", "identity"), ref, file);
        close(r);
        String commit = r.headers().firstValue("X-Repo-Commit").orElse(revision);
        String linked = r.headers().firstValue("X-Linked-Etag").orElse(null);
        String etag = normalizeEtag(linked != null ? linked : r.headers().firstValue("ETag").orElse(null));
        if (etag == null) throw new CliException(url + ": the hub sent no ETag for " + file);
        long size = r.headers().firstValue("X-Linked-Size").or(() -> r.headers().firstValue("Content-Length"))
                .map(Long::parseLong).orElse(-1L);
        URI download = r.statusCode() / 100 == 3
                ? URI.create(url).resolve(r.headers().firstValue("Location")
                        .orElseThrow(() -> new CliException(url + ": redirect without a Location")))
                : URI.create(url);
        return new FileInfo(commit, etag, size, download, linked != null);
    }

    /** GETs {@code uri} from byte {@code from} on (a Range request when from > 0); follows redirects. */
    HttpResponse<InputStream> download(URI uri, long from, ModelRef ref, String file) {
        for (int hops = 0; hops < 5; hops++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).GET();
            if (sameHost(uri) && token != null) b.header("Authorization", "Bearer " + token);
            if (from > 0) b.header("Range", "bytes=" + from + "-");
            HttpResponse<InputStream> r = send(b, ref, file);
            if (r.statusCode() / 100 != 3) return r;
            close(r);
            String location = r.headers().firstValue("Location").orElse(null);
            if (location == null) throw new CliException(uri + ": redirect without a Location");
            uri = uri.resolve(location);
        }
        throw new CliException("too many redirects downloading " + file);
    }

    private HttpRequest.Builder request(String url) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT);
        if (token != null) b.header("Authorization", "Bearer " + token);
        return b.header("User-Agent", "winnow");
    }

    private HttpResponse<InputStream> send(HttpRequest.Builder b, ModelRef ref, String file) {
        HttpRequest req = b.build();
        HttpResponse<InputStream> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new CliException("cannot reach " + req.uri().getScheme() + "://" + req.uri().getAuthority() + ": " + e
                    + " (set HF_HUB_OFFLINE=1 to use the cache only)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("interrupted");
        }
        int code = r.statusCode();
        if (code < 400) return r;
        close(r);
        String what = file == null ? "repository " + ref.repo() : file + " in " + ref.repo();
        String errorCode = r.headers().firstValue("X-Error-Code").orElse("");
        throw new CliException(switch (code) {
            case 401, 403 -> what + ": " + (errorCode.equals("GatedRepo") ? "the repository is gated" : "access denied")
                    + " (HTTP " + code + ") — " + (token == null ? "set HF_TOKEN to a token that can read it"
                    : "the HF_TOKEN given cannot read it (accept the repository's terms on the hub?)");
            case 404 -> what + ": not found on " + endpoint + " (HTTP 404" + (errorCode.isEmpty() ? "" : ", " + errorCode)
                    + ") — check the name" + (token == null ? "; private repositories need HF_TOKEN" : "");
            case 416 -> what + ": the server refused the byte range (HTTP 416)";
            default -> what + ": HTTP " + code + " from " + req.uri();
        });
    }

    private boolean sameHost(URI u) {
        return u.getHost() != null && u.getHost().equalsIgnoreCase(endpoint.getHost()) && u.getPort() == endpoint.getPort();
    }

    static String normalizeEtag(String etag) {
        if (etag == null) return null;
        String e = etag.strip();
        if (e.startsWith("W/")) e = e.substring(2);
        if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) e = e.substring(1, e.length() - 1);
        if (e.isEmpty() || !e.matches("[A-Za-z0-9._-]+")) throw new CliException("the hub sent an unusable ETag '" + etag + "'");
        return e;
    }

    private static String encodePath(String file) {
        StringBuilder sb = new StringBuilder();
        for (String part : file.split("/")) {
            if (!sb.isEmpty()) sb.append('/');
            sb.append(URLEncoder.encode(part, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return sb.toString();
    }

    private static void close(HttpResponse<InputStream> r) {
        try {
            r.body().close();
        } catch (IOException ignored) {
            // nothing to release
        }
    }
}
