package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.LocalRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two stacks pointed at the same Docker host and the same node (the fault "two stacks, one host"): stack A deploys a
 * RegistryProxy, a MaintenanceSchedule for it and a ContainerdMirror (independent of each other, so B tries all three); stack B, the same program with the same names, ports
 * and registries, fails naming stack A and leaves every file and container byte for byte as it was; B cannot import
 * A's proxy either, nor move the node's config_path to a certsDir of its own; B's destroy touches nothing of A's; A's next preview shows no change; once A destroys, B's up
 * succeeds and B's markers name B; markers of an older version (no stack) are adopted by B's refresh.
 */
class TwoStacksExampleIT {
    private static final String PROGRAM = """
            name: owners
            runtime: yaml
            config:
              host: {type: string}
              node: {type: string}
              sshKey: {type: string, secret: true}
              nodeKey: {type: string, secret: true}
              upstream: {type: string}
              certsDir: {type: string, default: /etc/containerd/certs.d}
            resources:
              ghcr:
                type: imagecache:index:RegistryProxy
                properties:
                  connection: {host: "${host}", privateKey: "${sshKey}"}
                  upstream: {name: ghcr, registry: ghcr.io, remoteUrl: "${upstream}", port: 5010}
                  image: imagecache-lab/registry:2.8
              gc:
                type: imagecache:index:MaintenanceSchedule
                properties:
                  connection: {host: "${host}", privateKey: "${sshKey}"}
                  containerName: registry-ghcr
                  upstreamUrl: ${upstream}
                  # never while the test runs: A's own jobs restarting its proxy would look like B touching it
                  gcSchedule: "0 0 30 2 *"
                  restartSchedule: ""
              mirror:
                type: imagecache:index:ContainerdMirror
                properties:
                  connection: {host: "${node}", privateKey: "${nodeKey}"}
                  mirrors:
                    - registry: ghcr.io
                      endpoints: ["http://${host}:5010"]
                      server: ${upstream}
                  certsDir: ${certsDir}
            """;
    /** What A owns on the Docker host: the proxy's files, its schedule, and the container (id, start, labels). */
    private static final String HOST_STATE = "cd / && sha256sum etc/imagecache/ghcr/config.yml etc/imagecache/ghcr/.imagecache-owner "
            + "var/lib/imagecache/ghcr/.imagecache-owner etc/cron.d/imagecache-registry-ghcr && docker inspect -f "
            + "'{{.Id}} {{.State.StartedAt}} {{json .Config.Labels}}' registry-ghcr";
    private static final String NODE_STATE = "cd / && sha256sum etc/containerd/config.toml etc/containerd/certs.d/ghcr.io/hosts.toml"
            + " && ls etc/containerd/certs.d etc/containerd";
    private static LabNetwork network;
    private static DockerHost host;
    private static NodeHost node;
    private static LocalRegistry upstream;
    private static Path program;

    @BeforeAll
    static void start() throws IOException {
        network = LabNetwork.create();
        upstream = LocalRegistry.plain().startedOn(network);
        host = new DockerHost(network);
        host.start();
        node = new NodeHost(network);
        node.start();
        program = Files.createTempDirectory("two-stacks-").resolve("owners");
        Files.createDirectories(program);
        Files.writeString(program.resolve("Pulumi.yaml"), PROGRAM);
    }

    @AfterAll
    static void stop() throws IOException {
        for (AutoCloseable c : new AutoCloseable[] {node, host, upstream, network}) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
        Files.deleteIfExists(program.resolve("Pulumi.yaml"));
    }

    private static PulumiCli stack(String name) {
        PulumiCli cli = PulumiCli.forProgram(program, name);
        cli.config("host", host.ip()).config("node", node.ip()).config("upstream", upstream.networkUrl())
                .secretConfig("sshKey", host.rootKey().privateKey()).secretConfig("nodeKey", node.rootKey().privateKey());
        return cli;
    }

    private static String hostState() {
        return host.sh(HOST_STATE);
    }

    private static String nodeState() {
        return node.sh(NODE_STATE) + "containerd pid " + node.containerdPid();
    }

