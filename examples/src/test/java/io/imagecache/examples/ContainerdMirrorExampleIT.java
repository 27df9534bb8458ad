package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * examples/containerd-mirror through the real Pulumi CLI on a lab node (containerd 1.6) with local
 * proxies: what reviewers see in preview --diff, what the node does, refresh after a hand edit,
 * import, invalid inputs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerdMirrorExampleIT {
    private static final String TYPE = "imagecache:index:ContainerdMirror";
    private static LabNetwork network;
    private static NodeHost node;
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
        node = new NodeHost(network);
        node.start();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {node, ghcrProxy, dockerProxy, ghcr, dockerHub, network}) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private PulumiCli stack() {
        PulumiCli cli = PulumiCli.forExample("containerd-mirror", "lab");
        cli.config("node", node.ip()).secretConfig("sshKey", node.rootKey().privateKey())
                .config("dockerMirror", dockerProxy.networkUrl()).config("ghcrMirror", ghcrProxy.networkUrl())
                .config("dockerServer", dockerHub.networkUrl()).config("ghcrServer", ghcr.networkUrl());
        return cli;
    }

    private long pid() {
        return node.containerdPid();
    }

    @Test
    @Order(1)
    void lifecycleThroughTheCli() {
        try (PulumiCli cli = stack()) {
            PulumiCli.Result preview = cli.preview().assertOk();
            assertTrue(preview.stdout().contains("+ " + TYPE + ": (create)"), preview.stdout());
            assertFalse(node.exec("test", "-e", "/etc/containerd/certs.d/docker.io/hosts.toml").getExitCode() == 0,
                    "preview touches nothing");

            cli.up().assertOk();
            assertEquals("true", cli.output("configChanged"));
            assertEquals(0, node.crictl("pull", "ghcr.io/org/app:1").getExitCode());
            assertTrue(ghcrProxy.requests("/v2/org/app/manifests/.*") >= 1);

            // Reviewers see the changed path and the rendered hosts.toml change; containerd keeps running.
            long before = pid();
            cli.config("ghcrMirror", dockerProxy.networkUrl());
            PulumiCli.Result changed = cli.preview().assertOk();
            assertTrue(changed.stdout().contains("~ mirrors: ["), changed.stdout());
            assertTrue(changed.stdout().contains("[1]: {"), changed.stdout());
            assertTrue(changed.stdout().contains("~ endpoints: ["), changed.stdout());
            assertTrue(changed.stdout().contains("~ [0]: \"" + ghcrProxy.networkUrl() + "\" => \"" + dockerProxy.networkUrl() + "\""),
                    changed.stdout());
            PulumiCli.Result json = cli.run("preview", "--json", "--non-interactive").assertOk();
            assertTrue(json.stdout().contains("\"mirrors[1].endpoints[0]\""), "the engine got the path: " + json.stdout());
            assertTrue(changed.stdout().contains("- [host.\"" + ghcrProxy.networkUrl() + "\"]")
                    && changed.stdout().contains("+ [host.\"" + dockerProxy.networkUrl() + "\"]"),
                    "the hosts.toml change is shown:\n" + changed.stdout());
            cli.up().assertOk();
            assertEquals(before, pid(), "a hosts.toml change does not restart containerd");
            assertEquals("false", cli.output("configChanged"));

            PulumiCli.Result noop = cli.up().assertOk();
            assertFalse(noop.stdout().contains("updated"), noop.stdout());

            // Drift: a hand edit shows in refresh; the next up repairs it.
            node.sh("sed -i 's#" + dockerProxy.networkUrl() + "#http://10.255.255.1:5000#' /etc/containerd/certs.d/ghcr.io/hosts.toml");
            PulumiCli.Result refresh = cli.refresh().assertOk();
            assertTrue(refresh.stdout().contains("10.255.255.1"), refresh.stdout());
            PulumiCli.Result repair = cli.preview().assertOk();
            assertTrue(repair.stdout().contains("~ " + TYPE + ": (update)"), repair.stdout());
            cli.up().assertOk();
            assertFalse(node.readFile("/etc/containerd/certs.d/ghcr.io/hosts.toml").contains("10.255.255.1"));
            assertEquals(before, pid());

            cli.destroy().assertOk();
            assertNotEquals(0, node.exec("test", "-e", "/etc/containerd/certs.d/ghcr.io/hosts.toml").getExitCode());
        }
    }

    @Test
    @Order(3)
    void importOfAHandMadeSetupShowsNoChanges() throws IOException {
        // The seed's way, by hand: config_path and one hosts.toml per registry, without the imagecache header.
        node.sh("mkdir -p /etc/containerd/certs.d/docker.io /etc/containerd/certs.d/ghcr.io");
        node.writeFile("/etc/containerd/config.toml", "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n"
                + "  config_path = \"/etc/containerd/certs.d\"\n");
        node.restartContainerd();
        node.writeFile("/etc/containerd/certs.d/docker.io/hosts.toml", "server = \"" + dockerHub.networkUrl() + "\"\n"
                + "[host.\"" + dockerProxy.networkUrl() + "\"]\n  capabilities = [\"pull\", \"resolve\"]\n");
        node.writeFile("/etc/containerd/certs.d/ghcr.io/hosts.toml", "server = \"" + ghcr.networkUrl() + "\"\n"
                + "[host.\"" + ghcrProxy.networkUrl() + "\"]\n  capabilities = [\"pull\", \"resolve\"]\n");
        try (PulumiCli cli = stack()) {
            Path key = Files.createTempFile("lab-key", "");
            Files.writeString(key, node.rootKey().privateKey());
            cli.env("IMAGECACHE_SSH_KEY_FILE", key.toString());
            cli.run("import", TYPE, "node1", "root@" + node.ip() + ":22", "--yes", "--protect=false",
                    "--generate-code=false", "--non-interactive", "--color=never").assertOk();
            Files.delete(key);
            PulumiCli.Result after = cli.preview().assertOk();
            assertFalse(after.stdout().contains("(update)") || after.stdout().contains("(replace)"), after.stdout());
        }
    }

    @Test
    @Order(4)
    void importOfPerHostSettingsClientCertsAndHeadersShowsNoChangesAndUpKeepsTheFile() throws Exception {
        // A hand-made mTLS setup: per-host capabilities, a CA, a client cert/key pair and a header. The certificates are
        // real (containerd loads every host's TLS files when it resolves), made here with openssl.
        Path dir = Files.createTempDirectory("mtls");
        try {
            Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=node1", "-keyout", dir.resolve("client.key").toString(), "-out",
                    dir.resolve("client.crt").toString()).redirectErrorStream(true).start();
            assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes()));
            node.sh("rm -rf /etc/containerd/certs.d/* && mkdir -p /etc/pki/node /etc/pki/corp /etc/containerd/certs.d/docker.io");
            node.writeFile("/etc/pki/node/client.crt", Files.readString(dir.resolve("client.crt")));
            node.writeFile("/etc/pki/node/client.key", Files.readString(dir.resolve("client.key")));
            node.writeFile("/etc/pki/corp/ca.pem", Files.readString(dir.resolve("client.crt")));
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.delete(dir);
        }
        node.writeFile("/etc/containerd/config.toml", "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n"
                + "  config_path = \"/etc/containerd/certs.d\"\n");
        node.restartContainerd();
        String handMade = "# by hand: the local cache first, then the corporate mirror that wants a client certificate\n"
                + "server = \"" + dockerHub.networkUrl() + "\"\n\n"
                + "[host.\"" + dockerProxy.networkUrl() + "\"]\n  capabilities = [\"resolve\", \"pull\"]\n"
                + "  [host.\"" + dockerProxy.networkUrl() + "\".header]\n    X-Mirror-Client = \"node1\"\n\n"
                + "[host.\"https://mirror.corp.test:8443\"]\n  capabilities = [\"pull\"]\n  ca = \"/etc/pki/corp/ca.pem\"\n"
                + "  client = [[\"/etc/pki/node/client.crt\", \"/etc/pki/node/client.key\"]]\n";
        node.writeFile("/etc/containerd/certs.d/docker.io/hosts.toml", handMade);
        try (PulumiCli cli = stack()) {
            // The program says what the file says, in the form import emits: hosts, since the two mirrors differ.
            Path program = cli.project().resolve("Pulumi.yaml");
            String yaml = Files.readString(program);
            int from = yaml.indexOf("      mirrors:\n");
            int to = yaml.indexOf("      restartCommand:");
            Files.writeString(program, yaml.substring(0, from) + """
                          mirrors:
                            - registry: docker.io
                              server: ${dockerServer}
                              hosts:
                                - url: ${dockerMirror}
                                  header:
                                    X-Mirror-Client: [node1]
                                - url: https://mirror.corp.test:8443
                                  capabilities: [pull]
                                  ca: [/etc/pki/corp/ca.pem]
                                  client:
                                    - cert: /etc/pki/node/client.crt
                                      key: /etc/pki/node/client.key
                    """ + yaml.substring(to));
            Path key = Files.createTempFile("lab-key", "");
            Files.writeString(key, node.rootKey().privateKey());
            cli.env("IMAGECACHE_SSH_KEY_FILE", key.toString());
            cli.run("import", TYPE, "node1", "root@" + node.ip() + ":22", "--yes", "--protect=false",
                    "--generate-code=false", "--non-interactive", "--color=never").assertOk();
            Files.delete(key);
            String state = cli.exportState();
            assertTrue(state.contains("/etc/pki/node/client.key") && state.contains("X-Mirror-Client"),
                    "the client pair and the header were adopted:\n" + state);
            PulumiCli.Result after = cli.preview().assertOk();
            assertFalse(after.stdout().contains("(update)") || after.stdout().contains("(replace)"), after.stdout());
            long before = pid();
            PulumiCli.Result up = cli.up().assertOk();
            assertFalse(up.stdout().contains("updated"), up.stdout());
            assertEquals(handMade, node.readFile("/etc/containerd/certs.d/docker.io/hosts.toml"),
                    "up leaves the operator's file as it was");
            assertEquals(before, pid());
            assertEquals(0, node.crictl("pull", "docker.io/library/hello:1").getExitCode(),
                    "containerd reads the file, certificates included, and pulls through the cache");
            assertTrue(dockerProxy.awaitRequests("/v2/library/hello/manifests/.*", 1, java.time.Duration.ofSeconds(10)) >= 1);
        }
    }

    @Test
    @Order(2)
    void invalidMirrorsFailAtCheckNamingThePropertyAndTouchNothing() {
        try (PulumiCli cli = stack()) {
            cli.config("ghcrMirror", "10.0.20.10:5010");
            PulumiCli.Result r = cli.up();
            assertNotEquals(0, r.exitCode());
            assertTrue(r.output().contains("mirrors[1].endpoints[0]"), r.output());
        }
    }
}
