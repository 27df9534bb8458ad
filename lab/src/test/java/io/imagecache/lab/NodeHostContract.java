package io.imagecache.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.NodeHost.Containerd;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.testcontainers.containers.Container.ExecResult;

/**
 * What every lab node does, whatever its containerd: the version it reports, the CRI plugin loaded, a restart by
 * {@code systemctl}, a real {@code crictl pull} through a hosts.toml mirror, and the CRI plugin refusing to load
 * with {@code mirrors} next to {@code config_path} (the exact messages, which the product's rollback reports).
 * One subclass per {@link Containerd}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class NodeHostContract {
    private final Containerd containerd;
    private LabNetwork network;
    private NodeHost node;
    private LocalRegistry mirror;
    private String originalConfig;

    NodeHostContract(Containerd containerd) {
        this.containerd = containerd;
    }

    /** What {@code ctr plugins ls -d} says, per CRI plugin, with {@code mirrors} next to {@code config_path}. */
    abstract Map<String, String> mirrorsWithConfigPathErrors();

    @BeforeAll
    void start() {
        network = LabNetwork.create();
        node = new NodeHost(network, containerd);
        mirror = LocalRegistry.plain().withNetwork(network.network());
        node.start();
        mirror.start();
        originalConfig = node.readFile(NodeHost.CONFIG_FILE);
    }

    @AfterAll
    void stop() {
        if (mirror != null) {
            mirror.stop();
        }
        if (node != null) {
            node.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    void reportsTheVersionItWasBuiltWith() {
        String image = node.imageContainerdVersion();
        assertTrue(image.startsWith(containerd.series() + "."), image);
        String reported = node.containerdVersion();
        // Debian prints "1.6.20~ds1 1.6.20~ds1-1+deb12u3"; Go-module builds print "v1.7.35" as release builds do
        String expected = containerd == Containerd.V1_6 ? " " + image + " " : " v" + image;
        assertTrue(reported.contains(expected), reported + " does not contain '" + expected + "'");
        // the process that runs is that binary, whatever else is on the image (Debian's 1.6 under the others)
        String exe = node.sh("readlink -f /proc/" + node.containerdPid() + "/exe").strip();
        String running = node.sh(exe + " --version").strip();
        assertEquals(reported, running, exe);
        assertTrue(node.sh("readlink -f \"$(command -v containerd)\" /usr/bin/containerd").lines().allMatch(exe::equals), exe);
    }

    @Test
    void defaultConfigIsTheVersionsOwn() {
        assertTrue(originalConfig.lines().anyMatch(l -> l.strip().equals("version = " + containerd.configVersion())), originalConfig);
        if (containerd != Containerd.V1_6) { // Debian ships its own short file; the Go-module images the version's default
            assertEquals(node.sh("containerd config default 2>/dev/null"), originalConfig);
        }
    }

    @Test
    void criPluginIsLoaded() {
        Map<String, String> plugins = node.pluginStatus();
        for (String p : containerd.criPlugins()) {
            assertEquals("ok", plugins.get(p), p + " in " + plugins);
        }
        assertTrue(node.criLoaded());
        assertEquals(Optional.empty(), node.criError());
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
        assertTrue(node.criLoaded(), node.pluginStatus().toString());
        assertEquals(0, node.crictl("info").getExitCode());
    }

    @Test
    void crictlPullsADockerIoImageThroughItsHostsTomlMirror() {
        String repo = "imagecache-lab/hello-" + containerd.series().replace('.', '-');
        ImageSeeder.Pushed pushed = ImageSeeder.to(mirror).dockerImage(repo, "1", "hello from the mirror for " + containerd);
        // server is the mirror too: nothing may fall back to the real Docker Hub
        node.writeFile(NodeHost.CERTS_DIR + "/docker.io/hosts.toml",
                "server = \"" + mirror.url() + "\"\n\n"
                + "[host.\"" + mirror.url() + "\"]\n"
                + "  capabilities = [\"pull\", \"resolve\"]\n");
        try {
            node.writeFile(NodeHost.CONFIG_FILE, withConfigPath(originalConfig, containerd, NodeHost.CERTS_DIR));
            node.restartContainerd();
            assertTrue(node.criLoaded(), node.pluginStatus() + "\n" + node.containerdLog());

            ExecResult pull = node.crictl("pull", "docker.io/" + repo + ":1");
            assertEquals(0, pull.getExitCode(), pull.getStdout() + pull.getStderr());
            assertTrue(mirror.awaitRequests("/v2/" + repo + "/manifests/(1|sha256:[0-9a-f]+)", 1, Duration.ofSeconds(5)) >= 1,
                    mirror.accessLog().toString());
            assertTrue(mirror.requests("GET", "/v2/" + repo + "/blobs/sha256:[0-9a-f]+") >= 1, mirror.accessLog().toString());
            ExecResult images = node.crictl("images", "--digests");
            assertTrue(images.getStdout().contains("docker.io/" + repo), images.getStdout());
            assertTrue(images.getStdout().contains(pushed.digest().substring("sha256:".length(), "sha256:".length() + 13)),
                    pushed.digest() + " not in " + images.getStdout());
        } finally {
            node.writeFile(NodeHost.CONFIG_FILE, originalConfig);
            node.restartContainerd();
        }
    }

    @Test
    void mirrorsNextToConfigPathStopsTheCriPlugin() {
        String broken = withConfigPath(originalConfig, containerd, NodeHost.CERTS_DIR)
                + "\n[" + containerd.registryTable() + ".mirrors.\"docker.io\"]\n"
                + "  endpoint = [\"" + mirror.url() + "\"]\n";
        try {
            node.writeFile(NodeHost.CONFIG_FILE, broken);
            node.restartContainerd(); // containerd itself starts: only CRI is missing
            assertTrue(node.containerdPid() > 0);
            assertFalse(node.criLoaded(), node.pluginStatus().toString());
            Map<String, String> status = node.pluginStatus();
            mirrorsWithConfigPathErrors().forEach((plugin, message) -> {
                assertEquals("error", status.get(plugin), plugin + " in " + status);
                assertEquals(Optional.of(message), node.pluginError(plugin), plugin);
            });
            assertEquals(Optional.of(mirrorsWithConfigPathErrors().values().iterator().next()), node.criError());
            String log = node.containerdLog();
            assertTrue(log.contains("failed to load plugin"), log);
            ExecResult info = node.crictl("info");
            assertNotEquals(0, info.getExitCode());
            assertTrue(info.getStderr().contains("unknown service runtime.v1.RuntimeService"), info.getStderr());
        } finally {
            node.writeFile(NodeHost.CONFIG_FILE, originalConfig);
            node.restartContainerd();
        }
        assertTrue(node.criLoaded(), node.pluginStatus().toString());
    }

    /**
     * {@code config} with {@code config_path = "<dir>"} in the version's registry table: the existing
     * {@code config_path} line there is replaced (the 1.7 and 2.x defaults have one), else the table is appended
     * (Debian's 1.6 file has none).
     */
    static String withConfigPath(String config, Containerd containerd, String dir) {
        Pattern header = Pattern.compile("(?m)^[ \\t]*\\[plugins\\.([\"'])" + Pattern.quote(containerd.registryPlugin())
                + "\\1\\.registry\\][ \\t]*$");
        Matcher h = header.matcher(config);
        String line = "config_path = \"" + dir + "\"";
        if (!h.find()) {
            return config + "\n[" + containerd.registryTable() + "]\n  " + line + "\n";
        }
        int next = config.indexOf("\n", h.end()) + 1;
        Matcher nextTable = Pattern.compile("(?m)^[ \\t]*\\[").matcher(config);
        int end = nextTable.find(next) ? nextTable.start() : config.length();
        Matcher cp = Pattern.compile("(?m)^([ \\t]*)config_path[ \\t]*=.*$").matcher(config).region(next, end);
        if (cp.find()) {
            return config.substring(0, cp.start()) + cp.group(1) + line + config.substring(cp.end());
        }
        return config.substring(0, next) + "  " + line + "\n" + config.substring(next);
    }
}
