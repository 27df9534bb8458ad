package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;

/**
 * examples/pull-through-cache, the seed's whole job in one stack, through the real CLI: proxies on the
 * registry VM, their cron files, and a containerd 2.x node whose pulls come through them.
 */
class PullThroughCacheExampleIT {
    private static LabNetwork network;
    private static DockerHost registryVm;
    private static NodeHost node;
    private static LocalRegistry dockerHub;
    private static LocalRegistry ghcr;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        registryVm = new DockerHost(network);
        registryVm.start();
        node = NodeHost.containerd2(network);
        node.start();
        dockerHub = LocalRegistry.plain();
        dockerHub.withNetwork(network.network());
        dockerHub.start();
        ghcr = LocalRegistry.plain();
        ghcr.withNetwork(network.network());
        ghcr.start();
        ImageSeeder.to(dockerHub).dockerImage("library/hello", "1", "hello");
        ImageSeeder.to(ghcr).ociIndex("org/app", "1", "app");
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {ghcr, dockerHub, node, registryVm, network}) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    void theWholeSetupInOneStack() {
        try (PulumiCli cli = PulumiCli.forExample("pull-through-cache", "lab")) {
            cli.config("registryHost", registryVm.ip()).config("node", node.ip())
                    .secretConfig("sshKey", registryVm.rootKey().privateKey())
                    .config("image", DockerHost.REGISTRY_IMAGE)
                    .config("dockerUpstream", dockerHub.networkUrl()).config("ghcrUpstream", ghcr.networkUrl());
            // one key for both hosts
            node.sh("cat >> /root/.ssh/authorized_keys <<'EOF'\n" + registryVm.rootKey().publicKey() + "\nEOF");

            PulumiCli.Result preview = cli.preview().assertOk();
            assertTrue(preview.stdout().contains("+ 6 to create"), preview.stdout());
            PulumiCli.Result up = cli.up().assertOk();
            assertTrue(up.stdout().contains("6 created"), up.stdout());
            assertEquals("http://" + registryVm.ip() + ":5010", cli.output("ghcrEndpoint"));

            ExecResult hello = node.crictl("pull", "docker.io/library/hello:1");
            assertEquals(0, hello.getExitCode(), hello.getStderr());
            ExecResult app = node.crictl("pull", "ghcr.io/org/app:1");
            assertEquals(0, app.getExitCode(), app.getStderr());
            assertTrue(registryVm.sh("ls /var/lib/imagecache/ghcr/docker/registry/v2/repositories/org").contains("app"),
                    "the ghcr.io pull went through the ghcr proxy, which cached it");
            assertTrue(registryVm.sh("ls /var/lib/imagecache/docker/docker/registry/v2/repositories/library").contains("hello"));
            String ghcrCron = registryVm.readFile("/etc/cron.d/imagecache-registry-ghcr");
            assertTrue(ghcrCron.contains("\n30 3 * * 0 root"), "GC staggered: " + ghcrCron);
            assertTrue(registryVm.readFile("/etc/cron.d/imagecache-registry-docker").contains("\n0 3 * * 0 root"));

            PulumiCli.Result noop = cli.preview().assertOk();
            assertFalse(noop.stdout().contains("to update") || noop.stdout().contains("to replace"), noop.stdout());

            cli.destroy().assertOk();
            assertFalse(registryVm.docker("ps", "-a", "--format", "{{.Names}}").contains("registry-"));
            assertTrue(registryVm.sh("ls /var/lib/imagecache/ghcr/docker/registry/v2/repositories/org").contains("app"),
                    "the cache survives destroy");
        }
    }
}
