package io.hounsfield.serving.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.health.v1.HealthGrpc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;

/**
 * Bearer-token authentication: every call but health checks (load balancers probe without credentials)
 * and reflection must carry {@code authorization: Bearer <token>} with one of the tokens of the token
 * file (one per line; blank lines and {@code #} comments ignored). Tokens are compared in constant time
 * and never logged; a missing or wrong token is {@code UNAUTHENTICATED}.
 */
final class TokenAuth implements ServerInterceptor {

    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Set<String> OPEN = Set.of(HealthGrpc.SERVICE_NAME, "grpc.reflection.v1.ServerReflection",
            "grpc.reflection.v1alpha.ServerReflection");

    private final List<byte[]> tokens;

    TokenAuth(List<String> tokens) {
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("the token file holds no token");
        }
        this.tokens = tokens.stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    }

    static TokenAuth fromFile(Path file) throws IOException {
        List<String> t = Files.readAllLines(file).stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        try {
            return new TokenAuth(t);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (OPEN.contains(call.getMethodDescriptor().getServiceName())) {
            return next.startCall(call, headers);
        }
        String h = headers.get(AUTHORIZATION);
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            call.close(Status.UNAUTHENTICATED.withDescription("this server needs 'authorization: Bearer <token>'"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        byte[] given = h.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        boolean ok = false;
        for (byte[] t : tokens) {
            ok |= MessageDigest.isEqual(t, given);
        }
        if (!ok) {
            call.close(Status.UNAUTHENTICATED.withDescription("the bearer token is not one this server accepts"), new Metadata());
            return new ServerCall.Listener<>() { };
        }
        return next.startCall(call, headers);
    }
}
