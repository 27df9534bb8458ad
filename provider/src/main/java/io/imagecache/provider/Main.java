package io.imagecache.provider;

import io.imagecache.rpc.Server;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jdk.jfr.Recording;

/**
 * The plugin's entry point. The engine runs {@code pulumi-resource-imagecache [flags] <engine-address>}
 * and reads the port of our gRPC server from the first line of stdout, so nothing else may reach
 * stdout: it is redirected to stderr before anything else runs. With {@code IMAGECACHE_PROVIDER_LOG} set,
 * stderr (and every message sent to the engine) is also appended to that file, for whoever checks the log. With
 * {@code IMAGECACHE_JFR} set, a flight recording is made ({@link FlightRecording}).
 */
public final class Main {
    /** How long operations under way get to stop and restore what they changed once the engine is gone. */
    static final int ENGINE_GONE_GRACE_SECONDS = 120;

    private Main() {}

    public static void main(String[] args) throws Exception {
        PrintStream portOut = System.out;
        String logFile = System.getenv("IMAGECACHE_PROVIDER_LOG");
        if (logFile != null && !logFile.isBlank()) {
            System.setErr(LogTee.to(System.err, java.nio.file.Path.of(logFile)));
        }
        System.setOut(System.err);
        String engineAddress = engineAddress(args);
        Optional<Recording> recording = FlightRecording.startIfAsked(System.getenv());

        Server server = serve(engineAddress);
        portOut.println(server.port());
        portOut.flush();
        System.err.println("imagecache provider " + Plugin.version() + " serving on 127.0.0.1:" + server.port()
                + (engineAddress == null ? "" : " for engine " + engineAddress));
        // SIGTERM or SIGINT (the engine ending its plugins): what runs is cancelled and may restore what it changed
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.engineGone(ENGINE_GONE_GRACE_SECONDS);
            recording.ifPresent(Recording::stop);
        }));
        // The engine (our parent: the launcher execs the JVM) stops its plugins when it ends; killed, it cannot, and
        // an orphaned provider would go on holding SSH connections to every host. So its end ends us too.
        ProcessHandle.current().parent().filter(p -> p.pid() > 1).ifPresent(engine -> engine.onExit().thenRun(() -> {
            System.err.println("imagecache provider: the engine (pid " + engine.pid() + ") is gone; cancelling what runs "
                    + "and stopping");
            server.engineGone(ENGINE_GONE_GRACE_SECONDS);
            System.exit(0);
        }));
        server.awaitTermination();
    }

    /**
     * The provider's gRPC server, serving. GetSchema answers with the schema.json the jar carries, read at the first
     * call (after the port is printed); a jar without one generates it then.
     */
    static Server serve(String engineAddress) throws java.io.IOException {
        Plugin plugin = Plugin.create();
        return Server.start(Plugin.version(), plugin.resources(), plugin.functions(), plugin.components(),
                new Once<>(() -> Plugin.packagedSchema().orElseGet(plugin::schema)), engineAddress);
    }

    /** A value computed on first use and kept (thread-safe). */
    static final class Once<T> implements java.util.function.Supplier<T> {
        private final java.util.function.Supplier<T> compute;
        private volatile T value;

        Once(java.util.function.Supplier<T> compute) {
            this.compute = compute;
        }

        @Override
        public T get() {
            T v = value;
            if (v == null) {
                synchronized (this) {
                    v = value;
                    if (v == null) {
                        v = compute.get();
                        value = v;
                    }
                }
            }
            return v;
        }
    }

    /** The last argument that is not a flag; flags are {@code --logtostderr}, {@code -v=N}, {@code --tracing X}, {@code --logflow}. */
    static String engineAddress(String[] args) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--tracing")) {
                i++;
            } else if (!a.startsWith("-")) {
                rest.add(a);
            }
        }
        return rest.isEmpty() ? null : rest.get(rest.size() - 1);
    }
}
