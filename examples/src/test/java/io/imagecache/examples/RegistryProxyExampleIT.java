package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.registry.ImagePuller;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import io.imagecache.lab.registry.TokenServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * examples/registry-proxy through the real Pulumi CLI on a lab Docker host, with an upstream behind
 * Bearer tokens and a password: preview, up, a changed up, refresh after docker stop, destroy (the
 * cache stays), import of a proxy made by hand the seed's way.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryProxyExampleIT {
    private static final String TYPE = "imagecache:index:RegistryProxy";
    private static final String PASSWORD = "proxy-pass-9f3k";
    private static LabNetwork network;
    private static DockerHost host;
    private static TokenServer tokens;
    private static LocalRegistry upstream;
    private static LocalRegistry other;
    private static ImageSeeder.Pushed image;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        host = new DockerHost(network);
        host.start();
        tokens = TokenServer.start("puller", PASSWORD);
        upstream = LocalRegistry.token(tokens).startedOn(network);
        other = LocalRegistry.plain().startedOn(network);
        image = ImageSeeder.to(upstream.url(), "puller", PASSWORD).dockerImage("org/app", "1", "app");
        ImageSeeder.to(other).dockerImage("org/app", "1", "app");
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {other, upstream, tokens, host, network}) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private static PulumiCli stack() {
        PulumiCli cli = PulumiCli.forExample("registry-proxy", "lab");
        cli.config("host", host.ip()).secretConfig("sshKey", host.rootKey().privateKey())
                .config("image", DockerHost.REGISTRY_IMAGE).config("remoteUrl", upstream.networkUrl())
                .config("username", "puller").secretConfig("password", PASSWORD);
        return cli;
    }

    private static String started() {
        return host.docker("inspect", "-f", "{{.State.StartedAt}}", "registry-ghcr").strip();
    }

    @Test
    @Order(1)
    void lifecycleThroughTheCli() {
        try (PulumiCli cli = stack()) {
            PulumiCli.Result preview = cli.preview().assertOk();
            assertTrue(preview.stdout().contains("+ " + TYPE + ": (create)"), preview.stdout());
            assertTrue(preview.stdout().matches("(?s).*password\\s*: \\[secret].*"), preview.stdout());
            assertFalse(host.docker("ps", "-a", "--format", "{{.Names}}").contains("registry-ghcr"), "preview made nothing");

            PulumiCli.Result up;
            try (CommandLineWatcher ps = CommandLineWatcher.watch(PASSWORD)) {
                up = cli.up().assertOk();
                assertEquals(List.of(), ps.leaks(), "the password is never on a command line, here or on the host");
            }
            assertFalse(up.output().contains(PASSWORD));
            assertEquals("http://" + host.ip() + ":5010", cli.output("endpoint"));
            assertEquals("true", cli.output("healthy"));
            assertFalse(cli.exportState().contains(PASSWORD), "the password is encrypted in state");
            assertFalse(host.docker("inspect", "registry-ghcr").contains(PASSWORD));
            assertEquals("600", host.sh("stat -c %a /etc/imagecache/ghcr/config.yml").strip());
            assertEquals(image.digest(), ImagePuller.from("http://" + host.ip() + ":5010").pull("org/app", "1"));

            // A changed upstream recreates the container; the preview names the path.
            String before = started();
            cli.config("remoteUrl", other.networkUrl()).config("username", "").secretConfig("password", "");
            PulumiCli.Result changed = cli.preview().assertOk();
            assertTrue(changed.stdout().contains("~ " + TYPE + ": (update)"), changed.stdout());
            assertTrue(changed.stdout().contains("~ remoteUrl: \"" + upstream.networkUrl() + "\" => \"" + other.networkUrl() + "\""),
                    changed.stdout());
            cli.up().assertOk();
            assertNotEquals(before, started());
            assertFalse(host.readFile("/etc/imagecache/ghcr/config.yml").contains(PASSWORD), "old credentials are gone");

            PulumiCli.Result noop = cli.up().assertOk();
            assertFalse(noop.stdout().contains("updated"), noop.stdout());

            // docker stop: refresh shows it, the next up starts it again.
            host.docker("stop", "registry-ghcr");
            PulumiCli.Result refresh = cli.refresh().assertOk();
            assertTrue(refresh.stdout().contains("running") && refresh.stdout().contains("false"), refresh.stdout());
            PulumiCli.Result repair = cli.preview().assertOk();
            assertTrue(repair.stdout().contains("~ " + TYPE + ": (update)"), repair.stdout());
            cli.up().assertOk();
            assertEquals("true", host.docker("inspect", "-f", "{{.State.Running}}", "registry-ghcr").strip());

            String cached = host.sh("find /var/lib/imagecache/ghcr -type f | wc -l").strip();
            cli.destroy().assertOk();
            assertFalse(host.docker("ps", "-a", "--format", "{{.Names}}").contains("registry-ghcr"));
            assertEquals(cached, host.sh("find /var/lib/imagecache/ghcr -type f | wc -l").strip(), "destroy keeps the cache");
        }
    }

    @Test
    @Order(2)
    void importAdoptsAProxyMadeByHand() throws IOException {
        host.writeFile("/etc/imagecache/ghcr/config.yml", "version: 0.1\nstorage:\n  filesystem:\n"
                + "    rootdirectory: /var/lib/registry\nhttp:\n  addr: :5000\nproxy:\n  remoteurl: " + other.networkUrl() + "\n");
        host.docker("run", "-p", "5010:5000", "-d", "--restart", "always", "--name", "registry-ghcr",
                "-v", "/etc/imagecache/ghcr/config.yml:/etc/docker/registry/config.yml",
                "-v", "/var/lib/imagecache/ghcr:/var/lib/registry", DockerHost.REGISTRY_IMAGE);
        try (PulumiCli cli = stack()) {
            cli.config("remoteUrl", other.networkUrl()).config("username", "").secretConfig("password", "");
            Path key = Files.createTempFile("lab-key", "");
            Files.writeString(key, host.rootKey().privateKey());
            cli.env("IMAGECACHE_SSH_KEY_FILE", key.toString());
            PulumiCli.Result imported = cli.run("import", TYPE, "ghcr", "root@" + host.ip() + ":22/registry-ghcr", "--yes",
                    "--protect=false", "--generate-code=false", "--non-interactive", "--color=never").assertOk();
            assertTrue(imported.stdout().contains("= 1 imported"), imported.stdout());
            Files.delete(key);
            PulumiCli.Result after = cli.preview().assertOk();
            assertFalse(after.stdout().contains("(update)") || after.stdout().contains("(replace)"), after.stdout());
        }
    }

    @Test
    @Order(3)
    void invalidInputsFailAtCheckNamingTheProperty() {
        try (PulumiCli cli = stack()) {
            cli.config("remoteUrl", "ghcr.io/v2").config("port", "70000");
            PulumiCli.Result r = cli.preview();
            assertNotEquals(0, r.exitCode());
            assertTrue(r.output().contains("upstream.remoteUrl"), r.output());
            assertTrue(r.output().contains("upstream.port"), r.output());
        }
    }
}
