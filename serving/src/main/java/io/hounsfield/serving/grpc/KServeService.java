package io.hounsfield.serving.grpc;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.hounsfield.core.EngineVersion;
import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Mat3;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.backend.ComputeBackend;
import io.hounsfield.radiomics.FeatureExtractor;
import io.hounsfield.radiomics.FeatureSet;
import io.hounsfield.radiomics.FeatureValue;
import io.hounsfield.radiomics.ParameterFile;
import io.hounsfield.radiomics.RadiomicsSettings;
import io.hounsfield.segmentation.ModelRegistry;
import io.hounsfield.segmentation.OnnxModel;
import io.hounsfield.segmentation.Segmenter;
import io.hounsfield.serving.api.inference.DataType;
import io.hounsfield.serving.api.inference.GRPCInferenceServiceGrpc;
import io.hounsfield.serving.api.inference.ModelConfig;
import io.hounsfield.serving.api.inference.ModelConfigRequest;
import io.hounsfield.serving.api.inference.ModelConfigResponse;
import io.hounsfield.serving.api.inference.ModelInput;
import io.hounsfield.serving.api.inference.ModelInstanceGroup;
import io.hounsfield.serving.api.inference.ModelOutput;
import io.hounsfield.serving.api.inference.InferParameter;
import io.hounsfield.serving.api.inference.ModelInferRequest;
import io.hounsfield.serving.api.inference.ModelInferResponse;
import io.hounsfield.serving.api.inference.ModelMetadataRequest;
import io.hounsfield.serving.api.inference.ModelMetadataResponse;
import io.hounsfield.serving.api.inference.ModelReadyRequest;
import io.hounsfield.serving.api.inference.ModelReadyResponse;
import io.hounsfield.serving.api.inference.ServerLiveRequest;
import io.hounsfield.serving.api.inference.ServerLiveResponse;
import io.hounsfield.serving.api.inference.ServerMetadataRequest;
import io.hounsfield.serving.api.inference.ServerMetadataResponse;
import io.hounsfield.serving.api.inference.ServerReadyRequest;
import io.hounsfield.serving.api.inference.ServerReadyResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The KServe v2 / Open Inference Protocol service ({@code inference.GRPCInferenceService}). Models: {@code
 * radiomics} — inputs {@code image} (FP32, INT16 or UINT16, shape [z, y, x]), {@code mask} (UINT8, same
 * shape), {@code spacing} (FP64 [3]: x, y, z mm); outputs {@code values} (FP64 [n]) and {@code names}
 * (BYTES [n]: "IBSI code|family|name|aggregation"); request parameters {@code parameter_file} (string,
 * PyRadiomics layout) and {@code label} (int64) — and every segmentation model: inputs {@code image} and
 * {@code spacing}, output {@code mask} (UINT8 [z, y, x]). Voxels are row-major with x fastest; optional
 * inputs {@code origin} (FP64 [3], LPS mm of the first voxel) and {@code direction} (FP64 [9], row-major,
 * columns the index axes in LPS) place the grid — without them it is axis-aligned at the origin. Tensor data as {@code raw_input_contents} (in the
 * order of {@code inputs}, little-endian) or, for small inputs, typed {@code contents}. Hounsfield's extension:
 * a segmentation request with the string parameter {@code image_handle} segments a volume uploaded with
 * {@code hounsfield.v1.UploadVolume} (with its own geometry) instead of an {@code image} input.
 */
final class KServeService extends GRPCInferenceServiceGrpc.GRPCInferenceServiceImplBase {

    private static final Logger LOG = LoggerFactory.getLogger(KServeService.class);
    static final String RADIOMICS = "radiomics";

    private final ComputeBackend backend;
    private final ModelRegistry models;
    private final Admission admission;
    private final BooleanSupplier ready;
    private final Metrics metrics;
    private final VolumeStore store;

    KServeService(ComputeBackend backend, ModelRegistry models, Admission admission, BooleanSupplier ready, Metrics metrics, VolumeStore store) {
        this.metrics = metrics;
        this.store = store;
        this.backend = backend;
        this.models = models;
        this.admission = admission;
        this.ready = ready;
    }

    @Override
    public void serverLive(ServerLiveRequest request, StreamObserver<ServerLiveResponse> out) {
        out.onNext(ServerLiveResponse.newBuilder().setLive(true).build());
        out.onCompleted();
    }

    @Override
    public void serverReady(ServerReadyRequest request, StreamObserver<ServerReadyResponse> out) {
        out.onNext(ServerReadyResponse.newBuilder().setReady(ready.getAsBoolean()).build());
        out.onCompleted();
    }

