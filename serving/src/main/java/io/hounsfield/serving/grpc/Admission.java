package io.hounsfield.serving.grpc;

import io.grpc.Status;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounded concurrency with a bounded queue: up to {@code concurrent} requests run, up to {@code queue}
 * wait; beyond that a request is refused at once with {@code RESOURCE_EXHAUSTED}. Waiting honours the
 * request's deadline. Thread-safe.
 */
final class Admission {

    private final Semaphore running;
    private final int concurrent;
    private final int queue;
    private final AtomicInteger waiting = new AtomicInteger();

    Admission(int concurrent, int queue) {
        this.running = new Semaphore(concurrent, true);
        this.concurrent = concurrent;
        this.queue = queue;
    }

    /** A permit to run; close it when done. */
    interface Permit extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * @param timeoutNanos how long the request may wait (its remaining deadline; Long.MAX_VALUE for none)
     * @throws io.grpc.StatusRuntimeException RESOURCE_EXHAUSTED when the queue is full, DEADLINE_EXCEEDED
     *                                        or CANCELLED when the wait ends first
     */
    Permit enter(long timeoutNanos) {
        if (running.tryAcquire()) {
            return running::release;
        }
        if (waiting.incrementAndGet() > queue) {
            waiting.decrementAndGet();
            throw Status.RESOURCE_EXHAUSTED.withDescription("the server is busy: " + (queue == 0 ? "no queue" : "its queue of " + queue + " is full")
                    + "; retry later").asRuntimeException();
        }
        try {
            if (!running.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
                throw Status.DEADLINE_EXCEEDED.withDescription("the deadline passed while the request was queued").asRuntimeException();
            }
            return running::release;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Status.CANCELLED.withDescription("interrupted while queued").asRuntimeException();
        } finally {
            waiting.decrementAndGet();
        }
    }

    /** How many requests may compute at once. */
    int concurrency() {
        return concurrent;
    }

    /** Requests holding a permit now. */
    int running() {
        return concurrent - running.availablePermits();
    }

    int queued() {
        return waiting.get();
    }
}
