package io.hounsfield.serving.cli;

import picocli.CommandLine;

/** {@code hounsfield}: the command line. Exit codes: 0 success, 1 failure, 2 usage error. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs a command line without exiting. */
    public static int run(String... args) {
        return HounsfieldCommand.commandLine().execute(args);
    }

    /** Runs a command line with its output and error text sent to the given writers (tests call this). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cl = HounsfieldCommand.commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl.execute(args);
    }
}
