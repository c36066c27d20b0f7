package dev.winnow.grammar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class GbnfGrammarTest {
    @Test
    void literalsClassesAndRepetitions() {
        Grammar g = Grammar.parse("""
                # a comment
                root ::= greeting " " name{1,2} "!"?
                greeting ::= "hi" | "hello"
                name ::= [A-Z] [a-z]*
                """);
        assertThat(g.matches("hi Bob")).isTrue();
        assertThat(g.matches("hello BobAl!")).isTrue();
        assertThat(g.matches("hello BobAlCy")).isFalse();
        assertThat(g.matches("hey Bob")).isFalse();
        assertThat(g.isPrefix("hel")).isTrue();
        assertThat(g.isPrefix("hex")).isFalse();
        assertThat(g.matches("hi ")).isFalse();
    }

    @Test
    void nonAsciiClassesAreUtf8() {
        Grammar g = Grammar.parse("root ::= [α-ω]+ [^a-z] .");
        assertThat(g.matches("αβγ€x")).isTrue();
        assertThat(g.matches("αβγax")).isFalse();
        assertThat(g.matches("α😀😀")).isTrue();
        assertThat(g.matches("a😀😀")).isFalse();
        Grammar esc = Grammar.parse("root ::= \"\\x41\\u00e9\\U0001F600\\n\" [\\x30-\\x39]");
        assertThat(esc.matches("Aé😀\n7")).isTrue();
    }

    @Test
    void counts() {
        Grammar g = Grammar.parse("root ::= \"a\"{3} \"b\"{2,} \"c\"{0,2} (\"x\" | \"y\")+");
        assertThat(g.matches("aaabbx")).isTrue();
        assertThat(g.matches("aaabbbbccyxy")).isTrue();
        assertThat(g.matches("aabbx")).isFalse();
        assertThat(g.matches("aaabbcccx")).isFalse();
        assertThat(g.matches("aaabb")).isFalse();
    }

    @Test
    void recursionAndEmptyLoops() {
        Grammar g = Grammar.parse("root ::= \"(\" root* \")\"\nother ::= (\"\"?)*");
        assertThat(g.matches("(()(()))")).isTrue();
        assertThat(g.matches("(()")).isFalse();
        Grammar e = Grammar.parse("root ::= (\"a\"?)* \"b\"");
        assertThat(e.matches("aab")).isTrue();
    }

    @Test
    void errorsNameTheProblem() {
        assertThatThrownBy(() -> Grammar.parse("root ::= foo")).hasMessageContaining("'foo' is used but not defined");
        assertThatThrownBy(() -> Grammar.parse("start ::= \"a\"")).hasMessageContaining("no rule 'root'");
        assertThatThrownBy(() -> Grammar.parse("root ::= \"a")).hasMessageContaining("line 1").hasMessageContaining("unterminated");
        assertThatThrownBy(() -> Grammar.parse("root ::= [b-a]")).hasMessageContaining("reversed");
        assertThatThrownBy(() -> Grammar.parse("root ::= \"a\"\nroot ::= \"b\"")).hasMessageContaining("defined twice");
        assertThatThrownBy(() -> Grammar.parse("root ::= * \"a\"")).hasMessageContaining("without an item");
    }

    @Test
    void llamaCppJsonGrammarParses() {
        // llama.cpp's grammars/json.gbnf
        Grammar g = Grammar.parse("""
                root   ::= object
                value  ::= object | array | string | number | ("true" | "false" | "null") ws

                object ::=
                  "{" ws (
                            string ":" ws value
                    ("," ws string ":" ws value)*
                  )? "}" ws

                array  ::=
                  "[" ws (
                            value
                    ("," ws value)*
                  )? "]" ws

                string ::=
                  "\\"" (
                    [^"\\\\\\x7F\\x00-\\x1F] |
                    "\\\\" (["\\\\/bfnrt] | "u" [0-9a-fA-F]{4}) # escapes
                  )* "\\"" ws

                number ::= ("-"? ([0-9] | [1-9] [0-9]{0,15})) ("." [0-9]+)? ([eE] [-+]? [0-9] [1-9]{0,15})? ws

                # Optional space: by convention, applied in this grammar after literal chars when allowed
                ws ::= | " " | "\\n" [ \\t]{0,20}
                """);
        assertThat(g.matches("{\"a\": [1, 2.5, \"x\\n\\u00e9\", true, null], \"b\": {}}")).isTrue();
        assertThat(g.matches("{\"a\": [1,]}")).isFalse();
    }
}
