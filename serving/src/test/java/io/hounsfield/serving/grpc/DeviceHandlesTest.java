package io.hounsfield.serving.grpc;

import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.hounsfield.core.ProgressListener;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.core.backend.CudaBackend;
import io.hounsfield.core.backend.ParityBackends;
import io.hounsfield.radiomics.FeatureExtractor;
import io.hounsfield.radiomics.FeatureValue;
import io.hounsfield.radiomics.RadiomicsSettings;
import io.hounsfield.segmentation.DemoModel;
import io.hounsfield.segmentation.ModelRegistry;
import io.hounsfield.serving.api.v1.ExtractFeaturesRequest;
import io.hounsfield.serving.api.v1.FeatureResult;
import io.hounsfield.serving.api.v1.HounsfieldGrpc;
import io.hounsfield.serving.api.v1.ReleaseVolumeRequest;
import io.hounsfield.serving.api.v1.VolumeHandle;
import io.hounsfield.testvolumes.CtBody;
import io.hounsfield.testvolumes.Phantom;
import io.hounsfield.testvolumes.Phantoms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Uploaded handles on the CUDA backend (on a GPU, else the kernel emulator): the server keeps an uploaded image and
 * mask on the device, so a request on them runs every operation there — no ROI sample, nothing on the CPU — and
 * gives the features a local CPU extraction gives; stored handles are page-locked on the host (their first use copies
 * straight from them); releasing the handles frees their device copies and unlocks them.
 */
@EnabledIf(value = "available", disabledReason = "needs a CUDA device, or kernels built by nvcc and g++ for the emulator (see ParityBackends)")
class DeviceHandlesTest {

    static boolean available() {
        return ParityBackends.available();
    }

    @Test
    void requestsOnUploadedHandlesRunOnTheDeviceAndReleasingFreesIt() throws Exception {
        try (CudaBackend cuda = ParityBackends.open(CpuBackend.sequential()); ModelRegistry models = DemoModel.open(new ModelRegistry.Options(1, false));
             Phantom ct = Phantoms.ctBody(CtBody.medium(), ProgressListener.NONE)) {
            String name = InProcessServerBuilder.generateName();
            HounsfieldServer server = HounsfieldServer.start(InProcessServerBuilder.forName(name), new HounsfieldServer.Config(64 << 10, 1, 0, 64L << 20),
                    cuda, models);
            ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
            try {
                HounsfieldGrpc.HounsfieldStub async = HounsfieldGrpc.newStub(channel);
                HounsfieldGrpc.HounsfieldBlockingStub stub = HounsfieldGrpc.newBlockingStub(channel);
                VolumeHandle image = ClientSupport.upload(async, ct.image(), 1 << 16, false);
                VolumeHandle mask = ClientSupport.upload(async, ct.mask().asVolume(), 1 << 16, false);
                ExtractFeaturesRequest request = ExtractFeaturesRequest.newBuilder().setImage(image.getId()).setMask(mask.getId())
                        .setLabel(CtBody.LESION).build();
                // Stored handles are page-locked (whole pages of each volume), so their first use copies straight from them.
                long pages = 0;
                for (var v : List.of(ct.image(), ct.mask().asVolume())) {
                    pages += (v.segment().byteSize() + io.hounsfield.core.Volume.PAGE - 1) / io.hounsfield.core.Volume.PAGE * io.hounsfield.core.Volume.PAGE;
                }
                assertThat(cuda.pinnedBytes()).as("host bytes page-locked for the two handles").isEqualTo(pages);
                stub.extractFeatures(request); // the handles' device copies are made on first use
                long keptAfterFirst = cuda.keptBytes();
                Map<String, Long> before = cuda.metrics().snapshot();
                FeatureResult r = stub.extractFeatures(request);
                Map<String, Long> after = cuda.metrics().snapshot();
                assertThat(after.get("cpu_fallbacks") - before.get("cpu_fallbacks")).as("operations on the CPU").isZero();
                assertThat(after.get("cache_misses") - before.get("cache_misses")).as("kept volumes not on the device").isZero();
                assertThat(after.get("device_ops") - before.get("device_ops")).as("device operations").isPositive();
                // Image (float32) and mask (its bytes) on the device; nothing else of the requests stays there.
                assertThat(keptAfterFirst).isEqualTo(4 * ct.image().voxelCount() + ct.mask().asVolume().voxelCount());
                assertThat(cuda.keptBytes()).isEqualTo(keptAfterFirst);

                List<FeatureValue> local = new FeatureExtractor(CpuBackend.sequential(), Runnable::run)
                        .extract(ct.image(), ct.mask(), RadiomicsSettings.defaults().withLabel(CtBody.LESION)).features();
                assertThat(r.getFeaturesCount()).isEqualTo(local.size());
                for (int i = 0; i < local.size(); i++) {
                    assertThat(r.getFeatures(i).getIbsiCode()).isEqualTo(local.get(i).ibsiCode());
                    assertThat(r.getFeatures(i).getValue()).as("%s %s", local.get(i).name(), local.get(i).aggregation()).isEqualTo(local.get(i).value());
                }
                assertThat(stub.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(image.getId()).build()).getReleased()).isTrue();
                assertThat(stub.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(mask.getId()).build()).getReleased()).isTrue();
                assertThat(cuda.keptBytes()).as("device bytes after releasing the handles").isZero();
                assertThat(cuda.pinnedBytes()).as("host bytes page-locked after releasing the handles").isZero();
            } finally {
                channel.shutdownNow();
                server.close();
            }
        }
    }
}
