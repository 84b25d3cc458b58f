package io.hounsfield.testvolumes;

import io.hounsfield.core.Mask;
import io.hounsfield.core.Volume;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * A synthetic image, its label mask on the same grid, and the analytic truth of each label. Owns both
 * volumes; close it when done.
 */
public record Phantom(String name, Volume image, Mask mask, List<RoiTruth> truths) implements AutoCloseable {

    public Phantom {
        truths = List.copyOf(truths);
    }

    /** @throws NoSuchElementException if the phantom has no such label */
    public RoiTruth truth(int label) {
        return truths.stream().filter(t -> t.label() == label).findFirst()
                .orElseThrow(() -> new NoSuchElementException(name + " has no label " + label));
    }

    @Override
    public void close() {
        try (mask) {
            image.close();
        }
    }
}
