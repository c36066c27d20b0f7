package dev.winnow.kv;

/** Rotates a key (one head vector) by a position difference: RoPE composes additively. */
@FunctionalInterface
public interface KeyRotation {
    void rotate(float[] key, int offset, int positionDelta);
}
