package io.imagecache.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerdVersionTest {

    @Test
    void readsDebiansOutput() {
        ContainerdVersion v = ContainerdVersion.parse("containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3\n");
        assertEquals(ContainerdVersion.of(1, 6, 20).compareTo(v), 0);
        assertFalse(v.preRelease());
        assertEquals("1.6.20~ds1", v.toString());
    }

    @Test
    void readsDockersContainerdIoPackage() {
        ContainerdVersion v = ContainerdVersion.parse("containerd containerd.io 1.7.27 05044ec0a9a75232cad458027ca83437aae3f4da");
        assertEquals(0, v.compareTo(ContainerdVersion.of(1, 7, 27)));
    }

    @Test
    void readsUpstream2x() {
        ContainerdVersion v = ContainerdVersion.parse(
                "containerd github.com/containerd/containerd/v2 v2.1.4 75cb2b7193e4e490e9fbdc236c0e811ccaba3376");
        assertEquals(0, v.compareTo(ContainerdVersion.of(2, 1, 4)));
        assertEquals("2.1.4", v.toString());
        // a source build without version stamping
        assertEquals(0, ContainerdVersion.parse("containerd github.com/containerd/containerd/v2 2.1.4+unknown ")
                .compareTo(ContainerdVersion.of(2, 1, 4)));
    }

    @Test
    void readsK3s() {
        ContainerdVersion v = ContainerdVersion.parse(
                "containerd github.com/k3s-io/containerd v1.7.23-k3s2 8d9a2b5a3e1f9c7d6b4a2e0f1c3d5b7a9e8f6d4c");
        assertEquals(0, v.compareTo(ContainerdVersion.of(1, 7, 23)), "-k3s2 is a build, not a pre-release");
        assertTrue(v.supportsDefaultNamespace());
    }

    @Test
    void readsABareVersionWord() {
        assertEquals(0, ContainerdVersion.parse("v2.0.7").compareTo(ContainerdVersion.of(2, 0, 7)));
        assertEquals(0, ContainerdVersion.parse("1.7.0").compareTo(ContainerdVersion.of(1, 7, 0)));
    }

    @Test
    void preReleasesAreOlderThanTheirRelease() {
        ContainerdVersion rc = ContainerdVersion.parse("containerd github.com/containerd/containerd/v2 v2.2.0-rc.1 abc");
        assertTrue(rc.preRelease());
        assertTrue(rc.compareTo(ContainerdVersion.of(2, 2, 0)) < 0);
        assertTrue(rc.compareTo(ContainerdVersion.of(2, 1, 9)) > 0);
        assertFalse(rc.supportsReferrersCapability(), "features of 2.2.0 are not assumed in its release candidates");
        assertFalse(ContainerdVersion.parse("v2.1.0-beta.0").supportsDialTimeout(), "nor those of 2.1.0 in its betas");
        assertTrue(ContainerdVersion.parse("v2.1.1-rc.0").supportsDialTimeout(), "2.1.1-rc.0 is newer than 2.1.0");
    }

    @Test
    void refusesWhatIsNotAVersion() {
        assertEquals(Optional.empty(), ContainerdVersion.tryParse("bash: containerd: command not found"));
        assertEquals(Optional.empty(), ContainerdVersion.tryParse(""));
        assertEquals(Optional.empty(), ContainerdVersion.tryParse(null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContainerdVersion.parse("containerd github.com/containerd/containerd"));
        assertTrue(e.getMessage().contains("containerd --version"), e.getMessage());
    }

    @Test
    void defaultNamespaceFrom170() {
        assertFalse(ContainerdVersion.of(1, 6, 39).supportsDefaultNamespace());
        assertTrue(ContainerdVersion.of(1, 7, 0).supportsDefaultNamespace());
        assertTrue(ContainerdVersion.of(2, 0, 0).supportsDefaultNamespace());
    }

    @Test
    void dialTimeoutFrom207On20AndFrom210() {
        assertFalse(ContainerdVersion.of(1, 7, 27).supportsDialTimeout(), "never on 1.7.x");
        assertFalse(ContainerdVersion.of(1, 7, 99).supportsDialTimeout());
        assertFalse(ContainerdVersion.of(2, 0, 0).supportsDialTimeout());
        assertFalse(ContainerdVersion.of(2, 0, 6).supportsDialTimeout());
        assertTrue(ContainerdVersion.of(2, 0, 7).supportsDialTimeout());
        assertTrue(ContainerdVersion.of(2, 1, 0).supportsDialTimeout());
        assertTrue(ContainerdVersion.of(2, 3, 1).supportsDialTimeout());
    }

    @Test
    void referrersFrom220() {
        assertFalse(ContainerdVersion.of(2, 1, 4).supportsReferrersCapability());
        assertTrue(ContainerdVersion.of(2, 2, 0).supportsReferrersCapability());
    }

    @Test
    void overridePathFrom160AndHostsDirectoryFrom150() {
        assertFalse(ContainerdVersion.of(1, 5, 18).supportsOverridePath());
        assertTrue(ContainerdVersion.of(1, 6, 0).supportsOverridePath());
        assertTrue(ContainerdVersion.of(1, 5, 0).supportsHostsDirectory());
        assertFalse(ContainerdVersion.of(1, 4, 13).supportsHostsDirectory());
    }

    @Test
    void configVersionsEachContainerdReads() {
        assertEquals(2, ContainerdVersion.of(1, 6, 20).newestConfigVersion());
        assertEquals(2, ContainerdVersion.of(1, 7, 27).newestConfigVersion());
        assertEquals(3, ContainerdVersion.of(2, 0, 0).newestConfigVersion());
        assertEquals(3, ContainerdVersion.of(2, 2, 1).newestConfigVersion());
        assertEquals(4, ContainerdVersion.of(2, 3, 0).newestConfigVersion());
        assertTrue(ContainerdVersion.of(1, 7, 27).readsConfigVersion(1));
        assertFalse(ContainerdVersion.of(1, 7, 27).readsConfigVersion(3));
        assertTrue(ContainerdVersion.of(2, 1, 4).readsConfigVersion(2), "2.x migrates version 2 files");
        assertFalse(ContainerdVersion.of(2, 1, 4).readsConfigVersion(4));
    }

    @Test
    void localPullModeMattersFrom210() {
        assertFalse(ContainerdVersion.of(2, 0, 7).pullsThroughTransferService());
        assertTrue(ContainerdVersion.of(2, 1, 0).pullsThroughTransferService());
    }
}
