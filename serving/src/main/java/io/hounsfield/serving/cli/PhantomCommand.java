package io.hounsfield.serving.cli;

import io.hounsfield.core.io.nifti.NiftiWriter;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** {@code hounsfield phantom}: writes a CT-like phantom and its labels as NIfTI (for trying the tools, and for training the demo model). */
@Command(name = "phantom", description = "Write a CT-like phantom (image.nii.gz) and its labels (mask.nii.gz: 1 lesion, 2 liver).")
final class PhantomCommand implements Callable<Integer> {

    @Option(names = "--size", defaultValue = "standard",
            description = "standard (256×256×100, 1.4×1.4×2 mm), medium (128×128×50, 2.8×2.8×4 mm) or small (64×64×50). Default: ${DEFAULT-VALUE}.")
    String size;

    @Option(names = "--seed", defaultValue = "42", description = "Noise seed (and anatomy seed with --random-anatomy). Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--random-anatomy", description = "Move and scale the liver and the lesion by the seed (the standard anatomy otherwise).")
    boolean randomAnatomy;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder for image.nii.gz and mask.nii.gz.")
    Path out;

    @Override
    public Integer call() throws Exception {
        CtBody base = switch (size) {
            case "standard" -> CtBody.standard();
            case "medium" -> CtBody.medium();
            case "small" -> CtBody.small();
            default -> throw new IllegalArgumentException("--size must be standard, medium or small, got '" + size + "'");
        };
        CtBody body = base.with(seed, randomAnatomy ? CtBody.Anatomy.random(seed) : CtBody.Anatomy.STANDARD);
        Files.createDirectories(out);
        ExecutorService pool = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
        try (pool; Phantom p = Phantoms.ctBody(body, pool, ConsoleProgress.forStderr())) {
            NiftiWriter w = new NiftiWriter();
            w.write(p.image(), out.resolve("image.nii.gz"), ConsoleProgress.forStderr());
            w.write(p.mask().asVolume(), out.resolve("mask.nii.gz"), ConsoleProgress.forStderr());
        }
        return 0;
    }
}