    @Test
    void theSecondStackRefusesToTakeOverWhatTheFirstManagesAndTouchesNothing() throws IOException {
        try (PulumiCli a = stack("a"); PulumiCli b = stack("b")) {
            a.up().assertOk();
            String onHost = hostState();
            String onNode = nodeState();
            assertTrue(host.readFile("/etc/imagecache/ghcr/.imagecache-owner")
                    .contains("\n# imagecache:owner stack=owners/a resource=ghcr\n"), "the marker names stack A");
            assertTrue(onHost.contains("\"io.imagecache.owner\":\"imagecache:owner stack=owners/a resource=ghcr\""), onHost);
            assertTrue(host.readFile("/etc/cron.d/imagecache-registry-ghcr").contains("# imagecache:owner stack=owners/a resource=gc\n"));
            String hostsToml = node.readFile("/etc/containerd/certs.d/ghcr.io/hosts.toml");
            assertTrue(hostsToml.startsWith("# Managed by imagecache. Do not edit.\n# imagecache:owner stack=owners/a resource=mirror\n"),
                    hostsToml);

            PulumiCli.Result refused = b.up();
            assertNotEquals(0, refused.exitCode(), refused.output());
            String out = refused.output();
            assertTrue(out.contains("the container registry-ghcr on root@" + host.ip() + ":22 belongs to the Pulumi stack "
                    + "owners/a (resource ghcr), not to this stack owners/b: destroy it there first"), out);
            assertTrue(out.contains("/etc/containerd/certs.d/ghcr.io/hosts.toml on root@" + node.ip() + ":22 belongs to the "
                    + "Pulumi stack owners/a (resource mirror), not to this stack owners/b"), out);
            assertTrue(out.contains("/etc/cron.d/imagecache-registry-ghcr on root@" + host.ip() + ":22 belongs to the "
                    + "Pulumi stack owners/a (resource gc)"), out);
            assertTrue(out.contains("(nothing was changed)"), out);
            assertEquals(onHost, hostState(), "B changed nothing on the Docker host (files, container id, start, labels)");
            assertEquals(onNode, nodeState(), "B changed nothing on the node (files, containerd not restarted)");

            PulumiCli.Result imported = importProxy(b);
            assertNotEquals(0, imported.exitCode(), imported.output());
            assertTrue(imported.output().contains("belongs to the Pulumi stack owners/a (resource ghcr)"), imported.output());

            // B's mirror in a directory of its own would move config.toml's config_path away from A's files
            b.config("certsDir", "/etc/containerd/hosts.d");
            PulumiCli.Result moved = b.up();
            assertNotEquals(0, moved.exitCode(), moved.output());
            assertTrue(moved.output().contains("/etc/containerd/config.toml on root@" + node.ip() + ":22 points config_path at "
                    + "/etc/containerd/certs.d, whose /etc/containerd/certs.d/ghcr.io/hosts.toml belongs to the Pulumi stack "
                    + "owners/a (resource mirror), not to this stack owners/b"), moved.output());
            assertEquals(onNode, nodeState(), "config.toml unchanged, no hosts.d, containerd not restarted");
            b.config("certsDir", "/etc/containerd/certs.d");

            b.destroy().assertOk();
            assertEquals(onHost, hostState(), "B's destroy deleted nothing of A's");
            assertEquals(onNode, nodeState());

            PulumiCli.Result noop = a.preview("--expect-no-changes").assertOk();
            assertFalse(noop.stdout().contains("(update)") || noop.stdout().contains("(create)")
                    || noop.stdout().contains("(replace)"), noop.stdout());

            a.destroy().assertOk();
            b.up().assertOk();
            assertTrue(host.readFile("/etc/imagecache/ghcr/.imagecache-owner").contains("stack=owners/b resource=ghcr"));
            assertTrue(node.readFile("/etc/containerd/certs.d/ghcr.io/hosts.toml").contains("stack=owners/b resource=mirror"));
            assertTrue(host.readFile("/etc/cron.d/imagecache-registry-ghcr").contains("stack=owners/b resource=gc"));

            // Files of an older imagecache name no stack: refresh of the stack that manages them adopts them.
            String legacy = "sed -i '/imagecache:owner /d' ";
            host.sh(legacy + "/etc/imagecache/ghcr/.imagecache-owner /var/lib/imagecache/ghcr/.imagecache-owner "
                    + "/etc/cron.d/imagecache-registry-ghcr");
            node.sh(legacy + "/etc/containerd/certs.d/ghcr.io/hosts.toml");
            assertFalse(host.readFile("/etc/cron.d/imagecache-registry-ghcr").contains("imagecache:owner"));
            b.refresh().assertOk();
            assertTrue(host.readFile("/etc/imagecache/ghcr/.imagecache-owner").contains("stack=owners/b resource=ghcr"));
            assertTrue(host.readFile("/var/lib/imagecache/ghcr/.imagecache-owner").contains("stack=owners/b resource=ghcr"));
            assertTrue(node.readFile("/etc/containerd/certs.d/ghcr.io/hosts.toml").contains("stack=owners/b resource=mirror"));
            assertTrue(host.readFile("/etc/cron.d/imagecache-registry-ghcr").contains("stack=owners/b resource=gc"));
            b.preview("--expect-no-changes").assertOk();
            b.destroy().assertOk();
            assertFalse(node.exec("test", "-e", "/etc/containerd/certs.d/ghcr.io/hosts.toml").getExitCode() == 0);
        }
    }

    /** {@code pulumi import} of A's proxy into B: Read refuses it, naming A. */
    private static PulumiCli.Result importProxy(PulumiCli b) {
        try {
            Path key = Files.createTempFile("lab-key", "");
            Files.writeString(key, host.rootKey().privateKey());
            b.env("IMAGECACHE_SSH_KEY_FILE", key.toString());
            try {
                return b.run("import", "imagecache:index:RegistryProxy", "ghcr", "root@" + host.ip() + ":22/registry-ghcr",
                        "--yes", "--protect=false", "--generate-code=false", "--non-interactive", "--color=never");
            } finally {
                Files.delete(key);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
