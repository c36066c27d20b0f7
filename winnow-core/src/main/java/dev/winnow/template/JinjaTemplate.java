package dev.winnow.template;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A parsed Jinja2 template, rendered with the semantics HF transformers uses for chat templates:
 * {@code trim_blocks} and {@code lstrip_blocks} on, one trailing newline of the source dropped,
 * no autoescaping, undefined variables render as empty (and are falsy), values immutable except
 * {@code namespace()} attributes, {@code break}/{@code continue} available, and the globals
 * {@code range}, {@code namespace}, {@code dict}, {@code raise_exception(msg)} and
 * {@code strftime_now(fmt)}.
 *
 * <p>Syntax errors are reported when parsing, as a {@link TemplateException} with line and
 * column. Thread-safe: a template can be rendered concurrently.
 */
public final class JinjaTemplate {
    /** Lexer options; {@link #HF} is what HF transformers uses. */
    public record Options(boolean trimBlocks, boolean lstripBlocks, boolean keepTrailingNewline) {
        public static final Options HF = new Options(true, true, false);
        /** Jinja's own defaults. */
        public static final Options JINJA_DEFAULTS = new Options(false, false, false);
    }

    private final Source source;
    private final List<Ast.Stmt> body;

    private JinjaTemplate(Source source, List<Ast.Stmt> body) {
        this.source = source;
        this.body = body;
    }

    /** Parses with HF's options ({@link Options#HF}). */
    public static JinjaTemplate parse(String source) {
        return parse(source, Options.HF);
    }

    public static JinjaTemplate parse(String source, Options options) {
        Objects.requireNonNull(source, "source");
        Source src = new Source(Source.normalize(source, options.keepTrailingNewline()));
        List<Lexer.Token> tokens = Lexer.tokenize(src, options.trimBlocks(), options.lstripBlocks());
        try {
            return new JinjaTemplate(src, Parser.parse(src, tokens));
        } catch (StackOverflowError e) {
            throw new TemplateException(TemplateException.Kind.SYNTAX, "template nested too deeply", 0, 0);
        }
    }

    /** Renders with the system clock for {@code strftime_now}. */
    public String render(Map<String, ?> variables) {
        return render(variables, Clock.systemDefaultZone());
    }

    /**
     * Renders with {@code variables} (Java maps, lists, arrays, records, strings, numbers,
     * booleans and null are converted to their Python counterparts); {@code clock} is what
     * {@code strftime_now} reads (local date-time in the clock's zone).
     */
    public String render(Map<String, ?> variables, Clock clock) {
        return render(variables, clock, RenderBudget.DEFAULT);
    }

    /** Renders within {@code budget} (steps, output and intermediate sizes; see {@link RenderBudget}). */
    public String render(Map<String, ?> variables, Clock clock, RenderBudget budget) {
        Objects.requireNonNull(variables, "variables");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(budget, "budget");
        try {
            return new Interpreter(source, clock, budget).render(body, variables);
        } catch (StackOverflowError e) {
            throw new TemplateException(TemplateException.Kind.RUNTIME, "template recursion too deep", 0, 0);
        } catch (OutOfMemoryError e) {
            // last line of defence: a single oversized allocation (e.g. a huge pad width) failed
            throw new TemplateException(TemplateException.Kind.RUNTIME, "template needed too much memory", 0, 0);
        }
    }
}
