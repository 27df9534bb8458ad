package io.imagecache.rpc;

import io.grpc.InsecureServerCredentials;
import io.grpc.okhttp.OkHttpServerBuilder;
import io.imagecache.spi.ComponentResource;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.ProviderFunction;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The provider's gRPC server on a free loopback port, with its connection to the engine's log: what
 * {@code Main} starts, so that nothing outside this package sees grpc.
 */
public final class Server implements AutoCloseable {
    private static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

    private final io.grpc.Server grpc;
    private final EngineLog engine;

    private Server(io.grpc.Server grpc, EngineLog engine) {
        this.grpc = grpc;
        this.engine = engine;
    }

    /**
     * Starts serving the resources, functions and components on 127.0.0.1 at a free port; {@code engineAddress}
     * (may be null) is where the engine's log service listens.
     */
    public static Server start(String version, List<CustomResource<?, ?>> resources,
                               List<ProviderFunction<?, ?>> functions, List<ComponentResource<?, ?>> components,
                               Supplier<String> schema, String engineAddress)
            throws IOException {
        EngineLog engine = new EngineLog();
        if (engineAddress != null) {
            engine.connect(engineAddress);
        }
        ProviderServer service = new ProviderServer(version, resources, functions, components, schema, engine);
        io.grpc.Server grpc = OkHttpServerBuilder.forPort(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
                .addService(service)
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .build()
                .start();
        return new Server(grpc, engine);
    }

    public int port() {
        return grpc.getPort();
    }

    /** Blocks until the server stops. */
    public void awaitTermination() throws InterruptedException {
        grpc.awaitTermination();
    }

    /** Stops serving (waiting up to 5 s for calls under way) and closes the engine connection. */
    @Override
    public void close() {
        stop(5);
    }

    /**
     * The engine is gone (killed: it could not stop us): every operation under way is cancelled, as by the engine's
     * Cancel, so it stops at its next step and restores what it changed; they get up to {@code graceSeconds} to do so.
     */
    public void engineGone(int graceSeconds) {
        engine.cancel();
        stop(graceSeconds);
    }

    private void stop(int graceSeconds) {
        grpc.shutdown();
        try {
            grpc.awaitTermination(graceSeconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        engine.close();
    }
}
