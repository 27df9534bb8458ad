package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.hosts.docker.ContainerInfo;
import io.imagecache.hosts.docker.DirState;
import io.imagecache.hosts.docker.DockerInspect;
import io.imagecache.hosts.docker.DockerParsersTest;
import io.imagecache.hosts.docker.Listener;
import io.imagecache.spi.ResourceException;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pure plan of a RegistryProxy apply, on host states built from output captured on the lab. */
class RegistryProxyPlanTest {
    private static final String NAME = "registry-ghcr";

    static RegistryProxy.Args args(String dataDir, String bind, boolean purge) {
        return new RegistryProxy.Args(new ConnectionArgs("10.0.20.10", 22, "root", null, null, null, null, null, 15, 10, 2, false),
                new UpstreamArgs("ghcr", "ghcr.io", "https://ghcr.io", 5982, null, null, null), "imagecache-lab/registry:2.8", bind,
                dataDir, "/tmp/hp", purge, 60);
    }

    static RegistryProxyPlan.Dir dir(String path, DirState s, String owner, boolean created) {
        return new RegistryProxyPlan.Dir(path, s, owner == null ? Optional.empty()
                : Optional.of(new ProxyMarker(owner, "https://ghcr.io", created)));
    }

    static RegistryProxyPlan.Observed observed(Optional<ContainerInfo> existing, List<ContainerInfo> others, List<Listener> ls,
                                               RegistryProxyPlan.Dir data, RegistryProxyPlan.Dir conf) {
        return new RegistryProxyPlan.Observed(existing, others, ls, data, conf, Optional.empty());
    }

    @Test
    void aNewProxyOnAnEmptyHostMakesAndMarksItsDirectories() throws ResourceException {
        RegistryProxy.Args a = args("/var/lib/imagecache/ghcr", "0.0.0.0", true);
        var o = observed(Optional.empty(), List.of(), List.of(), dir(a.dataDir(), DirState.MISSING, null, false),
                dir("/tmp/hp", DirState.MISSING, null, false));
        RegistryProxyPlan.preflight(a, NAME, true, o, "h");
        var act = RegistryProxyPlan.plan(a, NAME, a.image(), "cfg", "sha", o);
        assertEquals(2, act.dirs().size());
        assertTrue(act.dirs().get(0).mkdir() && act.dirs().get(0).marker().orElseThrow().created());
        assertEquals(NAME, act.dirs().get(0).marker().orElseThrow().owner());
        assertTrue(act.writeConfig() && act.runContainer() && !act.removeContainer());
    }

    @Test
    void aDirectoryThatHeldFilesIsMarkedNotCreatedAndPurgeAtCreateIsRefused() {
        RegistryProxy.Args keep = args("/srv", "0.0.0.0", false);
        var o = observed(Optional.empty(), List.of(), List.of(), dir("/srv", DirState.NONEMPTY, null, false),
                dir("/tmp/hp", DirState.MISSING, null, false));
        var act = RegistryProxyPlan.plan(keep, NAME, keep.image(), "cfg", "sha", o);
        assertFalse(act.dirs().get(0).mkdir());
        assertFalse(act.dirs().get(0).marker().orElseThrow().created(), "never purged later");
        ResourceException e = assertThrows(ResourceException.class,
                () -> RegistryProxyPlan.preflight(args("/srv", "0.0.0.0", true), NAME, true, o, "h"));
        assertTrue(e.getMessage().contains("purgeDataOnDelete would delete them"), e.getMessage());
    }

    @Test
    void aDirectoryOfAnotherProxyIsRefused() {
        RegistryProxy.Args a = args("/var/lib/imagecache/quay", "0.0.0.0", false);
        var o = observed(Optional.empty(), List.of(), List.of(), dir(a.dataDir(), DirState.NONEMPTY, "registry-quay", true),
                dir("/tmp/hp", DirState.MISSING, null, false));
        ResourceException e = assertThrows(ResourceException.class, () -> RegistryProxyPlan.preflight(a, NAME, true, o, "h"));
        assertEquals(ResourceException.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().contains("belongs to the proxy registry-quay"), e.getMessage());
    }