    @Override
    public void serverMetadata(ServerMetadataRequest request, StreamObserver<ServerMetadataResponse> out) {
        out.onNext(ServerMetadataResponse.newBuilder().setName("hounsfield").setVersion(EngineVersion.get()).build());
        out.onCompleted();
    }

    @Override
    public void modelReady(ModelReadyRequest request, StreamObserver<ModelReadyResponse> out) {
        boolean known = RADIOMICS.equals(request.getName()) || models.get(request.getName()).isPresent();
        out.onNext(ModelReadyResponse.newBuilder().setReady(known && ready.getAsBoolean()).build());
        out.onCompleted();
    }

    /** One input or output of a model's interface: its KServe datatype, shape (-1: any size), whether it may be left out. */
    private record Tensor(String name, String datatype, boolean optional, long... shape) {
        ModelMetadataResponse.TensorMetadata metadata() {
            var b = ModelMetadataResponse.TensorMetadata.newBuilder().setName(name).setDatatype(datatype);
            for (long d : shape) {
                b.addShape(d);
            }
            return b.build();
        }

        DataType tritonType() {
            return switch (datatype) {
                case "UINT8" -> DataType.TYPE_UINT8;
                case "INT16" -> DataType.TYPE_INT16;
                case "UINT16" -> DataType.TYPE_UINT16;
                case "FP32" -> DataType.TYPE_FP32;
                case "FP64" -> DataType.TYPE_FP64;
                case "BYTES" -> DataType.TYPE_STRING;
                default -> throw new IllegalStateException("no Triton type for " + datatype);
            };
        }
    }

    /** The grid inputs every model takes: spacing, and optionally origin and direction. */
    private static final List<Tensor> GRID = List.of(new Tensor("spacing", "FP64", false, 3), new Tensor("origin", "FP64", true, 3),
            new Tensor("direction", "FP64", true, 9));

    /** A model's interface (inputs, then outputs), or null for an unknown name. */
    private List<List<Tensor>> signature(String model) {
        List<Tensor> in = new java.util.ArrayList<>(List.of(new Tensor("image", "FP32", false, -1, -1, -1)));
        if (RADIOMICS.equals(model)) {
            in.add(new Tensor("mask", "UINT8", false, -1, -1, -1));
            in.addAll(GRID);
            return List.of(in, List.of(new Tensor("values", "FP64", false, -1), new Tensor("names", "BYTES", false, -1)));
        }
        if (models.get(model).isPresent()) {
            in.addAll(GRID);
            return List.of(in, List.of(new Tensor("mask", "UINT8", false, -1, -1, -1)));
        }
        return null;
    }

    @Override
    public void modelMetadata(ModelMetadataRequest request, StreamObserver<ModelMetadataResponse> out) {
        List<List<Tensor>> sig = signature(request.getName());
        if (sig == null) {
            out.onError(Status.NOT_FOUND.withDescription("no model '" + request.getName() + "'; models: " + names()).asRuntimeException());
            return;
        }
        var b = ModelMetadataResponse.newBuilder().setName(request.getName()).addVersions("1")
                .setPlatform(RADIOMICS.equals(request.getName()) ? "hounsfield" : "onnxruntime_onnx");
        sig.get(0).forEach(t -> b.addInputs(t.metadata()));
        sig.get(1).forEach(t -> b.addOutputs(t.metadata()));
        out.onNext(b.build());
        out.onCompleted();
    }

    /**
     * Triton's ModelConfig: the same interface in Triton's terms (no batch dimension: max_batch_size 0; the image
     * listed as FP32, though INT16 and UINT16 are accepted too; origin and direction optional), and one instance
     * group whose count is the server's concurrency, on the GPU when the work runs there.
     */
    @Override
    public void modelConfig(ModelConfigRequest request, StreamObserver<ModelConfigResponse> out) {
        List<List<Tensor>> sig = signature(request.getName());
        if (sig == null) {
            out.onError(Status.NOT_FOUND.withDescription("no model '" + request.getName() + "'; models: " + names()).asRuntimeException());
            return;
        }
        if (!request.getVersion().isEmpty() && !request.getVersion().equals("1")) {
            out.onError(Status.NOT_FOUND.withDescription("model '" + request.getName() + "' has only version 1, not '" + request.getVersion() + "'")
                    .asRuntimeException());
            return;
        }
        boolean radiomics = RADIOMICS.equals(request.getName());
        ModelConfig.Builder c = ModelConfig.newBuilder().setName(request.getName()).setMaxBatchSize(0)
                .setPlatform(radiomics ? "hounsfield" : "onnxruntime_onnx").setBackend(radiomics ? "hounsfield" : "onnxruntime");
        for (Tensor t : sig.get(0)) {
            var i = ModelInput.newBuilder().setName(t.name()).setDataType(t.tritonType()).setOptional(t.optional());
            for (long d : t.shape()) {
                i.addDims(d);
            }
            c.addInput(i);
        }
        for (Tensor t : sig.get(1)) {
            var o = ModelOutput.newBuilder().setName(t.name()).setDataType(t.tritonType());
            for (long d : t.shape()) {
                o.addDims(d);
            }
            c.addOutput(o);
        }
        boolean gpu = radiomics ? backend instanceof io.hounsfield.core.backend.CudaBackend : models.provider().startsWith("cuda");
        c.addInstanceGroup(ModelInstanceGroup.newBuilder().setName(request.getName() + "_0").setCount(admission.concurrency())
                .setKind(gpu ? ModelInstanceGroup.Kind.KIND_GPU : ModelInstanceGroup.Kind.KIND_CPU));
        out.onNext(ModelConfigResponse.newBuilder().setConfig(c).build());
        out.onCompleted();
    }

