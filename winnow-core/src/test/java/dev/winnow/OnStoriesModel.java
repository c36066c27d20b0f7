package dev.winnow;

import dev.winnow.model.Model;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the test classes that run the real stories260K model: loaded once before the class's
 * tests (skipped with a message when ../shared is missing), closed after them. A subclass's own
 * {@code @BeforeAll} runs after this one, with {@link #model} set.
 */
public abstract class OnStoriesModel {
    protected static Model model;

    @BeforeAll
    static void loadStoriesModel() {
        model = Model.load(SharedData.path("models/stories260K.gguf"));
    }

    @AfterAll
    static void closeStoriesModel() {
        if (model != null) model.close();
        model = null;
    }
}
