package io.hounsfield.core.dicom;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Native (uncompressed) pixel data to stored values (PS3.5 §8.1). */
final class NativePixels {

    private NativePixels() {
    }

    static int[][] decode(byte[] bytes, PixelDescription pd, ByteOrder order) {
        int n = pd.pixelsPerFrame();
        int[][] frames = new int[pd.frames()][n];
        ByteBuffer b = ByteBuffer.wrap(bytes).order(order);
        int bpp = pd.bitsAllocated() / 8;
        for (int f = 0; f < frames.length; f++) {
            int[] out = frames[f];
            int base = (int) (f * pd.frameBytes());
            switch (bpp) {
                case 1 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = pd.value(bytes[base + i] & 0xFF);
                    }
                }
                case 2 -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = pd.value(b.getShort(base + 2 * i) & 0xFFFF);
                    }
                }
                default -> {
                    for (int i = 0; i < n; i++) {
                        out[i] = pd.value(b.getInt(base + 4 * i) & 0xFFFFFFFFL);
                    }
                }
            }
        }
        return frames;
    }
}
