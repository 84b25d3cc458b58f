package io.hounsfield.serving.cli;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.io.VolumeFormats;
import io.hounsfield.serving.api.inference.GRPCInferenceServiceGrpc;
import io.hounsfield.serving.api.inference.ModelInferRequest;
import io.hounsfield.serving.api.inference.ModelInferResponse;
import io.hounsfield.serving.api.v1.ExtractFeaturesRequest;
import io.hounsfield.serving.api.v1.Feature;
import io.hounsfield.serving.api.v1.FeatureResult;
import io.hounsfield.serving.api.v1.HounsfieldGrpc;
import io.hounsfield.serving.api.v1.ModelInfo;
import io.hounsfield.serving.api.v1.ReleaseVolumeRequest;
import io.hounsfield.serving.api.v1.VolumeHandle;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code hounsfield client analyze}: segment-then-extract on a Hounsfield server, to try one. */
@Command(name = "client", description = "Talk to a Hounsfield server.", subcommands = ClientCommand.Analyze.class)
final class ClientCommand {

    @Command(name = "analyze", mixinStandardHelpOptions = true,
            description = "Upload IMAGE, segment it on the server (KServe v2 ModelInfer), upload the mask, and extract the features of every "
                    + "label found (hounsfield.v1 ExtractFeatures): the files analyze writes, made remotely.")
    static final class Analyze implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "IMAGE", description = "A DICOM folder (or file) or a NIfTI image.")
        Path image;

        @Option(names = "--server", defaultValue = "127.0.0.1:50051", description = "host:port. Default: ${DEFAULT-VALUE}.")
        String server;

        @Option(names = "--model", description = "Segmentation model on the server (default: its first).")
        String model;

        @Option(names = "--out", defaultValue = "hounsfield-remote-analysis", description = "Output folder. Default: ${DEFAULT-VALUE}.")
        Path out;

        @Option(names = "--tls-ca", paramLabel = "PEM", description = "Trust this CA (PEM) and use TLS.")
        Path tlsCa;

        @Option(names = "--token-file", paramLabel = "FILE", description = "Send the first token of FILE as a bearer token.")
        Path tokenFile;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            String[] hp = server.split(":");
            NettyChannelBuilder cb = NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1])).maxInboundMessageSize(1 << 30);
            if (tlsCa != null) {
                cb.sslContext(GrpcSslContexts.forClient().trustManager(tlsCa.toFile()).build());
            } else {
                cb.usePlaintext();
            }
            ManagedChannel ch = cb.build();
            PrintWriter w = spec.commandLine().getOut();
            try (Volume img = VolumeFormats.sourceFor(image).read(image, ConsoleProgress.forStderr())) {
                CallCredentials creds = tokenFile == null ? null : io.hounsfield.serving.grpc.ClientSupport.bearer(Files.readAllLines(tokenFile).stream().map(String::strip)
                        .filter(l -> !l.isEmpty() && !l.startsWith("#")).findFirst().orElseThrow(() -> new IllegalArgumentException(tokenFile + " holds no token")));
                var v1 = HounsfieldGrpc.newBlockingStub(ch).withCallCredentials(creds);
                var v1async = HounsfieldGrpc.newStub(ch).withCallCredentials(creds);
                var kserve = GRPCInferenceServiceGrpc.newBlockingStub(ch).withCallCredentials(creds);
                long t0 = System.nanoTime();
                var caps = v1.withDeadlineAfter(60, TimeUnit.SECONDS).getCapabilities(io.hounsfield.serving.api.v1.GetCapabilitiesRequest.getDefaultInstance());
                ModelInfo m = caps.getModelsList().stream().filter(x -> model == null || x.getName().equals(model)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("the server has no model " + (model == null ? "" : "'" + model + "'")));
                w.printf(Locale.ROOT, "server %s: Hounsfield %s, model %s%n", server, caps.getEngineVersion(), m.getName());
                long t1 = System.nanoTime();
                VolumeHandle ih = io.hounsfield.serving.grpc.ClientSupport.upload(v1async, img, (int) caps.getLimits().getMaxChunkBytes(), false);
                w.printf(Locale.ROOT, "  %-24s %10.1f ms  %d bytes%n", "upload image", ms(t1), ih.getBytes());
                long t2 = System.nanoTime();
                try {
                    // The image is already on the server: ModelInfer names its handle instead of re-sending it.
                    ModelInferResponse seg = kserve.modelInfer(ModelInferRequest.newBuilder().setModelName(m.getName())
                            .putParameters("image_handle", io.hounsfield.serving.api.inference.InferParameter.newBuilder()
                                    .setStringParam(ih.getId()).build()).build());
                    w.printf(Locale.ROOT, "  %-24s %10.1f ms%n", "segment (ModelInfer)", ms(t2));
                    try (Volume mask = Volume.allocate(img.geometry(), VoxelType.UINT8)) {
                        MemorySegment.copy(MemorySegment.ofBuffer(seg.getRawOutputContents(0).asReadOnlyByteBuffer()), 0, mask.segment(), 0,
                                mask.voxelCount());
                        Files.createDirectories(out);
                        new io.hounsfield.core.io.nifti.NiftiWriter().write(mask, out.resolve("mask.nii.gz"), ConsoleProgress.forStderr());
                        VolumeHandle mh = io.hounsfield.serving.grpc.ClientSupport.upload(v1async, mask, (int) caps.getLimits().getMaxChunkBytes(), false);
                        for (int label = 1; label < m.getLabelsCount(); label++) {
                            long t3 = System.nanoTime();
                            try {
                                FeatureResult r = v1.extractFeatures(ExtractFeaturesRequest.newBuilder().setImage(ih.getId()).setMask(mh.getId())
                                        .setLabel(label).build());
                                Path f = out.resolve("features-" + m.getLabels(label) + ".csv");
                                Files.writeString(f, csv(r), StandardCharsets.UTF_8);
                                w.printf(Locale.ROOT, "  %-24s %10.1f ms  %d features -> %s%n", "features: " + m.getLabels(label), ms(t3),
                                        r.getFeaturesCount(), f);
                            } catch (io.grpc.StatusRuntimeException e) {
                                w.printf("  %-24s %s%n", "features: " + m.getLabels(label), e.getStatus().getDescription());
                            }
                        }
                        v1.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(mh.getId()).build());
                    }
                } finally {
                    v1.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(ih.getId()).build());
                }
                w.printf(Locale.ROOT, "  %-24s %10.1f ms%n", "total", ms(t0));
            } finally {
                ch.shutdownNow();
            }
            w.flush();
            return 0;
        }

        private static double ms(long t0) {
            return (System.nanoTime() - t0) / 1e6;
        }

        static String csv(FeatureResult r) {
            StringBuilder b = new StringBuilder("ibsi_code,family,name,aggregation,value,unit\n");
            for (Feature f : r.getFeaturesList()) {
                b.append(f.getIbsiCode()).append(',').append(q(f.getFamily())).append(',').append(q(f.getName())).append(',')
                        .append(q(f.getAggregation())).append(',').append(Double.isNaN(f.getValue()) ? "" : Double.toString(f.getValue())).append(',')
                        .append(q(f.getUnit())).append('\n');
            }
            return b.toString();
        }

        private static String q(String s) {
            return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
        }
    }
}
