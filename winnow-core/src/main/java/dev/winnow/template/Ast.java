package dev.winnow.template;

import java.util.List;

/** Template syntax tree. Every node keeps the source offset it starts at, for error messages. */
final class Ast {
    private Ast() {
    }

    interface Node {
        int pos();
    }

    // ---- statements ----

    sealed interface Stmt extends Node permits Text, Print, If, For, Set, SetBlock, Macro, CallBlock, FilterBlock,
            With, Break, Continue, Scoped {
    }

    record Text(int pos, String text) implements Stmt {
    }

    record Print(int pos, Expr expr) implements Stmt {
    }

    /** {@code elif} chains are nested Ifs in {@code orelse}. */
    record If(int pos, Expr test, List<Stmt> body, List<Stmt> orelse) implements Stmt {
    }

    record For(int pos, Expr target, Expr iter, Expr filter, List<Stmt> body, List<Stmt> orelse) implements Stmt {
    }

    record Set(int pos, Expr target, Expr value) implements Stmt {
    }

    /** {@code {% set x | filter %}body{% endset %}}; filter may be null. */
    record SetBlock(int pos, Expr target, Filter filter, List<Stmt> body) implements Stmt {
    }

    record Signature(List<String> params, List<Expr> defaults, boolean usesVarargs, boolean usesKwargs,
                     boolean usesCaller) {
    }

    record Macro(int pos, String name, Signature signature, List<Stmt> body) implements Stmt {
    }

    record CallBlock(int pos, Call call, Signature signature, List<Stmt> body) implements Stmt {
    }

    /** {@code {% filter f %}body{% endfilter %}}; the filter's operand is null (the body is). */
    record FilterBlock(int pos, Filter filter, List<Stmt> body) implements Stmt {
    }

    record With(int pos, List<Expr> targets, List<Expr> values, List<Stmt> body) implements Stmt {
    }

    record Break(int pos) implements Stmt {
    }

    record Continue(int pos) implements Stmt {
    }

    /** A body rendered in its own scope (HF's {@code {% generation %}} block). */
    record Scoped(int pos, List<Stmt> body) implements Stmt {
    }

    // ---- expressions ----

    sealed interface Expr extends Node permits Const, Name, NsRef, ListLit, TupleLit, DictLit, GetAttr, GetItem,
            Slice, Call, Filter, Test, Unary, Binary, Concat, Compare, CondExpr {
    }

    record Args(List<Expr> positional, List<String> names, List<Expr> values, Expr starArgs, Expr starKwargs) {
        static final Args NONE = new Args(List.of(), List.of(), List.of(), null, null);
    }

    record Const(int pos, Object value) implements Expr {
    }

    record Name(int pos, String name) implements Expr {
    }

    /** {@code ns.attr} as an assignment target. */
    record NsRef(int pos, String name, String attr) implements Expr {
    }

    record ListLit(int pos, List<Expr> items) implements Expr {
    }

    record TupleLit(int pos, List<Expr> items) implements Expr {
    }

    record DictLit(int pos, List<Expr> keys, List<Expr> values) implements Expr {
    }

    record GetAttr(int pos, Expr obj, String name) implements Expr {
    }

    record GetItem(int pos, Expr obj, Expr key) implements Expr {
    }

    /** Only as the key of a GetItem; null parts are omitted. */
    record Slice(int pos, Expr start, Expr stop, Expr step) implements Expr {
    }

    record Call(int pos, Expr fn, Args args) implements Expr {
    }

    /** operand is null inside filter blocks and set blocks. */
    record Filter(int pos, Expr operand, String name, Args args) implements Expr {
    }

    record Test(int pos, Expr operand, String name, Args args) implements Expr {
    }

    /** op: "-", "+", "not". */
    record Unary(int pos, String op, Expr operand) implements Expr {
    }

    /** op: "+", "-", "*", "/", "//", "%", "**", "and", "or". */
    record Binary(int pos, String op, Expr left, Expr right) implements Expr {
    }

    record Concat(int pos, List<Expr> parts) implements Expr {
    }

    /** ops: "==", "!=", "<", "<=", ">", ">=", "in", "notin". */
    record Compare(int pos, Expr first, List<String> ops, List<Expr> rest) implements Expr {
    }

    record CondExpr(int pos, Expr test, Expr then, Expr otherwise) implements Expr {
    }
}
