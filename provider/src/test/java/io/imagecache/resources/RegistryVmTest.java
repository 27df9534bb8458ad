package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.DiffResult;
import io.imagecache.spi.Diffs;
import io.imagecache.spi.Records;
import io.imagecache.vm.VmPlan;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** RegistryVm without a hypervisor: Check touches nothing, the plan, and which changes replace or restart. */
class RegistryVmTest {
    static final AtomicInteger DIALS = new AtomicInteger();
    static final RegistryVm VM = new RegistryVm((t, p) -> {
        DIALS.incrementAndGet();
        throw new AssertionError("connected to a host");
    }, Optional::empty);

    static ConnectionArgs kvm() {
        return new ConnectionArgs("10.0.0.5", 22, "root", null, null, null, null, null, 15, 10, 2, false);
    }

    static RegistryVm.Args args(String name, String address, int cpus, String hostname) {
        return new RegistryVm.Args(kvm(), name, "/srv/images/debian-12.qcow2", cpus, 1024, 10, 20, "br0", "kvm", "/var/lib/imagecache/vms",
                new RegistryVmCloudInit.Args(hostname, address, "10.0.20.1", null, null, null,
                        List.of(RegistryVmCloudInitTest.USER_KEY.publicKey()), null, null, null, null, null, null, null, null),
                null, 300, false);
    }

    static Decoded<RegistryVm.Args> d(RegistryVm.Args a) {
        return new Decoded<>(a, Set.of(), Set.of(), List.of());
    }

    @Test
    void checkNamesBadInputsUnderTheirPathsAndDialsNothing() {
        RegistryVm.Args ok = args("registry", "10.0.20.10/24", 1, "registry");
        assertEquals(List.of(), VM.check(d(ok)));
        List<CheckFailure> f = VM.check(d(new RegistryVm.Args(kvm(), "Registry VM", "images/x.qcow2", 0, 100, 10, 20, "br 0", "xen", "vms",
                new RegistryVmCloudInit.Args("registry", "10.0.20.10/24", "10.0.21.1", null, null, null, List.of(), null, null, null, null,
                        "eth0", null, null, "/dev/vdc"), null, 5, false)));
        assertEquals(List.of("name", "baseImage", "cpus", "memoryMb", "bootTimeoutSeconds", "bridge", "accelerator", "vmDir", "cloudInit.interfaceMatch",
                "cloudInit.dataDevice", "cloudInit.gateway", "cloudInit.sshAuthorizedKeys"), f.stream().map(CheckFailure::property).toList(), f.toString());
        assertEquals(0, DIALS.get());
    }

    @Test
    void thePlanPutsTheVmInItsDirectoryWithItsMacTapAndDataDisk() {
        RegistryVmPlan p = RegistryVmPlan.of(args("registry", "10.0.20.10/24", 2, "registry"), io.imagecache.ssh.Ed25519HostKeys
                .generate("t").privateKey(), "qcow2");
        VmPlan vm = p.vm();
        assertEquals("/var/lib/imagecache/vms/registry", vm.dir());
        assertTrue(vm.mac().matches("52:54:00(:[0-9a-f]{2}){3}"), vm.mac());
        assertTrue(vm.tap().length() <= 15, vm.tap());
        assertEquals(vm.mac(), VmPlan.of("registry", "/elsewhere", "/b", "raw", 1, 512, 5, 5, "br1", "tcg").mac(), "the MAC follows the name");
        List<String> q = vm.qemuCommand();
        assertTrue(q.contains("-daemonize") && q.contains("q35,accel=kvm"), q.toString());
        assertEquals("2", q.get(q.indexOf("-smp") + 1));
        assertTrue(q.contains("virtio-blk-pci,drive=data,serial=imagecache-data"), q.toString());
        assertTrue(p.rendered().networkConfig().contains(vm.mac()), "the network config matches the VM's NIC by MAC");
        assertTrue(p.rendered().userData().contains(VmPlan.DATA_DEVICE), "the data disk is mounted at dataRoot");
        assertEquals(Set.of("user-data", "meta-data", "network-config"), p.seed().keySet());
        RegistryVm.State s = p.state(true, Map.of());
        assertEquals("10.0.20.10", s.address());
        assertEquals("imagecache", s.user());
        assertTrue(s.hostKey().startsWith("ssh-ed25519 "));
    }

    @Test
    void previewKnowsTheAddressAndUserButNotTheHostKey() {
        RegistryVm.State s = RegistryVmPlan.previewState(args("registry", "10.0.20.10/24", 1, "registry"));
        assertEquals("10.0.20.10", s.address());
        assertEquals("imagecache", s.user());
        assertNull(s.hostKey());
    }

    DiffResult diff(RegistryVm.Args olds, RegistryVm.Args news, RegistryVm.State state) {
        return VM.diff(new CustomResource.DiffRequest<>("id", "urn", olds, state, d(news), Records.encode(olds), Records.encode(news),
                state == null ? Records.encode(olds) : Records.encode(state), Diffs.replaceOnChangesPaths(RegistryVm.Args.class)));
    }

    @Test
    void theAddressOrHostnameReplaceDeletingFirstAndCpusRestart() {
        RegistryVm.Args a = args("registry", "10.0.20.10/24", 1, "registry");
        DiffResult moved = diff(a, args("registry", "10.0.20.11/24", 1, "registry"), null);
        assertTrue(moved.replaces() && moved.deleteBeforeReplace(), moved.toString());
        assertTrue(diff(a, args("registry", "10.0.20.10/24", 1, "cache"), null).replaces());
        DiffResult cpus = diff(a, args("registry", "10.0.20.10/24", 2, "registry"), null);
        assertTrue(cpus.hasChanges() && !cpus.replaces(), cpus.toString());
        assertFalse(diff(a, a, null).hasChanges());
    }

    @Test
    void aStoppedVmIsDriftThatTheNextUpFixes() {
        RegistryVm.Args a = args("registry", "10.0.20.10/24", 1, "registry");
        RegistryVm.State stopped = new RegistryVm.State("10.0.20.10", "ssh-ed25519 AAAA", "imagecache", "k", "52:54:00:00:00:01", "i",
                "/d", "/d/data.qcow2", false, Map.of());
        DiffResult d = diff(a, a, stopped);
        assertEquals(Set.of("running"), d.detailed().keySet());
        assertFalse(d.replaces());
    }
}
