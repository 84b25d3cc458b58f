package io.hounsfield.serving.grpc;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.radiomics.FeatureExtractor;
import io.hounsfield.radiomics.FeatureValue;
import io.hounsfield.radiomics.RadiomicsSettings;
import io.hounsfield.segmentation.DemoModel;
import io.hounsfield.segmentation.ModelRegistry;
import io.hounsfield.serving.api.inference.GRPCInferenceServiceGrpc;
import io.hounsfield.serving.api.inference.InferParameter;
import io.hounsfield.serving.api.inference.ModelConfig;
import io.hounsfield.serving.api.inference.ModelConfigRequest;
import io.hounsfield.serving.api.inference.ModelInstanceGroup;
import io.hounsfield.serving.api.inference.ModelInferRequest;
import io.hounsfield.serving.api.inference.ModelInferResponse;
import io.hounsfield.serving.api.inference.ModelMetadataRequest;
import io.hounsfield.serving.api.inference.ModelReadyRequest;
import io.hounsfield.serving.api.inference.ServerLiveRequest;
import io.hounsfield.serving.api.inference.ServerReadyRequest;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.IbsiDigitalPhantom;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The KServe v2 / Open Inference Protocol service over the in-process transport. */
class KServeTest {

    private ModelRegistry models;
    private HounsfieldServer server;
    private ManagedChannel channel;
    private GRPCInferenceServiceGrpc.GRPCInferenceServiceBlockingStub stub;

    @BeforeEach
    void start() throws Exception {
        models = DemoModel.open(new ModelRegistry.Options(1, false));
        String name = InProcessServerBuilder.generateName();
        server = HounsfieldServer.start(InProcessServerBuilder.forName(name), HounsfieldServer.Config.defaults(), CpuBackend.sequential(), models);
        channel = InProcessChannelBuilder.forName(name).build();
        stub = GRPCInferenceServiceGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.close();
        models.close();
    }

    private static ByteString raw(Volume v, VoxelType as) {
        try (Volume c = v.convertTo(as)) {
            return ByteString.copyFrom(c.segment().asByteBuffer());
        }
    }

    private static ModelInferRequest.InferInputTensor input(String name, String type, Volume v) {
        return ModelInferRequest.InferInputTensor.newBuilder().setName(name).setDatatype(type)
                .addShape(v.extent().nz()).addShape(v.extent().ny()).addShape(v.extent().nx()).build();
    }

