package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.containerd.ContainerdVersion;
import io.imagecache.containerd.HostsToml;
import io.imagecache.containerd.MirrorSpec;
import io.imagecache.hosts.docker.ContainerInfo;
import io.imagecache.hosts.docker.DirState;
import io.imagecache.spi.Owner;
import io.imagecache.spi.ResourceException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Two stacks on one host: the plans of RegistryProxy and ContainerdMirror refuse what another stack marks, adopt what an
 * older version marked without a stack, and write markers that name the stack applying. Pure.
 */
class OwnershipPlanTest {
    private static final String NAME = "registry-ghcr";
    private static final Optional<Owner> A = Optional.of(new Owner("cache", "a", "proxy"));
    private static final Optional<Owner> B = Optional.of(new Owner("cache", "b", "proxy"));

    private static RegistryProxyPlan.Dir dir(String path, DirState s, Optional<Owner> stack, boolean marked) {
        return new RegistryProxyPlan.Dir(path, s, marked ? Optional.of(new ProxyMarker(NAME, "https://ghcr.io", true, stack))
                : Optional.empty());
    }

    private static ContainerInfo container(Optional<Owner> owner) {
        Map<String, String> labels = new java.util.HashMap<>(Map.of(RegistryProxyPlan.LABEL, "true"));
        owner.ifPresent(o -> labels.put(RegistryProxyPlan.OWNER_LABEL, o.line()));
        return new ContainerInfo(NAME, "imagecache-lab/registry:2.8", true, "running", 0, labels, Map.of(), List.of(),
                List.of("registry"), List.of("serve", "/etc/imagecache/config.yml"), "sha256:0123");
    }

    private static RegistryProxyPlan.Observed host(Optional<ContainerInfo> c, RegistryProxyPlan.Dir data, RegistryProxyPlan.Dir conf) {
        return new RegistryProxyPlan.Observed(c, List.of(), List.of(), data, conf, Optional.empty());
    }

    @Test
    void aProxyAnotherStackMadeIsRefusedForCreateUpdateAndDeleteNamingThatStack() {
        RegistryProxy.Args a = RegistryProxyPlanTest.args("/var/lib/imagecache/ghcr", "0.0.0.0", false);
        var byA = host(Optional.of(container(A)), dir(a.dataDir(), DirState.NONEMPTY, A, true), dir("/tmp/hp", DirState.NONEMPTY, A, true));
        for (boolean creating : List.of(true, false)) {
            ResourceException e = assertThrows(ResourceException.class,
                    () -> RegistryProxyPlan.preflight(a, NAME, creating, byA, "root@h:22", B));
            assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
            assertTrue(e.getMessage().startsWith("the container registry-ghcr on root@h:22 belongs to the Pulumi stack cache/a"),
                    e.getMessage());
        }
        assertTrue(RegistryProxyPlan.ownerRefusal(byA, NAME, "h", B, Owner.Op.DELETE).orElseThrow().contains("pulumi state delete"));
        // an older container (no owner label) whose directories another stack marks: the markers decide
        var markersOnly = host(Optional.of(container(Optional.empty())), dir(a.dataDir(), DirState.NONEMPTY, A, true),
                dir("/tmp/hp", DirState.NONEMPTY, A, true));
        assertTrue(RegistryProxyPlan.ownerRefusal(markersOnly, NAME, "h", B, Owner.Op.CREATE).orElseThrow()
                .startsWith("configDir /tmp/hp on h (see /tmp/hp/.imagecache-owner) belongs to the Pulumi stack cache/a"));
    }

