package io.hounsfield.serving.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.hounsfield.core.io.VolumeFormatException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The top-level command: global options and the subcommands. */
@Command(name = "hounsfield",
        mixinStandardHelpOptions = true,
        versionProvider = HounsfieldCommand.Version.class,
        description = "Low-latency engine for CT and MRI volumes: preprocessing, IBSI radiomics, segmentation, serving.",
        subcommands = {InfoCommand.class, DemoCommand.class, AnalyzeCommand.class, ServeCommand.class, ClientCommand.class, PhantomCommand.class, ConvertCommand.class, DicomCommand.class, ExtractCommand.class, CommandLine.HelpCommand.class})
public final class HounsfieldCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "More log output: -v for Hounsfield's debug lines, -vv for every library's too.")
    void verbose(boolean[] flags) {
        Logger hounsfield = (Logger) LoggerFactory.getLogger("io.hounsfield");
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        hounsfield.setLevel(Level.DEBUG);
        if (flags.length > 1) {
            root.setLevel(Level.DEBUG);
        }
        verbosity = flags.length;
    }

    private int verbosity;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static CommandLine commandLine() {
        HounsfieldCommand root = new HounsfieldCommand();
        CommandLine cl = new CommandLine(root);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // Input problems are the user's to fix: one clear line. Anything else is our bug: show it all.
            boolean expected = e instanceof VolumeFormatException || e instanceof IOException
                    || e instanceof UncheckedIOException || e instanceof IllegalArgumentException;
            cmd.getErr().println("hounsfield " + cmd.getCommandName() + ": " + (expected ? e.getMessage() : e));
            if (!expected || root.verbosity > 0) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cl;
    }

    /** The version the build wrote into version.properties. */
    public static String version() {
        try (InputStream in = HounsfieldCommand.class.getResourceAsStream("/io/hounsfield/serving/version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"Hounsfield " + version(), "JDK " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
