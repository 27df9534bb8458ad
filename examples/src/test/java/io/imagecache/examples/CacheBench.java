package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.SshKeys;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;

/**
 * Benchmark, not a test (`make bench PARTS=cache`, bench/run.sh; not matched by failsafe's *IT): issue 11 part 5. A
 * ~100 MB image (one layer of random bytes) on a local upstream; a containerd 2.x node and a registry host with
 * PullThroughCache deployed by the real CLI. `crictl pull` times on the node: direct from the upstream (by its own
 * address, a hand-made hosts.toml with only `server`), cold through the proxy (its storage emptied before each run),
 * warm through the proxy, and with the mirror's port dropped on the node (the fallback to `server`), with the
 * component's `dialTimeout: 1s`, with `300ms` (a LAN-sized value) and without it. Each pull is checked to have gone
 * where it should: the upstream's access log counts the layer's GETs (direct, cold and fallback fetch it there; warm
 * does not). Writes bench/results/cache.tsv and cache.json. No assertion on a time.
 */
class CacheBench {
    private static final int RUNS = Integer.getInteger("bench.runs", 5);
    private static final int MB = Integer.getInteger("bench.imageMb", 100);
    private static final String IMAGE = "docker.io/library/big:1";
    private static final String BLOBS = "/v2/library/big/blobs/sha256:.*";

    private final Map<String, List<Double>> walls = new LinkedHashMap<>();

    @Test
    void pullTimes() throws Exception {
        Path repo = PulumiCli.repoRoot();
        SshKeys key = SshKeys.ed25519();
        try (LabNetwork network = LabNetwork.create();
             LocalRegistry upstream = LocalRegistry.plain().startedOn(network);
             DockerHost host = new DockerHost(network);
             NodeHost node = NodeHost.containerd2(network)) {
            host.withAuthorizedKey(key).start();
            node.withAuthorizedKey(key).start();
            byte[] layer = new byte[MB * 1024 * 1024];
            new Random(11).nextBytes(layer);
            ImageSeeder.to(upstream).dockerImage("library/big", "1", layer);
            layer = null;
            Path program = Files.createTempDirectory("imagecache-cache-bench-").resolve("cache");
            Files.createDirectories(program);
            Files.writeString(program.resolve("Pulumi.yaml"), program(host, node, upstream, "1s"));
            try (PulumiCli cli = PulumiCli.forProgram(program, "bench")) {
                cli.secretConfig("sshKey", key.privateKey());
                cli.up().assertOk();
                // direct: the upstream by its own address (config_path is set now), a hosts.toml with only its server
                String upstreamHost = upstream.networkUrl().replaceFirst("^http://", "");
                node.writeFile(NodeHost.CERTS_DIR + "/" + upstreamHost + "/hosts.toml", "server = \"" + upstream.networkUrl() + "\"\n");
                for (int r = 1; r <= RUNS; r++) {
                    pull(node, upstream, "direct", upstreamHost + "/library/big:1", 1);
                    emptyProxy(host);
                    pull(node, upstream, "cold through the proxy", IMAGE, 1);
                    pull(node, upstream, "warm through the proxy", IMAGE, 0);
                }
                String drop = "OUTPUT -p tcp -d " + host.ip() + " --dport 5000 -j DROP";
                try {
                    for (String dial : new String[] {"1s", "300ms", null}) {
                        if (!"1s".equals(dial)) {
                            reprogram(cli, host, node, upstream, dial);
                        }
                        node.sh("iptables -I " + drop);
                        for (int r = 1; r <= (dial == null ? 1 : Math.min(RUNS, 3)); r++) {
                            pull(node, upstream, fallbackCase(dial), IMAGE, 1);
                        }
                        node.sh("iptables -D " + drop);
                    }
                } finally {
                    node.sh("iptables -D " + drop + " 2>/dev/null || true");
                }
                cli.destroy().assertOk();
            }
        }
        write(repo.resolve("bench/results"));
    }

    private static String fallbackCase(String dialTimeout) {
        return dialTimeout == null ? "mirror down, no dial_timeout" : "mirror down, dial_timeout " + dialTimeout;
    }

    /** The program with {@code dialTimeout} (null: none), applied by an {@code up}; hosts.toml then says so. */
    private static void reprogram(PulumiCli cli, DockerHost host, NodeHost node, LocalRegistry upstream, String dialTimeout)
            throws IOException {
        Path yaml = cli.project().resolve("Pulumi.yaml");
        String now = Files.readString(yaml);
        Files.writeString(yaml, program(host, node, upstream, dialTimeout) + now.substring(now.indexOf("\nplugins:")));
        cli.up().assertOk();
        String hosts = node.readFile(NodeHost.CERTS_DIR + "/docker.io/hosts.toml");
        assertTrue(dialTimeout == null ? !hosts.contains("dial_timeout") : hosts.contains("dial_timeout = \"" + dialTimeout + "\""),
                hosts);
    }

