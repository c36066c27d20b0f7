package dev.winnow.eval.task;

import java.util.List;
import java.util.Map;

/**
 * One generation item of a text task: a prompt (the user's text and the prefix of the answer),
 * reference answers, and labels for grouping results (length, depth, …).
 *
 * @param id stable id (e.g. {@code L512-d0.25-r1})
 * @param labels grouping labels recorded with the item's result
 * @param user the prompt text (context and question)
 * @param answerPrefix text the answer starts with (written after the question or chat header), may be empty
 * @param answers reference answers
 */
public record GenerationItem(String id, Map<String, Object> labels, String user, String answerPrefix, List<String> answers) {
    public GenerationItem {
        labels = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labels));
        answers = List.copyOf(answers);
        if (answers.isEmpty()) throw new IllegalArgumentException(id + ": no reference answers");
    }
}
