package io.imagecache.rpc;

import io.grpc.ManagedChannel;
import io.grpc.okhttp.OkHttpChannelBuilder;
import io.imagecache.spi.Context;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import pulumirpc.EngineGrpc;
import pulumirpc.EngineOuterClass.LogRequest;
import pulumirpc.EngineOuterClass.LogSeverity;

/**
 * Sends messages to the engine's Log service, attached to a resource URN. Ephemeral messages are
 * status lines shown while a step runs. When no engine is connected (tests, schema generation)
 * messages go to stderr, which the engine only shows at debug verbosity.
 */
public final class EngineLog implements AutoCloseable {
    private final AtomicReference<ManagedChannel> channel = new AtomicReference<>();
    private final AtomicReference<EngineGrpc.EngineBlockingStub> stub = new AtomicReference<>();
    private final AtomicBoolean cancelled = new AtomicBoolean();
    /** With IMAGECACHE_PROVIDER_LOG set (as the tests do), every message also goes to the provider's log. */
    private static final String LOG_FILE = System.getenv("IMAGECACHE_PROVIDER_LOG");

    /** Connects to the engine at {@code address} (host:port), replacing any earlier connection. */
    public void connect(String address) {
        if (address == null || address.isBlank()) {
            return;
        }
        ManagedChannel ch = OkHttpChannelBuilder.forTarget(address).usePlaintext().build();
        ManagedChannel old = channel.getAndSet(ch);
        stub.set(EngineGrpc.newBlockingStub(ch));
        if (old != null) {
            old.shutdownNow();
        }
    }

    public void cancel() {
        cancelled.set(true);
    }

    public boolean cancelled() {
        return cancelled.get();
    }

    public void log(LogSeverity severity, String urn, String message, boolean ephemeral) {
        EngineGrpc.EngineBlockingStub s = stub.get();
        if (s == null || LOG_FILE != null) {
            System.err.println("[" + severity + "] " + (urn == null ? "" : urn + ": ") + message);
            if (s == null) {
                return;
            }
        }
        try {
            s.withDeadlineAfter(10, TimeUnit.SECONDS).log(LogRequest.newBuilder()
                    .setSeverity(severity)
                    .setUrn(urn == null ? "" : urn)
                    .setMessage(message)
                    .setEphemeral(ephemeral)
                    .build());
        } catch (RuntimeException e) {
            System.err.println("engine log failed (" + e.getMessage() + "): " + message);
        }
    }

    /** A {@link Context} for one resource operation. */
    public Context context(String urn) {
        return new Context() {
            @Override
            public void status(String message) {
                log(LogSeverity.INFO, urn, message, true);
            }

            @Override
            public void info(String message) {
                log(LogSeverity.INFO, urn, message, false);
            }

            @Override
            public void warn(String message) {
                log(LogSeverity.WARNING, urn, message, false);
            }

            @Override
            public boolean cancelled() {
                return EngineLog.this.cancelled();
            }
        };
    }

    @Override
    public void close() {
        ManagedChannel ch = channel.getAndSet(null);
        if (ch != null) {
            ch.shutdownNow();
        }
    }
}
