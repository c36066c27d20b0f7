package dev.winnow.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.SharedData;
import dev.winnow.model.Model;
import dev.winnow.template.ChatMessage;
import dev.winnow.template.ChatTemplate;
import dev.winnow.tokenizer.Tokenizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatSessionTest {
    @Test
    void theSecondTurnProcessesOnlyTheNewTokens() {
        try (Model m = Model.load(SharedData.path("models/stories260K.gguf"))) {
            ChatTemplate t = ChatTemplate.chatml();
            Tokenizer tok = m.tokenizer();
            ChatSession chat = new ChatSession(new Session(m, 1024, 32), t, "Be brief.");
            GenerationParams p = GenerationParams.greedy(12);
            StringBuilder streamed = new StringBuilder();
            Generation g1 = chat.reply("Hello there", p, streamed::append);
            assertThat(streamed.toString()).isEqualTo(g1.text()).isNotEmpty();
            String first = t.render(List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hello there")), true);
            assertThat(g1.promptTokens()).isEqualTo(tok.encode(first, tok.addBosByDefault(), true).length);

            Generation g2 = chat.reply("Tell me more", p, TokenListener.NONE);
            List<ChatMessage> conv = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hello there"),
                    ChatMessage.assistant(g1.text()), ChatMessage.user("Tell me more"));
            String all = t.render(conv, true);
            // The reply stopped at max tokens, so the cache lacks the template's "<|im_end|>\n" after it:
            // exactly that and the new user turn are processed.
            String before = t.render(conv.subList(0, 3), false);
            String expectedDelta = before.substring(first.length() + g1.text().length()) + all.substring(before.length());
            assertThat(expectedDelta).startsWith("<|im_end|>\n<|im_start|>user\nTell me more");
            assertThat(g2.promptTokens()).isEqualTo(tok.encode(expectedDelta, false, true).length);
            assertThat(g2.promptTokens()).isLessThan(tok.encode(all, true, true).length / 2);
            assertThat(chat.session().position())
                    .isEqualTo(g1.promptTokens() + g1.tokens().length + g2.promptTokens() + g2.tokens().length);

            chat.reset();
            assertThat(chat.session().position()).isZero();
            assertThat(chat.messages()).containsExactly(ChatMessage.system("Be brief."));
        }
    }
}
