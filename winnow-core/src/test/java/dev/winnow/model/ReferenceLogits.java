package dev.winnow.model;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads llama.cpp reference logits ([rows][vocab] float32 little-endian) and compares rows. */
public final class ReferenceLogits {
    private ReferenceLogits() {
    }

    public static float[][] read(Path file, int vocab) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        int rows = b.remaining() / 4 / vocab;
        float[][] out = new float[rows][vocab];
        for (int r = 0; r < rows; r++) for (int i = 0; i < vocab; i++) out[r][i] = b.getFloat();
        return out;
    }

    /** ||a - b|| / ||b||. */
    public static double relativeL2(float[] a, float[] b) {
        double num = 0, den = 0;
        for (int i = 0; i < b.length; i++) {
            double d = a[i] - b[i];
            num += d * d;
            den += (double) b[i] * b[i];
        }
        return Math.sqrt(num / den);
    }

    public static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
