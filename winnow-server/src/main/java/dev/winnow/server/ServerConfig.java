package dev.winnow.server;

import dev.winnow.generate.speculative.SpeculateSpec;
import dev.winnow.kv.policy.KvSpec;
import java.util.Optional;

/**
 * How a {@link WinnowServer} runs.
 *
 * @param host address to bind (loopback by default)
 * @param port TCP port; 0 = any free port
 * @param kv the default KV compression spec of every sequence
 * @param allowKvOverride whether a request may choose its own spec with the {@code kv} field
 * @param kvMemoryBytes the bytes all KV caches together may hold (active and idle conversations)
 * @param parallel most sequences generating at once
 * @param queueLength most requests waiting for a slot or for KV memory before 429
 * @param apiKey when present, every request must carry {@code Authorization: Bearer KEY}
 * @param contextLength most tokens of one sequence (prompt + generated)
 * @param maxBodyBytes largest accepted request body
 * @param maxIdleConversations most finished conversations kept for prefix reuse
 * @param speculate the default speculative decoding drafter of every request (a request's
 *        {@code speculate} field overrides it); null: plain decoding
 */
public record ServerConfig(String host, int port, KvSpec kv, boolean allowKvOverride, long kvMemoryBytes,
                           int parallel, int queueLength, Optional<String> apiKey, int contextLength,
                           long maxBodyBytes, int maxIdleConversations, SpeculateSpec speculate) {
    public static final long DEFAULT_KV_MEMORY = 2L << 30;
    public static final long DEFAULT_MAX_BODY = 4L << 20;

    public ServerConfig {
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        if (kvMemoryBytes < 1) throw new IllegalArgumentException("KV memory must be > 0 bytes, got " + kvMemoryBytes);
        if (parallel < 1) throw new IllegalArgumentException("parallel must be >= 1, got " + parallel);
        if (queueLength < 0) throw new IllegalArgumentException("queue length must be >= 0, got " + queueLength);
        if (contextLength < 1) throw new IllegalArgumentException("context length must be >= 1, got " + contextLength);
        if (maxBodyBytes < 1024) throw new IllegalArgumentException("max body must be >= 1024 bytes, got " + maxBodyBytes);
        if (maxIdleConversations < 0) throw new IllegalArgumentException("idle conversations must be >= 0, got " + maxIdleConversations);
        apiKey = apiKey.filter(k -> !k.isEmpty());
    }

    /** Without a default drafter. */
    public ServerConfig(String host, int port, KvSpec kv, boolean allowKvOverride, long kvMemoryBytes, int parallel,
                        int queueLength, Optional<String> apiKey, int contextLength, long maxBodyBytes, int maxIdleConversations) {
        this(host, port, kv, allowKvOverride, kvMemoryBytes, parallel, queueLength, apiKey, contextLength, maxBodyBytes,
                maxIdleConversations, null);
    }

    /** Loopback, port 8080, {@code full}, overrides allowed, 2 GiB of KV, 4 sequences, the given context. */
    public static ServerConfig defaults(int contextLength) {
        return new ServerConfig("127.0.0.1", 8080, KvSpec.FULL, true, DEFAULT_KV_MEMORY, 4, 16, Optional.empty(),
                contextLength, DEFAULT_MAX_BODY, 64);
    }

    public ServerConfig withPort(int p) {
        return new ServerConfig(host, p, kv, allowKvOverride, kvMemoryBytes, parallel, queueLength, apiKey, contextLength,
                maxBodyBytes, maxIdleConversations, speculate);
    }

    public ServerConfig withKv(KvSpec k, boolean allowOverride) {
        return new ServerConfig(host, port, k, allowOverride, kvMemoryBytes, parallel, queueLength, apiKey, contextLength,
                maxBodyBytes, maxIdleConversations, speculate);
    }

    public ServerConfig withKvMemory(long bytes) {
        return new ServerConfig(host, port, kv, allowKvOverride, bytes, parallel, queueLength, apiKey, contextLength,
                maxBodyBytes, maxIdleConversations, speculate);
    }

    public ServerConfig withParallel(int n, int queue) {
        return new ServerConfig(host, port, kv, allowKvOverride, kvMemoryBytes, n, queue, apiKey, contextLength,
                maxBodyBytes, maxIdleConversations, speculate);
    }

    public ServerConfig withApiKey(String key) {
        return new ServerConfig(host, port, kv, allowKvOverride, kvMemoryBytes, parallel, queueLength,
                Optional.ofNullable(key), contextLength, maxBodyBytes, maxIdleConversations, speculate);
    }

    public ServerConfig withSpeculate(SpeculateSpec spec) {
        return new ServerConfig(host, port, kv, allowKvOverride, kvMemoryBytes, parallel, queueLength, apiKey, contextLength,
                maxBodyBytes, maxIdleConversations, spec);
    }

    public ServerConfig withHost(String h) {
        return new ServerConfig(h, port, kv, allowKvOverride, kvMemoryBytes, parallel, queueLength, apiKey, contextLength,
                maxBodyBytes, maxIdleConversations, speculate);
    }
}
