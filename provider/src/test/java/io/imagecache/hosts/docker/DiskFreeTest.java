package io.imagecache.hosts.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class DiskFreeTest {
    /** GNU coreutils 9.1 (Debian 12), `df -P -B1 -- /var/lib/imagecache/docker` on a full 8 MiB tmpfs. */
    private static final String FULL_TMPFS = """
            Filesystem     1-blocks    Used Available Capacity Mounted on
            tmpfs           8388608 8388608         0     100% /var/lib/imagecache/docker
            """;

    @Test
    void readsSizeAvailableAndMountPoint() {
        DiskFree d = DiskFree.parseDf(FULL_TMPFS).orElseThrow();
        assertEquals(new DiskFree(8388608, 0, "/var/lib/imagecache/docker"), d);
        assertTrue(d.low());
        assertEquals("0 B of 8.0 MiB free (0%) on the filesystem mounted at /var/lib/imagecache/docker", d.describe());
    }

    @Test
    void availableNotSizeMinusUsedIsWhatIsFree() {
        // ext4 keeps 5% for root: Available is less than size - used
        DiskFree d = DiskFree.parseDf("Filesystem 1-blocks Used Available Capacity Mounted on\n"
                + "/dev/vda1 270553174016 15005061120 82788233216 16% /\n").orElseThrow();
        assertEquals(82788233216L, d.freeBytes());
        assertEquals(270553174016L, d.sizeBytes());
        assertEquals("/", d.mountPoint());
        assertFalse(d.low());
    }

    @Test
    void aFilesystemOrAMountPointWithSpacesAndADashCapacity() {
        DiskFree d = DiskFree.parseDf("Filesystem 1-blocks Used Available Capacity Mounted on\n"
                + "my share 1000 0 1000 - /mnt/with space\n").orElseThrow();
        assertEquals(new DiskFree(1000, 1000, "/mnt/with space"), d);
    }

    @Test
    void nothingReadableIsEmpty() {
        assertEquals(Optional.empty(), DiskFree.parseDf(""));
        assertEquals(Optional.empty(), DiskFree.parseDf("df: /nope: No such file or directory\n"));
        assertEquals(Optional.empty(), DiskFree.parseDf("Filesystem 1-blocks Used Available Capacity Mounted on\n"));
        assertEquals(Optional.empty(), DiskFree.parseDf("Filesystem 1K-blocks Used Available Use% Mounted on\n"
                + "tmpfs 99999999999999999999 0 1 0% /x\n"), "more than a long: not guessed");
    }

    @Test
    void lowIsBelowFivePercentCappedAtOneGibibyte() {
        long mib = 1L << 20;
        long gib = 1L << 30;
        // small filesystems: 5%
        assertEquals(5 * mib, new DiskFree(100 * mib, 0, "/").lowThresholdBytes());
        assertTrue(new DiskFree(100 * mib, 5 * mib - 1, "/").low());
        assertFalse(new DiskFree(100 * mib, 5 * mib, "/").low());
        // above 20 GiB: 1 GiB
        assertEquals(gib, new DiskFree(21 * gib, 0, "/").lowThresholdBytes());
        assertEquals(gib, new DiskFree(500 * gib, 0, "/").lowThresholdBytes());
        assertTrue(new DiskFree(500 * gib, gib - 1, "/").low());
        assertFalse(new DiskFree(500 * gib, 2 * gib, "/").low(), "2 GiB free of 500 is below 5% but not low");
        assertFalse(new DiskFree(0, 0, "/").low(), "a filesystem of no size (df of a pseudo filesystem) is not low");
    }

    @Test
    void taggedLinesAreReadAmongOtherOutput() {
        String out = "df: Filesystem 1-blocks Used Available Capacity Mounted on\n"
                + "df: tmpfs 8388608 8388608 0 100% /var/lib/imagecache/docker\n"
                + "{\"Id\":\"abc\"}\n";
        assertEquals(Optional.of(new DiskFree(8388608, 0, "/var/lib/imagecache/docker")), DiskFree.parseTagged(out));
        assertEquals(Optional.empty(), DiskFree.parseTagged("{\"Id\":\"abc\"}\n"), "df printed nothing");
    }

    @Test
    void bytesForPeople() {
        assertEquals("0 B", DiskFree.bytes(0));
        assertEquals("1023 B", DiskFree.bytes(1023));
        assertEquals("1.0 KiB", DiskFree.bytes(1024));
        assertEquals("1.5 GiB", DiskFree.bytes(3L << 29));
    }
}
