package io.hounsfield.serving.grpc;

import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.hounsfield.core.backend.CpuBackend;
import io.hounsfield.segmentation.DemoModel;
import io.hounsfield.segmentation.ModelRegistry;
import io.hounsfield.serving.api.v1.GetCapabilitiesRequest;
import io.hounsfield.serving.api.v1.HounsfieldGrpc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** TLS from PEM files and bearer tokens, over Netty on loopback, with a certificate openssl makes for the test. */
class SecurityTest {

    private static CallCredentials bearer(String token) {
        return ClientSupport.bearer(token);
    }

    @Test
    void tlsAndTokensGuardEveryCallButHealth(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem"), key = dir.resolve("key.pem"), tokens = dir.resolve("tokens");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key.toString(), "-out", cert.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        boolean ok = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        assumeTrue(ok || "true".equals(System.getenv("CI")) && fail(log), "openssl could not make a test certificate: " + log);
        Files.writeString(tokens, "# test tokens\nsecret-one\n\nsecret-two\n");
        try (ModelRegistry models = DemoModel.open(new ModelRegistry.Options(1, false));
             HounsfieldServer server = HounsfieldServer.startNetty("127.0.0.1", 0, new HounsfieldServer.Security(cert, key, null, tokens),
                     HounsfieldServer.Config.defaults(), CpuBackend.sequential(), models)) {
            ManagedChannel tls = NettyChannelBuilder.forAddress("localhost", server.port())
                    .sslContext(GrpcSslContexts.forClient().trustManager(cert.toFile()).build()).build();
            ManagedChannel plain = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
            try {
                assertThat(HealthGrpc.newBlockingStub(tls).check(HealthCheckRequest.getDefaultInstance()).getStatus())
                        .isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
                var stub = HounsfieldGrpc.newBlockingStub(tls).withDeadlineAfter(30, TimeUnit.SECONDS);
                assertThatThrownBy(() -> stub.getCapabilities(GetCapabilitiesRequest.getDefaultInstance()))
                        .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("UNAUTHENTICATED").hasMessageContaining("Bearer");
                assertThatThrownBy(() -> stub.withCallCredentials(bearer("secret-three")).getCapabilities(GetCapabilitiesRequest.getDefaultInstance()))
                        .isInstanceOf(StatusRuntimeException.class).hasMessageContaining("UNAUTHENTICATED").hasMessageNotContaining("secret");
                assertThat(stub.withCallCredentials(bearer("secret-two")).getCapabilities(GetCapabilitiesRequest.getDefaultInstance())
                        .getEngineVersion()).isNotBlank();
                assertThatThrownBy(() -> HealthGrpc.newBlockingStub(plain).withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.getDefaultInstance())).isInstanceOf(StatusRuntimeException.class);
            } finally {
                tls.shutdownNow();
                plain.shutdownNow();
            }
        }
    }

    private static boolean fail(String log) {
        throw new AssertionError("openssl is needed in CI to make the test certificate: " + log);
    }
}
