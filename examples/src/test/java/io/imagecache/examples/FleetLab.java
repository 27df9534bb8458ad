package io.imagecache.examples;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.SshKeys;
import io.imagecache.lab.registry.LocalRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The fleet of `make bench PARTS=fleet`: N light lab nodes (sshd, cron and Debian's containerd 1.6 each, every sshd
 * recording the commands it runs) and one registry host, all authorizing one key. What each node holds is read with
 * {@code docker exec}, which sshd does not see, so reading never counts as a connection.
 */
final class FleetLab implements AutoCloseable {
    static final String CERTS_DIR = NodeHost.CERTS_DIR;
    static final String CONFIG = NodeHost.CONFIG_FILE;

    /** One node as read between two operations: sshd's connection count, commands run, containerd's PID, files. */
    record Snapshot(long connections, long commands, long containerdPid, Map<String, String> files) {}

    /** What one operation did on the fleet: per-node means and maxima, and the totals. */
    record Counts(double connectionsPerNode, long maxConnections, double commandsPerNode, long filesWritten,
                  long bytesWritten, long restarts) {
        boolean touchedNothing() {
            return filesWritten == 0 && restarts == 0;
        }
    }

    final LabNetwork network = LabNetwork.create();
    final SshKeys key = SshKeys.ed25519();
    final LocalRegistry upstream;
    final DockerHost registryHost;
    final List<NodeHost> nodes = new ArrayList<>();
    final Path dir;
    private final ExecutorService pool = Executors.newFixedThreadPool(8);
    private final Map<NodeHost, String> originalConfig = new LinkedHashMap<>();

    FleetLab(int n) throws Exception {
        dir = Files.createTempDirectory("imagecache-fleet-" + n + "-");
        upstream = LocalRegistry.plain().startedOn(network);
        registryHost = new DockerHost(network);
        registryHost.withAuthorizedKey(key);
        List<Callable<Void>> starts = new ArrayList<>();
        starts.add(() -> {
            registryHost.start();
            return null;
        });
        for (int i = 0; i < n; i++) {
            NodeHost node = NodeHost.containerd16(network);
            node.withAuthorizedKey(key).withCommandRecorder();
            nodes.add(node);
            starts.add(() -> {
                node.start();
                return null;
            });
        }
        all(starts);
        for (NodeHost node : nodes) {
            originalConfig.put(node, node.readFile(CONFIG));
        }
        Path k = dir.resolve("id");
        Files.writeString(k, key.privateKey());
        Files.setPosixFilePermissions(k, PosixFilePermissions.fromString("rw-------"));
        StringBuilder known = new StringBuilder(registryHost.ip() + " " + registryHost.hostKeyLine() + "\n");
        for (NodeHost node : nodes) {
            known.append(node.ip()).append(' ').append(node.hostKeyLine()).append('\n');
        }
        Files.writeString(dir.resolve("known_hosts"), known);
    }

    /**
     * The head of a YAML program with one PullThroughCache on this lab's registry host (its key pinned), the lab's
     * registry image and batches of {@code batchSize}; the caller appends {@code upstreams:} and {@code nodes:}.
     */
    StringBuilder cacheProgram(String project, int batchSize) {
        String reg = registryHost.ip();
        StringBuilder y = new StringBuilder("name: " + project + "\n" + """
                runtime: yaml
                config:
                  sshKey: {type: string, secret: true}
                resources:
                  cache:
                    type: imagecache:index:PullThroughCache
                    properties:
                """);
        y.append("      registryHost: {host: \"").append(reg).append("\", privateKey: \"${sshKey}\", hostKey: \"")
                .append(registryHost.hostKeyLine()).append("\"}\n");
        y.append("      advertiseAddress: \"").append(reg).append("\"\n");
        y.append("      image: ").append(DockerHost.REGISTRY_IMAGE).append('\n');
        y.append("      rollout: {batchSize: ").append(batchSize).append("}\n");
        return y;
    }

    /** {@code program} with every node of the lab (its host key pinned) as {@code nodes:}, as text. */
    String withNodes(StringBuilder program) {
        program.append("      nodes:\n");
        for (NodeHost node : nodes) {
            program.append("        - connection: {host: \"").append(node.ip()).append("\", privateKey: \"${sshKey}\", hostKey: \"")
                    .append(node.hostKeyLine()).append("\"}\n");
        }
        return program.toString();
    }

    Path keyFile() {
        return dir.resolve("id");
    }

    Path knownHosts() {
        return dir.resolve("known_hosts");
    }

    String original(NodeHost node) {
        return originalConfig.get(node);
    }

