package io.imagecache.hosts.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.containerd.ContainerdVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The parsers of what lab nodes really printed (testdata/containerd/node/<version>/, see its README). */
class NodeOutputTest {

    static String captured(String version, String file) {
        try (InputStream in = NodeOutputTest.class.getResourceAsStream("/testdata/containerd/node/" + version + "/" + file)) {
            if (in == null) {
                throw new IllegalStateException("no captured " + version + "/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ContainerdVersion version(String v) {
        return ContainerdVersion.parse(captured(v, "containerd-version.txt"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.6", "1.7", "2.2"})
    void aHealthyNodesCriPluginsAreAllLoaded(String v) {
        Map<String, String> states = CriPlugins.states(captured(v, "ctr-plugins-ls.txt"));
        assertTrue(CriPlugins.allLoaded(states), states.toString());
        assertEquals(v.equals("2.2") ? 3 : 1, states.size(), states.toString());
        assertTrue(states.containsKey("io.containerd.grpc.v1 cri"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.6", "1.7", "2.2"})
    void mirrorsNextToConfigPathShowAsAFailedPluginWithContainerdsMessage(String v) {
        Map<String, String> states = CriPlugins.states(captured(v, "ctr-plugins-ls-error.txt"));
        assertFalse(CriPlugins.allLoaded(states));
        String failed = CriPlugins.firstFailed(states).orElseThrow();
        assertEquals(v.equals("2.2") ? "io.containerd.cri.v1 images" : "io.containerd.grpc.v1 cri", failed);
        String message = CriPlugins.errorMessage(captured(v, "ctr-plugins-ls-d-error.txt")).orElseThrow();
        assertTrue(message.endsWith("`mirrors` cannot be set when `config_path` is provided"), message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.6", "1.7", "2.2"})
    void theConfigDumpGivesTheEffectiveConfigPathAndSocket(String v) {
        ConfigDump plain = ConfigDump.parse(captured(v, "config-dump.txt"), version(v));
        assertEquals("/run/containerd/containerd.sock", plain.grpcAddress());
        assertTrue(plain.configPath().orElse("").isEmpty(), plain.toString());
        ConfigDump set = ConfigDump.parse(captured(v, "config-dump-config-path.txt"), version(v));
        assertEquals(Optional.of("/etc/containerd/certs.d"), set.configPath());
    }

    @Test
    void aGrpcAddressElsewhereIsRead() {
        String dump = captured("2.2", "config-dump.txt").replace("address = '/run/containerd/containerd.sock'",
                "address = '/run/alt/containerd.sock'");
        assertEquals("/run/alt/containerd.sock", ConfigDump.parse(dump, version("2.2")).grpcAddress());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.6", "1.7", "2.2"})
    void statGivesModeAndOwner(String v) {
        FileStat s = FileStat.parse(captured(v, "stat.txt"));
        assertEquals(new FileStat(0644, 0, 0), s);
        assertEquals("0:0", s.owner());
    }

    @Test
    void aSafeModeIsNeverGroupOrWorldWritable() {
        assertEquals(0644, new FileStat(0666, 0, 0).safeMode());
        assertEquals(0640, new FileStat(0640, 0, 4).safeMode());
        assertEquals(0755, new FileStat(04777, 0, 0).safeMode());
        assertEquals(0600, new FileStat(0600, 0, 0).safeMode());
        assertThrows(IllegalArgumentException.class, () -> FileStat.parse("stat: cannot statx"));
    }
}
