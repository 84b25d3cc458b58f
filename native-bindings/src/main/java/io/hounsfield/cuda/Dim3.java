package io.hounsfield.cuda;

/** A launch grid or block size; every dimension ≥ 1. */
public record Dim3(int x, int y, int z) {

    public Dim3 {
        if (x < 1 || y < 1 || z < 1) {
            throw new IllegalArgumentException("launch dimensions must be >= 1, got " + x + "x" + y + "x" + z);
        }
    }

    public static Dim3 of(int x) {
        return new Dim3(x, 1, 1);
    }

    /** Blocks of {@code block} threads covering {@code n} items. */
    public static Dim3 cover(long n, int block) {
        long blocks = (n + block - 1) / block;
        if (blocks > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(n + " items need more than 2^31 blocks of " + block);
        }
        return new Dim3((int) Math.max(1, blocks), 1, 1);
    }

    int[] toArray() {
        return new int[] {x, y, z};
    }
}
