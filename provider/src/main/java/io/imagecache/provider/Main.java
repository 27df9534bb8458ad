package io.imagecache.provider;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.imagecache.rpc.EngineLog;
import io.imagecache.rpc.ProviderServer;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The plugin's entry point. The engine runs {@code pulumi-resource-imagecache [flags] <engine-address>}
 * and reads the port of our gRPC server from the first line of stdout, so nothing else may reach
 * stdout: it is redirected to stderr before anything else runs.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        PrintStream portOut = System.out;
        System.setOut(System.err);
        String engineAddress = engineAddress(args);

        EngineLog engine = new EngineLog();
        if (engineAddress != null) {
            engine.connect(engineAddress);
        }
        Plugin plugin = Plugin.create();
        String schema = plugin.schema();
        ProviderServer service = new ProviderServer(Plugin.version(), plugin.resources(), plugin.functions(),
                () -> schema, engine);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(service)
                .maxInboundMessageSize(64 * 1024 * 1024)
                .build()
                .start();
        portOut.println(server.getPort());
        portOut.flush();
        System.err.println("imagecache provider " + Plugin.version() + " serving on 127.0.0.1:" + server.getPort()
                + (engineAddress == null ? "" : " for engine " + engineAddress));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.shutdown();
            try {
                server.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            engine.close();
        }));
        server.awaitTermination();
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
