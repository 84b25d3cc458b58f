package io.hounsfield.serving.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Volume;
import io.hounsfield.core.io.VolumeFormats;
import io.hounsfield.radiomics.FeatureSet;
import io.hounsfield.radiomics.ParameterFile;
import io.hounsfield.radiomics.RadiomicsSettings;
import io.hounsfield.segmentation.OnnxModel;
import io.hounsfield.segmentation.Segmenter;
import io.hounsfield.serving.api.v1.Accepted;
import io.hounsfield.serving.api.v1.AnalyzeEvent;
import io.hounsfield.serving.api.v1.AnalyzeHeader;
import io.hounsfield.serving.api.v1.AnalyzeRequest;
import io.hounsfield.serving.api.v1.AnalyzeResult;
import io.hounsfield.serving.api.v1.InputChunk;
import io.hounsfield.serving.api.v1.LabelFeatures;
import io.hounsfield.serving.api.v1.Progress;
import io.hounsfield.serving.api.v1.VolumeHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * One {@code Analyze} call: the header, the input chunks (written to a private temporary folder, or for
 * RAW straight into an off-heap volume; every byte counted against the upload budget), then — when the
 * client half-closes — the analysis under admission control, with an accepted event, a progress event
 * per stage and the result. Whatever happens, the temporary files, volumes and reservations go.
 */
final class AnalyzeCall implements StreamObserver<AnalyzeRequest> {

    private static final Logger LOG = LoggerFactory.getLogger(AnalyzeCall.class);

    private final HounsfieldService service;
    private final StreamObserver<AnalyzeEvent> out;
    private AnalyzeHeader header;
    private Path dir;
    private final Map<String, OutputStream> files = new HashMap<>();
    private final Map<String, Path> paths = new HashMap<>();
    private final Map<Path, String> clientNames = new HashMap<>();
    private final Volume[] raw = new Volume[2];
    private final long[] rawReceived = new long[2];
    private long reserved, received;
    private boolean failed;

    AnalyzeCall(HounsfieldService service, StreamObserver<AnalyzeEvent> out) {
        this.service = service;
        this.out = out;
    }

    private void fail(Status s) {
        if (!failed) {
            failed = true;
            cleanup();
            out.onError(s.asRuntimeException());
        }
    }

    @Override
    public void onNext(AnalyzeRequest r) {
        if (failed) {
            return;
        }
        try {
            if (r.hasHeader()) {
                if (header != null) {
                    throw new IllegalArgumentException("a second header in one Analyze call");
                }
                start(r.getHeader());
            } else if (r.hasChunk()) {
                if (header == null) {
                    throw new IllegalArgumentException("a chunk before the header: send the header first");
                }
                chunk(r.getChunk());
            } else {
                throw new IllegalArgumentException("an empty Analyze message");
            }
        } catch (StatusRuntimeException e) {
            fail(e.getStatus());
        } catch (IllegalArgumentException e) {
            fail(Status.INVALID_ARGUMENT.withDescription(e.getMessage()));
        } catch (IOException e) {
            LOG.error("Analyze: spooling input failed", e);
            fail(Status.INTERNAL.withDescription("the server could not store the input: " + e.getMessage()));
        }
    }

    private void start(AnalyzeHeader h) throws IOException {
        if (h.getTask() == AnalyzeHeader.Task.TASK_UNSPECIFIED || h.getInput() == AnalyzeHeader.InputKind.INPUT_KIND_UNSPECIFIED) {
            throw new IllegalArgumentException("the header must name the task and the input kind");
        }
        service.backendFor(h.getBackend()); // a preference the server cannot meet fails before any upload
        header = h;
        if (h.getInput() == AnalyzeHeader.InputKind.RAW) {
            VolumeHeader image = VolumeHeader.newBuilder().setGeometry(h.getGeometry()).setType(h.getType()).build();
            raw[0] = allocate(image);
            if (h.getTask() == AnalyzeHeader.Task.FEATURES) {
                raw[1] = allocate(VolumeHeader.newBuilder().setGeometry(h.getGeometry())
                        .setType(io.hounsfield.serving.api.v1.VoxelType.UINT8).build());
            }
        } else {
            dir = Files.createTempDirectory("hounsfield-analyze");
        }
    }

    private Volume allocate(VolumeHeader h) {
        io.hounsfield.core.Geometry geometry = ProtoTypes.geometry(h.getGeometry());
        io.hounsfield.core.VoxelType type = ProtoTypes.voxelType(h.getType());
        reserve(geometry.extent().voxelCount() * type.bytes());
        return Volume.allocate(geometry, type);
    }

