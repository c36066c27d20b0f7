package dev.winnow.langchain4j;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** The shared stories260K model ({@code winnow.shared}, Maven sets it); tests skip when it is absent. */
final class Stories {
    private Stories() {
    }

    static Path model(String name) {
        String root = System.getProperty("winnow.shared", "../../shared");
        Path p = Path.of(root, "models", name).toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isRegularFile(p), "shared model missing: " + p);
        return p;
    }

    static Path stories() {
        return model("stories260K.gguf");
    }
}
