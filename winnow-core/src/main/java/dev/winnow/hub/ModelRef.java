package dev.winnow.hub;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A model named as on the Hugging Face hub: {@code org/name}, optionally {@code :FILE} — a file
 * name ({@code model-Q4_K_M.gguf}) or a quantization tag ({@code Q4_K_M}) picking one of the
 * repository's GGUF files.
 *
 * @param repo {@code org/name}
 * @param selector the part after {@code :}, or null
 */
public record ModelRef(String repo, String selector) {
    private static final Pattern REPO = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*");

    /** Whether {@code s} has the form {@code org/name[:FILE]} (it may still name no pulled model). */
    public static boolean looksLike(String s) {
        int colon = s.indexOf(':');
        String repo = colon < 0 ? s : s.substring(0, colon);
        return REPO.matcher(repo).matches() && !repo.contains("..")
                && (colon < 0 || (colon < s.length() - 1 && s.indexOf('/', colon) < 0));
    }

    /** Parses {@code org/name[:FILE]}; a one-line error says what form was expected. */
    public static ModelRef parse(String s) {
        if (!looksLike(s)) {
            throw new IllegalArgumentException("'" + s + "' is not a model name of the form org/name or org/name:FILE "
                    + "(FILE a .gguf file name or a quantization such as Q4_K_M)");
        }
        int colon = s.indexOf(':');
        return colon < 0 ? new ModelRef(s, null) : new ModelRef(s.substring(0, colon), s.substring(colon + 1));
    }

    /** The hub cache folder of this repository: {@code models--org--name}. */
    public String folderName() {
        return "models--" + repo.replace("/", "--");
    }

    /** Whether the GGUF file {@code fileName} is the one {@link #selector()} asks for (any file without one). */
    public boolean selects(String fileName) {
        if (selector == null) return true;
        if (selector.equalsIgnoreCase(fileName)) return true;
        String base = fileName.contains("/") ? fileName.substring(fileName.lastIndexOf('/') + 1) : fileName;
        if (selector.equalsIgnoreCase(base)) return true;
        // A quantization tag: delimited by - . _ or the name's start, followed by . or - (Q4_K is not Q4_K_M).
        String f = base.toUpperCase(Locale.ROOT), q = selector.toUpperCase(Locale.ROOT);
        for (int i = f.indexOf(q); i >= 0; i = f.indexOf(q, i + 1)) {
            boolean before = i == 0 || "-._".indexOf(f.charAt(i - 1)) >= 0;
            int end = i + q.length();
            boolean after = end < f.length() && ".-".indexOf(f.charAt(end)) >= 0;
            if (before && after) return true;
        }
        return false;
    }

    @Override
    public String toString() {
        return selector == null ? repo : repo + ":" + selector;
    }
}
