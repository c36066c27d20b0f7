package dev.winnow.template;

import dev.winnow.template.Ast.Args;
import dev.winnow.template.Ast.Expr;
import dev.winnow.template.Ast.Stmt;
import dev.winnow.template.Lexer.Token;
import dev.winnow.template.Lexer.Type;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Recursive-descent parser following Jinja's grammar and operator precedence. */
final class Parser {
    private static final Set<String> COMPARE_OPS = Set.of("==", "!=", "<", "<=", ">", ">=");

    private final Source source;
    private final List<Token> tokens;
    private int p;
    /** Innermost block tags being parsed (for "was looking for" messages). */
    private final Deque<String> openTags = new ArrayDeque<>();
    /** Names referenced inside the macro (or call block) being parsed. */
    private final Deque<Set<String>> nameUses = new ArrayDeque<>();
    private int loopDepth;

    private Parser(Source source, List<Token> tokens) {
        this.source = source;
        this.tokens = tokens;
    }

    static List<Stmt> parse(Source source, List<Token> tokens) {
        Parser parser = new Parser(source, tokens);
        List<Stmt> body = parser.subparse(Set.of());
        if (!parser.cur().is(Type.EOF)) throw parser.fail("unexpected " + parser.cur().describe(), parser.cur());
        return body;
    }

    // ---- token helpers ----

    private Token cur() {
        return tokens.get(p);
    }

