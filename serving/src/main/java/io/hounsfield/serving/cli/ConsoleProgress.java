package io.hounsfield.serving.cli;

import io.hounsfield.core.ProgressListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;

/**
 * Shows progress as a redrawn bar on a terminal, and as a few plain log lines (every 25 %, for
 * operations running longer than a second) when stderr goes to a file or pipe, so logs stay readable.
 */
final class ConsoleProgress implements ProgressListener {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleProgress.class);
    private static final int WIDTH = 30;

    private final PrintStream out;
    private final boolean terminal;
    private String task;
    private int lastShown = -1;
    private long lastDrawNanos;
    private long taskStartNanos;
    private boolean logged;

    private ConsoleProgress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    /** A bar on stderr if it is a terminal, else log lines. */
    static ConsoleProgress forStderr() {
        java.io.Console c = System.console();
        return new ConsoleProgress(System.err, c != null && c.isTerminal());
    }

    static ConsoleProgress plain() {
        return new ConsoleProgress(System.err, false);
    }

    @Override
    public synchronized void update(String name, long done, long total) {
        if (!name.equals(task)) {
            task = name;
            lastShown = -1;
            taskStartNanos = System.nanoTime();
            logged = false;
        }
        int pct = total <= 0 ? 100 : (int) Math.min(100, done * 100 / total);
        if (terminal) {
            long now = System.nanoTime();
            if (pct != lastShown && (now - lastDrawNanos > 50_000_000L || pct == 100)) {
                int filled = pct * WIDTH / 100;
                out.print("\r  " + name + " [" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + pct + "%");
                if (pct == 100) {
                    out.println();
                }
                out.flush();
                lastShown = pct;
                lastDrawNanos = now;
            }
        } else {
            // Log lines only for operations that last (over a second so far), at each quarter and at the end.
            boolean slow = System.nanoTime() - taskStartNanos > 1_000_000_000L;
            boolean newQuarter = pct / 25 > Math.max(lastShown, 0) / 25;
            if ((slow && newQuarter) || (pct == 100 && logged && lastShown < 100)) {
                LOG.info("{}: {}%", name, pct);
                logged = true;
            }
            lastShown = pct;
        }
    }
}
