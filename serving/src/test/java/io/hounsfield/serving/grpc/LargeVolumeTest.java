package io.hounsfield.serving.grpc;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.hounsfield.core.Extent;
import io.hounsfield.core.Geometry;
import io.hounsfield.core.Mask;
import io.hounsfield.core.Vec3;
import io.hounsfield.core.Volume;
import io.hounsfield.core.VoxelType;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.radiomics.FeatureExtractor;
import io.hounsfield.radiomics.FeatureValue;
import io.hounsfield.radiomics.RadiomicsSettings;
import io.hounsfield.segmentation.ModelRegistry;
import io.hounsfield.serving.api.v1.ExtractFeaturesRequest;
import io.hounsfield.serving.api.v1.FeatureResult;
import io.hounsfield.serving.api.v1.HounsfieldGrpc;
import io.hounsfield.serving.api.v1.ReleaseVolumeRequest;
import io.hounsfield.serving.api.v1.VolumeHandle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A 1 GiB volume (512 × 512 × 2048 int16) and its 512 MiB label map sent over Netty on loopback in 4 MiB
 * chunks — far past gRPC's 4 MiB default message — under flow control, then features on them equal to a
 * local extraction, then released with nothing left behind.
 */
class LargeVolumeTest {

    @Test
    void aOneGibibyteVolumeStreamsInChunksAndGivesTheLocalFeatures(@TempDir Path noModels) throws Exception {
        Geometry g = Geometry.axisAligned(new Extent(512, 512, 2048), new Vec3(0.7, 0.7, 0.5), new Vec3(-180, -180, -500));
        try (ModelRegistry models = ModelRegistry.open(noModels, new ModelRegistry.Options(1, false));
             HounsfieldServer server = HounsfieldServer.startNetty("127.0.0.1", 0, new HounsfieldServer.Config(4 << 20, 1, 0, 2L << 30),
                     CpuBackend.sequential(), models);
             Volume image = Volume.allocate(g, VoxelType.INT16);
             Mask mask = Mask.allocate(g)) {
            assertThat(image.segment().byteSize()).isEqualTo(1L << 30);
            image.segment().fill((byte) 0x10); // 4112 everywhere
            SplittableRandom r = new SplittableRandom(11);
            for (int z = 1000; z < 1040; z++) {
                for (int y = 200; y < 236; y++) {
                    for (int x = 300; x < 340; x++) {
                        image.set(x, y, z, r.nextInt(-100, 200));
                        if ((x - 320) * (x - 320) + (y - 218) * (y - 218) < 300) {
                            mask.set(image.geometry().extent().index(x, y, z), 1);
                        }
                    }
                }
            }
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try {
                var async = HounsfieldGrpc.newStub(channel);
                VolumeHandle ih = ClientSupport.upload(async, image, 4 << 20, false);
                VolumeHandle mh = ClientSupport.upload(async, mask.asVolume(), 4 << 20, false);
                assertThat(ih.getBytes()).isEqualTo(1L << 30);
                assertThat(server.reservedBytes()).isEqualTo(3L << 29);
                FeatureResult got = HounsfieldGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.MINUTES)
                        .extractFeatures(ExtractFeaturesRequest.newBuilder().setImage(ih.getId()).setMask(mh.getId()).setLabel(1).build());
                var localSet = new FeatureExtractor(CpuBackend.sequential()).extract(image, mask, RadiomicsSettings.defaults().withLabel(1));
                List<FeatureValue> local = localSet.features();
                assertThat(got.getInputSha256()).isEqualTo(localSet.provenance().inputHash());
                assertThat(got.getFeaturesCount()).isEqualTo(local.size());
                for (int i = 0; i < local.size(); i++) {
                    assertThat(Double.compare(got.getFeatures(i).getValue(), local.get(i).value())).as(local.get(i).name()).isZero();
                }
                var stub = HounsfieldGrpc.newBlockingStub(channel);
                assertThat(stub.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(ih.getId()).build()).getReleased()).isTrue();
                assertThat(stub.releaseVolume(ReleaseVolumeRequest.newBuilder().setId(mh.getId()).build()).getReleased()).isTrue();
                assertThat(server.reservedBytes()).isZero();
                assertThat(server.storedVolumes()).isZero();
            } finally {
                channel.shutdownNow();
            }
        }
    }
}
