package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.registry.ImagePuller;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * examples/java, an existing Java stack, through the real {@code pulumi up} with pulumi-language-java
 * ({@code mvn compile exec:java}) against a lab Docker host, set up the way a user's is: the plugin from
 * {@code make dist}'s tarball installed with {@code pulumi plugin install --file} (no provider/bin), and
 * io.imagecache:imagecache-sdk from the local Maven repository (installed by {@code scripts/dist.sh java-sdk};
 * the stack's pom names no source folder). Preview, up, a pull through the proxy, a no-op up, destroy.
 */
class JavaExampleIT {
    private static final String CRON = "/etc/cron.d/imagecache-registry-corp";
    private static LabNetwork network;
    private static DockerHost host;
    private static LocalRegistry upstream;
    private static ImageSeeder.Pushed image;

    @BeforeAll
    static void start() {
        Dist.installJavaSdk();
        network = LabNetwork.create();
        host = new DockerHost(network);
        host.start();
        upstream = LocalRegistry.plain();
        upstream.withNetwork(network.network());
        upstream.start();
        image = ImageSeeder.to(upstream).dockerImage("org/app", "1", "app");
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {upstream, host, network}) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private static boolean containerExists() {
        return host.docker("ps", "-a", "--format", "{{.Names}}").lines().anyMatch("registry-corp"::equals);
    }

    /**
     * The stack's Maven dependencies and plugins are fetched once into the build's local repository (a
     * package install, like the build's own); from then on the language host's Maven runs offline.
     */
    private static void offlineMaven(PulumiCli cli) throws IOException {
        Path project = cli.project();
        String v = Dist.version();
        String repo = System.getProperty("imagecache.mavenRepoLocal", System.getProperty("user.home") + "/.m2/repository");
        Path sdkJar = Path.of(repo, "io/imagecache/imagecache-sdk", v, "imagecache-sdk-" + v + ".jar");
        assertTrue(Files.isRegularFile(sdkJar), "scripts/dist.sh java-sdk installed " + sdkJar);
        assertFalse(Files.readString(project.resolve("pom.xml")).contains("sdk/java"), "the stack names no source folder");
        Dist.run(project, Map.of(), "mvn", "-B", "-ntp", "-q",
                "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:resolve", "compile",
                "org.codehaus.mojo:exec-maven-plugin:3.5.0:help").assertOk();
        Files.createDirectories(project.resolve(".mvn"));
        Files.writeString(project.resolve(".mvn/maven.config"), "--offline\n");
    }

    @Test
    void existingJavaStackRunsThroughTheJavaSdk() throws IOException {
        try (PulumiCli cli = PulumiCli.forExampleWithoutLocalProvider("java", "lab")) {
            cli.env("MAVEN_OPTS", Dist.mavenOpts());
            cli.installPlugin(Dist.version(), Dist.pluginTarball()).assertOk();
            offlineMaven(cli);
            cli.config("host", host.ip()).secretConfig("sshKey", host.rootKey().privateKey())
                    .config("upstreamUrl", upstream.networkUrl()).config("image", DockerHost.REGISTRY_IMAGE);

            PulumiCli.Result preview = cli.preview().assertOk();
            assertTrue(preview.stdout().contains("+ imagecache:index:RegistryProxy: (create)"), preview.stdout());
            assertTrue(preview.stdout().contains("+ imagecache:index:MaintenanceSchedule: (create)"), preview.stdout());
            String endpoint = "http://" + host.ip() + ":5100";
            assertTrue(preview.stdout().matches("(?s).*pullHint\\s*: \"point containerd's registry.corp.example mirror at "
                    + Pattern.quote(endpoint) + "\".*"),
                    "the stack's own output, known in preview:\n" + preview.stdout());
            assertTrue(Files.isRegularFile(cli.project().resolve("target/classes/myproject/App.class")),
                    "the Java language host compiled the program with Maven");
            assertFalse(containerExists(), "preview touches no host");
            assertFalse(host.exec("test", "-e", CRON).getExitCode() == 0, "preview touches no host");

            PulumiCli.Result up = cli.up().assertOk();
            assertTrue(up.stdout().contains("3 created"), up.stdout());
            assertEquals(endpoint, cli.output("corpEndpoint"));
            assertEquals("point containerd's registry.corp.example mirror at " + endpoint, cli.output("pullHint"));
            assertEquals(CRON, cli.output("cronFile"));
            assertEquals("true", host.docker("inspect", "-f", "{{.State.Running}}", "registry-corp").strip());
            assertEquals(cli.output("cronContent"), host.readFile(CRON).strip());
            assertTrue(host.readFile(CRON).contains("\n0 3 * * 0 root flock"), host.readFile(CRON));
            assertEquals(image.digest(), ImagePuller.from(endpoint).pull("org/app", "1"), "the proxy serves the upstream's image");

            String started = host.docker("inspect", "-f", "{{.State.StartedAt}}", "registry-corp").strip();
            PulumiCli.Result noop = cli.up().assertOk();
            assertFalse(noop.stdout().contains("created") || noop.stdout().contains("updated"), noop.stdout());
            assertEquals(started, host.docker("inspect", "-f", "{{.State.StartedAt}}", "registry-corp").strip());

            cli.destroy().assertOk();
            assertFalse(containerExists(), "destroy removes the proxy");
            assertFalse(host.exec("test", "-e", CRON).getExitCode() == 0, "destroy removes the cron file");
        }
    }
}