    @Test
    void ourOwnProxyAndALegacyOneAreNotRefusedAndTheLegacyMarkersAreAdopted() throws ResourceException {
        RegistryProxy.Args a = RegistryProxyPlanTest.args("/var/lib/imagecache/ghcr", "0.0.0.0", false);
        var ours = host(Optional.of(container(A)), dir(a.dataDir(), DirState.NONEMPTY, A, true), dir("/tmp/hp", DirState.NONEMPTY, A, true));
        RegistryProxyPlan.preflight(a, NAME, false, ours, "h", A);
        assertEquals(List.of(), RegistryProxyPlan.plan(a, NAME, a.image(), "cfg", "sha", ours, A).dirs(), "nothing to rewrite");

        var legacy = host(Optional.of(container(Optional.empty())), dir(a.dataDir(), DirState.NONEMPTY, Optional.empty(), true),
                dir("/tmp/hp", DirState.NONEMPTY, Optional.empty(), true));
        RegistryProxyPlan.preflight(a, NAME, true, legacy, "h", B);
        var act = RegistryProxyPlan.plan(a, NAME, a.image(), "cfg", "sha", legacy, B);
        assertEquals(2, act.dirs().size());
        act.dirs().forEach(d -> assertEquals(B, d.marker().orElseThrow().stack(), "adopted by the first stack that manages it"));
        act.dirs().forEach(d -> assertTrue(d.marker().orElseThrow().created(), "created: kept as the old marker said"));
        assertEquals(Optional.of(new ProxyMarker(NAME, "https://ghcr.io", true, B)),
                ProxyMarker.parse(act.dirs().get(0).marker().orElseThrow().render()));

        var absent = host(Optional.empty(), dir(a.dataDir(), DirState.MISSING, Optional.empty(), false),
                dir("/tmp/hp", DirState.MISSING, Optional.empty(), false));
        RegistryProxyPlan.preflight(a, NAME, true, absent, "h", B);
        assertTrue(RegistryProxyPlan.runCommand(a, a.image(), NAME, "sha", B, null).render()
                .contains("'io.imagecache.owner=imagecache:owner stack=cache/b resource=proxy'"));
    }

    @Test
    void anotherResourceOfTheSameStackIsRefusedOnCreateOnly() throws ResourceException {
        RegistryProxy.Args a = RegistryProxyPlanTest.args("/var/lib/imagecache/ghcr", "0.0.0.0", false);
        Optional<Owner> sibling = Optional.of(new Owner("cache", "a", "other"));
        var o = host(Optional.of(container(sibling)), dir(a.dataDir(), DirState.NONEMPTY, sibling, true),
                dir("/tmp/hp", DirState.NONEMPTY, sibling, true));
        assertThrows(ResourceException.class, () -> RegistryProxyPlan.preflight(a, NAME, true, o, "h", A));
        RegistryProxyPlan.preflight(a, NAME, false, o, "h", A); // renamed with an alias: the update goes ahead
    }

    // --- ContainerdMirror ----------------------------------------------------------------------

    private static final String PATH = "/etc/containerd/certs.d/docker.io/hosts.toml";

    private static ContainerdMirror.Args mirror() {
        return new ContainerdMirror.Args(new ConnectionArgs("10.0.30.1", 22, "root", null, null, null, null, null, 15, 1, 1,
                false), List.of(new ContainerdMirror.MirrorArgs("docker.io", List.of("http://10.0.20.10:5000"), null, null,
                null, null, null, null)), "/etc/containerd/certs.d", "/etc/containerd/config.toml",
                "systemctl restart containerd", 60, 120);
    }

    private static MirrorPlan.Observed node(Map<String, String> files) {
        return new MirrorPlan.Observed(ContainerdVersion.parse("containerd github.com/containerd/containerd 1.6.20 1.6.20"),
                "/etc/containerd/config.toml", "/etc/containerd/config.toml",
                Optional.of("version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n  config_path = \"/etc/containerd/certs.d\"\n"),
                Optional.empty(), files, files, List.of());
    }

    private static String file(Optional<Owner> owner) {
        return Owner.stamp(HostsToml.render(MirrorSpec.of("docker.io", MirrorSpec.Endpoint.of("http://10.0.20.10:5000"))), owner);
    }