    @Test
    void aDirectoryMountedByAnotherContainerIsRefused() throws IOException {
        ContainerInfo handmade = DockerInspect.parse(DockerParsersTest.captured("inspect-handmade.json"));
        RegistryProxy.Args a = args("/var/lib/imagecache/x", "0.0.0.0", false);
        RegistryProxy.Args sharedConf = new RegistryProxy.Args(a.connection(), new UpstreamArgs("x", "x.io", "https://x.io", 6001,
                null, null, null), a.image(), "0.0.0.0", a.dataDir(), "/tmp/hp", false, 60);
        var o = observed(Optional.empty(), List.of(handmade), List.of(), dir(a.dataDir(), DirState.MISSING, null, false),
                dir("/tmp/hp", DirState.NONEMPTY, null, false));
        ResourceException e = assertThrows(ResourceException.class, () -> RegistryProxyPlan.preflight(sharedConf, "registry-x",
                true, o, "h"));
        assertTrue(e.getMessage().contains("configDir /tmp/hp") && e.getMessage().contains("hp-up"), e.getMessage());
    }

    @Test
    void thePortCheckHonoursTheBindAddress() throws IOException, ResourceException {
        ContainerInfo other = DockerInspect.parse(DockerParsersTest.captured("inspect-running.json")); // 127.0.0.1:5982
        List<Listener> ss = Listener.parseSs(DockerParsersTest.captured("ss-Hltnp.txt"));
        RegistryProxy.Args elsewhere = args("/var/lib/imagecache/ghcr", "127.0.0.2", false);
        var o = observed(Optional.empty(), List.of(other), ss, dir("/var/lib/imagecache/ghcr", DirState.MISSING, null, false),
                dir("/etc/imagecache/ghcr", DirState.MISSING, null, false));
        RegistryProxy.Args e2 = new RegistryProxy.Args(elsewhere.connection(), elsewhere.upstream(), elsewhere.image(), "127.0.0.2",
                elsewhere.dataDir(), "/etc/imagecache/ghcr", false, 60);
        RegistryProxyPlan.preflight(e2, "registry-new", true, o, "h"); // another address: no conflict
        for (String bind : List.of("127.0.0.1", "0.0.0.0")) {
            RegistryProxy.Args same = new RegistryProxy.Args(e2.connection(), e2.upstream(), e2.image(), bind, e2.dataDir(),
                    e2.configDir(), false, 60);
            ResourceException e = assertThrows(ResourceException.class, () -> RegistryProxyPlan.preflight(same, "registry-new",
                    true, o, "h"));
            assertTrue(e.getMessage().contains("port 5982") && e.getMessage().contains("registry-ghcr"), e.getMessage());
        }
        RegistryProxy.Args onListener = new RegistryProxy.Args(e2.connection(), new UpstreamArgs("n", "n.io", "https://n.io", 2024,
                null, null, null), e2.image(), "10.1.1.1", e2.dataDir(), e2.configDir(), false, 60);
        ResourceException e = assertThrows(ResourceException.class, () -> RegistryProxyPlan.preflight(onListener, "registry-n",
                true, o, "h"));
        assertTrue(e.getMessage().contains("another program on 0.0.0.0"), e.getMessage());
    }

    @Test
    void aProxyOfAnImageTheHostsOwnProxiesRunNeedNotAskTheImageItsVersion() throws IOException {
        ContainerInfo ours = DockerInspect.parse(DockerParsersTest.captured("inspect-running.json"));
        String id = ours.imageId();
        java.util.Map<String, String> labels = new java.util.HashMap<>(ours.labels());
        labels.put(RegistryProxyPlan.VERSION_LABEL, "2.8.3");
        ContainerInfo labelled = withLabels(ours, labels);
        assertEquals(Optional.of("2.8.3"), RegistryProxyPlan.knownVersion(List.of(labelled), id));
        assertEquals(Optional.empty(), RegistryProxyPlan.knownVersion(List.of(labelled), "sha256:another"),
                "another image (the same tag pulled again) is asked");
        assertEquals(Optional.empty(), RegistryProxyPlan.knownVersion(List.of(ours), id), "a proxy made before the label");
        java.util.Map<String, String> notOurs = new java.util.HashMap<>(labels);
        notOurs.remove(RegistryProxyPlan.LABEL);
        assertEquals(Optional.empty(), RegistryProxyPlan.knownVersion(List.of(withLabels(ours, notOurs)), id),
                "only our containers' labels count");
        java.util.Map<String, String> odd = new java.util.HashMap<>(labels);
        odd.put(RegistryProxyPlan.VERSION_LABEL, "3; rm -rf /");
        assertEquals(Optional.of("2.8.3"), RegistryProxyPlan.knownVersion(List.of(withLabels(ours, odd), labelled), id),
                "a label that is not a version is passed over");
        assertEquals(Optional.empty(), RegistryProxyPlan.knownVersion(List.of(labelled), ""));

        RegistryProxy.Args a = args("/tmp/hp/data", "127.0.0.1", false);
        assertTrue(RegistryProxyPlan.runCommand(a, a.image(), NAME, "abc", Optional.empty(), "3.1.2").render()
                .contains(" --label io.imagecache.distribution-version=3.1.2 "));
        assertFalse(RegistryProxyPlan.runCommand(a, a.image(), NAME, "abc", Optional.empty(), null).render()
                .contains("distribution-version"));
    }

