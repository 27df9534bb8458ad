package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.SshKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;

/**
 * The plugin as users install it: {@code make dist}'s tarball goes into a fresh PULUMI_HOME with
 * {@code pulumi plugin install resource imagecache <version> --file ...}, and a YAML program with no
 * {@code plugins.providers} path and no provider/bin on PATH previews through it. Before the install the
 * same preview fails, so nothing else can have served it.
 */
class PluginTarballIT {
    private static final String TYPE = "imagecache:index:MaintenanceSchedule";

    @Test
    void installedTarballServesAProgramWithoutTheCheckout() throws IOException {
        String version = Dist.version();
        Path tarball = Dist.pluginTarball();
        assertEquals("pulumi-resource-imagecache-v" + version + "-linux-amd64.tar.gz", tarball.getFileName().toString());
        try (PulumiCli cli = PulumiCli.forExampleWithoutLocalProvider("maintenance-schedule", "tarball")) {
            // preview renders the cron file without connecting, so no host is needed behind the address
            cli.config("host", "192.0.2.10").secretConfig("sshKey", SshKeys.ed25519().privateKey());
            PulumiCli.Result before = cli.preview();
            assertNotEquals(0, before.exitCode(), "without the installed plugin nothing serves imagecache:\n" + before.output());
            assertTrue(before.output().contains("no resource plugin 'pulumi-resource-imagecache' found"), before.output());

            cli.installPlugin(version, tarball).assertOk();
            PulumiCli.Result ls = cli.run("plugin", "ls").assertOk();
            assertTrue(ls.stdout().lines().anyMatch(l -> l.matches("imagecache\\s+resource\\s+" + version.replace(".", "\\.") + "\\s.*")),
                    ls.stdout());
            Path installed = cli.home().resolve("plugins/resource-imagecache-v" + version);
            assertLaunchable(installed);

            PulumiCli.Result preview = cli.preview("--logtostderr", "-v=6").assertOk();
            assertTrue(preview.stdout().contains("+ " + TYPE + ": (create)"), preview.stdout());
            // an output only the provider computes (Check/preview of the installed plugin)
            assertTrue(preview.stdout().contains("\"/etc/cron.d/imagecache-registry-ghcr\""), preview.stdout());
            String launcher = installed.resolve("pulumi-resource-imagecache").toString();
            assertTrue(preview.stderr().contains("Handshake: success [" + launcher + "]")
                    || preview.stderr().contains("found in cache at " + launcher),
                    "the engine started the installed launcher " + launcher + ":\n" + preview.stderr());
        }
    }

    /** The launcher is executable and every jar the provider's manifest names is there, relative to the jar. */
    private static void assertLaunchable(Path dir) throws IOException {
        assertTrue(Files.isExecutable(dir.resolve("pulumi-resource-imagecache")), "launcher in " + dir);
        Path jar = dir.resolve("imagecache-provider.jar");
        List<String> missing = new ArrayList<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            Attributes main = j.getManifest().getMainAttributes();
            assertEquals("io.imagecache.provider.Main", main.getValue(Attributes.Name.MAIN_CLASS));
            for (String entry : main.getValue(Attributes.Name.CLASS_PATH).split(" ")) {
                if (!entry.isBlank() && !Files.isRegularFile(dir.resolve(entry))) {
                    missing.add(entry);
                }
            }
        }
        assertEquals(List.of(), missing, "jars the manifest's Class-Path names but the tarball lacks");
    }
}
