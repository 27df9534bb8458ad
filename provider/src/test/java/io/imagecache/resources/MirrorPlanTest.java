package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.containerd.ContainerdVersion;
import io.imagecache.containerd.HostsToml;
import io.imagecache.hosts.containerd.FileStat;
import io.imagecache.spi.ResourceException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * MirrorPlan on node states captured from the lab's real nodes (testdata/containerd/node/<version>/: their
 * containerd --version, config.toml and stat output).
 */
class MirrorPlanTest {
    private static final String CONFIG = "/etc/containerd/config.toml";
    private static final String STAMP = "20261201T220000Z";

    private static String captured(String version, String file) {
        try (InputStream in = MirrorPlanTest.class.getResourceAsStream("/testdata/containerd/node/" + version + "/" + file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ContainerdVersion version(String v) {
        return ContainerdVersion.parse(captured(v, "containerd-version.txt"));
    }

    /** The node as captured: its own config.toml, no hosts files. */
    private static MirrorPlan.Observed node(String v) {
        return new MirrorPlan.Observed(version(v), CONFIG, CONFIG, Optional.of(captured(v, "config.toml")),
                Optional.of(FileStat.parse(captured(v, "stat.txt"))), Map.of(), Map.of(), List.of());
    }

    @org.junit.jupiter.api.Test
    void importedFilesAreWarnedAboutOnlyWhenTheyExist() throws ResourceException {
        String config = "version = 3\nimports = [\"/etc/containerd/conf.d/*.toml\"]\n";
        assertEquals(List.of("/etc/containerd/conf.d/*.toml"), io.imagecache.containerd.ConfigImports.of(config));
        MirrorPlan.Observed none = new MirrorPlan.Observed(version("2.2"), CONFIG, CONFIG, Optional.of(config),
                Optional.empty(), Map.of(), Map.of(), List.of(), List.of());
        assertTrue(plan(args("/etc/containerd/certs.d"), null, null, none).warnings().stream()
                .noneMatch(w -> w.contains("imports")), "containerd 2's default import that matches nothing is no news");
        MirrorPlan.Observed one = new MirrorPlan.Observed(version("2.2"), CONFIG, CONFIG, Optional.of(config),
                Optional.empty(), Map.of(), Map.of(), List.of(), List.of("/etc/containerd/conf.d/10-registry.toml"));
        assertTrue(plan(args("/etc/containerd/certs.d"), null, null, one).warnings().stream()
                .anyMatch(w -> w.contains("imports [/etc/containerd/conf.d/10-registry.toml]")));
    }

    private static ContainerdMirror.Args args(String certsDir) {
        return new ContainerdMirror.Args(new ConnectionArgs("10.0.30.1", 22, "root", null, null, null, null, null, 15, 1, 1,
                false), List.of(new ContainerdMirror.MirrorArgs("docker.io", List.of("http://10.0.20.10:5000"), null, null,
                null, null, null, null)), certsDir, CONFIG, "systemctl restart containerd", 60, 120);
    }

    private static MirrorPlan plan(ContainerdMirror.Args a, ContainerdMirror.Args olds, ContainerdMirror.State old,
                                   MirrorPlan.Observed obs) throws ResourceException {
        return MirrorPlan.of(a, olds, old, obs, STAMP, "root@10.0.30.1:22");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.6", "1.7", "2.2"})
    void aFreshNodeGetsItsHostsFileThenOneConfigEditAndRestart(String v) throws ResourceException {
        MirrorPlan p = plan(args("/etc/containerd/certs.d"), null, null, node(v));
        assertEquals(List.of("/etc/containerd/certs.d/docker.io/hosts.toml"), p.writes().stream().map(MirrorPlan.FileWrite::path).toList());
        assertTrue(p.writes().get(0).previous().isEmpty());
        assertTrue(p.restartsContainerd());
        MirrorPlan.ConfigChange c = p.config().orElseThrow();
        assertEquals(CONFIG + ".imagecache-" + STAMP + ".bak", c.backup());
        assertEquals("/run/containerd/containerd.sock", c.socketAfter());
        assertEquals(0644, c.stat().orElseThrow().safeMode());
        assertEquals(List.of(), p.removals());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.6", "1.7", "2.2"})
    void aNodeThatIsAlreadyRightGetsNothing(String v) throws ResourceException {
        MirrorPlan first = plan(args("/etc/containerd/certs.d"), null, null, node(v));
        MirrorPlan.Observed done = new MirrorPlan.Observed(version(v), CONFIG, CONFIG,
                Optional.of(first.config().orElseThrow().text()), node(v).configStat(), first.hostsFiles(), first.hostsFiles(),
                List.of());
        MirrorPlan again = plan(args("/etc/containerd/certs.d"), args("/etc/containerd/certs.d"), null, done);
        assertEquals(List.of(), again.writes());
        assertFalse(again.restartsContainerd());

        // the same files, but config.toml changed after containerd started (an apply cut short before its restart)
        MirrorPlan.Observed notLoaded = new MirrorPlan.Observed(done.version(), CONFIG, CONFIG, done.config(), done.configStat(),
                done.filesInCertsDir(), done.filesInOldDir(), List.of(), List.of(), true);
        MirrorPlan restart = plan(args("/etc/containerd/certs.d"), args("/etc/containerd/certs.d"), null, notLoaded);
        assertEquals(List.of(), restart.writes());
        assertTrue(restart.restartsContainerd(), "containerd restarts to load what it has not");
        assertEquals(done.config().orElseThrow(), restart.config().orElseThrow().text(), "config.toml stays as it is");
        assertTrue(restart.warnings().stream().anyMatch(w -> w.contains("changed after containerd started")), restart.warnings().toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.6", "1.7", "2.2"})
    void movingCertsDirRemovesTheOldManagedFilesOnlyAfterTheSwitch(String v) throws ResourceException {
        MirrorPlan first = plan(args("/etc/containerd/certs.d"), null, null, node(v));
        ContainerdMirror.State old = new ContainerdMirror.State(version(v).toString(), first.configVersion(),
                first.hostsFiles(), true, true, null, null, Map.of(), null, null);
        String handMade = "server = \"https://ghcr.io\"\n";
        MirrorPlan.Observed there = new MirrorPlan.Observed(version(v), CONFIG, CONFIG,
                Optional.of(first.config().orElseThrow().text()), node(v).configStat(), Map.of(),
                Map.of("docker.io", first.hostsFiles().get("docker.io"), "ghcr.io", handMade), List.of());
        ContainerdMirror.State withGhcr = new ContainerdMirror.State(old.containerdVersion(), old.configVersion(),
                Map.of("docker.io", "x", "ghcr.io", "y"), true, true, null, null, Map.of(), null, null);
        MirrorPlan moved = plan(args("/etc/containerd/hosts.d"), args("/etc/containerd/certs.d"), withGhcr, there);
        assertEquals(List.of("/etc/containerd/hosts.d/docker.io/hosts.toml"),
                moved.writes().stream().map(MirrorPlan.FileWrite::path).toList());
        assertTrue(moved.restartsContainerd(), "config_path changes");
        assertEquals(List.of("/etc/containerd/certs.d/docker.io/hosts.toml"), moved.removals(),
                "the managed file goes; the hand-made one stays");
        assertTrue(moved.warnings().stream().anyMatch(w -> w.contains("ghcr.io/hosts.toml was not made by imagecache")));
    }

    @Test
    void aSymlinkedConfigIsPlannedAtItsTargetWithASafeMode() throws ResourceException {
        MirrorPlan.Observed linked = new MirrorPlan.Observed(version("1.6"), CONFIG, "/srv/containerd/config.toml",
                Optional.of(captured("1.6", "config.toml")), Optional.of(new FileStat(0666, 0, 4)), Map.of(), Map.of(), List.of());
        MirrorPlan.ConfigChange c = plan(args("/etc/containerd/certs.d"), null, null, linked).config().orElseThrow();
        assertEquals("/srv/containerd/config.toml", c.target());
        assertEquals(CONFIG, c.configFile());
        assertEquals("/srv/containerd/config.toml.imagecache-" + STAMP + ".bak", c.backup());
        assertEquals(0644, c.stat().orElseThrow().safeMode());
        assertEquals("0:4", c.stat().orElseThrow().owner());
    }

    @Test
    void theSocketComesFromTheConfigBeingApplied() throws ResourceException {
        String config = captured("2.2", "config.toml").replace("address = '/run/containerd/containerd.sock'",
                "address = '/run/alt/containerd.sock'");
        MirrorPlan.Observed alt = new MirrorPlan.Observed(version("2.2"), CONFIG, CONFIG, Optional.of(config),
                Optional.empty(), Map.of(), Map.of(), List.of());
        MirrorPlan.ConfigChange c = plan(args("/etc/containerd/certs.d"), null, null, alt).config().orElseThrow();
        assertEquals("/run/alt/containerd.sock", c.socketBefore());
        assertEquals("/run/alt/containerd.sock", c.socketAfter());
    }

    @Test
    void aRancherNodeIsRefusedNamingRegistriesYaml() {
        MirrorPlan.Observed k3s = new MirrorPlan.Observed(null, CONFIG, "/var/lib/rancher/k3s/agent/etc/containerd/config.toml",
                Optional.empty(), Optional.empty(), Map.of(), Map.of(), List.of());
        ResourceException e = assertThrows(ResourceException.class, () -> plan(args("/etc/containerd/certs.d"), null, null, k3s));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains("registries.yaml"), e.getMessage());
    }

    @Test
    void aReplacedHandMadeFileIsBackedUpAndRemembered() throws ResourceException {
        String handMade = "server = \"https://registry-1.docker.io\"\n";
        MirrorPlan.Observed n = new MirrorPlan.Observed(version("1.7"), CONFIG, CONFIG, Optional.of(captured("1.7", "config.toml")),
                Optional.empty(), Map.of("docker.io", handMade), Map.of("docker.io", handMade), List.of());
        MirrorPlan.FileWrite w = plan(args("/etc/containerd/certs.d"), null, null, n).writes().get(0);
        assertEquals(Optional.of(handMade), w.previous());
        assertEquals("/etc/containerd/certs.d/docker.io/hosts.toml.imagecache-" + STAMP + ".bak", w.backup());
        assertTrue(HostsToml.isManaged(w.content()));
    }
}