    private static ByteString spacing(Volume v) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putDouble(v.geometry().spacing().x()).putDouble(v.geometry().spacing().y()).putDouble(v.geometry().spacing().z());
        return ByteString.copyFrom(b.array());
    }

    @Test
    void liveReadyAndMetadata() {
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
        assertThat(stub.serverReady(ServerReadyRequest.getDefaultInstance()).getReady()).isTrue();
        assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName("radiomics").build()).getReady()).isTrue();
        assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName(DemoModel.NAME).build()).getReady()).isTrue();
        assertThat(stub.modelReady(ModelReadyRequest.newBuilder().setName("nope").build()).getReady()).isFalse();
        var m = stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("radiomics").build());
        assertThat(m.getInputsList()).extracting(t -> t.getName()).containsExactly("image", "mask", "spacing", "origin", "direction");
        assertThat(m.getOutputsList()).extracting(t -> t.getName()).containsExactly("values", "names");
        assertThatThrownBy(() -> stub.modelMetadata(ModelMetadataRequest.newBuilder().setName("nope").build()))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("NOT_FOUND");
    }

    /** Triton's ModelConfig, as perf_analyzer and tritonclient ask for it: the interface in Triton's types, no batching. */
    @Test
    void tritonModelConfigDescribesEachModel() {
        ModelConfig r = stub.modelConfig(ModelConfigRequest.newBuilder().setName("radiomics").build()).getConfig();
        assertThat(r.getName()).isEqualTo("radiomics");
        assertThat(r.getMaxBatchSize()).isZero();
        assertThat(r.getInputList()).extracting(i -> i.getName() + ":" + i.getDataType() + ":" + i.getDimsList() + ":" + i.getOptional())
                .containsExactly("image:TYPE_FP32:[-1, -1, -1]:false", "mask:TYPE_UINT8:[-1, -1, -1]:false", "spacing:TYPE_FP64:[3]:false",
                        "origin:TYPE_FP64:[3]:true", "direction:TYPE_FP64:[9]:true");
        assertThat(r.getOutputList()).extracting(o -> o.getName() + ":" + o.getDataType()).containsExactly("values:TYPE_FP64", "names:TYPE_STRING");
        assertThat(r.getInstanceGroup(0).getKind()).isEqualTo(ModelInstanceGroup.Kind.KIND_CPU);
        assertThat(r.getInstanceGroup(0).getCount()).isEqualTo(HounsfieldServer.Config.defaults().maxConcurrent());
        ModelConfig seg = stub.modelConfig(ModelConfigRequest.newBuilder().setName(DemoModel.NAME).setVersion("1").build()).getConfig();
        assertThat(seg.getPlatform()).isEqualTo("onnxruntime_onnx");
        assertThat(seg.getOutputList()).extracting(o -> o.getName() + ":" + o.getDataType() + ":" + o.getDimsList())
                .containsExactly("mask:TYPE_UINT8:[-1, -1, -1]");
        assertThatThrownBy(() -> stub.modelConfig(ModelConfigRequest.newBuilder().setName(DemoModel.NAME).setVersion("2").build()))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("NOT_FOUND").hasMessageContaining("only version 1");
        assertThatThrownBy(() -> stub.modelConfig(ModelConfigRequest.newBuilder().setName("nope").build()))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("NOT_FOUND");
    }

    /** The phantom's features through ModelInfer with raw_input_contents equal a local extraction (features do not depend on the grid's origin). */
    @Test
    void radiomicsInferenceEqualsLocalExtraction() {
        try (IbsiDigitalPhantom p = IbsiDigitalPhantom.load()) {
            ModelInferRequest req = ModelInferRequest.newBuilder().setModelName("radiomics").setId("r1")
                    .addInputs(input("image", "FP32", p.image())).addInputs(input("mask", "UINT8", p.mask().asVolume()))
                    .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("spacing").setDatatype("FP64").addShape(3))
                    .addRawInputContents(raw(p.image(), VoxelType.FLOAT32)).addRawInputContents(raw(p.mask().asVolume(), VoxelType.UINT8))
                    .addRawInputContents(spacing(p.image()))
                    .putParameters("label", InferParameter.newBuilder().setInt64Param(1).build())
                    .build();
            ModelInferResponse r = stub.modelInfer(req);
            assertThat(r.getId()).isEqualTo("r1");
            List<FeatureValue> local = new FeatureExtractor(CpuBackend.sequential()).extract(p.image(), p.mask(), RadiomicsSettings.defaults().withLabel(1))
                    .features();
            assertThat(r.getOutputsList()).extracting(o -> o.getName()).containsExactly("values", "names");
            assertThat(r.getOutputs(0).getShapeList()).containsExactly((long) local.size());
            java.nio.DoubleBuffer values = r.getRawOutputContents(0).asReadOnlyByteBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
            List<String> names = ClientSupport.bytesElements(r.getRawOutputContents(1));
            assertThat(values.remaining()).isEqualTo(local.size());
            assertThat(names).hasSize(local.size());
            for (int i = 0; i < local.size(); i++) {
                FeatureValue f = local.get(i);
                assertThat(names.get(i)).isEqualTo(f.ibsiCode() + "|" + f.family() + "|" + f.name() + "|" + f.aggregation());
                // Bit for bit (NaN included: a feature undefined here is undefined there too).
                assertThat(Double.compare(values.get(i), f.value())).as("%s %s: %s vs %s", f.name(), f.aggregation(),
                        values.get(i), f.value()).isZero();
            }
        }
    }

    @Test
    void segmentationInferenceReturnsALabelMapOfTheImagesShape() {
        try (Phantom p = Phantoms.ctBody(CtBody.medium().with(8001, CtBody.Anatomy.random(8001)), ProgressListener.NONE)) {
            ModelInferRequest req = ModelInferRequest.newBuilder().setModelName(DemoModel.NAME)
                    .addInputs(input("image", "INT16", p.image()))
                    .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("spacing").setDatatype("FP64").addShape(3))
                    .addRawInputContents(raw(p.image(), VoxelType.INT16)).addRawInputContents(spacing(p.image())).build();
            ModelInferResponse r = stub.modelInfer(req);
            assertThat(r.getOutputs(0).getShapeList()).containsExactly(50L, 128L, 128L);
            byte[] mask = r.getRawOutputContents(0).toByteArray();
            assertThat(mask).hasSize(128 * 128 * 50);
            long lesion = 0, liver = 0, truthLesion = p.mask().count(CtBody.LESION), truthLiver = p.mask().count(CtBody.LIVER);
            for (byte b : mask) {
                lesion += b == 1 ? 1 : 0;
                liver += b == 2 ? 1 : 0;
            }
            assertThat((double) lesion).isCloseTo(truthLesion, org.assertj.core.api.Assertions.withinPercentage(15));
            assertThat((double) liver).isCloseTo(truthLiver, org.assertj.core.api.Assertions.withinPercentage(5));
        }
    }

    @Test
    void malformedTensorsAreInvalidArguments() {
        ModelInferRequest req = ModelInferRequest.newBuilder().setModelName("radiomics")
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("image").setDatatype("FP32").addShape(2).addShape(2).addShape(2))
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("mask").setDatatype("UINT8").addShape(2).addShape(2).addShape(2))
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("spacing").setDatatype("FP64").addShape(3))
                .addRawInputContents(ByteString.copyFrom(new byte[31])).addRawInputContents(ByteString.copyFrom(new byte[8]))
                .addRawInputContents(ByteString.copyFrom(new byte[24])).build();
        assertThatThrownBy(() -> stub.modelInfer(req)).isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("needs 32 bytes, got 31");
        ModelInferRequest badDirection = req.toBuilder().setRawInputContents(0, ByteString.copyFrom(new byte[32]))
                .addInputs(ModelInferRequest.InferInputTensor.newBuilder().setName("direction").setDatatype("FP64").addShape(8))
                .addRawInputContents(ByteString.copyFrom(new byte[64])).build();
        assertThatThrownBy(() -> stub.modelInfer(badDirection)).isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("INVALID_ARGUMENT").hasMessageContaining("'direction' needs 9 FP64 values");
        assertThatThrownBy(() -> stub.modelInfer(ModelInferRequest.newBuilder().setModelName("nope").build()))
                .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("NOT_FOUND");
        assertThat(stub.serverLive(ServerLiveRequest.getDefaultInstance()).getLive()).isTrue();
    }
}