    /** Every node, read in parallel. */
    Map<NodeHost, Snapshot> snapshot() throws Exception {
        List<Callable<Snapshot>> reads = nodes.stream().<Callable<Snapshot>>map(n -> () -> read(n)).toList();
        List<Snapshot> got = all(reads);
        Map<NodeHost, Snapshot> out = new LinkedHashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            out.put(nodes.get(i), got.get(i));
        }
        return out;
    }

    private static Snapshot read(NodeHost node) {
        String out = node.sh("grep -c 'Connection from ' " + LabHost.SSHD_LOG + " || true; wc -l < " + LabHost.COMMAND_LOG
                + "; pgrep -xo containerd || echo 0; find /etc/containerd -type f -printf '%s ' -exec sha256sum {} \\;");
        String[] lines = out.split("\n");
        Map<String, String> files = new LinkedHashMap<>();
        for (int i = 3; i < lines.length; i++) {
            String[] f = lines[i].trim().split("\\s+");
            if (f.length == 3) {
                files.put(f[2], f[0] + " " + f[1]);
            }
        }
        return new Snapshot(Long.parseLong(lines[0].trim()), Long.parseLong(lines[1].trim()), Long.parseLong(lines[2].trim()),
                files);
    }

    /** What happened between two snapshots of the fleet. */
    static Counts counts(Map<NodeHost, Snapshot> before, Map<NodeHost, Snapshot> after) {
        long conns = 0;
        long maxConns = 0;
        long cmds = 0;
        long files = 0;
        long bytes = 0;
        long restarts = 0;
        for (Map.Entry<NodeHost, Snapshot> e : after.entrySet()) {
            Snapshot b = before.get(e.getKey());
            Snapshot a = e.getValue();
            long c = a.connections() - b.connections();
            conns += c;
            maxConns = Math.max(maxConns, c);
            cmds += a.commands() - b.commands();
            restarts += a.containerdPid() == b.containerdPid() ? 0 : 1;
            for (Map.Entry<String, String> f : a.files().entrySet()) {
                if (!f.getValue().equals(b.files().get(f.getKey()))) {
                    files++;
                    bytes += Long.parseLong(f.getValue().split(" ")[0]);
                }
            }
        }
        int n = after.size();
        return new Counts((double) conns / n, maxConns, (double) cmds / n, files, bytes, restarts);
    }

    /**
     * Puts the lab back as it started (with docker exec): on every node the original config.toml, an empty certs.d,
     * containerd restarted; on the registry host no proxy container and none of the tools' proxy directories.
     */
    void reset() throws Exception {
        List<Callable<Void>> resets = new ArrayList<>();
        resets.add(() -> {
            registryHost.sh("docker ps -aq | xargs -r docker rm -f >/dev/null; rm -rf " + String.join(" ", PROXY_DIRS));
            return null;
        });
        for (NodeHost node : nodes) {
            resets.add(() -> {
                node.writeFile(CONFIG, originalConfig.get(node));
                node.sh("rm -rf " + CERTS_DIR + " /etc/containerd/*.imagecache* /etc/containerd/config.toml.*; mkdir -p " + CERTS_DIR
                        + "; systemctl restart containerd");
                return null;
            });
        }
        all(resets);
    }

    /**
     * Undoes a one-mirror change by hand, between a benchmark's runs: the registry host's {@code container} and
     * {@code paths}, every node's {@code <certs.d>/<registry>} (config.toml is left: the change did not touch it).
     */
    void removeMirror(String registry, String container, List<String> paths) throws Exception {
        List<Callable<Void>> undo = new ArrayList<>();
        undo.add(() -> {
            registryHost.sh("docker rm -f " + container + " >/dev/null 2>&1; rm -rf " + String.join(" ", paths));
            return null;
        });
        for (NodeHost node : nodes) {
            undo.add(() -> {
                node.sh("rm -rf " + CERTS_DIR + "/" + registry);
                return null;
            });
        }
        all(undo);
    }

    /** Where the tools keep their proxies' config.yml and data on the registry host (PullThroughCache's, the runbook's). */
    static final List<String> PROXY_DIRS = List.of("/etc/imagecache", "/var/lib/imagecache", "/etc/docker-registry");

    /**
     * Part of every tool's end state: the registry host has a proxy on each of {@code ports} that answers {@code GET /v2/}
     * (waited for up to 60 s: the floor does not wait for its proxies, and this wait is not timed).
     */
    void proxiesAnswer(String tool, List<Integer> ports) throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (int port : ports) {
            URI v2 = URI.create("http://" + registryHost.ip() + ":" + port + "/v2/");
            String last = "no answer";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    int code = http.send(HttpRequest.newBuilder(v2).timeout(Duration.ofSeconds(5)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (code == 200) {
                        break;
                    }
                    last = "HTTP " + code;
                } catch (IOException e) {
                    last = e.toString();
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(tool + ": no proxy answers " + v2 + " (" + last + ")");
                }
                Thread.sleep(200);
            }
        }
    }

    /**
     * The floor: one {@code ssh} per node, {@code parallel} at a time, each running {@code command} with {@code stdin}
     * (per node) on its standard input. Fails when one fails.
     */
    void sshEach(int parallel, String command, java.util.function.Function<NodeHost, byte[]> stdin) throws Exception {
        ExecutorService ssh = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (NodeHost node : nodes) {
                fs.add(ssh.submit(() -> ssh(node, command, stdin.apply(node))));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        } finally {
            ssh.shutdownNow();
        }
    }

    /** One {@code ssh} to {@code host} running {@code command} with {@code stdin}; its output. Fails when it fails. */
    String ssh(LabHost host, String command, byte[] stdin) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ssh", "-i", keyFile().toString(), "-o", "UserKnownHostsFile=" + knownHosts(),
                "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=10",
                "root@" + host.ip(), command).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin);
        p.getOutputStream().close();
        // read while it runs (its output could fill the pipe), then wait for the exit
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("ssh " + host.ip() + " " + command + ": " + out);
        }
        return out;
    }

    private <T> List<T> all(List<Callable<T>> tasks) throws Exception {
        List<T> out = new ArrayList<>();
        for (Future<T> f : pool.invokeAll(tasks)) {
            out.add(f.get());
        }
        return out;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        List<AutoCloseable> all = new ArrayList<>(nodes);
        all.add(registryHost);
        all.add(upstream);
        all.add(network);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
        try {
            Files.deleteIfExists(keyFile());
        } catch (IOException e) {
            // best effort
        }
    }
}
