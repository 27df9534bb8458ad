package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;

/**
 * Faults on the registry host and upstream (FAULTS.md), through the PullThroughCache component and the real CLI on
 * one registry host and two nodes (containerd 1.6 and 2.x): the host's Docker daemon restarted, then killed with
 * every container as by a power cut and started again: the proxies come back by themselves (their restart policy),
 * nodes pull through them, and refresh finds nothing to fix. Then the upstream unreachable (its container taken
 * off the network): images the proxy holds still pull through it, by digest and by tag. Then the mirror down (the
 * proxy stopped, then its port dropped on the nodes): nodes pull from the upstream itself. The times are printed
 * for FAULTS.md, not asserted.
 */
class RegistryHostFaultsIT {
    private static final String PROGRAM = """
            name: registry-host-faults
            runtime: yaml
            config:
              registryHost: { type: string }
              sshKey: { type: string, secret: true }
              image: { type: string }
              dockerUpstream: { type: string }
              node1: { type: string }
              node2: { type: string }
            resources:
              cache:
                type: imagecache:index:PullThroughCache
                properties:
                  registryHost: { host: "${registryHost}", privateKey: "${sshKey}" }
                  advertiseAddress: ${registryHost}
                  image: ${image}
                  upstreams:
                    - { name: docker, registry: docker.io, remoteUrl: "${dockerUpstream}", port: 5000 }
                  nodes:
                    - connection: { host: "${node1}", privateKey: "${sshKey}" }
                    - connection: { host: "${node2}", privateKey: "${sshKey}" }
                  dialTimeout: 1s
            """;
    private static LabNetwork network;
    private static DockerHost registryHost;
    private static List<NodeHost> nodes;
    private static LocalRegistry dockerHub;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        registryHost = new DockerHost(network);
        registryHost.start();
        nodes = List.of(NodeHost.containerd16(network), NodeHost.containerd2(network));
        for (NodeHost n : nodes) {
            n.withAuthorizedKey(registryHost.rootKey());
            n.start();
        }
        dockerHub = LocalRegistry.plain().startedOn(network);
        ImageSeeder.to(dockerHub).dockerImage("library/hello", "1", "hello");
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {dockerHub, nodes.get(0), nodes.get(1), registryHost, network}) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private static PulumiCli stack() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("registry-host-faults"));
        Files.writeString(dir.resolve("Pulumi.yaml"), PROGRAM);
        return PulumiCli.forProgram(dir, "lab").config("registryHost", registryHost.ip())
                .secretConfig("sshKey", registryHost.rootKey().privateKey()).config("image", DockerHost.REGISTRY_IMAGE)
                .config("dockerUpstream", dockerHub.networkUrl()).config("node1", nodes.get(0).ip()).config("node2", nodes.get(1).ip());
    }

    private static void everyNodePullsThroughTheProxy(String ref, String what) {
        for (NodeHost n : nodes) {
            n.crictl("rmi", ref);
            ExecResult pull = n.crictl("pull", ref);
            assertEquals(0, pull.getExitCode(), what + ": " + n.containerd() + " pulls " + ref + ": " + pull.getStderr());
        }
    }

    private static int servedTo(NodeHost n) {
        return (int) registryHost.sh("docker logs registry-docker 2>&1").lines()
                .filter(l -> l.startsWith(n.ip() + " ") && l.contains("/v2/library/hello/manifests/")).count();
    }

    private static void refreshFindsNothingToFix(PulumiCli cli, String after) {
        PulumiCli.Result refresh = cli.refresh().assertOk();
        assertFalse(refresh.stdout().matches("(?s).*\\d+ (updated|deleted).*"), after + ": refresh found drift:\n" + refresh.stdout());
        PulumiCli.Result preview = cli.preview().assertOk();
        assertFalse(preview.stdout().matches("(?s).*\\d+ to (create|update|delete|replace).*"), after + ":\n" + preview.stdout());
    }

    @Test
    void theProxiesComeBackByThemselvesAndServeWhatTheyHoldWhileTheUpstreamIsDown() throws Exception {
        try (PulumiCli cli = stack()) {
            cli.up().assertOk();
            everyNodePullsThroughTheProxy("docker.io/library/hello:1", "after up");
            assertEquals("8", registryHost.docker("inspect", "--format",
                    "{{index .HostConfig.Sysctls \"net.ipv4.tcp_retries2\"}}", "registry-docker").strip(),
                    "the proxy gives up on a vanished upstream's connection in about 100 s, not 15 minutes");
            String digest = nodes.get(1).sh("crictl inspecti -o go-template --template '{{index .status.repoDigests 0}}' "
                    + "docker.io/library/hello:1").strip();
            assertTrue(digest.startsWith("docker.io/library/hello@sha256:"), digest);

            // Docker restarted on the registry host (a package upgrade, an operator)
            String before = registryHost.docker("inspect", "--format", "{{.Id}}", "registry-docker").strip();
            registryHost.sh("systemctl restart docker");
            awaitRunning("after the Docker restart");
            assertEquals(before, registryHost.docker("inspect", "--format", "{{.Id}}", "registry-docker").strip(),
                    "the same container came back (its restart policy), not a new one");
            int served = servedTo(nodes.get(0));
            everyNodePullsThroughTheProxy("docker.io/library/hello:1", "after the Docker restart");
            assertTrue(servedTo(nodes.get(0)) > served, "the pull after the restart came through the proxy");
            refreshFindsNothingToFix(cli, "after the Docker restart");

            // the host lost power: dockerd, its containerd and every container killed at once, then the daemon started
            // again as at boot
            // (pkill -x matches the process name, never this script's own command line)
            registryHost.sh("pkill -9 -x dockerd; pkill -9 -x containerd-shim; pkill -9 -x registry; pkill -9 -x containerd; "
                    + "sleep 1; rm -f /run/lab-docker.pid /var/run/docker.pid; systemctl start docker");
            awaitRunning("after the power cut");
            everyNodePullsThroughTheProxy("docker.io/library/hello:1", "after the power cut");
            refreshFindsNothingToFix(cli, "after the power cut");

            // the upstream unreachable (off the network): what the proxy holds still pulls, by digest and by tag
            var docker = DockerClientFactory.instance().client();
            docker.disconnectFromNetworkCmd().withNetworkId(network.network().getId()).withContainerId(dockerHub.getContainerId())
                    .withForce(true).exec();
            try {
                for (NodeHost n : nodes) {
                    n.crictl("rmi", "docker.io/library/hello:1");
                    long t0 = System.nanoTime();
                    ExecResult byDigest = n.crictl("pull", digest);
                    long t1 = System.nanoTime();
                    assertEquals(0, byDigest.getExitCode(), n.containerd() + " by digest, upstream down: " + byDigest.getStderr());
                    n.crictl("rmi", digest);
                    long t2 = System.nanoTime();
                    ExecResult byTag = n.crictl("pull", "docker.io/library/hello:1");
                    long t3 = System.nanoTime();
                    assertEquals(0, byTag.getExitCode(), n.containerd() + " by tag, upstream down: " + byTag.getStderr());
                    System.out.printf("FAULTS upstream down, %s: by digest %d ms, by tag %d ms%n", n.containerd(),
                            (t1 - t0) / 1_000_000, (t3 - t2) / 1_000_000);
                }
            } finally {
                docker.connectToNetworkCmd().withNetworkId(network.network().getId()).withContainerId(dockerHub.getContainerId()).exec();
            }

            // the mirror down: nodes fall back to `server` (the upstream itself), first with the proxy stopped (connections
            // refused at once), then with its port silently dropped on each node (containerd waits for its connect
            // timeout: dial_timeout 1s where the version has it, 30 s where it does not)
            registryHost.docker("stop", "registry-docker");
            mirrorDownStillPulls("refused");
            registryHost.docker("start", "registry-docker");
            awaitRunning("started again");
            String drop = "OUTPUT -p tcp -d " + registryHost.ip() + " --dport 5000 -j DROP";
            for (NodeHost n : nodes) {
                n.sh("iptables -I " + drop);
            }
            try {
                mirrorDownStillPulls("unreachable");
            } finally {
                for (NodeHost n : nodes) {
                    n.sh("iptables -D " + drop);
                }
            }
            everyNodePullsThroughTheProxy("docker.io/library/hello:1", "with the mirror back");
            cli.destroy().assertOk();
        }
    }

    /** Each node pulls while the proxy does not answer: the pull comes from the upstream itself; the time is printed. */
    private static void mirrorDownStillPulls(String how) {
        for (NodeHost n : nodes) {
            n.crictl("rmi", "docker.io/library/hello:1");
            int proxied = servedTo(n);
            int direct = dockerHub.requests("/v2/library/hello/manifests/.*");
            long t0 = System.nanoTime();
            ExecResult pull = n.crictl("pull", "docker.io/library/hello:1");
            long t1 = System.nanoTime();
            assertEquals(0, pull.getExitCode(), n.containerd() + ", mirror " + how + ": " + pull.getStderr());
            assertTrue(dockerHub.requests("/v2/library/hello/manifests/.*") > direct,
                    n.containerd() + ", mirror " + how + ": the pull fell back to the upstream (its access log)");
            assertEquals(proxied, servedTo(n), n.containerd() + ", mirror " + how + ": nothing came through the proxy");
            System.out.printf("FAULTS mirror %s, %s (dial_timeout %s): pull %d ms%n", how, n.containerd(),
                    hostsToml(n).contains("dial_timeout") ? "1s" : "not written", (t1 - t0) / 1_000_000);
        }
    }

    private static String hostsToml(NodeHost n) {
        return n.sh("cat " + NodeHost.CERTS_DIR + "/docker.io/hosts.toml");
    }

    private static void awaitRunning(String what) throws InterruptedException {
        String state = "";
        for (int i = 0; i < 60 && !state.equals("running"); i++) {
            Thread.sleep(1000);
            state = registryHost.sh("docker inspect --format '{{.State.Status}}' registry-docker 2>/dev/null || true").strip();
        }
        assertEquals("running", state, what + ": the proxy came back by itself");
    }
}