    private void reserve(long bytes) {
        if (!service.store().reserve(bytes)) {
            throw Status.RESOURCE_EXHAUSTED.withDescription("the input exceeds the server's upload budget (" + service.store().reservedBytes()
                    + " of " + service.store().budget() + " bytes in use)").asRuntimeException();
        }
        reserved += bytes;
    }

    private void chunk(InputChunk c) throws IOException {
        int input = c.getInput();
        if (input < 0 || input > 1 || input == 1 && header.getTask() != AnalyzeHeader.Task.FEATURES) {
            throw new IllegalArgumentException("chunk for input " + input + ": 0 is the image, 1 the mask (FEATURES only)");
        }
        received += c.getData().size();
        if (header.getInput() == AnalyzeHeader.InputKind.RAW) {
            Volume v = raw[input];
            long at = rawReceived[input];
            if (at + c.getData().size() > v.segment().byteSize()) {
                throw new IllegalArgumentException("input " + input + " holds more than its geometry's " + v.segment().byteSize() + " bytes");
            }
            java.lang.foreign.MemorySegment.copy(java.lang.foreign.MemorySegment.ofBuffer(c.getData().asReadOnlyByteBuffer()), 0, v.segment(), at,
                    c.getData().size());
            rawReceived[input] += c.getData().size();
            return;
        }
        reserve(c.getData().size());
        String key = input + "/" + c.getFile();
        OutputStream o = files.get(key);
        if (o == null) {
            // The image: DICOM files (one spooled file each) or one NIfTI file; the mask (FEATURES): one NIfTI file.
            boolean nifti = header.getInput() == AnalyzeHeader.InputKind.NIFTI || input == 1;
            if (nifti && paths.containsKey(String.valueOf(input))) {
                throw new IllegalArgumentException((input == 0 ? "the image" : "the mask") + " comes as one NIfTI file; got a second ('"
                        + c.getFile() + "')");
            }
            if (nifti && !c.getFile().endsWith(".nii") && !c.getFile().endsWith(".nii.gz")) {
                throw new IllegalArgumentException((input == 0 ? "the image" : "the mask") + " must be a NIfTI file named .nii or .nii.gz; got '"
                        + c.getFile() + "'");
            }
            Path d = Files.createDirectories(dir.resolve("input" + input));
            String name = nifti ? (c.getFile().endsWith(".nii") ? "volume.nii" : "volume.nii.gz") : String.format("part-%06d.dcm", files.size());
            Path p = d.resolve(name);
            o = Files.newOutputStream(p);
            files.put(key, o);
            clientNames.put(p, c.getFile().isEmpty() ? "(unnamed file)" : c.getFile());
            paths.put(String.valueOf(input), nifti ? p : d);
        }
        c.getData().writeTo(o);
    }

    @Override
    public void onError(Throwable t) {
        cleanup(); // the client went away: nothing stays behind
    }

    @Override
    public void onCompleted() {
        if (failed) {
            return;
        }
        if (header == null) {
            fail(Status.INVALID_ARGUMENT.withDescription("an Analyze call without a header"));
            return;
        }
        AnalyzeResult result;
        try (Admission.Permit ignored = service.admission().enter(HounsfieldService.remaining())) {
            for (OutputStream o : files.values()) {
                o.close();
            }
            out.onNext(AnalyzeEvent.newBuilder().setAccepted(Accepted.newBuilder().setBytesReceived(received)).build());
            result = run();
        } catch (IOException e) {
            fail(Status.INVALID_ARGUMENT.withDescription("the input could not be read: " + clientText(e.getMessage())));
            return;
        } catch (RuntimeException e) {
            Status st = HounsfieldService.status(e, "analysis").getStatus();
            fail(st.withDescription(clientText(st.getDescription())));
            return;
        }
        // The result goes out after the admission permit, and the call ends after the budget, are given back: a client
        // that sees the end can start the next call at once.
        try {
            out.onNext(AnalyzeEvent.newBuilder().setResult(result).build());
        } catch (RuntimeException e) { // the call went away meanwhile
            fail(HounsfieldService.status(e, "analysis").getStatus());
            return;
        }
        cleanup();
        out.onCompleted();
    }

    /**
     * A message about the input in the client's terms: spooled files by the names the client gave them, and
     * nothing of the server's temporary folder.
     */
    private String clientText(String message) {
        if (message == null || dir == null) {
            return message;
        }
        String m = message;
        for (Map.Entry<Path, String> e : clientNames.entrySet()) {
            m = m.replace(e.getKey().toString(), e.getValue());
        }
        for (Map.Entry<Path, String> e : clientNames.entrySet()) {
            m = m.replace(e.getKey().getFileName().toString(), e.getValue());
        }
        return m.replace(dir.resolve("input0") + java.io.File.separator, "").replace(dir.resolve("input1") + java.io.File.separator, "")
                .replace(dir.resolve("input0").toString(), "the image's files").replace(dir.resolve("input1").toString(), "the mask's file")
                .replace(dir.toString(), "the upload");
    }

