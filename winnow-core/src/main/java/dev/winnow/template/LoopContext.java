package dev.winnow.template;

import java.util.List;
import java.util.Map;

/** The {@code loop} variable inside a for loop. */
final class LoopContext {
    final List<Object> items;
    int index;
    private Object lastChanged = Py.MISSING;

    LoopContext(List<Object> items) {
        this.items = items;
    }

    Object attr(String name) {
        int n = items.size();
        return switch (name) {
            case "index" -> (long) index + 1;
            case "index0" -> (long) index;
            case "revindex" -> (long) (n - index);
            case "revindex0" -> (long) (n - index - 1);
            case "first" -> index == 0;
            case "last" -> index == n - 1;
            case "length" -> (long) n;
            case "depth" -> 1L;
            case "depth0" -> 0L;
            case "previtem" -> index > 0 ? items.get(index - 1) : new Undefined("there is no previous item");
            case "nextitem" -> index < n - 1 ? items.get(index + 1) : new Undefined("there is no next item");
            case "cycle" -> new Fn("loop.cycle", (in, args, kw) -> {
                if (args.isEmpty()) throw new JinjaError("no items for cycling given");
                return args.get(index % args.size());
            });
            case "changed" -> new Fn("loop.changed", (in, args, kw) -> {
                Object v = args.size() == 1 ? args.getFirst() : PyTuple.of(args);
                boolean changed = lastChanged == Py.MISSING || !Py.eq(lastChanged, v);
                lastChanged = v;
                return changed;
            });
            default -> new Undefined("'LoopContext object' has no attribute '" + name + "'");
        };
    }

    interface Body {
        Object call(Interpreter in, List<Object> args, Map<String, Object> kwargs);
    }

    /** A simple named callable. */
    record Fn(String name, Body body) implements JinjaCallable {
        @Override
        public Object call(Interpreter in, List<Object> args, Map<String, Object> kwargs) {
            return body.call(in, args, kwargs);
        }
    }
}