    @Test
    void aHostsFileAnotherStackWroteIsRefusedBeforeAnythingIsPlanned() {
        Optional<Owner> mA = Optional.of(new Owner("cache", "a", "mirror"));
        Optional<Owner> mB = Optional.of(new Owner("cache", "b", "mirror"));
        ResourceException e = assertThrows(ResourceException.class, () -> MirrorPlan.of(mirror(), null, null,
                node(Map.of("docker.io", file(mA))), "T", "root@n:22", mB));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().startsWith(PATH + " on root@n:22 belongs to the Pulumi stack cache/a (resource mirror), not "
                + "to this stack cache/b"), e.getMessage());
        assertTrue(MirrorOwnership.ownerRefusal(Optional.of(file(mA)), mB, Owner.Op.DELETE, PATH, "n").isPresent());
        assertEquals(Optional.empty(), MirrorOwnership.ownerRefusal(Optional.of("server = \"x\"\n"), mB, Owner.Op.CREATE, PATH, "n"),
                "a hand-made file is not a stack's (it is backed up and replaced, as before)");
    }

    @Test
    void ourHostsFileIsUnchangedAndALegacyOneIsRewrittenNamingUs() throws ResourceException {
        Optional<Owner> mA = Optional.of(new Owner("cache", "a", "mirror"));
        MirrorPlan same = MirrorPlan.of(mirror(), null, null, node(Map.of("docker.io", file(mA))), "T", "n", mA);
        assertEquals(List.of(), same.writes());
        assertEquals(file(mA), same.hostsFiles().get("docker.io"));

        MirrorPlan adopt = MirrorPlan.of(mirror(), null, null, node(Map.of("docker.io", file(Optional.empty()))), "T", "n", mA);
        assertEquals(1, adopt.writes().size());
        assertEquals(file(mA), adopt.writes().get(0).content());
        assertEquals(null, adopt.writes().get(0).backup(), "our own older file is not backed up as a hand-made one");
        assertTrue(adopt.config().isEmpty(), "adopting never touches config.toml or restarts containerd");
    }

    @Test
    void aFileOurResourceWroteBeforeItsRenameIsRemovedWhenNoLongerWantedAndASiblingsIsLeft() throws ResourceException {
        Optional<Owner> before = Optional.of(new Owner("cache", "a", "mirror"));
        Optional<Owner> renamed = Optional.of(new Owner("cache", "a", "mirrors"));
        String quay = "/etc/containerd/certs.d/quay.io/hosts.toml";
        String ours = Owner.stamp(HostsToml.render(MirrorSpec.of("quay.io", MirrorSpec.Endpoint.of("http://10.0.20.10:5001"))), before);
        ContainerdMirror.State old = new ContainerdMirror.State("1.6.20", 2, Map.of("docker.io", file(before), "quay.io", ours),
                false, true, null, null, Map.of(), false, null);
        MirrorPlan plan = MirrorPlan.of(mirror(), mirror(), old, node(Map.of("docker.io", file(before), "quay.io", ours)),
                "T", "n", renamed);
        assertEquals(List.of(quay), plan.removals(), "the renamed resource's own file, no longer wanted, goes");

        String sibling = Owner.stamp(HostsToml.render(MirrorSpec.of("quay.io", MirrorSpec.Endpoint.of("http://10.0.20.10:5001"))),
                Optional.of(new Owner("cache", "a", "quay-mirror")));
        MirrorPlan left = MirrorPlan.of(mirror(), mirror(), old, node(Map.of("docker.io", file(before), "quay.io", sibling)),
                "T", "n", renamed);
        assertEquals(List.of(), left.removals(), "a file another resource of the stack wrote since stays");
        assertTrue(left.warnings().stream().anyMatch(w -> w.contains("now belongs to the resource quay-mirror")), left.warnings().toString());
    }

    // --- config_path, hosts.toml files in the way, a config.toml that does not parse (issue 10) ------------

    private static MirrorPlan.Observed pointingAt(String configPath, Map<String, String> configured) {
        return new MirrorPlan.Observed(ContainerdVersion.parse("containerd github.com/containerd/containerd 1.6.20 1.6.20"),
                "/etc/containerd/config.toml", "/etc/containerd/config.toml",
                Optional.of("version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n  config_path = \"" + configPath
                        + "\"\n"), Optional.empty(), Map.of(), Map.of(), List.of(), List.of(), false, configured);
    }

    @Test
    void anotherStackCannotMoveConfigPathAwayFromTheDirectoryItsFilesAreIn() throws ResourceException {
        Optional<Owner> mA = Optional.of(new Owner("cache", "a", "mirror"));
        Optional<Owner> mB = Optional.of(new Owner("cache", "b", "mirror"));
        String theirs = "/srv/a-certs/docker.io/hosts.toml";
        MirrorPlan.Observed node = pointingAt("/srv/a-certs", Map.of(theirs, file(mA)));
        ResourceException e = assertThrows(ResourceException.class, () -> MirrorPlan.of(mirror(), null, null, node, "T",
                "root@n:22", mB));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertEquals("/etc/containerd/config.toml on root@n:22 points config_path at /srv/a-certs, whose " + theirs
                + " belongs to the Pulumi stack cache/a (resource mirror), not to this stack cache/b: containerd reads one "
                + "config_path, so moving it to /etc/containerd/certs.d would cut that resource's mirrors off. Give this "
                + "resource certsDir /srv/a-certs (each registry's hosts.toml has its owner), or remove that resource first "
                + "(nothing was changed)", e.getMessage());
        // a colon-separated list names each directory
        assertThrows(ResourceException.class, () -> MirrorPlan.of(mirror(), null, null,
                pointingAt("/etc/containerd/certs.d:/srv/a-certs", Map.of(theirs, file(mA))), "T", "n", mB));
        // the same stack's own resource moving its directory, a legacy file, a hand-made one: the move goes ahead
        assertTrue(MirrorPlan.of(mirror(), null, null, node, "T", "n", mA).restartsContainerd());
        assertTrue(MirrorPlan.of(mirror(), null, null, pointingAt("/srv/a-certs", Map.of(theirs, file(Optional.empty()))),
                "T", "n", mB).restartsContainerd());
        assertTrue(MirrorPlan.of(mirror(), null, null, pointingAt("/srv/a-certs", Map.of(theirs, "server = \"x\"\n")),
                "T", "n", mB).restartsContainerd());
        // another resource of the same stack: refused on create only (an update is this resource renamed)
        Optional<Owner> sibling = Optional.of(new Owner("cache", "a", "other"));
        assertTrue(MirrorOwnership.configPathRefusal(node, "/srv/a-certs", "/etc/containerd/certs.d", sibling, Owner.Op.CREATE,
                "n").orElseThrow().contains("belongs to the Pulumi stack cache/a (resource mirror) of this stack"));
        assertEquals(Optional.empty(), MirrorOwnership.configPathRefusal(node, "/srv/a-certs", "/etc/containerd/certs.d",
                sibling, Owner.Op.UPDATE, "n"));
        // config_path already where this resource wants it: nothing to move, nothing refused
        assertEquals(List.of(), MirrorPlan.configuredDirs("/etc/containerd/certs.d/", "/etc/containerd/certs.d"));
    }

    @Test
    void aHostsFileInTheWayIsRefusedWhenItCannotBeReadOrNamesAnotherStackAndBackedUpWhenItCanBeRead()
            throws ResourceException {
        Optional<Owner> mB = Optional.of(new Owner("cache", "b", "mirror"));
        String garbled = "server = \"https://registry-1.docker.io\n";
        ResourceException e = assertThrows(ResourceException.class, () -> MirrorPlan.of(mirror(), null, null,
                node(Map.of("docker.io", garbled)), "T", "root@n:22", mB));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().startsWith(PATH + " on root@n:22 is in the way: imagecache did not write it (it lacks the "
                + "header \"" + HostsToml.HEADER + "\") and cannot read it (hosts.toml for docker.io is not valid TOML: "
                + "line 1, column "), e.getMessage());
        assertTrue(e.getMessage().endsWith("mv " + PATH + " " + PATH + ".broken), then run the update again; a hand-made "
                + "hosts.toml that reads is backed up and replaced (nothing was changed)"), e.getMessage());
        assertTrue(!e.getMessage().contains("registry-1.docker.io"), "the file's text is not repeated: " + e.getMessage());
        // TOML whose shape containerd refuses (a field's type): readable, so backed up and replaced, as before
        assertEquals(PATH + ".imagecache-T.bak", MirrorPlan.of(mirror(), null, null,
                node(Map.of("docker.io", "server = 5\n")), "T", "n", mB).writes().get(0).backup());

        String othersLine = "# " + new Owner("cache", "a", "mirror").line() + "\nserver = \"https://registry-1.docker.io\"\n";
        e = assertThrows(ResourceException.class, () -> MirrorPlan.of(mirror(), null, null,
                node(Map.of("docker.io", othersLine)), "T", "root@n:22", mB));
        assertTrue(e.getMessage().startsWith(PATH + " on root@n:22 (its owner line; it lacks imagecache's header) belongs to "
                + "the Pulumi stack cache/a (resource mirror), not to this stack cache/b"), e.getMessage());

        String handMade = "server = \"https://registry-1.docker.io\"\n\n[host.\"http://10.9.9.9:5000\"]\n";
        MirrorPlan p = MirrorPlan.of(mirror(), null, null, node(Map.of("docker.io", handMade)), "T", "n", mB);
        assertEquals(PATH + ".imagecache-T.bak", p.writes().get(0).backup(), "backed up, then replaced");
        assertEquals(Optional.of(handMade), p.writes().get(0).previous());
    }

    @Test
    void aConfigTomlThatDoesNotParseIsRefusedNamingTheFileLineAndColumnAndWhatToDo() {
        MirrorPlan.Observed broken = new MirrorPlan.Observed(
                ContainerdVersion.parse("containerd github.com/containerd/containerd 1.6.20 1.6.20"),
                "/etc/containerd/config.toml", "/etc/containerd/real/config.toml",
                Optional.of("version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry\n"), Optional.empty(), Map.of(),
                Map.of(), List.of());
        ResourceException e = assertThrows(ResourceException.class, () -> MirrorPlan.of(mirror(), null, null, broken, "T",
                "root@n:22", Optional.empty()));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().matches("cannot edit /etc/containerd/config\\.toml \\(/etc/containerd/real/config\\.toml\\) "
                + "on root@n:22: config\\.toml is not valid TOML: line 2, column \\d+: .*; containerd cannot read it either, fix"
                + " it by hand first; then run the update again \\(nothing on the node was changed: no file written, "
                + "containerd not restarted\\)"), e.getMessage());
        assertEquals(Optional.empty(), MirrorPlan.configEdit(broken.config(), broken.version(), "/etc/containerd/certs.d"));
        assertTrue(MirrorPlan.configProblem(broken.config(), broken.version(), "/etc/containerd/certs.d").orElseThrow()
                .startsWith("config.toml is not valid TOML: line 2"));
    }

    // --- RegistryVm's directory marker ------------------------------------------------------------------

    @Test
    void aVmDirectoryMarkerNamesTheStackAnotherStacksIsRefusedAndAnOlderOneIsRestamped() {
        io.imagecache.vm.VmPlan vm = io.imagecache.vm.VmPlan.of("registry", "/var/lib/imagecache/vms", "/img/base.qcow2",
                "qcow2", 2, 2048, 20, 50, "br0", "kvm");
        Optional<Owner> vA = Optional.of(new Owner("cache", "a", "vm"));
        Optional<Owner> vB = Optional.of(new Owner("cache", "b", "vm"));
        String byA = VmMarker.of(vm, vA).render();
        assertEquals("imagecache RegistryVm registry\n# imagecache:owner stack=cache/a resource=vm\n", byA);
        assertEquals(Optional.of(new VmMarker("registry", vA)), VmMarker.parse(byA));
        for (Owner.Op op : Owner.Op.values()) {
            String refusal = VmMarker.refusal(Optional.of(byA), vm, vB, op, "root@kvm:22").orElseThrow();
            assertTrue(refusal.startsWith("the VM directory /var/lib/imagecache/vms/registry on root@kvm:22 (see "
                    + "/var/lib/imagecache/vms/registry/.imagecache-owner) belongs to the Pulumi stack cache/a (resource vm), "
                    + "not to this stack cache/b"), refusal);
        }
        assertEquals(Optional.empty(), VmMarker.refusal(Optional.of(byA), vm, vA, Owner.Op.UPDATE, "h"));
        assertTrue(VmMarker.refusal(Optional.of("imagecache RegistryVm other\n"), vm, vA, Owner.Op.CREATE, "h").orElseThrow()
                .contains("belongs to another VM (.imagecache-owner says it is other)"));
        // an older version's marker (no stack): not refused, and restamped naming the stack that manages it
        String legacy = vm.markerText();
        assertEquals(Optional.empty(), VmMarker.refusal(Optional.of(legacy), vm, vB, Owner.Op.CREATE, "h"));
        assertTrue(VmMarker.legacy(Optional.of(legacy), vm, vB));
        assertTrue(!VmMarker.legacy(Optional.of(byA), vm, vB), "a marker naming a stack is never restamped");
        assertTrue(!VmMarker.legacy(Optional.of(legacy), vm, Optional.empty()), "no stack, nothing to stamp");
    }
}
