package dev.winnow.cli.docs;

import dev.winnow.eval.report.Report;
import dev.winnow.eval.sweep.ResultsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Regenerates the generated parts of the docs from the result files committed beside them, so
 * the docs cannot go stale: in {@code README.md} and {@code docs/*.md},
 * <pre>
 * &lt;!-- table: KIND SOURCE… [key=value…] --&gt;
 * (generated table)
 * &lt;!-- end table --&gt;
 * </pre>
 * is replaced by {@link Tables} of that kind computed from the sources (paths relative to the
 * project root), and a line {@code <!-- report: DIR SOURCE… -->} regenerates the report
 * directory DIR (HTML, Markdown, CSV and the SVG charts the docs show) from its sources.
 * {@link #check} computes the same without writing and lists what differs.
 */
public final class DocTables {
    static final String TABLE = "<!-- table:";
    static final String END = "<!-- end table -->";
    static final String REPORT = "<!-- report:";

    private final Path root;

    public DocTables(Path root) {
        this.root = root;
    }

    /** The Markdown files that may hold markers: README.md and docs/*.md. */
    List<Path> docs() {
        List<Path> out = new ArrayList<>();
        Path readme = root.resolve("README.md");
        if (Files.isRegularFile(readme)) out.add(readme);
        try (Stream<Path> s = Files.list(root.resolve("docs"))) {
            s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(out::add);
        } catch (IOException e) {
            throw new DocsException(root.resolve("docs") + ": cannot list (" + e.getMessage() + ")");
        }
        return out;
    }

    /** Rewrites every marked table and report; returns the files changed (relative to the root). */
    public List<String> write() {
        List<String> changed = new ArrayList<>();
        for (Path doc : docs()) {
            String old = read(doc);
            String now = render(doc, old);
            if (!now.equals(old)) {
                writeString(doc, now);
                changed.add(root.relativize(doc).toString());
            }
        }
        for (Map.Entry<Path, List<Path>> r : reports().entrySet()) {
            for (Path p : Report.write(ResultsFile.readAll(r.getValue()), r.getKey())) {
                changed.add(root.relativize(p).toString());
            }
        }
        return changed;
    }

    /** What {@link #write} would change: one line per stale table or report file; empty when the docs are current. */
    public List<String> check() {
        List<String> stale = new ArrayList<>();
        for (Path doc : docs()) {
            String old = read(doc);
            List<String> oldBlocks = blocks(old), newBlocks = blocks(render(doc, old));
            for (int i = 0; i < oldBlocks.size(); i++) {
                if (!oldBlocks.get(i).equals(newBlocks.get(i))) {
                    stale.add(root.relativize(doc) + ": table " + (i + 1) + " (" + firstLine(oldBlocks.get(i))
                            + ") differs from what its sources give");
                }
            }
        }
        for (Map.Entry<Path, List<Path>> r : reports().entrySet()) {
            Path tmp;
            try {
                tmp = Files.createTempDirectory("winnow-report");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                for (Path p : Report.write(ResultsFile.readAll(r.getValue()), tmp)) {
                    Path committed = r.getKey().resolve(tmp.relativize(p).toString());
                    if (!Files.isRegularFile(committed) || !Arrays.equals(bytes(p), bytes(committed))) {
                        stale.add(root.relativize(committed) + ": differs from the report of its sources");
                    }
                }
            } finally {
                deleteTree(tmp);
            }
        }
        return stale;
    }

    /** The document with every table block regenerated. */
    String render(Path doc, String text) {
        String[] lines = text.split("\n", -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            out.append(line);
            if (i < lines.length - 1) out.append('\n');
            if (!line.strip().startsWith(TABLE)) continue;
            String where = root.relativize(doc) + ":" + (i + 1);
            int end = i + 1;
            while (end < lines.length && !lines[end].strip().equals(END)) end++;
            if (end == lines.length) throw new DocsException(where + ": '" + line.strip() + "' has no '" + END + "' after it");
            List<String> args = args(line, TABLE, where);
            List<Path> sources = new ArrayList<>();
            Map<String, String> options = new LinkedHashMap<>();
            for (String a : args.subList(1, args.size())) {
                int eq = a.indexOf('=');
                if (eq > 0) options.put(a.substring(0, eq), a.substring(eq + 1));
                else sources.add(root.resolve(a));
            }
            out.append(Tables.generate(args.getFirst(), sources, options, where));
            i = end - 1; // the end marker is appended next
        }
        return out.toString();
    }

    /** Report directories and their sources, from every {@code <!-- report: … -->} line. */
    Map<Path, List<Path>> reports() {
        Map<Path, List<Path>> out = new LinkedHashMap<>();
        for (Path doc : docs()) {
            String[] lines = read(doc).split("\n", -1);
            for (int i = 0; i < lines.length; i++) {
                if (!lines[i].strip().startsWith(REPORT)) continue;
                String where = root.relativize(doc) + ":" + (i + 1);
                List<String> args = args(lines[i], REPORT, where);
                if (args.size() < 2) throw new DocsException(where + ": a report marker needs a directory and source files");
                List<Path> sources = args.subList(1, args.size()).stream().map(root::resolve).toList();
                for (Path p : sources) {
                    if (!Files.isRegularFile(p)) throw new DocsException(where + ": source " + p + " does not exist");
                }
                out.put(root.resolve(args.getFirst()), sources);
            }
        }
        return out;
    }

    private static List<String> args(String line, String marker, String where) {
        String s = line.strip();
        if (!s.endsWith("-->")) throw new DocsException(where + ": a marker must end with '-->' on the same line");
        String body = s.substring(marker.length(), s.length() - 3).strip();
        if (body.isEmpty()) throw new DocsException(where + ": empty marker; expected '" + marker + " KIND SOURCE… -->'");
        return List.of(body.split("\\s+"));
    }

    /** The generated blocks of a document (the marker line and what follows up to the end marker). */
    private static List<String> blocks(String text) {
        List<String> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].strip().startsWith(TABLE)) continue;
            StringBuilder b = new StringBuilder();
            int j = i;
            for (; j < lines.length && !lines[j].strip().equals(END); j++) b.append(lines[j]).append('\n');
            out.add(b.toString());
            i = j;
        }
        return out;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).strip();
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new DocsException(p + ": cannot read (" + e.getMessage() + ")");
        }
    }

    private static void writeString(Path p, String s) {
        try {
            Files.writeString(p, s);
        } catch (IOException e) {
            throw new DocsException(p + ": cannot write (" + e.getMessage() + ")");
        }
    }

    private static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary directory left behind is harmless
        }
    }
}