    private Token look() {
        return tokens.get(Math.min(p + 1, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(p);
        if (p < tokens.size() - 1) p++;
        return t;
    }

    private TemplateException fail(String msg, Token at) {
        return source.error(TemplateException.Kind.SYNTAX, msg, at.pos());
    }

    private boolean skipOp(String op) {
        if (cur().isOp(op)) {
            p++;
            return true;
        }
        return false;
    }

    private boolean skipName(String name) {
        if (cur().isName(name)) {
            p++;
            return true;
        }
        return false;
    }

    private Token expectOp(String op) {
        if (!cur().isOp(op)) throw fail("expected '" + op + "', got " + cur().describe(), cur());
        return next();
    }

    private String expectName() {
        if (!cur().is(Type.NAME)) throw fail("expected a name, got " + cur().describe(), cur());
        return next().value();
    }

    private void expectBlockEnd() {
        if (!cur().is(Type.BLOCK_END)) {
            throw fail("expected end of statement block, got " + cur().describe(), cur());
        }
        next();
    }

    // ---- statements ----

    /**
     * Parses until EOF or a block tag whose name is in {@code endTags}; in that case returns with
     * the tag's name as the current token (the block begin consumed).
     */
    private List<Stmt> subparse(Set<String> endTags) {
        List<Stmt> body = new ArrayList<>();
        while (true) {
            Token t = cur();
            switch (t.type()) {
                case DATA -> {
                    next();
                    body.add(new Ast.Text(t.pos(), t.value()));
                }
                case VAR_BEGIN -> {
                    next();
                    Expr e = parseTuple(false, true, Set.of(), false);
                    if (!cur().is(Type.VAR_END)) {
                        throw fail("expected end of print statement, got " + cur().describe(), cur());
                    }
                    next();
                    body.add(new Ast.Print(t.pos(), e));
                }
                case BLOCK_BEGIN -> {
                    next();
                    if (!endTags.isEmpty() && cur().is(Type.NAME) && endTags.contains(cur().value())) {
                        return body;
                    }
                    body.add(parseStatement());
                }
                case EOF -> {
                    if (!endTags.isEmpty()) {
                        throw fail("unexpected end of template, expected " + expectedTags(endTags)
                                + " to close '" + openTags.peek() + "'", t);
                    }
                    return body;
                }
                default -> throw fail("unexpected " + t.describe(), t);
            }
        }
    }

    private static String expectedTags(Set<String> tags) {
        List<String> sorted = new ArrayList<>(tags);
        sorted.sort(null);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < sorted.size(); i++) {
            if (i > 0) b.append(i == sorted.size() - 1 ? " or " : ", ");
            b.append('\'').append(sorted.get(i)).append('\'');
        }
        return b.toString();
    }

    private List<Stmt> body(String tag, Set<String> endTags) {
        openTags.push(tag);
        try {
            return subparse(endTags);
        } finally {
            openTags.pop();
        }
    }

    private Stmt parseStatement() {
        Token t = cur();
        if (!t.is(Type.NAME)) throw fail("tag name expected, got " + t.describe(), t);
        return switch (t.value()) {
            case "if" -> parseIf();
            case "for" -> parseFor();
            case "set" -> parseSet();
            case "macro" -> parseMacro();
            case "call" -> parseCallBlock();
            case "filter" -> parseFilterBlock();
            case "with" -> parseWith();
            case "generation" -> {
                next();
                expectBlockEnd();
                List<Stmt> b = body("generation", Set.of("endgeneration"));
                next();
                expectBlockEnd();
                yield new Ast.Scoped(t.pos(), b);
            }
            case "break", "continue" -> {
                next();
                if (loopDepth == 0) throw fail("'" + t.value() + "' outside of a loop", t);
                expectBlockEnd();
                yield t.value().equals("break") ? new Ast.Break(t.pos()) : new Ast.Continue(t.pos());
            }
            case "include", "import", "from", "extends", "block", "do", "autoescape", "print" ->
                    throw fail("tag '" + t.value() + "' is not supported in chat templates", t);
            default -> {
                String msg = "unknown tag '" + t.value() + "'";
                if (!openTags.isEmpty()) msg += " inside '" + openTags.peek() + "'";
                throw fail(msg, t);
            }
        };
    }

    private Stmt parseIf() {
        Token start = next();
        Expr test = parseTuple(false, false, Set.of(), false);
        expectBlockEnd();
        List<Stmt> b = body("if", Set.of("elif", "else", "endif"));
        Token tag = next();
        List<Stmt> orelse = List.of();
        switch (tag.value()) {
            case "elif" -> orelse = List.of(parseIfRest(tag));
            case "else" -> {
                expectBlockEnd();
                orelse = body("if", Set.of("endif"));
                next();
                expectBlockEnd();
            }
            default -> expectBlockEnd();
        }
        return new Ast.If(start.pos(), test, b, orelse);
    }

    /** After an {@code elif} name: parses the condition, body and the rest of the chain. */
    private Stmt parseIfRest(Token elif) {
        Expr test = parseTuple(false, false, Set.of(), false);
        expectBlockEnd();
        List<Stmt> b = body("if", Set.of("elif", "else", "endif"));
        Token tag = next();
        List<Stmt> orelse = List.of();
        switch (tag.value()) {
            case "elif" -> orelse = List.of(parseIfRest(tag));
            case "else" -> {
                expectBlockEnd();
                orelse = body("if", Set.of("endif"));
                next();
                expectBlockEnd();
            }
            default -> expectBlockEnd();
        }
        return new Ast.If(elif.pos(), test, b, orelse);
    }

    private Stmt parseFor() {
        Token start = next();
        Expr target = parseAssignTarget(Set.of("in"), false);
        if (!skipName("in")) throw fail("expected 'in', got " + cur().describe(), cur());
        Expr iter = parseTuple(false, false, Set.of("recursive"), false);
        Expr filter = null;
        if (skipName("if")) filter = parseExpression(true);
        if (cur().isName("recursive")) throw fail("recursive for loops are not supported", cur());
        expectBlockEnd();
        loopDepth++;
        List<Stmt> b;
        try {
            b = body("for", Set.of("endfor", "else"));
        } finally {
            loopDepth--;
        }
        List<Stmt> orelse = List.of();
        if (next().value().equals("else")) {
            expectBlockEnd();
            orelse = body("for", Set.of("endfor"));
            next();
        }
        expectBlockEnd();
        return new Ast.For(start.pos(), target, iter, filter, b, orelse);
    }

    private Stmt parseSet() {
        Token start = next();
        Expr target = parseAssignTarget(Set.of(), true);
        if (skipOp("=")) {
            Expr value = parseTuple(false, true, Set.of(), false);
            expectBlockEnd();
            return new Ast.Set(start.pos(), target, value);
        }
        Ast.Filter filter = null;
        if (cur().isOp("|")) filter = (Ast.Filter) parseFilter(null, false);
        expectBlockEnd();
        List<Stmt> b = body("set", Set.of("endset"));
        next();
        expectBlockEnd();
        return new Ast.SetBlock(start.pos(), target, filter, b);
    }

    private Stmt parseMacro() {
        Token start = next();
        String name = expectName();
        nameUses.push(new HashSet<>());
        int savedLoopDepth = loopDepth;
        loopDepth = 0;
        try {
            Ast.Signature sigStub = parseSignatureParams();
            expectBlockEnd();
            List<Stmt> b = body("macro", Set.of("endmacro"));
            next();
            if (cur().is(Type.NAME)) next(); // {% endmacro name %}
            expectBlockEnd();
            return new Ast.Macro(start.pos(), name, withUses(sigStub), b);
        } finally {
            loopDepth = savedLoopDepth;
            nameUses.pop();
        }
    }

    private Stmt parseCallBlock() {
        Token start = next();
        nameUses.push(new HashSet<>());
        int savedLoopDepth = loopDepth;
        try {
            Ast.Signature sigStub = cur().isOp("(") ? parseSignatureParams()
                    : new Ast.Signature(List.of(), List.of(), false, false, false);
            Expr call = parseExpression(true);
            if (!(call instanceof Ast.Call c)) throw fail("expected a macro call after 'call'", tokens.get(p - 1));
            expectBlockEnd();
            loopDepth = 0;
            List<Stmt> b = body("call", Set.of("endcall"));
            next();
            expectBlockEnd();
            return new Ast.CallBlock(start.pos(), c, withUses(sigStub), b);
        } finally {
            loopDepth = savedLoopDepth;
            nameUses.pop();
        }
    }

    private Ast.Signature withUses(Ast.Signature s) {
        Set<String> uses = nameUses.peek();
        return new Ast.Signature(s.params(), s.defaults(), uses.contains("varargs"), uses.contains("kwargs"),
                uses.contains("caller"));
    }

    private Ast.Signature parseSignatureParams() {
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        expectOp("(");
        while (!cur().isOp(")")) {
            if (!params.isEmpty()) expectOp(",");
            if (cur().isOp(")")) break;
            Token nt = cur();
            String pn = expectName();
            if (params.contains(pn)) throw fail("duplicate parameter '" + pn + "'", nt);
            params.add(pn);
            if (skipOp("=")) {
                defaults.add(parseExpression(true));
            } else {
                if (!defaults.isEmpty() && defaults.getLast() != null) {
                    throw fail("non-default argument follows default argument", nt);
                }
                defaults.add(null);
            }
        }
        expectOp(")");
        return new Ast.Signature(params, defaults, false, false, false);
    }

    private Stmt parseFilterBlock() {
        Token start = next();
        Ast.Filter filter = (Ast.Filter) parseFilter(null, true);
        expectBlockEnd();
        List<Stmt> b = body("filter", Set.of("endfilter"));
        next();
        expectBlockEnd();
        return new Ast.FilterBlock(start.pos(), filter, b);
    }

    private Stmt parseWith() {
        Token start = next();
        List<Expr> targets = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!cur().is(Type.BLOCK_END)) {
            if (!targets.isEmpty()) expectOp(",");
            targets.add(parseAssignTarget(Set.of(), false));
            expectOp("=");
            values.add(parseExpression(true));
        }
        expectBlockEnd();
        List<Stmt> b = body("with", Set.of("endwith"));
        next();
        expectBlockEnd();
        return new Ast.With(start.pos(), targets, values, b);
    }

