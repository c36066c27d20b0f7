package dev.winnow.cli;

import dev.winnow.model.Model;
import dev.winnow.template.ChatTemplate;
import java.io.PrintWriter;

/** The chat template of a model, falling back to ChatML — and saying so. */
final class Chats {
    private Chats() {
    }

    static ChatTemplate template(Model m, PrintWriter err) {
        return ChatTemplate.fromGguf(m.file()).orElseGet(() -> {
            err.println("winnow: note: " + m.path().getFileName() + " has no chat template (tokenizer.chat_template); using ChatML");
            err.flush();
            return ChatTemplate.chatml();
        });
    }
}
