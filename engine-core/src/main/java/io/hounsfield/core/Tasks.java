package io.hounsfield.core;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Joining the tasks an algorithm ran on its injected executor. */
public final class Tasks {

    private Tasks() {
    }

    /**
     * Waits for every task; if one failed, rethrows its own unchecked exception or error (not the
     * {@link CompletionException} wrapper), so callers see the failure as if it happened in their thread.
     */
    public static void joinAll(List<? extends CompletableFuture<?>> futures) {
        try {
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
