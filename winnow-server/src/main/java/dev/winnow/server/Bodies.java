package dev.winnow.server;

import io.helidon.webserver.http.ServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Reads a request body of at most {@code limit} bytes. A larger one is read to its end and
 * dropped (memory stays bounded; the web server's own hard cap, {@link #hardCap}, closes
 * connections that send more) so that the client, still sending, gets the 413 answer.
 */
final class Bodies {
    private Bodies() {
    }

    /** What the web server itself accepts at most before it cuts the connection. */
    static long hardCap(long limit) {
        return Math.max(limit, Math.min(Long.MAX_VALUE / 8, limit * 4) + (64L << 20));
    }

    static byte[] read(ServerRequest req, long limit) {
        try (InputStream in = req.content().inputStream()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            long total = 0;
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total <= limit) out.write(buf, 0, n);
            }
            if (total > limit) {
                throw new ApiException(413, "invalid_request_error", null, "request_too_large",
                        "the request body is " + total + " bytes, larger than the limit of " + limit + " bytes", 0);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
