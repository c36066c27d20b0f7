package dev.winnow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.generate.ChatSession;
import dev.winnow.generate.GenerationParams;
import dev.winnow.generate.Session;
import dev.winnow.kv.policy.KvSpec;
import dev.winnow.model.Model;
import dev.winnow.template.ChatMessage;
import dev.winnow.template.ChatTemplate;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.Writer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import sun.misc.Signal;

/** Ctrl-C in {@code winnow chat} stops the reply being generated and keeps the conversation and its cache. */
class ChatInterruptTest {
    private static final int MAX_TOKENS = 40;

    @Test
    void interruptMidReplyStopsItKeepsTheCacheAndTheNextTurnWorks() throws Exception {
        try (Model m = Model.load(SharedData.stories())) {
            ChatSession chat = new ChatSession(new Session(m, 512, 32, KvSpec.FULL.newPolicy()), ChatTemplate.chatml(), null);
            AtomicInteger idle = new AtomicInteger();
            ReplyCancellation cancel = new ReplyCancellation(idle::incrementAndGet);
            StringWriter printed = new StringWriter();
            int[][] afterTurn1 = new int[1][];
            int[] entriesAfterTurn1 = new int[1];
            // stdout of the chat: the first text of the first reply presses Ctrl-C
            Writer out = new Writer() {
                boolean pressed;

                @Override
                public void write(char[] b, int off, int len) {
                    printed.write(b, off, len);
                    String s = new String(b, off, len);
                    if (!pressed && !s.isBlank()) {
                        pressed = true;
                        cancel.interrupt();
                    }
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            };
            // stderr: the summary of turn 1 is printed after the reply, before turn 2 reads its line
            StringWriter err = new StringWriter() {
                @Override
                public void write(String str, int off, int len) {
                    super.write(str, off, len);
                    if (afterTurn1[0] == null && str.startsWith("turn 1:", off)) {
                        afterTurn1[0] = chat.session().tokens();
                        entriesAfterTurn1[0] = chat.session().cache().stats().maxEntries();
                    }
                }
            };
            GenerationParams params = GenerationParams.builder().temperature(0).maxTokens(MAX_TOKENS).ignoreEos(true).build();
            new ChatCommand().converse(new BufferedReader(new StringReader("Tell me a story\nAnd then?\n")),
                    new PrintWriter(out), new PrintWriter(err), chat, params, false, cancel);

            List<String> turns = err.toString().lines().filter(l -> l.startsWith("turn ")).toList();
            assertThat(turns).as(err.toString()).hasSize(2);
            assertThat(err.toString()).contains("(reply stopped;");
            assertThat(idle).as("an interrupt during a reply is not an interrupt at the prompt").hasValue(0);
            Matcher t1 = turn(turns.get(0)), t2 = turn(turns.get(1));
            int reply1 = Integer.parseInt(t1.group(2)), context1 = Integer.parseInt(t1.group(3));
            int prompt2 = Integer.parseInt(t2.group(1)), reply2 = Integer.parseInt(t2.group(2));
            // the first reply stopped at the interrupt, the second (not interrupted) ran to the limit
            assertThat(reply1).isBetween(1, 10);
            assertThat(reply2).isEqualTo(MAX_TOKENS);

            // the conversation so far: the partial reply is the assistant's message, exactly as printed
            List<ChatMessage> messages = chat.messages();
            assertThat(messages).extracting(ChatMessage::role).containsExactly("user", "assistant", "user", "assistant");
            String partial = messages.get(1).content();
            assertThat(partial).isNotBlank();
            assertThat(printed.toString()).startsWith(partial + "\n");

            // the cache kept turn 1 (prompt + partial reply) and turn 2 only added its own tokens
            assertThat(afterTurn1[0]).hasSize(context1);
            assertThat(entriesAfterTurn1[0]).as("every token of the stopped turn is in the cache").isEqualTo(context1);
            int[] now = chat.session().tokens();
            assertThat(Arrays.copyOf(now, context1)).isEqualTo(afterTurn1[0]);
            assertThat(now).hasSize(context1 + prompt2 + reply2);
            // a reply ended by the token limit leaves its last token pending (fed with the next turn)
            assertThat(chat.session().cache().stats().maxEntries()).isEqualTo(now.length - 1);
            assertThat(m.tokenizer().decode(Arrays.copyOfRange(afterTurn1[0], context1 - reply1, context1))).isEqualTo(partial);
        }
    }

    private static Matcher turn(String line) {
        Matcher t = Pattern.compile("prompt (\\d+) new tokens.*reply (\\d+) tokens.*context (\\d+)/").matcher(line);
        assertThat(t.find()).as(line).isTrue();
        return t;
    }

    @Test
    void interruptAtThePromptDoesWhatCtrlCDidBefore() {
        AtomicInteger idle = new AtomicInteger();
        ReplyCancellation cancel = new ReplyCancellation(idle::incrementAndGet);
        cancel.interrupt();
        assertThat(idle).hasValue(1);
        assertThat(cancel.getAsBoolean()).isFalse();
        cancel.replyStarted();
        cancel.interrupt();
        assertThat(cancel.getAsBoolean()).isTrue();
        assertThat(cancel.replyEnded()).isTrue();
        assertThat(cancel.getAsBoolean()).as("the next reply starts uncancelled").isFalse();
        assertThat(idle).hasValue(1);
    }

    /** A real SIGINT raised in this JVM during a reply reaches the cancellation (and does not end the JVM). */
    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void sigintDuringAReplyCancelsIt() throws Exception {
        ReplyCancellation cancel = ReplyCancellation.onSigint();
        cancel.replyStarted();
        try {
            Signal.raise(new Signal("INT"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!cancel.getAsBoolean() && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(cancel.getAsBoolean()).isTrue();
        } finally {
            cancel.replyEnded();
        }
    }
}