    private static ContainerInfo withLabels(ContainerInfo c, java.util.Map<String, String> labels) {
        return new ContainerInfo(c.name(), c.image(), c.running(), c.status(), c.restartCount(), labels, c.mounts(), c.ports(),
                c.entrypoint(), c.cmd(), c.imageId());
    }

    @Test
    void aContainerThatRunsTheImagesOwnEntrypointIsRecreated() throws IOException {
        ContainerInfo ours = DockerInspect.parse(DockerParsersTest.captured("inspect-running.json"));
        RegistryProxy.Args a = new RegistryProxy.Args(args("/tmp/hp/data", "127.0.0.1", false).connection(),
                args("/tmp/hp/data", "127.0.0.1", false).upstream(), "imagecache-lab/registry:2.8", "127.0.0.1", "/tmp/hp/data",
                "/tmp/hp", false, 60);
        // the captured container mounts /tmp/hp/proxy.yml; ours would be /tmp/hp/config.yml: recreate
        var o = new RegistryProxyPlan.Observed(Optional.of(ours), List.of(), List.of(), dir("/tmp/hp/data", DirState.NONEMPTY, NAME,
                true), dir("/tmp/hp", DirState.NONEMPTY, NAME, false), Optional.of("cfg"));
        assertTrue(RegistryProxyPlan.plan(a, NAME, a.image(), "cfg", "abc123", o).runContainer());
        ContainerInfo same = new ContainerInfo(ours.name(), ours.image(), true, "running", 0, ours.labels(),
                java.util.Map.of("/etc/imagecache/config.yml", "/tmp/hp/config.yml", "/var/lib/registry", "/tmp/hp/data"),
                ours.ports(), ours.entrypoint(), ours.cmd(), ours.imageId());
        var same0 = new RegistryProxyPlan.Observed(Optional.of(same), o.others(), o.listeners(), o.dataDir(), o.configDir(),
                o.currentConfig());
        assertTrue(RegistryProxyPlan.plan(a, NAME, a.image(), "cfg", "abc123", same0).changesNothing(), "ours and unchanged");
        ContainerInfo ownEntrypoint = new ContainerInfo(same.name(), same.image(), true, "running", 0, same.labels(), same.mounts(),
                same.ports(), List.of("/bin/registry", "serve", "/etc/docker/registry/config.yml"), List.of("serve",
                "/etc/imagecache/config.yml"), same.imageId());
        var drift = new RegistryProxyPlan.Observed(Optional.of(ownEntrypoint), o.others(), o.listeners(), o.dataDir(), o.configDir(),
                o.currentConfig());
        var act = RegistryProxyPlan.plan(a, NAME, a.image(), "cfg", "abc123", drift);
        assertTrue(act.removeContainer() && act.runContainer(), "an entrypoint that is not ours is drift");
        assertTrue(RegistryProxyPlan.runCommand(a, a.image(), NAME, "abc123").render()
                .endsWith("--entrypoint registry imagecache-lab/registry:2.8 serve /etc/imagecache/config.yml"));
        assertTrue(RegistryProxyPlan.runCommand(a, a.image(), NAME, "abc123").render()
                .contains(" --sysctl net.ipv4.tcp_retries2=8 "), "a vanished upstream is given up on in about 100 s");
    }

