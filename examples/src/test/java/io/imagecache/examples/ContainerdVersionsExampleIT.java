package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.testcontainers.containers.Container.ExecResult;

/**
 * `pulumi up` of examples/containerd-mirror on containerd 1.6, 1.7 and 2.x, each starting from the
 * seed's broken state (mirrors next to config_path, CRI not loaded): afterwards CRI is loaded and a
 * docker.io-named and a ghcr.io-named image each come through their own local proxy.
 */
class ContainerdVersionsExampleIT {
    private static LabNetwork network;
    private static LocalRegistry dockerHub;
    private static LocalRegistry ghcr;
    private static LocalRegistry dockerProxy;
    private static LocalRegistry ghcrProxy;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        dockerHub = LocalRegistry.plain().startedOn(network);
        ghcr = LocalRegistry.plain().startedOn(network);
        ImageSeeder.to(dockerHub).dockerImage("library/hello", "1", "hello");
        ImageSeeder.to(ghcr).ociImage("org/app", "1", "app");
        dockerProxy = LocalRegistry.proxy(dockerHub.networkUrl()).startedOn(network);
        ghcrProxy = LocalRegistry.proxy(ghcr.networkUrl()).startedOn(network);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {ghcrProxy, dockerProxy, ghcr, dockerHub, network}) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    /** The node's own default config, made into the seed's broken state. */
    static String seedBroken(NodeHost node, NodeHost.Containerd version) {
        String defaults = node.readFile(NodeHost.CONFIG_FILE);
        if (version == NodeHost.Containerd.V2) {
            return defaults.replaceFirst("(\\[plugins\\.'io\\.containerd\\.cri\\.v1\\.images'\\.registry]\\s*\\n\\s*)config_path = ''",
                    "$1config_path = '/etc/containerd/certs.d'")
                    + "\n[plugins.'io.containerd.cri.v1.images'.registry.mirrors.'docker.io']\n  endpoint = ['http://10.0.20.10:5000']\n";
        }
        String base = defaults.contains("config_path = \"\"")
                ? defaults.replaceFirst("(\\[plugins\\.\"io\\.containerd\\.grpc\\.v1\\.cri\"\\.registry]\\s*\\n\\s*)config_path = \"\"",
                        "$1config_path = \"/etc/containerd/certs.d\"")
                : defaults + "\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n  config_path = \"/etc/containerd/certs.d\"\n";
        return base + "\n[plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.\"*\"]\n  endpoint = [\"http://10.0.20.10:5000\"]\n";
    }

    @ParameterizedTest
    @EnumSource(NodeHost.Containerd.class)
    void pulumiUpFixesTheSeedsBrokenStateAndEachRegistryUsesItsOwnProxy(NodeHost.Containerd version) {
        try (NodeHost node = new NodeHost(network, version)) {
            node.start();
            node.writeFile(NodeHost.CONFIG_FILE, seedBroken(node, version));
            node.restartContainerd();
            assertFalse(node.criLoaded(), version + ": the seed's state keeps CRI from loading");

            try (PulumiCli cli = PulumiCli.forExample("containerd-mirror", "lab")) {
                cli.config("node", node.ip()).secretConfig("sshKey", node.rootKey().privateKey())
                        .config("dockerMirror", dockerProxy.networkUrl()).config("ghcrMirror", ghcrProxy.networkUrl())
                        .config("dockerServer", dockerHub.networkUrl()).config("ghcrServer", ghcr.networkUrl());
                cli.up().assertOk();
                assertTrue(node.criLoaded(), version + ": CRI loaded after up");
                assertEquals("true", cli.output("configChanged"));

                int dockerBefore = dockerProxy.requests("/v2/library/hello/manifests/.*");
                int ghcrBefore = ghcrProxy.requests("/v2/org/app/manifests/.*");
                ExecResult hello = node.crictl("pull", "docker.io/library/hello:1");
                assertEquals(0, hello.getExitCode(), version + ": " + hello.getStderr());
                ExecResult app = node.crictl("pull", "ghcr.io/org/app:1");
                assertEquals(0, app.getExitCode(), version + ": " + app.getStderr());
                assertTrue(dockerProxy.awaitRequests("/v2/library/hello/manifests/.*", dockerBefore + 1, Duration.ofSeconds(10))
                        > dockerBefore, version + ": docker.io through its proxy");
                assertTrue(ghcrProxy.awaitRequests("/v2/org/app/manifests/.*", ghcrBefore + 1, Duration.ofSeconds(10))
                        > ghcrBefore, version + ": ghcr.io through its proxy");
                cli.destroy().assertOk();
            }
        }
    }
}
