package dev.winnow.template;

import dev.winnow.template.Ast.Args;
import dev.winnow.template.Ast.Expr;
import dev.winnow.template.Ast.Stmt;
import java.time.Clock;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a parsed template. Scoping follows Jinja: {@code for} bodies, macros, call/filter/set
 * blocks and {@code with} get their own scope (a {@code set} inside a loop is not visible after
 * it, hence {@code namespace()}); {@code if} does not.
 */
final class Interpreter {
    private static final int MAX_DEPTH = 500;
    private static final long MAX_RANGE = 100_000;

    private final Source source;
    private final Clock clock;
    final RenderBudget.Meter meter;
    private int depth;

    Interpreter(Source source, Clock clock, RenderBudget budget) {
        this.source = source;
        this.clock = clock;
        this.meter = new RenderBudget.Meter(budget);
    }

    /** A variable scope; lookups walk up to the parent. */
    static final class Scope {
        final Scope parent;
        final Map<String, Object> vars = new HashMap<>();

        Scope(Scope parent) {
            this.parent = parent;
        }

        Object lookup(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                Object v = s.vars.get(name);
                if (v != null || s.vars.containsKey(name)) return v;
            }
            return Py.MISSING;
        }
    }

    private enum Flow { NORMAL, BREAK, CONTINUE }

    String render(List<Stmt> body, Map<String, ?> variables) {
        Scope root = new Scope(null);
        installGlobals(root.vars);
        for (Map.Entry<String, ?> e : variables.entrySet()) root.vars.put(e.getKey(), Py.normalize(e.getValue()));
        StringBuilder out = new StringBuilder();
        exec(body, root, out);
        return out.toString();
    }

    private void installGlobals(Map<String, Object> g) {
        g.put("range", new LoopContext.Fn("range", (in, args, kw) -> range(args)));
        g.put("namespace", new LoopContext.Fn("namespace", (in, args, kw) -> {
            Namespace ns = new Namespace();
            for (Object a : args) {
                if (a instanceof Map<?, ?> m) {
                    for (Map.Entry<?, ?> e : m.entrySet()) ns.attrs.put(Py.str(e.getKey()), e.getValue());
                } else {
                    throw new JinjaError("namespace() positional argument must be a dict, not '" + Py.typeName(a) + "'");
                }
            }
            ns.attrs.putAll(kw);
            return ns;
        }));
        g.put("dict", new LoopContext.Fn("dict", (in, args, kw) -> {
            Map<Object, Object> d = new LinkedHashMap<>();
            for (Object a : args) {
                if (a instanceof Map<?, ?> m) d.putAll(m);
                else for (Object item : Py.iterate(a)) {
                    List<Object> kv = Py.unpack(item, 2);
                    d.put(kv.get(0), kv.get(1));
                }
            }
            d.putAll(kw);
            return d;
        }));
        g.put("raise_exception", new LoopContext.Fn("raise_exception", (in, args, kw) -> {
            Object msg = !args.isEmpty() ? args.getFirst() : kw.getOrDefault("message", "");
            throw new JinjaError(TemplateException.Kind.RAISED, Py.str(msg));
        }));
        g.put("strftime_now", new LoopContext.Fn("strftime_now", (in, args, kw) -> {
            Object fmt = !args.isEmpty() ? args.getFirst() : kw.get("format");
            if (!(fmt instanceof String f)) throw new JinjaError("strftime_now() needs a format string");
            return Strftime.format(LocalDateTime.now(clock), f);
        }));
    }

    private static Object range(List<Object> args) {
        long start = 0;
        long stop;
        long step = 1;
        switch (args.size()) {
            case 1 -> stop = Py.requireInt(args.get(0), "range() argument");
            case 2, 3 -> {
                start = Py.requireInt(args.get(0), "range() argument");
                stop = Py.requireInt(args.get(1), "range() argument");
                if (args.size() == 3) step = Py.requireInt(args.get(2), "range() argument");
            }
            default -> throw new JinjaError("range expected 1 to 3 arguments, got " + args.size());
        }
        if (step == 0) throw new JinjaError("range() arg 3 must not be zero");
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            if (out.size() >= MAX_RANGE) throw new JinjaError("range too big, maximum size is " + MAX_RANGE);
            out.add(i);
        }
        return out;
    }

    private TemplateException positioned(JinjaError e, int pos) {
        return source.error(e.kind, e.getMessage(), pos);
    }

    // ---------------------------------------------------------------- statements

    private Flow exec(List<Stmt> body, Scope scope, StringBuilder out) {
        for (Stmt s : body) {
            Flow f = exec(s, scope, out);
            try {
                meter.output(out);
            } catch (JinjaError e) {
                throw positioned(e, s.pos());
            }
            if (f != Flow.NORMAL) return f;
        }
        return Flow.NORMAL;
    }

    private Flow exec(Stmt stmt, Scope scope, StringBuilder out) {
        try {
            switch (stmt) {
                case Ast.Text t -> out.append(t.text());
                case Ast.Print p -> out.append(Py.str(eval(p.expr(), scope)));
                case Ast.If s -> {
                    return Py.truthy(eval(s.test(), scope)) ? exec(s.body(), scope, out) : exec(s.orelse(), scope, out);
                }
                case Ast.For f -> execFor(f, scope, out);
                case Ast.Set s -> assign(s.target(), eval(s.value(), scope), scope);
                case Ast.SetBlock s -> {
                    StringBuilder b = new StringBuilder();
                    exec(s.body(), new Scope(scope), b);
                    Object value = b.toString();
                    if (s.filter() != null) value = applyFilterChain(s.filter(), value, scope);
                    assign(s.target(), value, scope);
                }
                case Ast.Macro m -> scope.vars.put(m.name(), new MacroFn(m.name(), m.signature(), m.body(), scope));
                case Ast.CallBlock c -> {
                    MacroFn caller = new MacroFn("caller", c.signature(), c.body(), scope);
                    Object fn = eval(c.call().fn(), scope);
                    CallArgs ca = evalArgs(c.call().args(), scope);
                    ca.kwargs.put("caller", caller);
                    out.append(Py.str(call(fn, ca.args, ca.kwargs)));
                }
                case Ast.FilterBlock fb -> {
                    StringBuilder b = new StringBuilder();
                    exec(fb.body(), new Scope(scope), b);
                    out.append(Py.str(applyFilterChain(fb.filter(), b.toString(), scope)));
                }
                case Ast.With w -> {
                    Scope inner = new Scope(scope);
                    List<Object> values = new ArrayList<>();
                    for (Expr e : w.values()) values.add(eval(e, scope));
                    for (int i = 0; i < values.size(); i++) assign(w.targets().get(i), values.get(i), inner);
                    return exec(w.body(), inner, out);
                }
                case Ast.Scoped s -> {
                    return exec(s.body(), new Scope(scope), out);
                }
                case Ast.Break b -> {
                    return Flow.BREAK;
                }
                case Ast.Continue c -> {
                    return Flow.CONTINUE;
                }
            }
        } catch (JinjaError e) {
            throw positioned(e, stmt.pos());
        }
        return Flow.NORMAL;
    }

    private void execFor(Ast.For f, Scope scope, StringBuilder out) {
        Object iterable = eval(f.iter(), scope);
        List<Object> items;
        try {
            items = Py.iterate(iterable);
        } catch (JinjaError e) {
            throw positioned(e, f.iter().pos());
        }
        if (f.filter() != null) {
            List<Object> kept = new ArrayList<>();
            for (Object item : items) {
                step(f.pos());
                Scope s = new Scope(scope);
                assign(f.target(), item, s);
                if (Py.truthy(eval(f.filter(), s))) kept.add(item);
            }
            items = kept;
        } else {
            items = new ArrayList<>(items);
        }
        if (items.isEmpty()) {
            exec(f.orelse(), new Scope(scope), out);
            return;
        }
        LoopContext loop = new LoopContext(items);
        for (int i = 0; i < items.size(); i++) {
            step(f.pos());
            loop.index = i;
            Scope s = new Scope(scope);
            s.vars.put("loop", loop);
            assign(f.target(), items.get(i), s);
            if (exec(f.body(), s, out) == Flow.BREAK) break;
        }
    }

    private void step(int pos) {
        try {
            meter.step();
        } catch (JinjaError e) {
            throw positioned(e, pos);
        }
    }

    private void assign(Expr target, Object value, Scope scope) {
        switch (target) {
            case Ast.Name n -> scope.vars.put(n.name(), value);
            case Ast.TupleLit t -> {
                List<Object> parts;
                try {
                    parts = Py.unpack(value, t.items().size());
                } catch (JinjaError e) {
                    throw positioned(e, t.pos());
                }
                for (int i = 0; i < parts.size(); i++) assign(t.items().get(i), parts.get(i), scope);
            }
            case Ast.NsRef r -> {
                Object ns = scope.lookup(r.name());
                if (!(ns instanceof Namespace n)) {
                    throw source.error(TemplateException.Kind.RUNTIME,
                            "cannot assign attribute on non-namespace object '" + r.name() + "'", r.pos());
                }
                n.attrs.put(r.attr(), value);
            }
            default -> throw source.error(TemplateException.Kind.RUNTIME, "cannot assign to this expression", target.pos());
        }
    }

    // ---------------------------------------------------------------- expressions

    Object eval(Expr expr, Scope scope) {
        try {
            Object v = evalUnchecked(expr, scope);
            return expr instanceof Ast.Concat || expr instanceof Ast.Binary || expr instanceof Ast.Filter
                    || expr instanceof Ast.Call ? meter.built(v) : meter.value(v);
        } catch (JinjaError e) {
            throw positioned(e, expr.pos());
        }
    }

    private Object evalUnchecked(Expr expr, Scope scope) {
        try {
            return switch (expr) {
                case Ast.Const c -> c.value();
                case Ast.Name n -> {
                    Object v = scope.lookup(n.name());
                    yield v == Py.MISSING ? Undefined.name(n.name()) : v;
                }
                case Ast.ListLit l -> {
                    List<Object> out = new ArrayList<>(l.items().size());
                    for (Expr e : l.items()) out.add(eval(e, scope));
                    yield out;
                }
                case Ast.TupleLit t -> {
                    Object[] out = new Object[t.items().size()];
                    for (int i = 0; i < out.length; i++) out[i] = eval(t.items().get(i), scope);
                    yield new PyTuple(out);
                }
                case Ast.DictLit d -> {
                    Map<Object, Object> out = new LinkedHashMap<>();
                    for (int i = 0; i < d.keys().size(); i++) {
                        Object k = eval(d.keys().get(i), scope);
                        if ((k instanceof List && !(k instanceof PyTuple)) || k instanceof Map) {
                            throw new JinjaError("unhashable type: '" + Py.typeName(k) + "'");
                        }
                        Py.dictPut(out, k, eval(d.values().get(i), scope));
                    }
                    yield out;
                }
                case Ast.GetAttr g -> Py.getattr(eval(g.obj(), scope), g.name());
                case Ast.GetItem g -> {
                    Object obj = eval(g.obj(), scope);
                    if (g.key() instanceof Ast.Slice s) {
                        yield Py.slice(obj, s.start() == null ? null : eval(s.start(), scope),
                                s.stop() == null ? null : eval(s.stop(), scope),
                                s.step() == null ? null : eval(s.step(), scope));
                    }
                    yield Py.getitem(obj, eval(g.key(), scope));
                }
                case Ast.Slice s -> throw new JinjaError("slice outside of a subscript");
                case Ast.Call c -> {
                    Object fn = eval(c.fn(), scope);
                    CallArgs ca = evalArgs(c.args(), scope);
                    yield call(fn, ca.args, ca.kwargs);
                }
                case Ast.Filter f -> applyFilter(f, f.operand() == null ? Undefined.name("filter operand")
                        : eval(f.operand(), scope), scope);
                case Ast.Test t -> {
                    Object v = eval(t.operand(), scope);
                    CallArgs ca = evalArgs(t.args(), scope);
                    yield Tests.apply(t.name(), v, ca.args, ca.kwargs);
                }
                case Ast.Unary u -> switch (u.op()) {
                    case "not" -> !Py.truthy(eval(u.operand(), scope));
                    case "-" -> Py.negate(eval(u.operand(), scope), true);
                    default -> Py.negate(eval(u.operand(), scope), false);
                };
                case Ast.Binary b -> switch (b.op()) {
                    case "and" -> {
                        Object l = eval(b.left(), scope);
                        yield Py.truthy(l) ? eval(b.right(), scope) : l;
                    }
                    case "or" -> {
                        Object l = eval(b.left(), scope);
                        yield Py.truthy(l) ? l : eval(b.right(), scope);
                    }
                    default -> {
                        Object l = eval(b.left(), scope);
                        Object r = eval(b.right(), scope);
                        yield Py.binary(b.op(), l, r);
                    }
                };
                case Ast.Concat c -> {
                    StringBuilder sb = new StringBuilder();
                    for (Expr e : c.parts()) sb.append(Py.str(eval(e, scope)));
                    yield sb.toString();
                }
                case Ast.Compare c -> {
                    Object left = eval(c.first(), scope);
                    boolean result = true;
                    for (int i = 0; i < c.ops().size() && result; i++) {
                        Object right = eval(c.rest().get(i), scope);
                        result = Py.compareOp(c.ops().get(i), left, right);
                        left = right;
                    }
                    yield result;
                }
                case Ast.CondExpr c -> {
                    if (Py.truthy(eval(c.test(), scope))) yield eval(c.then(), scope);
                    if (c.otherwise() != null) yield eval(c.otherwise(), scope);
                    yield new Undefined("the inline if-expression on line " + source.line(c.pos())
                            + " evaluated to false and no else section was defined.");
                }
                case Ast.NsRef r -> throw new JinjaError("namespace reference outside of set");
            };
        } catch (JinjaError e) {
            throw positioned(e, expr.pos());
        }
    }

    /** Applies a filter chain whose innermost operand is null (filter and set blocks) to {@code value}. */
    private Object applyFilterChain(Ast.Filter f, Object value, Scope scope) {
        if (f.operand() instanceof Ast.Filter inner) value = applyFilterChain(inner, value, scope);
        return applyFilter(f, value, scope);
    }

    private Object applyFilter(Ast.Filter f, Object value, Scope scope) {
        CallArgs ca = evalArgs(f.args(), scope);
        try {
            return Filters.apply(this, f.name(), value, ca.args, ca.kwargs);
        } catch (JinjaError e) {
            throw positioned(e, f.pos());
        }
    }

    private record CallArgs(List<Object> args, Map<String, Object> kwargs) {
    }

    private CallArgs evalArgs(Args a, Scope scope) {
        List<Object> args = new ArrayList<>(a.positional().size());
        for (Expr e : a.positional()) args.add(eval(e, scope));
        Map<String, Object> kwargs = new LinkedHashMap<>();
        for (int i = 0; i < a.names().size(); i++) kwargs.put(a.names().get(i), eval(a.values().get(i), scope));
        if (a.starArgs() != null) {
            Object star = eval(a.starArgs(), scope);
            try {
                args.addAll(Py.iterate(star));
            } catch (JinjaError e) {
                throw positioned(e, a.starArgs().pos());
            }
        }
        if (a.starKwargs() != null) {
            Object star = eval(a.starKwargs(), scope);
            if (!(star instanceof Map<?, ?> m)) {
                throw source.error(TemplateException.Kind.RUNTIME, "argument after ** must be a mapping",
                        a.starKwargs().pos());
            }
            for (Map.Entry<?, ?> e : m.entrySet()) kwargs.put(Py.str(e.getKey()), e.getValue());
        }
        return new CallArgs(args, kwargs);
    }

    private Object call(Object fn, List<Object> args, Map<String, Object> kwargs) {
        if (fn instanceof Undefined u) throw u.error();
        if (!(fn instanceof JinjaCallable c)) throw new JinjaError("'" + Py.typeName(fn) + "' object is not callable");
        if (depth >= MAX_DEPTH) throw new JinjaError("maximum recursion depth exceeded calling " + c.name());
        meter.step();
        depth++;
        try {
            return c.call(this, args, kwargs);
        } finally {
            depth--;
        }
    }

    // ---------------------------------------------------------------- macros

    /** A macro (or the {@code caller} of a call block): a closure over the scope it was defined in. */
    record MacroFn(String name, Ast.Signature sig, List<Stmt> body, Scope closure)
            implements JinjaCallable {
        @Override
        public Object call(Interpreter in, List<Object> args, Map<String, Object> kwargs) {
            List<String> params = sig.params();
            Scope s = new Scope(closure);
            Map<String, Object> extraKw = new LinkedHashMap<>(kwargs);
            Object caller = extraKw.remove("caller");
            if (caller != null && !sig.usesCaller() && !params.contains("caller")) {
                throw new JinjaError("macro '" + name + "' was invoked with a 'caller' but does not use it");
            }
            if (args.size() > params.size() && !sig.usesVarargs()) {
                throw new JinjaError("macro '" + name + "' takes not more than " + params.size() + " argument(s)");
            }
            for (int i = 0; i < params.size(); i++) {
                String p = params.get(i);
                if (i < args.size()) {
                    if (extraKw.containsKey(p)) throw new JinjaError("macro '" + name + "' got multiple values for argument '" + p + "'");
                    s.vars.put(p, args.get(i));
                } else if (extraKw.containsKey(p)) {
                    s.vars.put(p, extraKw.remove(p));
                } else if (sig.defaults().get(i) != null) {
                    s.vars.put(p, in.eval(sig.defaults().get(i), s));
                } else {
                    s.vars.put(p, new Undefined("parameter '" + p + "' was not provided"));
                }
            }
            if (!extraKw.isEmpty() && !sig.usesKwargs()) {
                throw new JinjaError("macro '" + name + "' takes no keyword argument '" + extraKw.keySet().iterator().next() + "'");
            }
            if (sig.usesVarargs()) {
                s.vars.put("varargs", args.size() > params.size() ? PyTuple.of(args.subList(params.size(), args.size()))
                        : new PyTuple());
            }
            if (sig.usesKwargs()) s.vars.put("kwargs", new LinkedHashMap<Object, Object>(extraKw));
            if (caller != null || sig.usesCaller()) {
                s.vars.put("caller", caller != null ? caller : new Undefined("'caller' is undefined (no call block)"));
            }
            StringBuilder out = new StringBuilder();
            in.exec(body, s, out);
            return out.toString();
        }
    }
}