    @Test
    void purgeOnlyWhatThisProxyMadeFromNothing() {
        assertTrue(RegistryProxyPlan.purgeRefusal(dir("/d", DirState.NONEMPTY, NAME, true), NAME).isEmpty());
        assertTrue(RegistryProxyPlan.purgeRefusal(dir("/srv", DirState.NONEMPTY, null, false), NAME).orElseThrow()
                .contains("has no marker"));
        assertTrue(RegistryProxyPlan.purgeRefusal(dir("/d", DirState.NONEMPTY, "registry-quay", true), NAME).orElseThrow()
                .contains("belongs to the proxy registry-quay"));
        assertTrue(RegistryProxyPlan.purgeRefusal(dir("/d", DirState.NONEMPTY, NAME, false), NAME).orElseThrow()
                .contains("created: false"));
        assertEquals(Optional.of(new ProxyMarker(NAME, "u", true)), ProxyMarker.parse(new ProxyMarker(NAME, "u", true).render()));
        assertEquals(Optional.empty(), ProxyMarker.parse("owner: registry-ghcr\n"), "without our header it is not a marker");
    }

    // --- a config.yml edited into invalid YAML, edited by hand, or someone else's (issue 10) ------------------

    private static RegistryProxyPlan.Observed withConfig(String config) {
        return new RegistryProxyPlan.Observed(Optional.empty(), List.of(), List.of(),
                dir("/var/lib/imagecache/ghcr", DirState.NONEMPTY, NAME, true), dir("/tmp/hp", DirState.NONEMPTY, NAME, true),
                Optional.of(config));
    }

    @Test
    void aConfigThatIsNotWhatImagecacheLastWroteIsSavedBeforeItIsWrittenAgain() {
        RegistryProxy.Args a = args("/var/lib/imagecache/ghcr", "0.0.0.0", false);
        String ours = io.imagecache.distribution.DistributionConfig.HEADER + "\nversion: 0.1\nproxy:\n  remoteurl: \"https://ghcr.io\"\n";
        String last = RegistryProxy.sha256(ours);
        // what the last apply wrote: replaced without a copy (the inputs changed)
        var same = RegistryProxyPlan.plan(a, NAME, a.image(), "new", "sha", withConfig(ours), Optional.empty(), last, "T");
        assertTrue(same.writeConfig());
        assertEquals(Optional.empty(), same.configBackup());
        // edited into invalid YAML: saved, with the YAML error's line and column, never its text
        String broken = ours + "  password: \"s3cr3t\n  ttl: [\n";
        var repaired = RegistryProxyPlan.plan(a, NAME, a.image(), "new", "sha", withConfig(broken), Optional.empty(), last, "T");
        RegistryProxyPlan.ConfigBackup b = repaired.configBackup().orElseThrow();
        assertEquals("/tmp/hp/config.yml.imagecache-T.bak", b.path());
        assertTrue(b.why().matches("is not valid YAML: line \\d+, column \\d+: .+ \\(distribution cannot start with it\\)"), b.why());
        assertFalse(b.why().contains("s3cr3t"), b.why());
        // a valid edit of our file, and an adopted proxy's own file (no header): saved too
        assertEquals("was edited since imagecache wrote it", RegistryProxyPlan.configBackupReason(
                Optional.of(ours + "# mine\n"), last).orElseThrow());
        assertEquals("was not written by imagecache (an adopted proxy's own config)", RegistryProxyPlan.configBackupReason(
                Optional.of("version: 0.1\nproxy:\n  remoteurl: https://ghcr.io\n"), null).orElseThrow());
        // nothing to replace: no copy
        assertEquals(Optional.empty(), RegistryProxyPlan.plan(a, NAME, a.image(), ours, "sha", withConfig(ours),
                Optional.empty(), null, "T").configBackup());
    }

    @Test
    void createRefusesAConfigYmlImagecacheDidNotWrite() {
        RegistryProxy.Args a = args("/var/lib/imagecache/ghcr", "0.0.0.0", false);
        var o = new RegistryProxyPlan.Observed(Optional.empty(), List.of(), List.of(),
                dir(a.dataDir(), DirState.MISSING, null, false), dir("/tmp/hp", DirState.NONEMPTY, null, false),
                Optional.of("version: 0.1\nproxy:\n  remoteurl: https://quay.io\n"));
        ResourceException e = assertThrows(ResourceException.class, () -> RegistryProxyPlan.preflight(a, NAME, true, o, "h"));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().startsWith("/tmp/hp/config.yml on h exists and was not written by imagecache"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(nothing was changed)"), e.getMessage());
    }
}
