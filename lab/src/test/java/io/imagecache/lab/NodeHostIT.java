package io.imagecache.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

class NodeHostIT {
    static LabNetwork network;
    static NodeHost node;
    static GenericContainer<?> registry;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        node = new NodeHost(network);
        registry = new GenericContainer<>(DockerImageName.parse(DockerHost.REGISTRY_IMAGE)).withNetwork(network.network());
        node.start();
        registry.start();
    }

    @AfterAll
    static void stop() {
        registry.stop();
        node.stop();
        network.close();
    }

    @Test
    void containerd16RunsWithTheCriPlugin() {
        assertTrue(node.containerdVersion().contains(" 1.6."), node.containerdVersion());
        ExecResult plugins = node.ctr("plugins", "ls");
        assertEquals(0, plugins.getExitCode(), plugins.getStderr());
        assertTrue(plugins.getStdout().lines().anyMatch(l -> l.contains("io.containerd.grpc.v1") && l.contains("cri")
                && l.strip().endsWith("ok")), plugins.getStdout());
        ExecResult info = node.crictl("info");
        assertEquals(0, info.getExitCode(), info.getStderr());
        assertTrue(info.getStdout().contains("\"RuntimeReady\""), info.getStdout());
    }

    @Test
    void systemctlRestartGivesANewContainerd() {
        long before = node.containerdPid();
        assertTrue(before > 0);
        node.restartContainerd();
        long after = node.containerdPid();
        assertTrue(after > 0);
        assertNotEquals(before, after);
        assertEquals(0, node.crictl("info").getExitCode());
    }

    @Test
    void crictlPullsThroughHostsToml(@TempDir Path dir) throws Exception {
        String registryIp = registry.getContainerInfo().getNetworkSettings().getNetworks().values().stream()
                .filter(n -> network.id().equals(n.getNetworkID())).findFirst().orElseThrow().getIpAddress();
        String hostPort = registryIp + ":5000";
        assertEquals(200, Http.getStatus("http://" + hostPort + "/v2/", Duration.ofSeconds(30)));
        pushTinyImage(dir, "docker://" + hostPort + "/library/hello:1");

        node.writeFile(NodeHost.CERTS_DIR + "/" + hostPort + "/hosts.toml",
                "server = \"http://" + hostPort + "\"\n\n"
                + "[host.\"http://" + hostPort + "\"]\n"
                + "  capabilities = [\"pull\", \"resolve\"]\n");
        // Debian's config.toml (version 2) plus the registry table; plain http needs no skip_verify
        String config = node.readFile(NodeHost.CONFIG_FILE);
        assertTrue(config.startsWith("version = 2"), config);
        node.writeFile(NodeHost.CONFIG_FILE, config + "\n"
                + "[plugins.\"io.containerd.grpc.v1.cri\".registry]\n"
                + "  config_path = \"" + NodeHost.CERTS_DIR + "\"\n");
        node.restartContainerd();

        ExecResult pull = node.crictl("pull", hostPort + "/library/hello:1");
        assertEquals(0, pull.getExitCode(), pull.getStdout() + pull.getStderr());
        assertTrue(node.crictl("images").getStdout().contains(hostPort + "/library/hello"));
        assertTrue(node.ctr("plugins", "ls").getStdout().lines()
                .anyMatch(l -> l.contains("io.containerd.grpc.v1") && l.contains("cri") && l.strip().endsWith("ok")));
    }

    /** Builds a FROM-scratch image with one small file and copies it into the registry with skopeo. */
    private static void pushTinyImage(Path dir, String destination) throws Exception {
        String tag = "imagecache-lab/hello:" + ProcessHandle.current().pid();
        Files.writeString(dir.resolve("hello.txt"), "hello from the imagecache lab\n");
        Files.writeString(dir.resolve("Dockerfile"), "FROM scratch\nCOPY hello.txt /hello.txt\n");
        Path archive = dir.resolve("hello.tar");
        try {
            run(dir, "docker", "build", "-q", "-t", tag, ".");
            run(dir, "docker", "save", "-o", archive.toString(), tag);
        } finally {
            run(dir, "docker", "rmi", "-f", tag);
        }
        run(dir, "skopeo", "copy", "--insecure-policy", "--dest-tls-verify=false",
                "docker-archive:" + archive, destination);
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
