package dev.winnow.tools;

import dev.winnow.grammar.Grammar;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The grammar of a reply that calls tools, in one {@link ToolCallFormat}: each call object names
 * one of the tools and its arguments match that tool's parameter schema. For
 * {@link ToolChoice#AUTO} the grammar is lazy ({@link Grammar#triggeredBy}): text is free until the
 * format's opening string, then the calls are constrained to the end; for {@code REQUIRED} and a
 * named function it applies from the first token. {@code NONE} has no grammar.
 */
public final class ToolGrammar {
    private static final Pattern RULE = Pattern.compile("(?m)^([A-Za-z0-9_-]+)\\s*::=");

    /** The bound on the calls of one reply that callers use when parallel calls are allowed. */
    public static final int MAX_PARALLEL_CALLS = 16;

    private ToolGrammar() {
    }

    /**
     * @param maxCalls how many calls a reply may hold: 1 when OpenAI's {@code parallel_tool_calls} is
     *                 false, else e.g. {@link #MAX_PARALLEL_CALLS} (a bound, so a model that keeps calling stops)
     * @return the grammar, or null for {@link ToolChoice#NONE}
     * @throws IllegalArgumentException when {@code tools} is empty or a named function is not among them
     */
    public static Grammar of(ToolCallFormat format, List<Tool> tools, ToolChoice choice, int maxCalls) {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(choice, "choice");
        if (choice.mode() == ToolChoice.Mode.NONE) return null;
        if (maxCalls < 1) throw new IllegalArgumentException("maxCalls must be at least 1, got " + maxCalls);
        if (tools.isEmpty()) throw new IllegalArgumentException("tool_choice '" + choice.mode().name().toLowerCase() + "' needs at least one tool");
        List<Tool> callable = tools;
        if (choice.mode() == ToolChoice.Mode.NAMED) {
            callable = tools.stream().filter(t -> t.name().equals(choice.name())).toList();
            if (callable.isEmpty()) {
                throw new IllegalArgumentException("tool_choice names the function '" + choice.name() + "', which is not among the tools "
                        + tools.stream().map(Tool::name).toList());
            }
        }
        Grammar g = Grammar.parse(gbnf(format, callable, maxCalls));
        return choice.forcesCall() ? g : g.triggeredBy(format.triggers());
    }

    /** The grammar's GBNF text. */
    static String gbnf(ToolCallFormat format, List<Tool> tools, int maxCalls) {
        StringBuilder sb = new StringBuilder();
        String calls = maxCalls > 1 ? "call (%s call){0," + (maxCalls - 1) + "}" : "call";
        sb.append("root ::= ").append(switch (format) {
            case HERMES -> calls.formatted("\"\\n\"?").replace("call", "tagged");
            case LLAMA3 -> "call";
            case MISTRAL -> "\"[TOOL_CALLS]\"? \"[\" " + calls.formatted("\",\" tws") + " \"]\"";
            case FIREFUNCTION -> "\"functools[\" " + calls.formatted("\",\" tws") + " \"]\"";
        }).append('\n');
        sb.append("tagged ::= \"<tool_call>\" \"\\n\"? call \"\\n\"? \"</tool_call>\"\n");
        sb.append("tws ::= [ ]?\n");
        List<String> alternatives = new ArrayList<>();
        for (int i = 0; i < tools.size(); i++) {
            Tool t = tools.get(i);
            String prefix = "t" + i + "-";
            alternatives.add("call" + i);
            sb.append("call").append(i).append(" ::= \"{\" tws \"\\\"name\\\"\" tws \":\" tws \"\\\"").append(t.name())
                    .append("\\\"\" tws \",\" tws \"\\\"").append(format.argumentsKey()).append("\\\"\" tws \":\" ")
                    .append(prefix).append("root tws \"}\"\n");
            sb.append(prefixRules(t.schema().gbnf(), prefix));
        }
        sb.append("call ::= ").append(String.join(" | ", alternatives)).append('\n');
        return sb.toString();
    }

    /**
     * The GBNF with every rule it defines renamed {@code prefix + name}, so several schemas'
     * grammars can live in one. Literals, character classes and comments are left alone.
     */
    static String prefixRules(String gbnf, String prefix) {
        Set<String> names = new HashSet<>();
        Matcher m = RULE.matcher(gbnf);
        while (m.find()) names.add(m.group(1));
        StringBuilder out = new StringBuilder(gbnf.length() + 256);
        int i = 0, n = gbnf.length();
        while (i < n) {
            char c = gbnf.charAt(i);
            if (c == '"' || c == '[') {
                char close = c == '"' ? '"' : ']';
                int j = i + 1;
                while (j < n && gbnf.charAt(j) != close) j += gbnf.charAt(j) == '\\' ? 2 : 1;
                j = Math.min(n, j + 1);
                out.append(gbnf, i, j);
                i = j;
            } else if (c == '#') {
                int j = gbnf.indexOf('\n', i);
                j = j < 0 ? n : j;
                out.append(gbnf, i, j);
                i = j;
            } else if (isNameChar(c)) {
                int j = i;
                while (j < n && isNameChar(gbnf.charAt(j))) j++;
                String word = gbnf.substring(i, j);
                if (names.contains(word)) out.append(prefix);
                out.append(word);
                i = j;
            } else {
                out.append(c);
                i++;
            }
        }
        if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') out.append('\n');
        return out.toString();
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }
}
