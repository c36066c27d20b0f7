package dev.winnow;

import dev.winnow.model.Model;
import java.util.HashMap;
import java.util.Map;

/** Shared models of a test class, loaded once by file name and closed after the class ({@link #close()}). */
public final class TestModels implements AutoCloseable {
    private final Map<String, Model> models = new HashMap<>();

    /** The model {@code models/FILE} of the shared data (the test is skipped when it is missing). */
    public Model get(String file) {
        return models.computeIfAbsent(file, f -> Model.load(SharedData.path("models/" + f)));
    }

    @Override
    public void close() {
        models.values().forEach(Model::close);
        models.clear();
    }
}