    private List<String> names() {
        List<String> n = new java.util.ArrayList<>(List.of(RADIOMICS));
        models.models().forEach(m -> n.add(m.descriptor().name()));
        return n;
    }

    @Override
    public void modelInfer(ModelInferRequest request, StreamObserver<ModelInferResponse> out) {
        HounsfieldService.answer(out, "inference", () -> {
            try (Admission.Permit ignored = admission.enter(HounsfieldService.remaining())) {
                String model = request.getModelName();
                if (RADIOMICS.equals(model)) {
                    return radiomics(request);
                }
                OnnxModel m = models.get(model).orElseThrow(() -> Status.NOT_FOUND.withDescription("no model '" + model + "'; models: " + names())
                        .asRuntimeException());
                return segment(request, m);
            }
        });
    }

    private ModelInferResponse radiomics(ModelInferRequest r) {
        Placement at = placement(r);
        try (Volume image = volume(r, "image", at); Volume maskVolume = volume(r, "mask", at)) {
            if (maskVolume.type() != VoxelType.UINT8) {
                throw new IllegalArgumentException("input 'mask' must be UINT8 labels");
            }
            RadiomicsSettings s = RadiomicsSettings.defaults();
            InferParameter p = r.getParametersMap().get("parameter_file");
            if (p != null) {
                s = ParameterFile.parse(p.getStringParam(), "the request's parameter_file");
            }
            InferParameter label = r.getParametersMap().get("label");
            if (label != null) {
                s = s.withLabel((int) label.getInt64Param());
            }
            FeatureSet fs = new FeatureExtractor(backend).cancelWhen(io.grpc.Context.current()::isCancelled).extract(image, Mask.wrap(maskVolume), s);
            fs.provenance().timingsMs().forEach((k, v) -> metrics.stage("features: " + k, v));
            // Outputs as raw_output_contents, as Triton sends them (and as tritonclient's as_numpy reads them):
            // values little-endian FP64; names a BYTES tensor, each element a 4-byte little-endian length, then UTF-8.
            int n = fs.features().size();
            ByteBuffer values = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
            ByteString.Output names = ByteString.newOutput();
            for (FeatureValue f : fs.features()) {
                values.putDouble(f.value());
                byte[] name = (f.ibsiCode() + "|" + f.family() + "|" + f.name() + "|" + f.aggregation()).getBytes(StandardCharsets.UTF_8);
                names.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(name.length).array(), 0, 4);
                names.write(name, 0, name.length);
            }
            return ModelInferResponse.newBuilder().setModelName(RADIOMICS).setModelVersion("1").setId(r.getId())
                    .addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName("values").setDatatype("FP64").addShape(n))
                    .addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName("names").setDatatype("BYTES").addShape(n))
                    .addRawOutputContents(ByteString.copyFrom(values.flip())).addRawOutputContents(names.toByteString())
                    .build();
        }
    }

    private ModelInferResponse segment(ModelInferRequest r, OnnxModel m) {
        InferParameter handle = r.getParametersMap().get("image_handle");
        if (handle != null) {
            // Hounsfield's extension: an image uploaded through hounsfield.v1 UploadVolume (its own geometry), not re-sent.
            try (VolumeStore.Lease uploaded = store.lease(handle.getStringParam()).orElseThrow(() -> Status.NOT_FOUND
                    .withDescription("no uploaded volume '" + handle.getStringParam() + "'").asRuntimeException())) {
                return segmented(r, m, uploaded.volume());
            }
        }
        Placement at = placement(r);
        try (Volume image = volume(r, "image", at)) {
            return segmented(r, m, image);
        }
    }

    private ModelInferResponse segmented(ModelInferRequest r, OnnxModel m, Volume image) {
        try (Segmenter.Result s = new Segmenter(backend, 4).segment(image, m, HounsfieldService.callCancellation())) {
            s.timingsMs().forEach((k, v) -> metrics.stage("segment: " + k, v));
            Extent e = image.extent();
            MemorySegment mask = s.mask().asVolume().segment();
            return ModelInferResponse.newBuilder().setModelName(m.descriptor().name()).setModelVersion("1").setId(r.getId())
                    .addOutputs(ModelInferResponse.InferOutputTensor.newBuilder().setName("mask").setDatatype("UINT8")
                            .addShape(e.nz()).addShape(e.ny()).addShape(e.nx()))
                    .addRawOutputContents(ByteString.copyFrom(mask.asByteBuffer()))
                    .build();
        }
    }

    private static int index(ModelInferRequest r, String name) {
        for (int i = 0; i < r.getInputsCount(); i++) {
            if (r.getInputs(i).getName().equals(name)) {
                return i;
            }
        }
        throw new IllegalArgumentException("missing input '" + name + "'");
    }

    /** Whether the request has an input of that name. */
    private static boolean has(ModelInferRequest r, String name) {
        return r.getInputsList().stream().anyMatch(t -> t.getName().equals(name));
    }

    /** An FP64 input of exactly {@code n} values, raw (little-endian) or typed. */
    private static double[] fp64(ModelInferRequest r, String name, int n, String meaning) {
        int i = index(r, name);
        double[] s = new double[n];
        if (r.getRawInputContentsCount() > 0) {
            ByteString raw = r.getRawInputContents(i);
            if (raw.size() != 8 * n) {
                throw new IllegalArgumentException("input '" + name + "' needs " + n + " FP64 values (" + meaning + ", " + 8 * n + " bytes), got "
                        + raw.size() + " bytes");
            }
            raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(s);
        } else {
            var c = r.getInputs(i).getContents();
            if (c.getFp64ContentsCount() != n) {
                throw new IllegalArgumentException("input '" + name + "' needs " + n + " FP64 values (" + meaning + ")");
            }
            for (int k = 0; k < n; k++) {
                s[k] = c.getFp64Contents(k);
            }
        }
        return s;
    }

    /**
     * The grid of the request's volumes: {@code spacing} (x, y, z mm), and optionally {@code origin} (LPS mm of
     * the first voxel) and {@code direction} (row-major 3×3 whose columns are the index axes in LPS) — without
     * them the grid is axis-aligned at the origin.
     */
    private static Placement placement(ModelInferRequest r) {
        double[] s = fp64(r, "spacing", 3, "x, y, z mm");
        Vec3 origin = Vec3.ZERO;
        if (has(r, "origin")) {
            double[] o = fp64(r, "origin", 3, "x, y, z mm of the first voxel, LPS");
            origin = new Vec3(o[0], o[1], o[2]);
        }
        Mat3 direction = Mat3.IDENTITY;
        if (has(r, "direction")) {
            double[] d = fp64(r, "direction", 9, "row-major 3x3, columns the index axes in LPS");
            direction = new Mat3(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8]);
        }
        return new Placement(new Vec3(s[0], s[1], s[2]), origin, direction);
    }

    private record Placement(Vec3 spacing, Vec3 origin, Mat3 direction) {
    }

    /** A [z, y, x] tensor as a volume on the request's grid. */
    private static Volume volume(ModelInferRequest r, String name, Placement at) {
        int i = index(r, name);
        var in = r.getInputs(i);
        if (in.getShapeCount() != 3) {
            throw new IllegalArgumentException("input '" + name + "' must have shape [z, y, x], got " + in.getShapeList());
        }
        VoxelType type = switch (in.getDatatype()) {
            case "FP32" -> VoxelType.FLOAT32;
            case "INT16" -> VoxelType.INT16;
            case "UINT16" -> VoxelType.UINT16;
            case "UINT8" -> VoxelType.UINT8;
            default -> throw new IllegalArgumentException("input '" + name + "' has datatype " + in.getDatatype() + "; FP32, INT16, UINT16 or UINT8");
        };
        Extent e = new Extent((int) in.getShape(2), (int) in.getShape(1), (int) in.getShape(0));
        if (r.getRawInputContentsCount() != r.getInputsCount()) {
            throw new IllegalArgumentException("volumes travel as raw_input_contents, one per input in the order of inputs");
        }
        ByteString raw = r.getRawInputContents(i);
        long want = e.voxelCount() * type.bytes();
        if (raw.size() != want) {
            throw new IllegalArgumentException("input '" + name + "' of shape " + in.getShapeList() + " and " + in.getDatatype() + " needs "
                    + want + " bytes, got " + raw.size());
        }
        Volume v = Volume.allocate(new Geometry(e, at.spacing(), at.origin(), at.direction()), type);
        MemorySegment.copy(MemorySegment.ofBuffer(raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN)), 0, v.segment(), 0, want);
        return v;
    }
}
