package dev.winnow.template;

/**
 * Limits on one rendering, so that a hostile template (chat templates come from model files and
 * run on every request) cannot hang or exhaust the process: {@code maxSteps} bounds loop
 * iterations and calls together, {@code maxOutputChars} the rendered text (and every block or
 * macro body being built), {@code maxValueSize} every intermediate string (chars) and list or
 * dict (entries), {@code maxBuiltChars} the total length of all strings built by operators, filters
 * and calls (so a loop growing a string, which copies it every time, stays linear). Exceeding one ends the rendering with a {@link TemplateException}.
 *
 * <p>Defaults ({@link #DEFAULT}) were measured against the 17 templates in {@code shared/templates}
 * rendering a 202-message conversation with and without a tool: every one renders identically
 * within a hundredth of each default limit (5,000 steps, 83,886 output chars, 83,886-element
 * values, 671,088 built chars; {@code RenderBudgetTest#sharedTemplatesFitInAHundredthOfTheDefaultBudget}),
 * while the hostile templates of issue 19 stop in well under a second (a few hundred ms on a
 * loaded 2-core machine) and a few tens of MiB.
 */
public record RenderBudget(long maxSteps, int maxOutputChars, int maxValueSize, long maxBuiltChars) {
    public static final RenderBudget DEFAULT = new RenderBudget(500_000, 8 << 20, 8 << 20, 64L << 20);

    public RenderBudget {
        if (maxSteps <= 0 || maxOutputChars <= 0 || maxValueSize <= 0 || maxBuiltChars <= 0) {
            throw new IllegalArgumentException("render budget limits must be positive");
        }
    }

    /** Counts what one rendering uses; not thread-safe (one per rendering). */
    static final class Meter {
        final RenderBudget budget;
        long steps;
        int maxOutput;
        int maxValue;
        long built;

        Meter(RenderBudget budget) {
            this.budget = budget;
        }

        void step() {
            if (++steps > budget.maxSteps) {
                throw new JinjaError("template exceeded its step budget (" + budget.maxSteps
                        + " loop iterations and calls)");
            }
        }

        void output(StringBuilder out) {
            int n = out.length();
            if (n > maxOutput) maxOutput = n;
            if (n > budget.maxOutputChars) {
                throw new JinjaError("template output exceeded its budget of " + budget.maxOutputChars + " characters");
            }
        }

        /** Charges a string just built by an operator, filter or call. */
        Object built(Object v) {
            if (v instanceof String s) {
                built += s.length();
                if (built > budget.maxBuiltChars) {
                    throw new JinjaError("template exceeded its budget of " + budget.maxBuiltChars
                            + " characters built by string operations");
                }
            }
            return value(v);
        }

        Object value(Object v) {
            int n;
            if (v instanceof String s) n = s.length();
            else if (v instanceof java.util.Collection<?> c) n = c.size();
            else if (v instanceof java.util.Map<?, ?> m) n = m.size();
            else return v;
            if (n > maxValue) maxValue = n;
            if (n > budget.maxValueSize) {
                throw new JinjaError("template built a " + Py.typeName(v) + " of " + n
                        + " elements, over its budget of " + budget.maxValueSize);
            }
            return v;
        }
    }
}