    private static String program(DockerHost host, NodeHost node, LocalRegistry upstream, String dialTimeout) {
        return "name: cache\nruntime: yaml\nconfig:\n  sshKey: {type: string, secret: true}\nresources:\n  cache:\n"
                + "    type: imagecache:index:PullThroughCache\n    properties:\n"
                + "      registryHost: {host: \"" + host.ip() + "\", privateKey: \"${sshKey}\", hostKey: \"" + host.hostKeyLine() + "\"}\n"
                + "      advertiseAddress: \"" + host.ip() + "\"\n      image: " + DockerHost.REGISTRY_IMAGE + "\n"
                + (dialTimeout != null ? "      dialTimeout: " + dialTimeout + "\n" : "")
                + "      upstreams:\n        - {name: docker, registry: docker.io, remoteUrl: \"" + upstream.networkUrl() + "\", port: 5000}\n"
                + "      nodes:\n        - connection: {host: \"" + node.ip() + "\", privateKey: \"${sshKey}\", hostKey: \""
                + node.hostKeyLine() + "\"}\n";
    }

    /** The proxy's storage emptied (its marker kept) and the proxy started again, answering. */
    private static void emptyProxy(DockerHost host) {
        host.sh("docker stop -t 5 registry-docker >/dev/null && rm -rf /var/lib/imagecache/docker/docker && docker start registry-docker >/dev/null"
                + " && for i in $(seq 100); do curl -fsS -o /dev/null http://127.0.0.1:5000/v2/ && exit 0; sleep 0.1; done; exit 1");
    }

    /** One timed pull of {@code ref} from an empty node; the upstream served blobs ({@code upstreamFetches} 1) or none (0). */
    private void pull(NodeHost node, LocalRegistry upstream, String what, String ref, int upstreamFetches) {
        int before = upstream.requests("GET", BLOBS);
        long t0 = System.nanoTime();
        ExecResult p = node.crictl("pull", ref);
        double ms = (System.nanoTime() - t0) / 1e6;
        assertEquals(0, p.getExitCode(), what + ": " + p.getStderr());
        int fetched = upstream.requests("GET", BLOBS) - before;
        // the config blob and the layer from the upstream (a cold proxy GETs each twice: one to serve, one to store), or
        // none when the proxy had both
        assertEquals(upstreamFetches == 0, fetched == 0, what + ": the upstream served " + fetched + " blob GETs");
        ExecResult rmi = node.crictl("rmi", ref);
        assertEquals(0, rmi.getExitCode(), rmi.getStderr());
        walls.computeIfAbsent(what, k -> new ArrayList<>()).add(ms);
        System.out.printf(Locale.ROOT, "[cache] %-30s %8.0f ms%n", what, ms);
    }

    private void write(Path out) throws IOException {
        Files.createDirectories(out);
        StringBuilder tsv = new StringBuilder("case\trun\twall_ms\n");
        StringBuilder json = new StringBuilder("{\n  \"part\": \"cache\",\n  \"image_mb\": " + MB + ",\n  \"containerd\": \"2.x (lab node:2)\",\n"
                + "  \"loadavg\": \"" + Files.readString(Path.of("/proc/loadavg")).strip() + "\",\n  \"cases\": {");
        String sep = "\n";
        Map<String, Double> medians = new LinkedHashMap<>();
        for (Map.Entry<String, List<Double>> e : walls.entrySet()) {
            List<Double> xs = e.getValue();
            for (int i = 0; i < xs.size(); i++) {
                tsv.append(e.getKey()).append('\t').append(i + 1).append('\t').append(String.format(Locale.ROOT, "%.1f", xs.get(i))).append('\n');
            }
            List<Double> s = xs.stream().sorted().toList();
            double median = s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
            medians.put(e.getKey(), median);
            json.append(sep).append(String.format(Locale.ROOT, "    \"%s\": {\"runs\": %d, \"wall_ms\": {\"median\": %.1f, \"min\": %.1f, \"max\": %.1f}}",
                    e.getKey(), s.size(), median, s.get(0), s.get(s.size() - 1)));
            sep = ",\n";
            System.out.printf(Locale.ROOT, "[cache] %-30s median %7.0f [%.0f-%.0f] ms (%d runs)%n", e.getKey(), median, s.get(0),
                    s.get(s.size() - 1), s.size());
        }
        double direct = medians.get("direct");
        json.append("\n  },\n  \"ratios\": {\"warm / direct\": ").append(String.format(Locale.ROOT, "%.3f", medians.get("warm through the proxy") / direct))
                .append(", \"cold / direct\": ").append(String.format(Locale.ROOT, "%.3f", medians.get("cold through the proxy") / direct))
                .append(", \"fallback extra, dial_timeout 1s (ms)\": ")
                .append(String.format(Locale.ROOT, "%.0f", medians.get("mirror down, dial_timeout 1s") - direct))
                .append(", \"fallback extra, dial_timeout 300ms (ms)\": ")
                .append(String.format(Locale.ROOT, "%.0f", medians.get("mirror down, dial_timeout 300ms") - direct))
                .append(", \"fallback extra, no dial_timeout (ms)\": ")
                .append(String.format(Locale.ROOT, "%.0f", medians.get("mirror down, no dial_timeout") - direct)).append("}\n}\n");
        Files.writeString(out.resolve("cache.tsv"), tsv);
        Files.writeString(out.resolve("cache.json"), json);
    }
}
