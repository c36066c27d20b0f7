package dev.winnow.eval.task;

import dev.winnow.eval.EvalException;
import dev.winnow.model.Model;
import dev.winnow.template.ChatMessage;
import dev.winnow.template.ChatTemplate;
import dev.winnow.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * How a task's prompt becomes tokens: {@code plain} text (BOS per the model; the answer prefix
 * on a new line after the question), or a {@code chat} template — the model's own
 * ({@code tokenizer.chat_template}) or one read from a file — rendering the question as the
 * user's message with the generation prompt, the answer prefix written after it (as RULER
 * does for instruct models). A chat format on a model without a template is an error, never a
 * silent fallback.
 *
 * @param mode {@code plain} or {@code chat}
 * @param templateFile for {@code chat}: a Jinja template file, or null for the model's
 */
public record PromptFormat(String mode, Path templateFile) {
    public static final PromptFormat PLAIN = new PromptFormat("plain", null);

    public PromptFormat {
        if (!mode.equals("plain") && !mode.equals("chat")) throw new EvalException("prompt format '" + mode + "': plain or chat");
        if (mode.equals("plain") && templateFile != null) throw new EvalException("a chat template file needs the chat format");
    }

    public static PromptFormat chat() {
        return new PromptFormat("chat", null);
    }

    public static PromptFormat chat(Path templateFile) {
        return new PromptFormat("chat", templateFile);
    }

    /** For records: {@code plain}, {@code chat} or {@code chat:FILE}. */
    public String id() {
        return templateFile == null ? mode : mode + ":" + templateFile;
    }

    /** The formatter for a model (reads the template). */
    public Formatter forModel(Model model) {
        if (mode.equals("plain")) return new Formatter(model.tokenizer(), null);
        ChatTemplate t;
        if (templateFile != null) {
            try {
                t = ChatTemplate.of(Files.readString(templateFile));
            } catch (NoSuchFileException e) {
                throw new EvalException(templateFile + ": no such file");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // The template sees the model's special tokens, as when it comes from the file.
            ChatTemplate fromModel = ChatTemplate.fromGguf(model.file()).orElse(null);
            Tokenizer tok = model.tokenizer();
            String bos = fromModel != null ? fromModel.bosToken().orElse(null) : tok.bosId() >= 0 ? tok.tokenText(tok.bosId()) : null;
            String eos = fromModel != null ? fromModel.eosToken().orElse(null) : tok.eosId() >= 0 ? tok.tokenText(tok.eosId()) : null;
            t = t.withSpecialTokens(bos, eos);
        } else {
            t = ChatTemplate.fromGguf(model.file()).orElseThrow(() -> new EvalException(model.path().getFileName()
                    + " has no chat template (tokenizer.chat_template): use the plain format or give a template file"));
        }
        return new Formatter(model.tokenizer(), t);
    }

    /** Turns (user text, answer prefix) into prompt tokens for one model. */
    public static final class Formatter {
        private final Tokenizer tokenizer;
        private final ChatTemplate template;

        public Formatter(Tokenizer tokenizer, ChatTemplate template) {
            this.tokenizer = tokenizer;
            this.template = template;
        }

        /** The prompt as text (special tokens written out for chat templates). */
        public String text(String user, String answerPrefix) {
            if (template == null) return answerPrefix.isEmpty() ? user : user + "\n" + answerPrefix;
            return template.render(List.of(ChatMessage.user(user)), true) + answerPrefix;
        }

        public int[] encode(String user, String answerPrefix) {
            String t = text(user, answerPrefix);
            if (template == null) return tokenizer.encode(t);
            boolean bos = tokenizer.addBosByDefault()
                    && template.bosToken().map(b -> b.isEmpty() || !t.startsWith(b)).orElse(true);
            return tokenizer.encode(t, bos, true);
        }

        public Tokenizer tokenizer() {
            return tokenizer;
        }

        public boolean isChat() {
            return template != null;
        }
    }
}
