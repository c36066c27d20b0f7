package dev.winnow.eval.task;

import dev.winnow.eval.EvalException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A text a task reads: the built-in sample (short TinyStories-style stories, about 1,600
 * words, written for Winnow) or a UTF-8 file. Its name and SHA-256 go into the task's
 * parameters, so a changed file is a new sweep cell.
 */
public record TextSource(String name, String text) {
    /** The name of the built-in sample. */
    public static final String SAMPLE = "sample";

    /** RULER's noise haystack: one paragraph repeated. */
    public static final String NOISE = "The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.";

    public static TextSource sample() {
        try (InputStream in = TextSource.class.getResourceAsStream("/dev/winnow/eval/sample.txt")) {
            if (in == null) throw new IllegalStateException("built-in sample text missing from the jar");
            return new TextSource(SAMPLE, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** RULER's noise: the same five sentences over and over. */
    public static TextSource noise() {
        return new TextSource("noise", NOISE);
    }

    public static TextSource file(Path path) {
        try {
            String t = Files.readString(path, StandardCharsets.UTF_8);
            if (t.isBlank()) throw new EvalException(path + ": the text file is empty");
            return new TextSource(path.toString(), t);
        } catch (NoSuchFileException e) {
            throw new EvalException(path + ": no such file");
        } catch (java.nio.charset.MalformedInputException e) {
            throw new EvalException(path + ": not UTF-8 text");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code sample}, {@code noise}, or a file path. */
    public static TextSource of(String nameOrPath) {
        return switch (nameOrPath) {
            case SAMPLE -> sample();
            case "noise" -> noise();
            default -> file(Path.of(nameOrPath));
        };
    }

    public String sha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A short description for records: name and the first 12 hex digits of the SHA-256. */
    public String id() {
        return name + "@" + sha256().substring(0, 12);
    }

    /**
     * The text cut into sentences (at '.', '!' or '?' followed by a space or line break, and at
     * blank lines), whitespace collapsed; used as haystack filler.
     */
    public List<String> sentences() {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        String t = text.replace("\r", "");
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            cur.append(c);
            boolean end = (c == '.' || c == '!' || c == '?')
                    && (i + 1 == t.length() || Character.isWhitespace(t.charAt(i + 1)) || t.charAt(i + 1) == '"');
            if (end && i + 1 < t.length() && t.charAt(i + 1) == '"') {
                cur.append('"');
                i++;
            }
            boolean paragraph = c == '\n' && i + 1 < t.length() && t.charAt(i + 1) == '\n';
            if (end || paragraph) {
                String s = cur.toString().strip().replaceAll("\\s+", " ");
                if (!s.isEmpty()) out.add(s);
                cur.setLength(0);
            }
        }
        String s = cur.toString().strip().replaceAll("\\s+", " ");
        if (!s.isEmpty()) out.add(s);
        if (out.isEmpty()) throw new EvalException(name + ": no sentences in the text");
        return out;
    }
}