    private void progress(String stage, double ms) {
        out.onNext(AnalyzeEvent.newBuilder().setProgress(Progress.newBuilder().setStage(stage).setMillis(ms)).build());
        service.metrics().stage(stage, ms);
    }

    private Volume read(int input) throws IOException {
        if (header.getInput() == AnalyzeHeader.InputKind.RAW) {
            if (rawReceived[input] != raw[input].segment().byteSize()) {
                throw new IllegalArgumentException("input " + input + " sent " + rawReceived[input] + " of its " + raw[input].segment().byteSize() + " bytes");
            }
            Volume v = raw[input];
            raw[input] = null;
            return v;
        }
        Path p = paths.get(String.valueOf(input));
        if (p == null) {
            throw new IllegalArgumentException("input " + input + " was never sent");
        }
        return VolumeFormats.sourceFor(p).read(p, io.hounsfield.core.ProgressListener.NONE);
    }

    private AnalyzeResult run() throws IOException {
        long t0 = System.nanoTime();
        RadiomicsSettings base = header.getParameterFile().isEmpty() ? RadiomicsSettings.defaults()
                : ParameterFile.parse(header.getParameterFile(), "the header's parameter_file");
        AnalyzeResult.Builder result = AnalyzeResult.newBuilder();
        try (Volume image = read(0)) {
            progress("read input", (System.nanoTime() - t0) / 1e6);
            HounsfieldService.cancelled();
            Mask mask;
            java.util.List<String> names;
            if (header.getTask() == AnalyzeHeader.Task.SEGMENT_AND_FEATURES) {
                OnnxModel m = service.model(header.getModel());
                Segmenter.Result seg = new Segmenter(service.backendFor(header.getBackend()), 4).segment(image, m, HounsfieldService.callCancellation());
                seg.timingsMs().forEach((k, v) -> progress("segment: " + k, v));
                mask = seg.mask();
                names = m.descriptor().labels();
            } else {
                try (Volume mv = read(1)) {
                    mask = Mask.fromLabels(mv);
                }
                names = null;
            }
            try (mask) {
                HounsfieldService.cancelled();
                TreeSet<Integer> labels = new TreeSet<>(header.getLabelsList());
                if (labels.isEmpty()) {
                    long[] h = mask.histogram();
                    for (int l = 1; l < h.length; l++) {
                        if (h[l] > 0) {
                            labels.add(l);
                        }
                    }
                }
                // Every label's extraction reads the same image and mask: a device backend uploads them once.
                try (var held = service.backendFor(header.getBackend()).hold("analysis", image, mask.asVolume())) {
                    for (int label : labels) {
                        long voxels = mask.count(label);
                        LabelFeatures.Builder lf = LabelFeatures.newBuilder().setLabel(label).setVoxels(voxels)
                                .setName(names != null && label < names.size() ? names.get(label) : "label " + label);
                        if (voxels > 0) {
                            long t1 = System.nanoTime();
                            FeatureSet fs = service.extractor(header.getBackend()).extract(image, mask, base.withLabel(label));
                            progress("features: " + lf.getName(), (System.nanoTime() - t1) / 1e6);
                            lf.setFeatures(HounsfieldService.result(fs));
                        }
                        result.addLabels(lf);
                        HounsfieldService.cancelled();
                    }
                }
                if (header.getReturnMask() && header.getTask() == AnalyzeHeader.Task.SEGMENT_AND_FEATURES) {
                    result.setMaskGzip(HounsfieldService.gzip(mask.asVolume()))
                            .setMaskGeometry(ClientSupport.header(mask.asVolume(), "mask").getGeometry());
                }
            }
        }
        result.putTimingsMs("total", (System.nanoTime() - t0) / 1e6);
        return result.build();
    }

    private void cleanup() {
        for (OutputStream o : files.values()) {
            try {
                o.close();
            } catch (IOException ignored) {
                // going anyway
            }
        }
        files.clear();
        for (int i = 0; i < raw.length; i++) {
            if (raw[i] != null) {
                raw[i].close();
                raw[i] = null;
            }
        }
        if (dir != null) {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // temporary folder: the OS cleans it eventually
            }
            dir = null;
        }
        if (reserved > 0) {
            service.store().unreserve(reserved);
            reserved = 0;
        }
    }
}