    private Expr parseAssignTarget(Set<String> extraEnd, boolean withNamespace) {
        Token t = cur();
        if (withNamespace && t.is(Type.NAME) && look().isOp(".")) {
            next();
            next();
            String attr = expectName();
            return new Ast.NsRef(t.pos(), t.value(), attr);
        }
        Expr target = parseTuple(true, true, extraEnd, false);
        checkAssignable(target, t);
        return target;
    }

    private void checkAssignable(Expr target, Token at) {
        if (target instanceof Ast.Name n) {
            if (Set.of("true", "false", "none", "True", "False", "None").contains(n.name())) {
                throw fail("cannot assign to '" + n.name() + "'", at);
            }
            return;
        }
        if (target instanceof Ast.TupleLit tl) {
            for (Expr e : tl.items()) checkAssignable(e, at);
            return;
        }
        throw fail("cannot assign to " + describe(target), at);
    }

    private static String describe(Expr e) {
        return switch (e) {
            case Ast.Const c -> "a constant";
            case Ast.Call c -> "a call";
            case Ast.GetAttr g -> "an attribute (only namespace attributes can be assigned: set ns.attr = ...)";
            default -> "this expression";
        };
    }

    // ---- expressions ----

    private Expr parseExpression(boolean withCondexpr) {
        return withCondexpr ? parseCondexpr() : parseOr();
    }

