package dev.winnow.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The Jinja engine, construct by construct, with HF's settings (trim_blocks, lstrip_blocks).
 * Expected outputs follow Jinja2/Python semantics.
 */
class JinjaTemplateTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-03-14T09:05:07Z"), ZoneOffset.UTC);

    /** Renders {@code src} with variables given as name/value pairs. */
    static String render(String src, Object... kv) {
        Map<String, Object> vars = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) vars.put((String) kv[i], kv[i + 1]);
        return JinjaTemplate.parse(src).render(vars, CLOCK);
    }

    static TemplateException error(String src, Object... kv) {
        try {
            render(src, kv);
        } catch (TemplateException e) {
            return e;
        }
        throw new AssertionError("expected a TemplateException from " + src);
    }

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    @Nested
    class Delimiters {
        @Test
        void textExpressionsAndComments() {
            assertThat(render("Hello {{ name }}!", "name", "World")).isEqualTo("Hello World!");
            assertThat(render("a{# a comment {{ x }} #}b")).isEqualTo("ab");
            assertThat(render("{# multi\nline #}x")).isEqualTo("x");
            assertThat(render("no tags at all")).isEqualTo("no tags at all");
            assertThat(render("")).isEmpty();
        }

        @Test
        void rawBlocksAreNotInterpreted() {
            assertThat(render("{% raw %}{{ not }} {% tags %}{% endraw %}")).isEqualTo("{{ not }} {% tags %}");
        }

        @Test
        void bracesInsideExpressionsDoNotCloseTheTag() {
            assertThat(render("{{ {'x': '}}'} }}")).isEqualTo("{'x': '}}'}");
            assertThat(render("{{ '{{' }}")).isEqualTo("{{");
            assertThat(render("{{- \"}}\" }}")).isEqualTo("}}");
        }
    }

    @Nested
    class Whitespace {
        @Test
        void minusStripsAllWhitespaceOnThatSide() {
            assertThat(render("a  {{- s -}}  b", "s", "X")).isEqualTo("aXb");
            assertThat(render("a \n {{- s }} \n b", "s", "X")).isEqualTo("aX \n b");
            assertThat(render("a\n  {%- if true %}\n  x\n  {%- endif %}\nb")).isEqualTo("a  xb");
            assertThat(render("a {# c -#}   b")).isEqualTo("a b");
            assertThat(render("a   {#- c #} b")).isEqualTo("a b");
        }

        @Test
        void trimBlocksDropsTheNewlineAfterABlockOrCommentTag() {
            assertThat(render("{% if true %}\nyes\n{% endif %}\nend")).isEqualTo("yes\nend");
            assertThat(render("a{# c #}\nb")).isEqualTo("ab");
            // not after a print tag
            assertThat(render("{{ 'x' }}\n{{ 'y' }}\nz")).isEqualTo("x\ny\nz");
            // only one newline
            assertThat(render("{% if true %}\n\nx{% endif %}")).isEqualTo("\nx");
        }

        @Test
        void lstripBlocksDropsIndentationBeforeBlockAndCommentTags() {
            assertThat(render("  {% if true %}\n    yes\n  {% endif %}\nend")).isEqualTo("    yes\nend");
            assertThat(render("a\n  {# c #}\nb")).isEqualTo("a\nb");
            assertThat(render("\t{% if true %}\ttab{% endif %}")).isEqualTo("\ttab");
            // only when the tag starts the line
            assertThat(render("a {% if true %}  b  {% endif %} c")).isEqualTo("a   b   c");
            // never before a print tag
            assertThat(render("x\n  {{ 'y' }}")).isEqualTo("x\n  y");
        }

        @Test
        void plusKeepsIndentation() {
            assertThat(render("  {%+ if true %}a{% endif %}")).isEqualTo("  a");
            assertThat(render("{% if true +%}\nx{% endif %}")).isEqualTo("\nx");
        }

        @Test
        void oneTrailingNewlineOfTheSourceIsDropped() {
            assertThat(render("a\n")).isEqualTo("a");
            assertThat(render("a\n\n")).isEqualTo("a\n");
            assertThat(render("{{ 'x' }}\n")).isEqualTo("x");
        }

        @Test
        void windowsLineEndingsAreNormalized() {
            assertThat(render("{% if true %}\r\nA\r\n{% endif %}\r\nB")).isEqualTo("A\nB");
        }

        @Test
        void forLoopWithTypicalIndentation() {
            String src = """
                    <list>
                    {% for i in items %}
                        <item>{{ i }}</item>
                    {% endfor %}
                    </list>
                    """;
            assertThat(render(src, "items", List.of(1, 2))).isEqualTo("<list>\n    <item>1</item>\n    <item>2</item>\n</list>");
        }
    }

    @Nested
    class Literals {
        @Test
        void stringsWithEscapes() {
            assertThat(render("{{ \"dq\\n\\t\\\"\" }}")).isEqualTo("dq\n\t\"");
            assertThat(render("{{ 'it\\'s' }}")).isEqualTo("it's");
            assertThat(render("{{ '\\x41\\u00e9\\U0001F600\\N{BULLET}' }}")).isEqualTo("Aé😀•");
            assertThat(render("{{ 'unknown \\q escape' }}")).isEqualTo("unknown \\q escape");
            assertThat(render("{{ 'oct\\101' }}")).isEqualTo("octA");
            assertThat(render("{{ 'adj' 'acent' \"strings\" }}")).isEqualTo("adjacentstrings");
            assertThat(render("{{ 'line\ncontinues' }}")).isEqualTo("line\ncontinues");
        }

        @Test
        void numbersPrintLikePython() {
            assertThat(render("{{ 42 }} {{ 0x1F }} {{ 0o17 }} {{ 0b101 }} {{ 1_000 }}")).isEqualTo("42 31 15 5 1000");
            assertThat(render("{{ 2.5 }} {{ 1e3 }} {{ 1.0 }} {{ 0.1 + 0.2 }}")).isEqualTo("2.5 1000.0 1.0 0.30000000000000004");
            assertThat(render("{% for x in xs %}{{ x }} {% endfor %}", "xs", List.of(1e-7, 1e16, 1.5e-5, 123456789.123, 1e15, 0.0001)))
                    .isEqualTo("1e-07 1e+16 1.5e-05 123456789.123 1000000000000000.0 0.0001 ");
            assertThat(render("{{ x }} {{ y }}", "x", 3, "y", 2.5f)).isEqualTo("3 2.5");
        }

        @Test
        void constantsListsTuplesAndDicts() {
            assertThat(render("{{ true }} {{ True }} {{ false }} {{ False }} {{ none }} {{ None }}"))
                    .isEqualTo("True True False False None None");
            assertThat(render("{{ [1, 'a', none, true, 2.5, [], {}] }}")).isEqualTo("[1, 'a', None, True, 2.5, [], {}]");
            assertThat(render("{{ {'a': 1, 'b': [1, 2], 3: 'c'} }}")).isEqualTo("{'a': 1, 'b': [1, 2], 3: 'c'}");
            assertThat(render("{{ ('a',) }} {{ ('a', 'b') }} {{ () }}")).isEqualTo("('a',) ('a', 'b') ()");
            assertThat(render("{{ [1,2,] }} {{ {'a':1,} }}")).isEqualTo("[1, 2] {'a': 1}");
            assertThat(render("{{ [\"it's\", 'say \"hi\"', 'tab\\t'] }}")).isEqualTo("[\"it's\", 'say \"hi\"', 'tab\\t']");
        }
    }

    @Nested
    class Operators {
        @Test
        void arithmetic() {
            assertThat(render("{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }}"))
                    .isEqualTo("7 9 3 -4 1 2");
            assertThat(render("{{ 7 / 2 }} {{ 6 / 2 }} {{ 2 ** 10 }} {{ 2 ** -1 }} {{ -2 ** 2 }} {{ 1.5 + 1 }}"))
                    .isEqualTo("3.5 3.0 1024 0.5 4 2.5");
            assertThat(render("{{ 'ab' * 3 }} {{ [1] * 2 }} {{ 'a' + 'b' }} {{ [1] + [2, 3] }}"))
                    .isEqualTo("ababab [1, 1] ab [1, 2, 3]");
            assertThat(render("{{ messages|length - 1 }}", "messages", List.of(1, 2, 3))).isEqualTo("2");
        }

        @Test
        void tildeConcatenatesStrings() {
            assertThat(render("{{ 'a' ~ 1 ~ none ~ true ~ undefined_var ~ 2.0 }}")).isEqualTo("a1NoneTrue2.0");
        }

        @Test
        void comparisons() {
            assertThat(render("{{ 1 == 1.0 }} {{ 1 == true }} {{ 'a' == 'a' }} {{ [1,2] == [1,2] }} {{ none == none }} {{ 1 != 2 }}"))
                    .isEqualTo("True True True True True True");
            assertThat(render("{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'a' < 'b' }} {{ [1, 2] < [1, 3] }} {{ 2 >= 2.0 }} {{ 1 <= 0 }}"))
                    .isEqualTo("True False True True True False");
            assertThat(render("{{ {'a': 1} == {'a': 1.0} }} {{ (1, 2) == [1, 2] }}")).isEqualTo("True False");
        }

        @Test
        void membership() {
            assertThat(render("{{ 'a' in 'cat' }} {{ 1 in [1, 2] }} {{ 'b' in {'b': 1} }} {{ 'z' not in {'b': 1} }} {{ 'x' in nothing }}"))
                    .isEqualTo("True True True True False");
            assertThat(render("{{ not 1 in [1] }} {{ 'tool_calls' in m }}", "m", map("role", "user"))).isEqualTo("False False");
        }

        @Test
        void logicReturnsOperandsLikePython() {
            assertThat(render("{{ true and 'yes' }} {{ false and 'yes' }} {{ false or 'no' }} {{ 0 or [] or 'last' }} {{ '' or none }}"))
                    .isEqualTo("yes False no last None");
            assertThat(render("{{ not false }} {{ not 'x' }} {{ not(1 == 1 and 2 == 2) }}")).isEqualTo("True False False");
        }

        @Test
        void conditionalExpression() {
            assertThat(render("{{ 'y' if true else 'n' }} {{ 'y' if false else 'n' }} [{{ 'y' if false }}]"))
                    .isEqualTo("y n []");
            assertThat(render("{{ 'a' if false else 'b' if true else 'c' }}")).isEqualTo("b");
        }

        @Test
        void precedence() {
            // filters bind tighter than arithmetic; "not" binds looser than "is"
            assertThat(render("{{ '  x '|trim + '!' }} {{ -n|abs }} {{ not x is defined }}", "n", 3)).isEqualTo("x! 3 True");
            assertThat(render("{{ 2 * 3 ~ 4 }} {{ 1 + 2 == 3 and 'ok' }}")).isEqualTo("64 ok");
        }
    }

    @Nested
    class Access {
        private final Map<String, Object> d = map("a", 1, "items", "ITEMS", "nested", map("x", List.of(1, 2, map("y", "z"))));

        @Test
        void attributesAndItems() {
            assertThat(render("{{ d.a }} {{ d['a'] }} {{ d.nested.x[2].y }} {{ d['nested']['x'][0] }} {{ d.nested.x.1 }}", "d", d))
                    .isEqualTo("1 1 z 1 2");
            assertThat(render("{{ l[0] }} {{ l[-1] }} {{ s[0] }} {{ s[-1] }}", "l", List.of(3, 1, 2), "s", "Hello"))
                    .isEqualTo("3 2 H o");
        }

        @Test
        void itemSyntaxPrefersKeysAttributeSyntaxPrefersMethods() {
            assertThat(render("{{ d['items'] }}", "d", d)).isEqualTo("ITEMS");
            assertThat(render("{{ d.items is callable }}", "d", d)).isEqualTo("True");
        }

        @Test
        void missingThingsAreUndefined() {
            assertThat(render("[{{ d.missing }}][{{ d.missing.deeper }}][{{ l[10] }}][{{ none.x }}][{{ nothing['k'] }}]",
                    "d", d, "l", List.of(1))).isEqualTo("[][][][][]");
            assertThat(render("{{ d.missing is defined }} {{ d.a is defined }}", "d", d)).isEqualTo("False True");
        }

        @Test
        void slicing() {
            assertThat(render("{{ l[1:] }} {{ l[:-1] }} {{ l[::-1] }} {{ l[::2] }} {{ l[5:] }} {{ l[-10:2] }}", "l", List.of(3, 1, 2)))
                    .isEqualTo("[1, 2] [3, 1] [2, 1, 3] [3, 2] [] [3, 1]");
            assertThat(render("{{ s[1:4] }} {{ s[::-1] }} {{ s[-3:] }} {{ s[:] }}", "s", "Hello World"))
                    .isEqualTo("ell dlroW olleH rld Hello World");
            assertThat(render("{{ s[:-1] }}|{{ s[::-1] }}", "s", "a😀b")).isEqualTo("a😀|b😀a");
            assertThat(render("{{ (1, 2, 3)[1:] }}")).isEqualTo("(2, 3)");
        }
    }

    @Nested
    class Statements {
        @Test
        void ifElifElse() {
            String src = "{% if n > 3 %}big{% elif n > 1 %}mid{% else %}small{% endif %}";
            assertThat(render(src, "n", 5)).isEqualTo("big");
            assertThat(render(src, "n", 2)).isEqualTo("mid");
            assertThat(render(src, "n", 0)).isEqualTo("small");
            assertThat(render("{% if undefined_thing %}u{% else %}not{% endif %}")).isEqualTo("not");
            assertThat(render("{% if [] %}a{% elif {} %}b{% elif '' %}c{% elif 0.0 %}d{% else %}falsy{% endif %}"))
                    .isEqualTo("falsy");
        }

        @Test
        void forLoopVariables() {
            String src = "{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}"
                    + "{{ loop.first }}{{ loop.last }}{{ loop.length }}:{{ x }} {% endfor %}";
            assertThat(render(src, "xs", List.of("a", "b")))
                    .isEqualTo("1021TrueFalse2:a 2110FalseTrue2:b ");
            assertThat(render("{% for x in xs %}{{ loop.previtem | default('-') }}{{ x }}{{ loop.nextitem | default('-') }} {% endfor %}",
                    "xs", List.of(1, 2, 3))).isEqualTo("-12 123 23- ");
            assertThat(render("{% for x in xs %}{{ loop.cycle('odd', 'even') }} {% endfor %}", "xs", List.of(1, 2, 3)))
                    .isEqualTo("odd even odd ");
        }

        @Test
        void forLoopWithFilterAndElse() {
            String src = "{% for m in msgs if m.role != 'system' %}{{ loop.index }}/{{ loop.length }}:{{ m.role }} {% endfor %}";
            List<Map<String, Object>> msgs = List.of(map("role", "system"), map("role", "user"), map("role", "assistant"));
            assertThat(render(src, "msgs", msgs)).isEqualTo("1/2:user 2/2:assistant ");
            assertThat(render("{% for x in [] %}x{% else %}empty{% endfor %}")).isEqualTo("empty");
            assertThat(render("{% for x in [1, 2] if x > 5 %}x{% else %}none kept{% endfor %}")).isEqualTo("none kept");
        }

        @Test
        void forLoopOverDictsStringsAndUnpacking() {
            Map<String, Object> d = map("b", 2, "a", 1);
            assertThat(render("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", "d", d)).isEqualTo("b=2;a=1;");
            assertThat(render("{% for k, v in d | items %}{{ k }}={{ v }};{% endfor %}", "d", d)).isEqualTo("b=2;a=1;");
            assertThat(render("{% for k in d %}{{ k }},{% endfor %}", "d", d)).isEqualTo("b,a,");
            assertThat(render("{% for c in 'hé😀' %}{{ c }}.{% endfor %}")).isEqualTo("h.é.😀.");
            assertThat(render("{% for a, b in [(1, 2), [3, 4]] %}{{ a + b }} {% endfor %}")).isEqualTo("3 7 ");
            assertThat(render("{% for field, name in [('max', 'Maximum')] %}{{ field }}={{ name }}{% endfor %}"))
                    .isEqualTo("max=Maximum");
            assertThat(render("{% for x in nothing %}x{% endfor %}")).isEmpty();
        }

        @Test
        void breakAndContinue() {
            assertThat(render("{% for x in [3, 1, 2, 5] %}{% if x == 1 %}{% continue %}{% endif %}{% if x == 2 %}{% break %}{% endif %}{{ x }}{% endfor %}"))
                    .isEqualTo("3");
        }

        @Test
        void range() {
            assertThat(render("{% for i in range(3) %}{{ i }}{% endfor %} {% for i in range(1, 7, 2) %}{{ i }}{% endfor %} {{ range(5, 0, -2) | list }}"))
                    .isEqualTo("012 135 [5, 3, 1]");
        }

        @Test
        void setScopingFollowsJinja() {
            // a set inside a loop body does not leak out (nor into the next iteration)
            assertThat(render("{% set x = 1 %}{% for i in [2, 3] %}{% set x = i %}{{ x }}{% endfor %}|{{ x }}")).isEqualTo("23|1");
            assertThat(render("{% for i in [1, 2] %}{% if i == 1 %}{% set v = 'one' %}{% endif %}[{{ v }}]{% endfor %}"))
                    .isEqualTo("[one][]");
            // if does not create a scope
            assertThat(render("{% if true %}{% set inner = 'visible' %}{% endif %}{{ inner }}")).isEqualTo("visible");
            assertThat(render("{% set x = 5 %}{% set x = x + 1 %}{{ x }}")).isEqualTo("6");
            assertThat(render("{% set a, b = 1, 2 %}{{ a }}{{ b }} {% set c = 3, 4 %}{{ c }}")).isEqualTo("12 (3, 4)");
        }

        @Test
        void namespaceAttributesCanBeSetFromLoops() {
            assertThat(render("{% set ns = namespace(total=0, label='sum') %}{% for i in [1, 2, 3] %}{% set ns.total = ns.total + i %}{% endfor %}{{ ns.label }}={{ ns.total }}"))
                    .isEqualTo("sum=6");
            assertThat(render("{% set ns = namespace() %}{% set ns.items = [1] %}{% set ns.items = ns.items + [2] %}{{ ns.items }}"))
                    .isEqualTo("[1, 2]");
            assertThat(render("{% set ns = namespace({'a': 1}, b=2) %}{{ ns.a }}{{ ns.b }}[{{ ns.c }}]")).isEqualTo("12[]");
        }

        @Test
        void blockSetAndFilterBlocks() {
            assertThat(render("{% set blk %}  block {{ n }}  {% endset %}[{{ blk }}]", "n", 5)).isEqualTo("[  block 5  ]");
            assertThat(render("{% set blk | upper | trim %}  block {{ n }}  {% endset %}[{{ blk }}]", "n", 5)).isEqualTo("[BLOCK 5]");
            assertThat(render("{% filter upper %}hello {{ s }}{% endfilter %}", "s", "you")).isEqualTo("HELLO YOU");
            assertThat(render("{%- filter trim -%}\n   spaced  \n{%- endfilter -%}|")).isEqualTo("spaced|");
        }

        @Test
        void withBlock() {
            assertThat(render("{% set x = 'outer' %}{% with x = 'inner', y = 2 %}{{ x }}{{ y }}{% endwith %}{{ x }}[{{ y }}]"))
                    .isEqualTo("inner2outer[]");
        }

        @Test
        void macros() {
            String greet = "{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}";
            assertThat(render(greet + "{{ greet('Ann') }} {{ greet('Bob', 'Hi') }} {{ greet(greeting='Yo', name='Cid') }} [{{ greet() }}]"))
                    .isEqualTo("Hello, Ann! Hi, Bob! Yo, Cid! [Hello, !]");
            assertThat(render("{% macro fact(k) %}{% if k <= 1 %}1{% else %}{{ k * fact(k - 1) | int }}{% endif %}{% endmacro %}{{ fact(5) }}"))
                    .isEqualTo("120");
            assertThat(render("{% macro m(a, b=a ~ '!') %}{{ a }}{{ b }}{% endmacro %}{{ m('x') }}")).isEqualTo("xx!");
            assertThat(render("{% macro m() %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, k=3) }}")).isEqualTo("(1, 2){'k': 3}");
            // macros see the variables of their defining scope when called, and return strings
            assertThat(render("{% set g = 'early' %}{% macro m() %}{{ g }}{% endmacro %}{% set g = 'late' %}{{ m() }} {{ m() is string }}"))
                    .isEqualTo("late True");
            assertThat(render("{% set ns = namespace(c=0) %}{% macro inc() %}{% set ns.c = ns.c + 1 %}{% endmacro %}{{ inc() }}{{ inc() }}{{ ns.c }}"))
                    .isEqualTo("2");
        }

        @Test
        void callBlocks() {
            assertThat(render("{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}inside {{ n }}{% endcall %}", "n", 1))
                    .isEqualTo("<inside 1>");
            assertThat(render("{% macro each(xs) %}{% for x in xs %}{{ caller(x) }}{% endfor %}{% endmacro %}{% call(x) each([1, 2]) %}[{{ x }}]{% endcall %}"))
                    .isEqualTo("[1][2]");
        }

        @Test
        void generationBlockRendersItsBody() {
            assertThat(render("{% generation %}reply{% endgeneration %}")).isEqualTo("reply");
        }
    }

    @Nested
    class FilterTests {
        @Test
        void stringFilters() {
            assertThat(render("[{{ '  \\t pad \\n ' | trim }}] [{{ 'xxaxx' | trim('x') }}]")).isEqualTo("[pad] [a]");
            assertThat(render("{{ s | upper }} {{ s | lower }} {{ 'hELLO wORLD' | capitalize }}", "s", "Hello World"))
                    .isEqualTo("HELLO WORLD hello world Hello world");
            assertThat(render("{{ 'hello wORLD-foo(bar) [baz]' | title }}")).isEqualTo("Hello World-Foo(Bar) [Baz]");
            assertThat(render("{{ 'a-b-c' | replace('-', '+') }} {{ 'a-b-c' | replace('-', '+', 1) }}")).isEqualTo("a+b+c a+b-c");
            assertThat(render("{{ 5 | string }} {{ none | string }} {{ [1] | string }} [{{ nothing | string }}]")).isEqualTo("5 None [1] []");
            assertThat(render("{{ '<a href=\"x\">&\\'</a>' | e }} {{ '<b>' | safe }}")).isEqualTo("&lt;a href=&#34;x&#34;&gt;&amp;&#39;&lt;/a&gt; <b>");
            assertThat(render("[{{ 'ab' | center(6) }}] {{ 'a b  c' | wordcount }}")).isEqualTo("[  ab  ] 3");
            assertThat(render("{{ 'hello world foo' | truncate(9) }} {{ 'hello world foo' | truncate(9, true) }}")).isEqualTo("hello... hello ...");
        }

        @Test
        void safeMarkupEscapesWhatIsAddedToIt() {
            // MarkupSafe semantics under HF: markup + str escapes the str; ~ does not
            assertThat(render("{{ '<'|safe + '>' }} {{ '<' + '>'|safe }} {{ '<'|safe ~ '>' }}")).isEqualTo("<&gt; &lt;> <>");
        }

        @Test
        void lengthFirstLastJoin() {
            assertThat(render("{{ 'héllo' | length }} {{ [1, 2] | length }} {{ {'a': 1} | length }} {{ nothing | length }} {{ [1] | count }}"))
                    .isEqualTo("5 2 1 0 1");
            assertThat(render("{{ [3, 1, 2] | first }} {{ [3, 1, 2] | last }} {{ 'abc' | first }} [{{ [] | first }}]")).isEqualTo("3 2 a []");
            assertThat(render("{{ [1, 2, 3] | join(', ') }} {{ ['a', 'b'] | join }} {{ [1, none, 'x'] | join('-') }}")).isEqualTo("1, 2, 3 ab 1-None-x");
            List<Map<String, Object>> people = List.of(map("name", "Ann"), map("name", "Bob"));
            assertThat(render("{{ people | join(', ', attribute='name') }}", "people", people)).isEqualTo("Ann, Bob");
        }

        @Test
        void defaultFilter() {
            assertThat(render("{{ nothing | default('dflt') }} {{ none | default('dflt') }} [{{ '' | default('dflt') }}] {{ '' | default('dflt', true) }} {{ 'x' | d('dflt') }}"))
                    .isEqualTo("dflt None [] dflt x");
        }

        @Test
        void collectionFilters() {
            Map<String, Object> d = map("b", 2, "a", 1);
            assertThat(render("{{ d | items | list }} {{ d | dictsort }} {{ d | list }} {{ 'ab' | list }}", "d", d))
                    .isEqualTo("[('b', 2), ('a', 1)] [('a', 1), ('b', 2)] ['b', 'a'] ['a', 'b']");
            assertThat(render("{{ ['b', 'A', 'c', 'a'] | sort }} {{ ['b', 'A', 'c', 'a'] | sort(reverse=true) }} {{ ['b', 'A', 'a'] | unique | list }}"))
                    .isEqualTo("['A', 'a', 'b', 'c'] ['c', 'b', 'A', 'a'] ['b', 'A']");
            assertThat(render("{{ [1, 2, 3] | reverse | list }} {{ 'abc' | reverse }} {{ [1, 2, 3] | sum }} {{ [3, 1, 2] | min }} {{ [3, 1, 2] | max }}"))
                    .isEqualTo("[3, 2, 1] cba 6 1 3");
            assertThat(render("{{ [1, 2, 3] | batch(2) | list }}")).isEqualTo("[[1, 2], [3]]");
        }

        @Test
        void selectRejectMap() {
            List<Map<String, Object>> people = List.of(map("name", "Ann", "age", 30, "tags", List.of("x")),
                    map("name", "bob", "age", 25), map("name", "Cid", "age", 30, "tags", List.of()));
            assertThat(render("{{ p | selectattr('age', 'equalto', 30) | map(attribute='name') | list }}", "p", people))
                    .isEqualTo("['Ann', 'Cid']");
            assertThat(render("{{ p | rejectattr('age', 'equalto', 30) | map(attribute='name') | join }}", "p", people)).isEqualTo("bob");
            assertThat(render("{{ p | selectattr('tags') | map(attribute='name') | list }} {{ p | selectattr('tags', 'defined') | map(attribute='name') | list }}", "p", people))
                    .isEqualTo("['Ann'] ['Ann', 'Cid']");
            assertThat(render("{{ [1, 2, 3] | select('odd') | list }} {{ [1, 2, 3] | reject('odd') | list }} {{ [0, 1, '', 'a'] | select | list }}"))
                    .isEqualTo("[1, 3] [2] [1, 'a']");
            assertThat(render("{{ [1, 2] | map('string') | list }} {{ ['3', '4'] | map('int') | sum }} {{ p | map(attribute='tags', default='-') | list }}", "p", people))
                    .isEqualTo("['1', '2'] 7 [['x'], '-', []]");
            // on none they give nothing (Jinja checks truthiness first)
            assertThat(render("{{ none | selectattr('x') | list }} {{ none | map(attribute='x') | list }}")).isEqualTo("[] []");
        }

        @Test
        void generatorResultsAreAlwaysTruthyLikeInPython() {
            assertThat(render("{% if [] | selectattr('x') %}truthy{% endif %} {% if [] | selectattr('x') | list %}{% else %}empty list{% endif %}"))
                    .isEqualTo("truthy empty list");
        }

        @Test
        void generatorsAreConsumedByTheFirstIterationLikeInPython() {
            assertThat(render("{% set g = [1, 2, 3] | select('odd') %}{{ g | list }}{{ g | list }}")).isEqualTo("[1, 3][]");
        }

        @Test
        void whereHfWouldFailOnAGeneratorItIsTreatedAsAListLikeLlamaCpp() {
            // HF: "Object of type generator is not JSON serializable"; llama.cpp's own templates rely on this working
            assertThat(render("{{ tools | map(attribute='function') | tojson }} {{ [1, 2] | select | length }}",
                    "tools", List.of(map("function", map("name", "f")))))
                    .isEqualTo("[{\"name\": \"f\"}] 2");
        }

        @Test
        void numberFilters() {
            assertThat(render("{{ '42' | int }} {{ '42.9' | int }} {{ 'x' | int }} {{ 'x' | int(7) }} {{ '0x1A' | int(base=16) }} {{ 3.99 | int }} {{ true | int }}"))
                    .isEqualTo("42 42 0 7 26 3 1");
            assertThat(render("{{ '3.5' | float }} {{ 'x' | float }} {{ 2 | float }}")).isEqualTo("3.5 0.0 2.0");
            assertThat(render("{{ 2.5 | round }} {{ 3.5 | round }} {{ 2.675 | round(2) }} {{ 2.1 | round(0, 'ceil') }} {{ 2.9 | round(method='floor') }} {{ 5 | round }}"))
                    .isEqualTo("2.0 4.0 2.67 3.0 2.0 5");
            assertThat(render("{{ -3 | abs }} {{ -2.5 | abs }}")).isEqualTo("3 2.5");
        }

        @Test
        void indent() {
            assertThat(render("{{ 'a\\nb\\n\\nc' | indent }}")).isEqualTo("a\n    b\n\n    c");
            assertThat(render("{{ 'a\\nb' | indent(2, true) }}")).isEqualTo("  a\n  b");
            assertThat(render("{{ 'a\\n\\nb' | indent(2, blank=true) }}")).isEqualTo("a\n  \n  b");
            assertThat(render("{{ '{\\n' | indent(4, first=true) }}")).isEqualTo("    {\n");
        }

        @Test
        void tojsonLikeHf() {
            Map<String, Object> d = map("a", 1, "b", List.of(1, 2), "c", null, "d", "é\"\n", "e", 2.5, "f", true);
            assertThat(render("{{ d | tojson }}", "d", d)).isEqualTo("{\"a\": 1, \"b\": [1, 2], \"c\": null, \"d\": \"é\\\"\\n\", \"e\": 2.5, \"f\": true}");
            assertThat(render("{{ d | tojson(indent=2) }}", "d", map("a", 1, "b", List.of(1, 2), "e", List.of(), "m", Map.of())))
                    .isEqualTo("{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ],\n  \"e\": [],\n  \"m\": {}\n}");
            assertThat(render("{{ 'é😀' | tojson }} {{ 'é😀' | tojson(ensure_ascii=true) }}")).isEqualTo("\"é😀\" \"\\u00e9\\ud83d\\ude00\"");
            assertThat(render("{{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }} {{ [1, 2] | tojson(separators=(',', ':')) }} {{ (1, 'a') | tojson }}"))
                    .isEqualTo("{\"a\": 2, \"b\": 1} [1,2] [1, \"a\"]");
            assertThat(render("{{ 1e16 | tojson }} {{ x | tojson }}", "x", Double.NaN)).isEqualTo("1e+16 NaN");
        }

        @Test
        void unknownFilterIsASyntaxError() {
            TemplateException e = error("{{ x | nofilter }}");
            assertThat(e.kind()).isEqualTo(TemplateException.Kind.SYNTAX);
            assertThat(e.reason()).isEqualTo("no filter named 'nofilter'");
            assertThat(e.column()).isEqualTo(8);
        }
    }

    @Nested
    class TestTests {
        @Test
        void definedAndNone() {
            assertThat(render("{{ x is defined }} {{ y is defined }} {{ n is defined }} {{ n is none }} {{ y is none }} {{ x is not none }}",
                    "x", "v", "n", null)).isEqualTo("True False True True False True");
            assertThat(render("{{ y is undefined }} {{ not y is defined }}")).isEqualTo("True True");
        }

        @Test
        void typeTests() {
            Map<String, Object> v = map("s", "str", "n", 5, "f", 2.5, "t", true, "l", List.of(), "d", Map.of());
            assertThat(render("{{ s is string }} {{ n is string }} {{ d is mapping }} {{ l is mapping }}", flat(v)))
                    .isEqualTo("True False True False");
            assertThat(render("{{ l is iterable }} {{ s is iterable }} {{ d is iterable }} {{ n is iterable }} {{ nothing is iterable }} {{ none is iterable }}", flat(v)))
                    .isEqualTo("True True True False True False");
            assertThat(render("{{ l is sequence }} {{ s is sequence }} {{ n is sequence }}", flat(v))).isEqualTo("True True False");
            assertThat(render("{{ n is number }} {{ f is number }} {{ s is number }} {{ n is integer }} {{ f is float }} {{ t is boolean }} {{ n is boolean }}", flat(v)))
                    .isEqualTo("True True False True True True False");
        }

        @Test
        void valueTests() {
            assertThat(render("{{ true is true }} {{ 1 is true }} {{ false is false }} {{ 0 is false }} {{ none is false }}"))
                    .isEqualTo("True False True False False");
            assertThat(render("{{ 5 is odd }} {{ 5 is even }} {{ 10 is divisibleby 5 }} {{ 10 is divisibleby(3) }} {{ 'abc' is lower }} {{ 'ABC' is upper }}"))
                    .isEqualTo("True False True False True True");
            assertThat(render("{{ 5 is eq 5 }} {{ 5 is equalto 5 }} {{ 5 is ne 5 }} {{ 5 is gt 3 }} {{ 5 is lt 3 }} {{ 1 is in [1] }} {{ none is sameas none }}"))
                    .isEqualTo("True True False True False True True");
        }

        @Test
        void unknownTestIsASyntaxError() {
            assertThat(error("{{ x is notatest }}").reason()).isEqualTo("no test named 'notatest'");
        }

        private Object[] flat(Map<String, Object> v) {
            List<Object> out = new ArrayList<>();
            v.forEach((k, val) -> {
                out.add(k);
                out.add(val);
            });
            return out.toArray();
        }
    }

    @Nested
    class MethodCalls {
        @Test
        void stringMethods() {
            assertThat(render("[{{ s.strip() }}][{{ s.lstrip() }}][{{ s.rstrip() }}][{{ 'xxaxx'.strip('x') }}][{{ 'ab\\n\\n'.rstrip('\\n') }}]", "s", "  pad \n"))
                    .isEqualTo("[pad][pad \n][  pad][a][ab]");
            assertThat(render("{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a,b,c'.rsplit(',', 1) }}"))
                    .isEqualTo("['a', 'b', '', 'c'] ['a', 'b'] ['a', 'b c'] ['a,b', 'c']");
            assertThat(render("{{ c.split('</think>')[-1].lstrip('\\n') }}", "c", "<think>\nhmm\n</think>\n\nAnswer"))
                    .isEqualTo("Answer");
            assertThat(render("{{ s.startswith('Hell') }} {{ s.endswith('ld') }} {{ s.startswith(('x', 'H')) }} {{ s.upper() }} {{ s.lower() }}", "s", "Hello World"))
                    .isEqualTo("True True True HELLO WORLD hello world");
            assertThat(render("{{ s.replace('l', 'L') }} {{ s.replace('l', 'L', 1) }} {{ s.find('o') }} {{ s.find('z') }} {{ s.count('l') }}", "s", "Hello World"))
                    .isEqualTo("HeLLo WorLd HeLlo World 4 -1 3");
            assertThat(render("{{ ', '.join(['a', 'b']) }} {{ '{} and {}'.format('x', 1) }} {{ 'it\\'s a test'.title() }} {{ 'hELLO'.capitalize() }}"))
                    .isEqualTo("a, b x and 1 It'S A Test Hello");
        }

        @Test
        void dictAndListMethods() {
            Map<String, Object> d = map("b", 2, "a", 1);
            assertThat(render("{{ d.keys() | list }} {{ d.values() | list }} {{ d.items() | list }}", "d", d))
                    .isEqualTo("['b', 'a'] [2, 1] [('b', 2), ('a', 1)]");
            assertThat(render("{{ d.get('a') }} {{ d.get('zz') }} {{ d.get('zz', 'dflt') }} {{ param.get('type', 'any') }}", "d", d, "param", Map.of()))
                    .isEqualTo("1 None dflt any");
            assertThat(render("{{ [3, 1, 2].index(2) }} {{ [3, 3].count(3) }}")).isEqualTo("2 2");
        }

        @Test
        void mutatingMethodsAreRefusedLikeHfsImmutableSandbox() {
            TemplateException e = error("{{ l.append(4) }}", "l", new ArrayList<>(List.of(1)));
            assertThat(e.kind()).isEqualTo(TemplateException.Kind.RUNTIME);
            assertThat(e.reason()).contains("access to attribute 'append' of 'list' object is unsafe");
        }
    }

    @Nested
    class Globals {
        @Test
        void raiseExceptionStopsRenderingWithTheTemplatesMessage() {
            TemplateException e = error("ok so far\n{% if n > 1 %}{{ raise_exception('Too many: ' ~ n) }}{% endif %}", "n", 5);
            assertThat(e.kind()).isEqualTo(TemplateException.Kind.RAISED);
            assertThat(e.reason()).isEqualTo("Too many: 5");
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.getMessage()).isEqualTo("line 2, column 18: Too many: 5");
        }

        @Test
        void strftimeNowReadsTheInjectedClock() {
            assertThat(render("{{ strftime_now('%d %b %Y') }}|{{ strftime_now('%Y-%m-%d %H:%M:%S %A %B %j %I%p %y %a') }}|{{ strftime_now('%-d/%-m') }}"))
                    .isEqualTo("14 Mar 2025|2025-03-14 09:05:07 Friday March 073 09AM 25 Fri|14/3");
            Clock tokyo = Clock.fixed(Instant.parse("2025-03-14T20:00:00Z"), java.time.ZoneId.of("Asia/Tokyo"));
            assertThat(JinjaTemplate.parse("{{ strftime_now('%d %H') }}").render(Map.of(), tokyo)).isEqualTo("15 05");
        }

        @Test
        void dictAndNamespace() {
            assertThat(render("{{ dict(a=1, b='x') }} {{ dict([('k', 'v')]) }}")).isEqualTo("{'a': 1, 'b': 'x'} {'k': 'v'}");
        }
    }

    @Nested
    class UndefinedValues {
        @Test
        void undefinedRendersEmptyIsFalsyAndIterableAsEmpty() {
            assertThat(render("[{{ nothing }}][{{ nothing.attr }}][{{ nothing['k'] }}]{% if nothing %}x{% endif %}{% for a in nothing %}x{% endfor %}"))
                    .isEqualTo("[][][]");
            assertThat(render("{{ nothing | trim }}{{ nothing | lower }}{{ nothing | join(',') }}{{ nothing | length }}")).isEqualTo("0");
        }

        @Test
        void usingUndefinedInArithmeticIsAnError() {
            TemplateException e = error("{{ functions + 'x' }}");
            assertThat(e.kind()).isEqualTo(TemplateException.Kind.RUNTIME);
            assertThat(e.reason()).isEqualTo("'functions' is undefined");
        }

        @Test
        void callingUndefinedIsAnError() {
            assertThat(error("{{ nope() }}").reason()).isEqualTo("'nope' is undefined");
        }
    }

    @Nested
    class Errors {
        @Test
        void unclosedBlockReportsWhereTheTemplateEnded() {
            TemplateException e = error("{% if x %}\nbody");
            assertThat(e.kind()).isEqualTo(TemplateException.Kind.SYNTAX);
            assertThat(e.reason()).isEqualTo("unexpected end of template, expected 'elif', 'else' or 'endif' to close 'if'");
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.column()).isEqualTo(5);
        }

        @Test
        void syntaxErrorsCarryLineAndColumn() {
            TemplateException e = error("line one\n{{ x + }}");
            assertThat(e.getMessage()).isEqualTo("line 2, column 8: expected an expression, got end of print statement");
            assertThat(error("{% for x in y %}{% endif %}").reason()).isEqualTo("unknown tag 'endif' inside 'for'");
            assertThat(error("{% foo %}").getMessage()).isEqualTo("line 1, column 4: unknown tag 'foo'");
            assertThat(error("a\n  {# unclosed").getMessage()).isEqualTo("line 2, column 3: Missing end of comment tag");
            assertThat(error("{{ 'unclosed }}").reason()).isEqualTo("unterminated string literal");
            assertThat(error("{{ (1 }}").reason()).isEqualTo("unexpected '}', expected ')'");
            assertThat(error("{{ x ) }}").reason()).isEqualTo("unexpected ')'");
            assertThat(error("{% break %}").reason()).isEqualTo("'break' outside of a loop");
            assertThat(error("{% set 1 = 2 %}").reason()).isEqualTo("cannot assign to a constant");
            assertThat(error("{{ x").reason()).isEqualTo("unexpected end of template, expected '}}'");
        }

        @Test
        void endlessRecursionIsAnError() {
            TemplateException e = error("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}");
            assertThat(e.kind()).isEqualTo(TemplateException.Kind.RUNTIME);
            assertThat(e.reason()).contains("recursion");
        }

        @Test
        void syntaxErrorsAreFoundWhenParsingNotRendering() {
            assertThatThrownBy(() -> JinjaTemplate.parse("{% if false %}{{ x | nofilter }}{% endif %}"))
                    .isInstanceOf(TemplateException.class)
                    .hasMessage("line 1, column 22: no filter named 'nofilter'");
        }

        @Test
        void runtimeErrorsCarryThePositionOfTheFailingExpression() {
            TemplateException e = error("{% set tools = none %}\n{% for t in tools %}{% endfor %}");
            assertThat(e.kind()).isEqualTo(TemplateException.Kind.RUNTIME);
            assertThat(e.getMessage()).isEqualTo("line 2, column 13: 'NoneType' object is not iterable");
            assertThat(error("{{ 'a' + 1 }}").reason()).isEqualTo("can only concatenate str (not \"int\") to str");
            assertThat(error("{{ 1 < 'a' }}").reason()).isEqualTo("'<' not supported between instances of 'int' and 'str'");
            assertThat(error("{{ none | length }}").reason()).isEqualTo("object of type 'NoneType' has no len()");
            assertThat(error("{% for a, b in [(1, 2, 3)] %}{% endfor %}").reason()).isEqualTo("too many values to unpack (expected 2)");
            assertThat(error("{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}").reason()).isEqualTo("macro 'm' takes not more than 1 argument(s)");
            assertThat(error("{% set x = 1 %}{% set x.y = 2 %}").reason()).isEqualTo("cannot assign attribute on non-namespace object 'x'");
            assertThat(error("{{ undefined_value | tojson }}").reason()).isEqualTo("Object of type Undefined is not JSON serializable");
        }
    }

    @Test
    void javaValuesAreSeenAsPythonValues() {
        record Tool(String name, List<String> params) {
        }
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("tool", new Tool("search", List.of("q")));
        vars.put("arr", new int[] {1, 2});
        vars.put("num", 7L);
        assertThat(JinjaTemplate.parse("{{ tool.name }} {{ tool.params }} {{ tool | tojson }} {{ arr }} {{ num / 2 }}").render(vars))
                .isEqualTo("search ['q'] {\"name\": \"search\", \"params\": [\"q\"]} [1, 2] 3.5");
    }

    @Test
    void jinjaDefaultOptionsDisableTrimming() {
        JinjaTemplate t = JinjaTemplate.parse("  {% if true %}\nx\n  {% endif %}\n", JinjaTemplate.Options.JINJA_DEFAULTS);
        assertThat(t.render(Map.of())).isEqualTo("  \nx\n  ");
    }
}
