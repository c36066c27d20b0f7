package dev.winnow.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.winnow.SharedData;
import dev.winnow.template.ChatMessage;
import dev.winnow.template.ChatTemplate;
import dev.winnow.template.TemplateException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;

/**
 * The Jinja engine, which runs whatever template a model file carries: (1) arbitrary template
 * source rendering a fixed conversation may only fail with a one-line {@link TemplateException}
 * (the render budget bounds time and memory); (2) arbitrary message content through the real
 * chat templates of {@code shared/templates} (those that render a plain conversation) must render, contain every user message that
 * templates keep verbatim, and never be interpreted as template code.
 */
class TemplateFuzzTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-14T09:05:07Z"), ZoneOffset.UTC);
    private static final List<ChatMessage> CONVERSATION = List.of(
            ChatMessage.system("You are terse."), ChatMessage.user("Hello!"),
            ChatMessage.assistant("Hi."), ChatMessage.user("What is 2+2?"));
    private static List<ChatTemplate> templates;

    private static synchronized List<ChatTemplate> templates() {
        if (templates == null) {
            Path dir = SharedData.path("templates");
            try (Stream<Path> files = Files.list(dir)) {
                List<ChatTemplate> list = new ArrayList<>();
                for (Path p : files.filter(p -> p.toString().endsWith(".jinja")).sorted().toList()) {
                    ChatTemplate t = ChatTemplate.of(Files.readString(p), "<s>", "</s>").withClock(CLOCK);
                    if (rendersPlainConversation(t)) list.add(t);
                }
                templates = list;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return templates;
    }

    /** Tool-use templates that need {@code tools}/{@code functions} variables are left out. */
    private static boolean rendersPlainConversation(ChatTemplate t) {
        try {
            t.render(CONVERSATION, true);
            return true;
        } catch (TemplateException e) {
            return false;
        }
    }

    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "3s")
    void templateSource(FuzzedDataProvider data) throws Exception {
        boolean generationPrompt = data.consumeBoolean();
        String source = data.consumeRemainingAsString();
        FuzzContract.expectOnly(() -> ChatTemplate.of(source, "<s>", "</s>").withClock(CLOCK)
                .render(CONVERSATION, generationPrompt), TemplateException.class);
    }

    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    @FuzzTest(maxDuration = "3s")
    void messageContent(FuzzedDataProvider data) {
        List<ChatTemplate> all = templates();
        ChatTemplate template = all.get(data.consumeInt(0, all.size() - 1));
        boolean system = data.consumeBoolean();
        int turns = data.consumeInt(1, 3);
        List<ChatMessage> messages = new ArrayList<>();
        if (system) messages.add(ChatMessage.system(data.consumeString(200)));
        for (int i = 0; i < turns; i++) {
            messages.add(ChatMessage.user(data.consumeString(200)));
            if (i < turns - 1) messages.add(ChatMessage.assistant(data.consumeString(200)));
        }
        String out;
        try {
            out = template.render(messages, true);
        } catch (TemplateException e) {
            throw new AssertionError("a real template failed on message content: " + e.getMessage(), e);
        }
        for (ChatMessage m : messages) {
            if (m.role().equals("user") && keptVerbatim(m.content()) && !out.contains(m.content())) {
                throw new AssertionError("user content " + m.content() + " missing from the prompt");
            }
        }
    }

    /** Content no template trims or rewrites: starts and ends with a letter or digit. */
    private static boolean keptVerbatim(String s) {
        return !s.isEmpty() && Character.isLetterOrDigit(s.codePointAt(0))
                && Character.isLetterOrDigit(s.codePointBefore(s.length()));
    }
}