    private Expr parseCondexpr() {
        Expr expr1 = parseOr();
        while (cur().isName("if")) {
            Token t = next();
            Expr expr2 = parseOr();
            Expr expr3 = null;
            if (skipName("else")) expr3 = parseCondexpr();
            expr1 = new Ast.CondExpr(t.pos(), expr2, expr1, expr3);
        }
        return expr1;
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (cur().isName("or")) {
            Token t = next();
            left = new Ast.Binary(t.pos(), "or", left, parseAnd());
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (cur().isName("and")) {
            Token t = next();
            left = new Ast.Binary(t.pos(), "and", left, parseNot());
        }
        return left;
    }

    private Expr parseNot() {
        if (cur().isName("not")) {
            Token t = next();
            return new Ast.Unary(t.pos(), "not", parseNot());
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        Token start = cur();
        Expr expr = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expr> rest = new ArrayList<>();
        while (true) {
            Token t = cur();
            if (t.is(Type.OP) && COMPARE_OPS.contains(t.value())) {
                next();
                ops.add(t.value());
            } else if (t.isName("in")) {
                next();
                ops.add("in");
            } else if (t.isName("not") && look().isName("in")) {
                next();
                next();
                ops.add("notin");
            } else {
                break;
            }
            rest.add(parseMath1());
        }
        return ops.isEmpty() ? expr : new Ast.Compare(start.pos(), expr, ops, rest);
    }

    private Expr parseMath1() {
        Expr left = parseConcat();
        while (cur().isOp("+") || cur().isOp("-")) {
            Token t = next();
            left = new Ast.Binary(t.pos(), t.value(), left, parseConcat());
        }
        return left;
    }

    private Expr parseConcat() {
        Token start = cur();
        List<Expr> parts = new ArrayList<>();
        parts.add(parseMath2());
        while (skipOp("~")) parts.add(parseMath2());
        return parts.size() == 1 ? parts.getFirst() : new Ast.Concat(start.pos(), parts);
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        while (cur().isOp("*") || cur().isOp("/") || cur().isOp("//") || cur().isOp("%")) {
            Token t = next();
            left = new Ast.Binary(t.pos(), t.value(), left, parsePow());
        }
        return left;
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        while (cur().isOp("**")) {
            Token t = next();
            left = new Ast.Binary(t.pos(), "**", left, parseUnary(true));
        }
        return left;
    }

    private Expr parseUnary(boolean withFilter) {
        Token t = cur();
        Expr node;
        if (t.isOp("-") || t.isOp("+")) {
            next();
            node = new Ast.Unary(t.pos(), t.value(), parseUnary(false));
        } else {
            node = parsePrimary();
        }
        node = parsePostfix(node);
        if (withFilter) node = parseFilterExpr(node);
        return node;
    }

    private Expr parsePrimary() {
        Token t = cur();
        switch (t.type()) {
            case NAME -> {
                next();
                return switch (t.value()) {
                    case "true", "True" -> new Ast.Const(t.pos(), Boolean.TRUE);
                    case "false", "False" -> new Ast.Const(t.pos(), Boolean.FALSE);
                    case "none", "None" -> new Ast.Const(t.pos(), null);
                    default -> {
                        if (!nameUses.isEmpty()) nameUses.peek().add(t.value());
                        yield new Ast.Name(t.pos(), t.value());
                    }
                };
            }
            case STRING -> {
                StringBuilder b = new StringBuilder();
                while (cur().is(Type.STRING)) b.append((String) next().literal());
                return new Ast.Const(t.pos(), b.toString());
            }
            case INT, FLOAT -> {
                next();
                return new Ast.Const(t.pos(), t.literal());
            }
            case OP -> {
                switch (t.value()) {
                    case "(" -> {
                        next();
                        Expr e = parseTuple(false, true, Set.of(), true);
                        expectOp(")");
                        return e;
                    }
                    case "[" -> {
                        return parseList();
                    }
                    case "{" -> {
                        return parseDict();
                    }
                    default -> {
                    }
                }
            }
            default -> {
            }
        }
        if (t.is(Type.EOF) || t.is(Type.VAR_END) || t.is(Type.BLOCK_END)) {
            throw fail("expected an expression, got " + t.describe(), t);
        }
        throw fail("unexpected " + t.describe(), t);
    }

    /**
     * Jinja's parse_tuple: a comma-separated expression list, a tuple if it has a comma.
     * {@code simplified} parses only primaries (assignment targets).
     */
    private Expr parseTuple(boolean simplified, boolean withCondexpr, Set<String> extraEnd, boolean explicitParens) {
        Token start = cur();
        List<Expr> args = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!args.isEmpty()) expectOp(",");
            if (isTupleEnd(extraEnd)) break;
            args.add(simplified ? parsePrimary() : parseExpression(withCondexpr));
            if (cur().isOp(",")) isTuple = true;
            else break;
        }
        if (!isTuple) {
            if (!args.isEmpty()) return args.getFirst();
            if (!explicitParens) throw fail("expected an expression, got " + cur().describe(), cur());
        }
        return new Ast.TupleLit(start.pos(), args);
    }

