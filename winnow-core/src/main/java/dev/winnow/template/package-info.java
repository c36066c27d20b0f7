/**
 * Chat templates: a dependency-free Jinja2 engine and the {@link dev.winnow.template.ChatTemplate}
 * API that renders a conversation into a model's prompt text, the way HF transformers'
 * {@code apply_chat_template} does.
 *
 * <h2>Public API</h2>
 * <ul>
 *   <li>{@link dev.winnow.template.ChatTemplate}: {@code of(source)}, {@code fromGguf(gguf)}
 *       (reads {@code tokenizer.chat_template} and the BOS/EOS token strings), {@code chatml()}
 *       (an explicit fallback), {@code render(messages, addGenerationPrompt, extraVariables)}.</li>
 *   <li>{@link dev.winnow.template.ChatMessage}: {@code (role, content)}.</li>
 *   <li>{@link dev.winnow.template.JinjaTemplate}: the engine itself, for any Jinja text.</li>
 *   <li>{@link dev.winnow.template.TemplateException}: syntax, runtime and
 *       {@code raise_exception} errors, with line and column.</li>
 * </ul>
 *
 * <h2>Supported Jinja</h2>
 * The subset real chat templates use (surveyed over Llama 3.x, Qwen 2.5/3, Mistral, Phi-3.5,
 * Gemma 2, DeepSeek R1, Hermes, Command-R, Functionary, Firefunction and others):
 * <ul>
 *   <li>Delimiters {@code {{ }}}, {@code {% %}}, {@code {# #}}; whitespace control {@code -} and
 *       {@code +} on either side; {@code trim_blocks} and {@code lstrip_blocks} (on, as in HF);
 *       {@code {% raw %}}; one trailing newline of the source dropped.</li>
 *   <li>Statements: {@code if/elif/else}, {@code for ... in ... [if ...]} with {@code else},
 *       tuple unpacking and the {@code loop} object (index, index0, revindex, revindex0, first,
 *       last, length, previtem, nextitem, depth, cycle(), changed()), {@code break},
 *       {@code continue}, {@code set} (also tuples, {@code ns.attr =} and block
 *       {@code set ... endset} with filters), {@code macro} (defaults, keyword arguments,
 *       {@code varargs}, {@code kwargs}, recursion), {@code call} blocks with {@code caller()},
 *       {@code filter} blocks, {@code with}, HF's {@code generation} block.</li>
 *   <li>Expressions with Jinja's precedence: {@code and or not in not-in is == != < > <= >=
 *       + - * / // % ** ~}, chained comparisons, {@code x if c else y}, literals (strings with
 *       Python escapes, ints in any base, floats, lists, tuples, dicts, true/false/none in both
 *       cases), attribute and item access, slicing, calls.</li>
 *   <li>Filters: abs, attr, batch, capitalize, center, count, d/default, dictsort, e/escape,
 *       first, float, forceescape, format, groupby, indent, int, items, join, last, length, list,
 *       lower, map, max, min, pprint, reject, rejectattr, replace, reverse, round, safe, select,
 *       selectattr, sort, string, sum, title, tojson (HF's: {@code ensure_ascii=False}, indent,
 *       separators, sort_keys), trim, truncate, unique, upper, wordcount.</li>
 *   <li>Tests: defined, undefined, none, boolean, true, false, integer, float, number, string,
 *       mapping, iterable, sequence, callable, sameas, escaped, in, eq/equalto/==, ne/!=, gt, ge,
 *       lt, le, odd, even, divisibleby, lower, upper, filter, test.</li>
 *   <li>Methods: str (strip, lstrip, rstrip, split, rsplit, splitlines, startswith, endswith,
 *       upper, lower, title, capitalize, replace, find, rfind, index, count, join, format, is*,
 *       zfill, center, ljust, rjust, removeprefix, removesuffix, partition...), dict (items, keys,
 *       values, get, copy), list (index, count). Mutating methods such as {@code append} are
 *       refused, as by HF's immutable sandbox.</li>
 *   <li>Globals: {@code range}, {@code namespace}, {@code dict}, {@code raise_exception},
 *       {@code strftime_now} (clock injectable).</li>
 * </ul>
 *
 * <h2>Semantics</h2>
 * Values behave as in Python (str() and repr() of floats, lists and dicts, int/float
 * arithmetic, truthiness, string length in code points). Undefined names render as empty and are
 * falsy; attribute and item access on an undefined value give another undefined (more lenient
 * than Jinja, which raises there); arithmetic on undefined raises. {@code safe} returns markup:
 * adding a plain string to it HTML-escapes the string, as MarkupSafe does under HF.
 *
 * <p>Known differences from HF's Jinja2: where HF fails because a filter returned a generator
 * ({@code tools|map(...)|tojson}, {@code |length} of a selection) the result is used as a list,
 * as llama.cpp does; integers are 64-bit; {@code include}, {@code import}, {@code extends},
 * {@code block} and recursive loops are not supported (a syntax error says so).
 */
package dev.winnow.template;
