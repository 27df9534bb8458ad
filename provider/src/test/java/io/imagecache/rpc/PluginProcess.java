package io.imagecache.rpc;

import io.grpc.ManagedChannel;
import io.grpc.okhttp.OkHttpChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import pulumirpc.ResourceProviderGrpc;

/**
 * The built plugin, started as the Pulumi engine starts it: {@code provider/bin/pulumi-resource-imagecache}
 * (the launcher of {@code target/dist}, made by the package phase) prints its gRPC port as the first line of
 * stdout; the engine then dials 127.0.0.1 on it. Its stderr goes to {@code log}.
 */
final class PluginProcess implements AutoCloseable {
    private final Process process;
    private final ManagedChannel channel;
    final ResourceProviderGrpc.ResourceProviderBlockingStub stub;
    final Path log;

    private final BufferedReader stdout;

    private PluginProcess(Process process, BufferedReader stdout, int port, Path log) {
        this.process = process;
        this.stdout = stdout;
        this.log = log;
        this.channel = OkHttpChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        this.stub = ResourceProviderGrpc.newBlockingStub(channel);
    }

    /** The launcher under the provider module (failsafe runs with it as working directory). */
    static Path launcher() {
        Path bin = Path.of(System.getProperty("user.dir")).resolve("bin/pulumi-resource-imagecache");
        if (!Files.isExecutable(bin) || !Files.isRegularFile(Path.of(System.getProperty("user.dir"))
                .resolve("target/dist/imagecache-provider.jar"))) {
            throw new IllegalStateException(bin + " or target/dist/imagecache-provider.jar is missing: run the provider "
                    + "module's package phase (make provider, or make it)");
        }
        return bin;
    }

    static PluginProcess start(Path log) throws IOException {
        return start(launcher(), java.util.Map.of(), log);
    }

    /** {@code launcher} with {@code env} added to this process's environment. */
    static PluginProcess start(Path launcher, java.util.Map<String, String> env, Path log) throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        ProcessBuilder pb = new ProcessBuilder(launcher.toString()).redirectError(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
            try {
                return out.readLine();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        String line;
        try {
            line = first.get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            p.destroyForcibly();
            throw new IllegalStateException("the plugin printed no port within 60 s; its log: " + Files.readString(log), e);
        }
        if (line == null || !line.strip().matches("\\d{1,5}")) {
            p.destroyForcibly();
            throw new IllegalStateException("the plugin's first stdout line is not a port: " + line + "; its log: "
                    + Files.readString(log));
        }
        return new PluginProcess(p, out, Integer.parseInt(line.strip()), log);
    }

    /** The plugin's process ID. */
    long pid() {
        return process.pid();
    }

    /** What the plugin printed on stdout after its port line, once it has ended (after {@link #close}). */
    String restOfStdout() throws IOException {
        if (process.isAlive()) {
            throw new IllegalStateException("the plugin still runs: close it first");
        }
        StringBuilder b = new StringBuilder();
        for (String l = stdout.readLine(); l != null; l = stdout.readLine()) {
            b.append(l).append('\n');
        }
        return b.toString();
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
        // SIGTERM through the handle: Process.destroy would also close our end of its stdout (restOfStdout)
        process.toHandle().destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.toHandle().destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