    private boolean isTupleEnd(Set<String> extraEnd) {
        Token t = cur();
        if (t.is(Type.VAR_END) || t.is(Type.BLOCK_END) || t.is(Type.EOF) || t.isOp(")")) return true;
        return t.is(Type.NAME) && extraEnd.contains(t.value());
    }

    private Expr parseList() {
        Token start = expectOp("[");
        List<Expr> items = new ArrayList<>();
        while (!cur().isOp("]")) {
            if (!items.isEmpty()) expectOp(",");
            if (cur().isOp("]")) break;
            items.add(parseExpression(true));
        }
        expectOp("]");
        return new Ast.ListLit(start.pos(), items);
    }

    private Expr parseDict() {
        Token start = expectOp("{");
        List<Expr> keys = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!cur().isOp("}")) {
            if (!keys.isEmpty()) expectOp(",");
            if (cur().isOp("}")) break;
            keys.add(parseExpression(true));
            expectOp(":");
            values.add(parseExpression(true));
        }
        expectOp("}");
        return new Ast.DictLit(start.pos(), keys, values);
    }

    private Expr parsePostfix(Expr node) {
        while (true) {
            Token t = cur();
            if (t.isOp(".") || t.isOp("[")) node = parseSubscript(node);
            else if (t.isOp("(")) node = parseCall(node);
            else return node;
        }
    }

    private Expr parseFilterExpr(Expr node) {
        while (true) {
            Token t = cur();
            if (t.isOp("|")) node = parseFilter(node, false);
            else if (t.isName("is")) node = parseTest(node);
            else if (t.isOp("(")) node = parseCall(node);
            else return node;
        }
    }

    private Expr parseSubscript(Expr node) {
        Token t = next();
        if (t.isOp(".")) {
            Token attr = next();
            if (attr.is(Type.NAME)) return new Ast.GetAttr(t.pos(), node, attr.value());
            if (attr.is(Type.INT)) return new Ast.GetItem(t.pos(), node, new Ast.Const(attr.pos(), attr.literal()));
            throw fail("expected name or number after '.', got " + attr.describe(), attr);
        }
        List<Expr> args = new ArrayList<>();
        while (!cur().isOp("]")) {
            if (!args.isEmpty()) {
                expectOp(",");
                if (cur().isOp("]")) break;
            }
            args.add(parseSubscribed());
        }
        expectOp("]");
        if (args.isEmpty()) throw fail("expected a subscript", t);
        Expr key = args.size() == 1 ? args.getFirst() : new Ast.TupleLit(t.pos(), args);
        return new Ast.GetItem(t.pos(), node, key);
    }

    private Expr parseSubscribed() {
        Token start = cur();
        Expr first;
        if (cur().isOp(":")) {
            next();
            first = null;
        } else {
            Expr e = parseExpression(true);
            if (!cur().isOp(":")) return e;
            next();
            first = e;
        }
        Expr stop = null;
        Expr step = null;
        if (!cur().isOp(":") && !cur().isOp("]") && !cur().isOp(",")) stop = parseExpression(true);
        if (skipOp(":")) {
            if (!cur().isOp("]") && !cur().isOp(",")) step = parseExpression(true);
        }
        return new Ast.Slice(start.pos(), first, stop, step);
    }

    private Expr parseCall(Expr node) {
        return new Ast.Call(node.pos(), node, parseCallArgs());
    }

    private Args parseCallArgs() {
        Token open = expectOp("(");
        List<Expr> positional = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        Expr starArgs = null;
        Expr starKwargs = null;
        boolean requireComma = false;
        while (!cur().isOp(")")) {
            if (requireComma) {
                expectOp(",");
                if (cur().isOp(")")) break;
            }
            Token t = cur();
            if (t.isOp("*")) {
                if (starArgs != null || starKwargs != null) throw fail("invalid syntax for function call expression", t);
                next();
                starArgs = parseExpression(true);
            } else if (t.isOp("**")) {
                if (starKwargs != null) throw fail("invalid syntax for function call expression", t);
                next();
                starKwargs = parseExpression(true);
            } else if (t.is(Type.NAME) && look().isOp("=")) {
                if (starKwargs != null) throw fail("invalid syntax for function call expression", t);
                next();
                next();
                if (names.contains(t.value())) throw fail("keyword argument repeated: " + t.value(), t);
                names.add(t.value());
                values.add(parseExpression(true));
            } else {
                if (starArgs != null || starKwargs != null || !names.isEmpty()) {
                    throw fail("positional argument follows keyword argument", t);
                }
                positional.add(parseExpression(true));
            }
            requireComma = true;
        }
        if (!cur().isOp(")")) throw fail("expected ')' to close the call opened here", open);
        next();
        return new Args(positional, names, values, starArgs, starKwargs);
    }

    private Expr parseFilter(Expr node, boolean startInline) {
        while (cur().isOp("|") || startInline) {
            if (!startInline) next();
            startInline = false;
            Token nameTok = cur();
            StringBuilder name = new StringBuilder(expectName());
            while (cur().isOp(".")) {
                next();
                name.append('.').append(expectName());
            }
            if (!Filters.exists(name.toString())) throw fail("no filter named '" + name + "'", nameTok);
            Args args = cur().isOp("(") ? parseCallArgs() : Args.NONE;
            node = new Ast.Filter(nameTok.pos(), node, name.toString(), args);
        }
        return node;
    }

    private Expr parseTest(Expr node) {
        Token is = next();
        boolean negated = skipName("not");
        Token nameTok = cur();
        StringBuilder name = new StringBuilder(expectName());
        while (cur().isOp(".")) {
            next();
            name.append('.').append(expectName());
        }
        if (!Tests.exists(name.toString())) throw fail("no test named '" + name + "'", nameTok);
        Args args = Args.NONE;
        Token t = cur();
        if (t.isOp("(")) {
            args = parseCallArgs();
        } else if ((t.is(Type.NAME) || t.is(Type.STRING) || t.is(Type.INT) || t.is(Type.FLOAT) || t.isOp("(")
                || t.isOp("[") || t.isOp("{")) && !t.isName("else") && !t.isName("or") && !t.isName("and")) {
            if (t.isName("is")) throw fail("you cannot chain multiple tests with is", t);
            Expr arg = parsePostfix(parsePrimary());
            args = new Args(List.of(arg), List.of(), List.of(), null, null);
        }
        Expr test = new Ast.Test(is.pos(), node, name.toString(), args);
        return negated ? new Ast.Unary(is.pos(), "not", test) : test;
    }
}
