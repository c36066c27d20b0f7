package dev.winnow.generate;

/** Receives generated text as it becomes available (complete UTF-8 characters only). */
@FunctionalInterface
public interface TokenListener {
    void onText(String text);

    TokenListener NONE = text -> { };
}
