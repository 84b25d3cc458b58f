package io.hounsfield.core.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a backend did for one request, for the request's result: device time per operation (measured with
 * device events) and every operation that ran on the CPU instead of the device, with the reason. A caller
 * binds one to {@link #CURRENT} around its work (and in every thread it starts); a backend records into the
 * bound one, if any. Thread-safe.
 */
public final class BackendEvents {

    /** The request's events, where a caller bound them. */
    public static final ScopedValue<BackendEvents> CURRENT = ScopedValue.newInstance();

    private final Map<String, Double> deviceMs = new TreeMap<>();
    private final Map<String, Integer> fallbacks = new TreeMap<>();

    /** Records {@code ms} of device time for operation {@code op}. */
    public synchronized void device(String op, double ms) {
        deviceMs.merge(op, ms, Double::sum);
    }

    /** Records that operation {@code op} ran on the CPU, and why. */
    public synchronized void fallback(String op, String why) {
        fallbacks.merge(op + " ran on the CPU: " + why, 1, Integer::sum);
    }

    /** Device milliseconds per operation, by name. */
    public synchronized Map<String, Double> deviceTimings() {
        return new TreeMap<>(deviceMs);
    }

    /** One line per kind of fallback, with how often it happened. */
    public synchronized List<String> notes() {
        List<String> out = new ArrayList<>();
        fallbacks.forEach((what, n) -> out.add(n == 1 ? what : what + " (" + n + " times)"));
        return out;
    }

    /** Records into the bound events, if any. */
    static void deviceTime(String op, double ms) {
        if (CURRENT.isBound()) {
            CURRENT.get().device(op, ms);
        }
    }

    static void cpuInstead(String op, String why) {
        if (CURRENT.isBound()) {
            CURRENT.get().fallback(op, why);
        }
    }
}
