package dev.winnow.template;

import static dev.winnow.template.ChatMessage.assistant;
import static dev.winnow.template.ChatMessage.system;
import static dev.winnow.template.ChatMessage.user;
import static org.assertj.core.api.Assertions.assertThat;

import dev.winnow.SharedData;
import dev.winnow.gguf.GgufFile;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The chat templates of popular model families (from {@code shared/templates} and two GGUF
 * vocabularies) rendering one conversation. Every expected prompt was written by hand from the
 * template's source, following HF's rendering rules (trim_blocks, lstrip_blocks).
 */
class ChatTemplateFamiliesTest {
    static final List<ChatMessage> CONVERSATION = List.of(
            system("You are a helpful assistant."),
            user("Hello!"),
            assistant("Hi there."),
            user("What is 2+2?"));
    static final List<ChatMessage> NO_SYSTEM = CONVERSATION.subList(1, 4);
    /** Friday 14 March 2025, 09:05:07 UTC: what strftime_now sees. */
    static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-14T09:05:07Z"), ZoneOffset.UTC);

    static ChatTemplate template(String file, String bos, String eos) throws IOException {
        String source = Files.readString(SharedData.path("templates/" + file));
        return ChatTemplate.of(source, bos, eos).withClock(CLOCK);
    }

    static Map<String, Object> message(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    static final Map<String, Object> WEATHER_TOOL = message("type", "function", "function", message(
            "name", "get_weather",
            "description", "Get the weather",
            "parameters", message("type", "object",
                    "properties", message("city", message("type", "string")),
                    "required", List.of("city"))));

    // ---------------------------------------------------------------- Llama 3.x

    @ParameterizedTest
    @ValueSource(strings = {"meta-llama-Llama-3.1-8B-Instruct.jinja", "meta-llama-Llama-3.3-70B-Instruct.jinja"})
    void llama31And33(String file) throws IOException {
        ChatTemplate t = template(file, "<|begin_of_text|>", "<|eot_id|>");
        // no date_string given: the template's default date, not the clock
        assertThat(t.render(CONVERSATION, true)).isEqualTo("<|begin_of_text|>"
                + "<|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\n"
                + "Today Date: 26 Jul 2024\n\n"
                + "You are a helpful assistant.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void llama32TakesTheDateFromStrftimeNow() throws IOException {
        ChatTemplate t = template("meta-llama-Llama-3.2-3B-Instruct.jinja", "<|begin_of_text|>", "<|eot_id|>");
        assertThat(t.render(CONVERSATION, true)).isEqualTo("<|begin_of_text|>"
                + "<|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\n"
                + "Today Date: 14 Mar 2025\n\n"
                + "You are a helpful assistant.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        // an explicit date_string wins; without the generation prompt the text ends after the last turn
        assertThat(t.render(NO_SYSTEM, false, Map.of("date_string", "01 Jan 2025"))).isEqualTo("<|begin_of_text|>"
                + "<|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\n"
                + "Today Date: 01 Jan 2025\n\n"
                + "<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>");
    }

    @Test
    void llama31PutsToolsInTheFirstUserMessageAsIndentedJson() throws IOException {
        ChatTemplate t = template("meta-llama-Llama-3.1-8B-Instruct.jinja", "<|begin_of_text|>", "<|eot_id|>");
        String out = t.render(List.of(system("Be brief."), user("  Weather in Paris? ")), true,
                Map.of("tools", List.of(WEATHER_TOOL)));
        assertThat(out).isEqualTo("<|begin_of_text|>"
                + "<|start_header_id|>system<|end_header_id|>\n\n"
                + "Environment: ipython\n"
                + "Cutting Knowledge Date: December 2023\n"
                + "Today Date: 26 Jul 2024\n\n"
                + "Be brief.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\n"
                + "Given the following functions, please respond with a JSON for a function call "
                + "with its proper arguments that best answers the given prompt.\n\n"
                + "Respond in the format {\"name\": function name, \"parameters\": dictionary of argument name and its value}."
                + "Do not use variables.\n\n"
                + """
                {
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "description": "Get the weather",
                        "parameters": {
                            "type": "object",
                            "properties": {
                                "city": {
                                    "type": "string"
                                }
                            },
                            "required": [
                                "city"
                            ]
                        }
                    }
                }"""
                + "\n\n"
                + "Weather in Paris?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    // ---------------------------------------------------------------- Qwen

    @Test
    void qwen25() throws IOException {
        ChatTemplate t = template("Qwen-Qwen2.5-7B-Instruct.jinja", null, "<|im_end|>");
        assertThat(t.render(CONVERSATION, true)).isEqualTo("""
                <|im_start|>system
                You are a helpful assistant.<|im_end|>
                <|im_start|>user
                Hello!<|im_end|>
                <|im_start|>assistant
                Hi there.<|im_end|>
                <|im_start|>user
                What is 2+2?<|im_end|>
                <|im_start|>assistant
                """);
        // without a system message the template supplies its own
        assertThat(t.render(List.of(user("Hi")), false)).isEqualTo("""
                <|im_start|>system
                You are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>
                <|im_start|>user
                Hi<|im_end|>
                """);
    }

    @Test
    void qwen2GgufTemplate() throws IOException {
        try (GgufFile gguf = GgufFile.open(SharedData.path("tokenizers/ggml-vocab-qwen2.gguf"))) {
            ChatTemplate t = ChatTemplate.fromGguf(gguf).orElseThrow();
            assertThat(t.bosToken()).isEmpty();
            assertThat(t.eosToken()).contains("<|im_end|>");
            String expected = """
                    <|im_start|>system
                    You are a helpful assistant.<|im_end|>
                    <|im_start|>user
                    Hello!<|im_end|>
                    <|im_start|>assistant
                    Hi there.<|im_end|>
                    <|im_start|>user
                    What is 2+2?<|im_end|>
                    <|im_start|>assistant
                    """;
            assertThat(t.render(CONVERSATION, true)).isEqualTo(expected);
            assertThat(t.render(CONVERSATION, true, Map.of("enable_thinking", false)))
                    .isEqualTo(expected + "<think>\n\n</think>\n\n");
            // the reasoning of an assistant turn after the last user query is kept in <think> tags
            assertThat(t.render(List.of(user("What is 2+2?"), assistant("<think>\nLet me think.\n</think>\n\nThe answer is 4.")), false))
                    .isEqualTo("""
                            <|im_start|>user
                            What is 2+2?<|im_end|>
                            <|im_start|>assistant
                            <think>
                            Let me think.
                            </think>

                            The answer is 4.<|im_end|>
                            """);
        }
    }

    // ---------------------------------------------------------------- Mistral, Phi, Gemma

    @Test
    void mistralNemoFoldsTheSystemMessageIntoTheLastUserTurn() throws IOException {
        ChatTemplate t = template("mistralai-Mistral-Nemo-Instruct-2407.jinja", "<s>", "</s>");
        // the template has no generation prompt: the text ends with [/INST] either way
        String expected = "<s>[INST]Hello![/INST]Hi there.</s>[INST]You are a helpful assistant.\n\nWhat is 2+2?[/INST]";
        assertThat(t.render(CONVERSATION, true)).isEqualTo(expected);
        assertThat(t.render(CONVERSATION, false)).isEqualTo(expected);
    }

    @Test
    void mistralNemoRejectsNonAlternatingRoles() throws IOException {
        ChatTemplate t = template("mistralai-Mistral-Nemo-Instruct-2407.jinja", "<s>", "</s>");
        TemplateException e = org.assertj.core.api.Assertions.catchThrowableOfType(TemplateException.class,
                () -> t.render(List.of(user("a"), user("b")), true));
        assertThat(e.kind()).isEqualTo(TemplateException.Kind.RAISED);
        assertThat(e.reason()).isEqualTo("After the optional system message, conversation roles must alternate user/assistant/user/assistant/...");
    }

    @Test
    void phi35() throws IOException {
        ChatTemplate t = template("microsoft-Phi-3.5-mini-instruct.jinja", "<s>", "<|endoftext|>");
        assertThat(t.render(CONVERSATION, true)).isEqualTo("""
                <|system|>
                You are a helpful assistant.<|end|>
                <|user|>
                Hello!<|end|>
                <|assistant|>
                Hi there.<|end|>
                <|user|>
                What is 2+2?<|end|>
                <|assistant|>
                """);
        // without the generation prompt the template ends with the EOS token
        assertThat(t.render(List.of(user("Hi")), false)).isEqualTo("<|user|>\nHi<|end|>\n<|endoftext|>");
    }

    @Test
    void gemma2RejectsASystemMessage() throws IOException {
        ChatTemplate t = template("google-gemma-2-2b-it.jinja", "<bos>", "<eos>");
        TemplateException e = org.assertj.core.api.Assertions.catchThrowableOfType(TemplateException.class,
                () -> t.render(CONVERSATION, true));
        assertThat(e.kind()).isEqualTo(TemplateException.Kind.RAISED);
        assertThat(e.reason()).isEqualTo("System role not supported");
        assertThat(e.line()).isEqualTo(1);
    }

    @Test
    void gemma2() throws IOException {
        ChatTemplate t = template("google-gemma-2-2b-it.jinja", "<bos>", "<eos>");
        assertThat(t.render(NO_SYSTEM, true)).isEqualTo("""
                <bos><start_of_turn>user
                Hello!<end_of_turn>
                <start_of_turn>model
                Hi there.<end_of_turn>
                <start_of_turn>user
                What is 2+2?<end_of_turn>
                <start_of_turn>model
                """);
        TemplateException e = org.assertj.core.api.Assertions.catchThrowableOfType(TemplateException.class,
                () -> t.render(List.of(assistant("first")), true));
        assertThat(e.reason()).isEqualTo("Conversation roles must alternate user/assistant/user/assistant/...");
    }

    // ---------------------------------------------------------------- DeepSeek R1

    @ParameterizedTest
    @ValueSource(strings = {"deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja", "deepseek-ai-DeepSeek-R1-Distill-Qwen-32B.jinja"})
    void deepSeekR1Distill(String file) throws IOException {
        ChatTemplate t = template(file, "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>");
        assertThat(t.render(CONVERSATION, true)).isEqualTo("<｜begin▁of▁sentence｜>You are a helpful assistant."
                + "<｜User｜>Hello!"
                + "<｜Assistant｜>Hi there.<｜end▁of▁sentence｜>"
                + "<｜User｜>What is 2+2?"
                + "<｜Assistant｜><think>\n");
        // earlier reasoning is dropped: only what follows </think> is kept
        assertThat(t.render(List.of(user("2+2?"), assistant("<think>\nLet me think.\n</think>\n\nIt is 4."), user("Thanks")), false))
                .isEqualTo("<｜begin▁of▁sentence｜><｜User｜>2+2?<｜Assistant｜>\n\nIt is 4.<｜end▁of▁sentence｜><｜User｜>Thanks");
    }

    @Test
    void llamaCppDeepSeekR1() throws IOException {
        ChatTemplate t = template("llama-cpp-deepseek-r1.jinja", "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>");
        assertThat(t.render(CONVERSATION, true)).isEqualTo("<｜begin▁of▁sentence｜>You are a helpful assistant."
                + "<｜User｜>Hello!<｜end▁of▁sentence｜>"
                + "<｜Assistant｜>Hi there.<｜end▁of▁sentence｜>"
                + "<｜User｜>What is 2+2?<｜end▁of▁sentence｜>"
                + "<｜Assistant｜><think>\n");
    }

    // ---------------------------------------------------------------- tool-use templates

    static final String HERMES_SYSTEM_HEAD = "<|begin_of_text|><|im_start|>system\n"
            + "You are a function calling AI model. You are provided with function signatures within <tools></tools> XML tags. "
            + "You may call one or more functions to assist with the user query. Don't make assumptions about what values to plug "
            + "into functions. Here are the available tools: <tools> ";
    static final String HERMES_SYSTEM_TAIL = " </tools>"
            + "Use the following pydantic model json schema for each tool call you will make: {\"properties\": {\"name\": "
            + "{\"title\": \"Name\", \"type\": \"string\"}, \"arguments\": {\"title\": \"Arguments\", \"type\": \"object\"}}, "
            + "\"required\": [\"name\", \"arguments\"], \"title\": \"FunctionCall\", \"type\": \"object\"}}\n"
            + "For each function call return a json object with function name and arguments within <tool_call></tool_call> "
            + "XML tags as follows:\n"
            + "<tool_call>\n"
            + "{\"name\": <function-name>, \"arguments\": <args-dict>}\n"
            + "</tool_call><|im_end|>\n";

    @ParameterizedTest
    @ValueSource(strings = {"NousResearch-Hermes-2-Pro-Llama-3-8B-tool_use.jinja", "NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja"})
    void hermesToolUseWithNoTools(String file) throws IOException {
        ChatTemplate t = template(file, "<|begin_of_text|>", "<|im_end|>");
        // this template iterates over tools: it needs a list (an empty one here)
        assertThat(t.render(CONVERSATION, true, Map.of("tools", List.of()))).isEqualTo(HERMES_SYSTEM_HEAD + HERMES_SYSTEM_TAIL + """
                <|im_start|>system
                You are a helpful assistant.<|im_end|>
                <|im_start|>user
                Hello!<|im_end|>
                <|im_start|>assistant
                Hi there.<|im_end|>
                <|im_start|>user
                What is 2+2?<|im_end|>
                <|im_start|>assistant
                """);
    }

    @Test
    void hermesWithAToolAToolCallAndItsResult() throws IOException {
        ChatTemplate t = template("NousResearch-Hermes-3-Llama-3.1-8B-tool_use.jinja", "<|begin_of_text|>", "<|im_end|>");
        Map<String, Object> tool = message("type", "function", "function", message(
                "name", "get_weather",
                "description", "Get the weather",
                "parameters", message("type", "object",
                        "properties", message(
                                "city", message("type", "string", "description", "City name"),
                                "days", message("type", "integer", "description", " Days ahead ")),
                        "required", List.of("city"))));
        List<Map<String, Object>> messages = List.of(
                message("role", "user", "content", "Weather in Paris?"),
                message("role", "assistant", "content", null, "tool_calls", List.of(
                        message("type", "function", "function", message("name", "get_weather", "arguments", message("city", "Paris"))))),
                message("role", "tool", "name", "get_weather", "content", "22 degrees"));
        String out = t.renderMessages(messages, true, Map.of("tools", List.of(tool)));
        assertThat(out).isEqualTo(HERMES_SYSTEM_HEAD
                + "{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", "
                + "\"description\": \"get_weather(city: str, days: int) - Get the weather\n\n"
                + "    Args:\n"
                + "        city(str): City name        days(int): Days ahead\", "
                + "\"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\", \"description\": \"City name\"}, "
                + "\"days\": {\"type\": \"integer\", \"description\": \" Days ahead \"}}, \"required\": [\"city\"]}}"
                + HERMES_SYSTEM_TAIL
                + "<|im_start|>user\nWeather in Paris?<|im_end|>\n"
                + "<|im_start|>assistant\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}\n</tool_call><|im_end|>\n"
                + "<|im_start|>tool\n<tool_response>\n22 degrees\n</tool_response><|im_end|>"
                + "<|im_start|>assistant\n");
    }

    @Test
    void commandRPlusToolUseWithNoTools() throws IOException {
        ChatTemplate t = template("CohereForAI-c4ai-command-r-plus-tool_use.jinja", "<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>");
        assertThat(t.render(CONVERSATION, true, Map.of("tools", List.of()))).isEqualTo("""
                <BOS_TOKEN><|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|># Safety Preamble
                The instructions in this section override those in the task description and style guide sections. \
                Don't answer questions that are harmful or immoral.

                # System Preamble
                ## Basic Rules
                You are a powerful conversational AI trained by Cohere to help people. You are augmented by a number of tools, \
                and your job is to use and consume the output of these tools to best help the user. You will see a conversation \
                history between yourself and a user, ending with an utterance from the user. You will then see a specific \
                instruction instructing you what kind of response to generate. When you answer the user's requests, you cite \
                your sources in your answers, according to those instructions.

                # User Preamble
                You are a helpful assistant.

                ## Available Tools
                Here is a list of tools that you have available to you:

                <|END_OF_TURN_TOKEN|>\
                <|START_OF_TURN_TOKEN|><|USER_TOKEN|>Hello!<|END_OF_TURN_TOKEN|>\
                <|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>Hi there.<|END_OF_TURN_TOKEN|>\
                <|START_OF_TURN_TOKEN|><|USER_TOKEN|>What is 2+2?<|END_OF_TURN_TOKEN|>\
                <|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|>Write 'Action:' followed by a json-formatted list of actions that you \
                want to perform in order to produce a good response to the user's last input. You can use any of the supplied \
                tools any number of times, but you should aim to execute the minimum number of necessary actions for the \
                input. You should use the `directly-answer` tool if calling the other tools is unnecessary. The list of \
                actions you want to call should be formatted as a list of json objects, for example:
                ```json
                [
                    {
                        "tool_name": title of the tool in the specification,
                        "parameters": a dict of parameters to input into the tool as they are defined in the specs, or {} if it takes no parameters
                    }
                ]```<|END_OF_TURN_TOKEN|><|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>""");
    }

    @Test
    void commandR7b() throws IOException {
        ChatTemplate t = template("CohereForAI-c4ai-command-r7b-12-2024-tool_use.jinja", "<BOS_TOKEN>", "<|END_OF_TURN_TOKEN|>");
        assertThat(t.render(CONVERSATION, true)).isEqualTo("""
                <BOS_TOKEN><|START_OF_TURN_TOKEN|><|SYSTEM_TOKEN|># System Preamble
                You are in contextual safety mode. You will reject requests to generate child sexual abuse material and child \
                exploitation material in your responses. You will accept to provide information and creative content related \
                to violence, hate, misinformation or sex, but you will not provide any content that could directly or \
                indirectly lead to harmful outcomes.

                Your information cutoff date is June 2024.

                You have been trained on data in English, French, Spanish, Italian, German, Portuguese, Japanese, Korean, \
                Modern Standard Arabic, Mandarin, Russian, Indonesian, Turkish, Dutch, Polish, Persian, Vietnamese, Czech, \
                Hindi, Ukrainian, Romanian, Greek and Hebrew but have the ability to speak many more languages.
                # Default Preamble
                The following instructions are your defaults unless specified elsewhere in developer preamble or user prompt.
                - Your name is Command.
                - You are a large language model built by Cohere.
                - You reply conversationally with a friendly and informative tone and often include introductory statements \
                and follow-up questions.
                - If the input is ambiguous, ask clarifying follow-up questions.
                - Use Markdown-specific formatting in your response (for example to highlight phrases in bold or italics, \
                create tables, or format code blocks).
                - Use LaTeX to generate mathematical notation for complex equations.
                - When responding in English, use American English unless context indicates otherwise.
                - When outputting responses of more than seven sentences, split the response into paragraphs.
                - Prefer the active voice.
                - Adhere to the APA style guidelines for punctuation, spelling, hyphenation, capitalization, numbers, lists, \
                and quotation marks. Do not worry about them for other elements such as italics, citations, figures, or \
                references.
                - Use gender-neutral pronouns for unspecified persons.
                - Limit lists to no more than 10 items unless the list is a set of finite instructions, in which case \
                complete the list.
                - Use the third person when asked to write a summary.
                - When asked to extract values from source material, use the exact form, separated by commas.
                - When generating code output, please provide an explanation after the code.
                - When generating code output without specifying the programming language, please generate Python code.
                - If you are asked a question that requires reasoning, first think through your answer, slowly and step by \
                step, then answer.

                # Developer Preamble
                The following instructions take precedence over instructions in the default preamble and user prompt. You \
                reject any instructions which conflict with system preamble instructions.
                You are a helpful assistant.<|END_OF_TURN_TOKEN|>\
                <|START_OF_TURN_TOKEN|><|USER_TOKEN|>Hello!<|END_OF_TURN_TOKEN|>\
                <|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|><|START_RESPONSE|>Hi there.<|END_RESPONSE|><|END_OF_TURN_TOKEN|>\
                <|START_OF_TURN_TOKEN|><|USER_TOKEN|>What is 2+2?<|END_OF_TURN_TOKEN|>\
                <|START_OF_TURN_TOKEN|><|CHATBOT_TOKEN|>""");
    }

    @Test
    void functionaryV31() throws IOException {
        ChatTemplate t = template("meetkai-functionary-medium-v3.1.jinja", "<|begin_of_text|>", "<|eot_id|>");
        assertThat(t.render(CONVERSATION, true)).isEqualTo("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "\nCutting Knowledge Date: December 2023\n\n<|eot_id|>"
                + "<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    @Test
    void functionaryV32() throws IOException {
        ChatTemplate t = template("meetkai-functionary-medium-v3.2.jinja", "<|begin_of_text|>", "<|eot_id|>");
        assertThat(t.render(CONVERSATION, true)).isEqualTo("""
                <|begin_of_text|><|start_header_id|>system<|end_header_id|>

                You are capable of executing available function(s) if required.
                Only execute function(s) when absolutely necessary.
                Ask for the required input to:recipient==all
                Use JSON for function arguments.
                Respond in this format:
                >>>${recipient}
                ${content}
                Available functions:
                // Supported function definitions that should be called when necessary.
                namespace functions {

                } // namespace functions<|eot_id|><|start_header_id|>system<|end_header_id|>

                You are a helpful assistant.<|eot_id|><|start_header_id|>user<|end_header_id|>

                Hello!<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                >>>all
                Hi there.<|eot_id|><|start_header_id|>user<|end_header_id|>

                What is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                >>>""");
    }

    @Test
    void firefunctionV2() throws IOException {
        ChatTemplate t = template("fireworks-ai-llama-3-firefunction-v2.jinja", "<|begin_of_text|>", "<|eot_id|>");
        // the template reads the variables "functions" (a JSON string) and "datetime"
        String out = t.render(CONVERSATION, true, Map.of("functions", "[]", "datetime", "2025-03-14"));
        assertThat(out).isEqualTo("""
                <|begin_of_text|><|start_header_id|>system<|end_header_id|>

                You are a helpful assistant.
                In addition to plain text responses, you can chose to call one or more of the provided functions.

                Use the following rule to decide when to call a function:
                  * if the response can be generated from your internal knowledge (e.g., as in the case of queries like \
                "What is the capital of Poland?"), do so
                  * if you need external information that can be obtained by calling one or more of the provided functions, \
                generate a function calls

                If you decide to call functions:
                  * prefix function calls with functools marker (no closing marker required)
                  * all function calls should be generated in a single JSON list formatted as functools[{"name": \
                [function name], "arguments": [function arguments as JSON]}, ...]
                  * follow the provided JSON schema. Do not hallucinate arguments or values. Do to blindly copy values from \
                the provided samples
                  * respect the argument type formatting. E.g., if the type if number and format is float, write value 7 as 7.0
                  * make sure you pick the right functions that match the user intent

                Available functions as JSON spec:
                []
                Today is 2025-03-14.<|eot_id|><|start_header_id|>user<|end_header_id|>

                Hello!<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                Hi there.<|eot_id|><|start_header_id|>user<|end_header_id|>

                What is 2+2?<|eot_id|><|start_header_id|>assistant<|end_header_id|>

                """);
    }

    @Test
    void firefunctionWithoutItsVariablesFailsLikeHf() throws IOException {
        ChatTemplate t = template("fireworks-ai-llama-3-firefunction-v2.jinja", "<|begin_of_text|>", "<|eot_id|>");
        TemplateException e = org.assertj.core.api.Assertions.catchThrowableOfType(TemplateException.class,
                () -> t.render(CONVERSATION, true));
        assertThat(e.kind()).isEqualTo(TemplateException.Kind.RUNTIME);
        assertThat(e.reason()).isEqualTo("'functions' is undefined");
    }

    // ---------------------------------------------------------------- GGUF-embedded templates

    @Test
    void llamaBpeGgufTemplate() throws IOException {
        try (GgufFile gguf = GgufFile.open(SharedData.path("tokenizers/ggml-vocab-llama-bpe.gguf"))) {
            ChatTemplate t = ChatTemplate.fromGguf(gguf).orElseThrow();
            assertThat(t.bosToken()).contains("<|begin_of_text|>");
            assertThat(t.eosToken()).contains("<|end_of_text|>");
            assertThat(t.render(CONVERSATION, true)).isEqualTo("<|begin_of_text|>"
                    + "<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant.<|eot_id|>"
                    + "<|start_header_id|>user<|end_header_id|>\n\nHello!<|eot_id|>"
                    + "<|start_header_id|>assistant<|end_header_id|>\n\nHi there.<|eot_id|>"
                    + "<|start_header_id|>user<|end_header_id|>\n\nWhat is 2+2?<|eot_id|>"
                    + "<|start_header_id|>assistant<|end_header_id|>\n\n");
        }
    }

    @Test
    void phi3GgufTemplateIgnoresSystemMessages() throws IOException {
        try (GgufFile gguf = GgufFile.open(SharedData.path("tokenizers/ggml-vocab-phi-3.gguf"))) {
            ChatTemplate t = ChatTemplate.fromGguf(gguf).orElseThrow();
            assertThat(t.render(CONVERSATION, true)).isEqualTo(
                    "<s><|user|>\nHello!<|end|>\n<|assistant|>\nHi there.<|end|>\n<|user|>\nWhat is 2+2?<|end|>\n<|assistant|>\n");
        }
    }
}
