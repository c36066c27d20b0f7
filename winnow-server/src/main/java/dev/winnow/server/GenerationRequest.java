package dev.winnow.server;

import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.speculative.SpeculateSpec;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.tools.ToolCallParser;

/**
 * A validated chat or completion request, ready for the scheduler.
 *
 * @param chat true for {@code /v1/chat/completions}, false for {@code /v1/completions}
 * @param prompt the prompt's tokens (the rendered chat template for a chat)
 * @param params sampling and stop rules
 * @param stream answer with server-sent events
 * @param includeUsage streaming: a final chunk with the usage ({@code stream_options.include_usage})
 * @param logprobs how many alternatives to report per token; -1 = no log probabilities
 * @param kv the KV compression spec of the sequence
 * @param toolCalls parses the reply's tool calls; null when the request offers no tools
 * @param speculate the speculative decoding drafter; null: plain decoding
 */
record GenerationRequest(boolean chat, int[] prompt, GenerationParams params, boolean stream, boolean includeUsage,
                         int logprobs, KvSpec kv, ToolCallParser toolCalls, SpeculateSpec speculate) {
    boolean wantsLogprobs() {
        return logprobs >= 0;
    }
}
