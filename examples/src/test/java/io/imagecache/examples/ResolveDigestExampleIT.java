package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import io.imagecache.lab.registry.TokenServer;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * examples/resolve-digest through the real Pulumi CLI against a real registry that issues Bearer
 * tokens: the pinned digest is the one pushed, the password stays out of state and output.
 */
class ResolveDigestExampleIT {
    private static final String PASSWORD = "s3cr3t-token-pass";
    private static TokenServer tokens;
    private static LocalRegistry registry;
    private static ImageSeeder.Pushed v1;
    private static ImageSeeder.Pushed index;

    @BeforeAll
    static void start() {
        tokens = TokenServer.start("puller", PASSWORD);
        registry = LocalRegistry.token(tokens);
        registry.start();
        ImageSeeder seeder = ImageSeeder.to(registry.url(), "puller", PASSWORD);
        v1 = seeder.dockerImage("library/hello", "1", "hello v1");
        index = seeder.ociIndex("org/multi", "2.0", "multi-arch");
    }

    @AfterAll
    static void stop() {
        registry.stop();
        tokens.close();
    }

    @Test
    void pinsATagThroughABearerTokenRegistry() {
        try (PulumiCli cli = PulumiCli.forExample("resolve-digest", "dev")) {
            cli.config("image", "docker.io/library/hello:1")
                    .config("registryUrl", registry.url())
                    .config("username", "puller")
                    .secretConfig("password", PASSWORD);
            PulumiCli.Result up;
            try (CommandLineWatcher ps = CommandLineWatcher.watch(PASSWORD)) {
                up = cli.up().assertOk();
                assertEquals(List.of(), ps.leaks(), "the password is never on a process command line");
            }
            assertEquals(v1.digest(), cli.output("digest"));
            assertEquals("docker.io/library/hello@" + v1.digest(), cli.output("pinned"));
            assertEquals(ImageSeeder.DOCKER_MANIFEST, cli.output("mediaType"));
            assertFalse(up.output().contains(PASSWORD), "the password is never printed");
            assertFalse(cli.exportState().contains(PASSWORD), "the password is never stored in plain text");

            // A tag that moved: the next `up` pins the new digest.
            ImageSeeder.Pushed v2 = ImageSeeder.to(registry.url(), "puller", PASSWORD).dockerImage("library/hello", "1", "hello v2");
            assertNotEquals(v1.digest(), v2.digest());
            cli.up().assertOk();
            assertEquals("docker.io/library/hello@" + v2.digest(), cli.output("pinned"));
        }
    }

    @Test
    void choosesAPlatformFromAnIndex() {
        try (PulumiCli cli = PulumiCli.forExample("resolve-digest", "dev")) {
            cli.config("image", "ghcr.io/org/multi:2.0").config("registryUrl", registry.url())
                    .config("username", "puller").secretConfig("password", PASSWORD);
            cli.config("platform", "linux/arm64/v8");
            cli.up().assertOk();
            assertEquals(index.platformDigests().get("linux/arm64/v8"), cli.output("digest"));
            assertEquals("ghcr.io/org/multi@" + index.platformDigests().get("linux/arm64/v8"), cli.output("pinned"));
        }
    }

    @Test
    void badInputsFailBeforeAnyRequestNamingTheProperty() {
        try (PulumiCli cli = PulumiCli.forExample("resolve-digest", "dev")) {
            int before = registry.accessLog().size();
            cli.config("image", "docker.io/Library/Hello:1").config("registryUrl", "ftp://nowhere").secretConfig("password", "");
            PulumiCli.Result r = cli.preview();
            assertNotEquals(0, r.exitCode());
            assertTrue(r.output().contains("image"), r.output());
            assertTrue(r.output().contains("registryUrl"), r.output());
            assertEquals(before, registry.accessLog().size(), "no request reached the registry");
        }
    }

    @Test
    void aWrongPasswordIsAClearError() {
        try (PulumiCli cli = PulumiCli.forExample("resolve-digest", "dev")) {
            cli.config("image", "docker.io/library/hello:1").config("registryUrl", registry.url())
                    .config("username", "puller").secretConfig("password", "wrong-password");
            PulumiCli.Result r = cli.up();
            assertNotEquals(0, r.exitCode());
            assertTrue(r.output().contains("answered 401 to user puller; check username and password"), r.output());
            assertFalse(r.output().contains("wrong-password"));
        }
    }
}
