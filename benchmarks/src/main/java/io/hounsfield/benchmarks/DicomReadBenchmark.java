package io.hounsfield.benchmarks;

import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.dicom.DicomSeriesReader;
import io.hounsfield.core.dicom.DicomVolume;
import io.hounsfield.core.dicom.StackAssembler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Reading a whole DICOM series into a volume (scan, parse headers, decode, assemble), per encoding and
 * thread count. The series come from benchmarks/scripts/make-dicom-series.py (a CT-like phantom of
 * 512×512×64 int16 slices written by pydicom, transcoded by dcmtk); their folder is the "data" system
 * property. MB/s = 32 MiB of decoded pixels per operation ÷ the time per operation.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow"})
public class DicomReadBenchmark {

    /** Subfolder of the data folder: the encoding. */
    @Param({"native", "jpeg-lossless-sv1", "rle"})
    public String encoding;

    /** Threads that parse and decode files. */
    @Param({"1", "all"})
    public String threads;

    private ExecutorService pool;
    private Path dir;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        Path data = Path.of(System.getProperty("data", "benchmarks/data/dicom"));
        dir = data.resolve(encoding);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(dir + " is missing: run benchmarks/scripts/make-dicom-series.py first");
        }
        int n = "all".equals(threads) ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads);
        pool = Executors.newFixedThreadPool(n);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.shutdownNow();
    }

    @Benchmark
    public long readSeries() throws IOException {
        try (DicomVolume v = new DicomSeriesReader(pool, null, StackAssembler.Options.STRICT).readSeries(dir, ProgressListener.NONE)) {
            return v.volume().voxelCount();
        }
    }
}
