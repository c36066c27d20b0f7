package dev.winnow.generate;

import dev.winnow.template.ChatMessage;
import dev.winnow.template.ChatTemplate;
import dev.winnow.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A multi-turn conversation over a {@link Session}: messages are rendered with the model's chat
 * template, and each turn feeds only what is new — the rendering of the whole conversation
 * minus the rendering of what the cache already holds — so earlier turns are never processed
 * again. Special tokens written by the template ({@code <|im_start|>} …) are parsed as tokens.
 */
public final class ChatSession {
    private final Session session;
    private final ChatTemplate template;
    private final String system;
    private final List<ChatMessage> messages = new ArrayList<>();
    /** The rendering of the conversation so far (without a generation prompt). */
    private String rendered = "";
    /**
     * Text of {@link #rendered} the cache does not hold yet: what the template writes after the
     * reply beyond the end-of-turn token the model produced (e.g. the newline after
     * {@code <|im_end|>}); it is fed with the next turn.
     */
    private String carry = "";

    /**
     * @param system a system message, or null
     */
    public ChatSession(Session session, ChatTemplate template, String system) {
        this.session = session;
        this.template = template;
        this.system = system;
        reset();
    }

    public Session session() {
        return session;
    }

    public List<ChatMessage> messages() {
        return List.copyOf(messages);
    }

    /** Forgets the conversation (keeps the system message) and empties the cache. */
    public void reset() {
        session.reset();
        messages.clear();
        if (system != null && !system.isEmpty()) messages.add(ChatMessage.system(system));
        rendered = "";
        carry = "";
    }

    /** Adds a user message and generates the assistant's reply (streamed to {@code listener}). */
    public Generation reply(String userText, GenerationParams params, TokenListener listener) {
        return reply(userText, params, listener, () -> false);
    }

    /**
     * {@link #reply(String, GenerationParams, TokenListener)} that stops early when
     * {@code cancelled} becomes true ({@link StopReason#CANCELLED}): the partial reply becomes the
     * assistant's message, the cache keeps it, and the template's end of turn is fed with the next
     * message.
     */
    public Generation reply(String userText, GenerationParams params, TokenListener listener, BooleanSupplier cancelled) {
        messages.add(ChatMessage.user(userText));
        String full = template.render(messages, true);
        String delta;
        if (full.startsWith(rendered)) {
            delta = carry + full.substring(rendered.length());
        } else {
            // The template renders earlier turns differently once more follow: start over.
            session.reset();
            delta = full;
        }
        Tokenizer tok = session.model().tokenizer();
        boolean bos = session.position() == 0 && tok.addBosByDefault()
                && template.bosToken().map(b -> b.isEmpty() || !full.startsWith(b)).orElse(true);
        int[] ids = tok.encode(delta, bos, true);
        Generation g = session.generate(ids, params, listener, cancelled);
        messages.add(ChatMessage.assistant(g.text()));
        String next = template.render(messages, false);
        String upToReply = full + g.text();
        carry = "";
        if (next.startsWith(upToReply)) {
            String after = next.substring(upToReply.length());
            int[] out = g.tokens();
            // The end-of-turn token the model produced is already in the cache.
            if (g.stopReason() == StopReason.END_OF_GENERATION && out.length > 0) {
                String eot = tok.tokenText(out[out.length - 1]);
                if (after.startsWith(eot)) after = after.substring(eot.length());
            }
            carry = after;
        }
        rendered = next;
        return g;
    }
}
