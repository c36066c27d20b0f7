package dev.winnow.template;

import java.util.List;
import java.util.Map;

/** Something a template can call: a global function, a macro or a bound method. */
interface JinjaCallable {
    Object call(Interpreter in, List<Object> args, Map<String, Object> kwargs);

    /** Name for messages. */
    String name();
}
