package io.imagecache.hosts.containerd;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A config.toml newer than the running containerd, by what the node printed. */
class ContainerdStartTest {
    @Test
    void aFileChangedWellAfterTheStartIsNewerAndTheSlackAbsorbsRounding() {
        assertTrue(ContainerdStart.newerThanStart("1700000000 1700000100\n"));
        assertFalse(ContainerdStart.newerThanStart("1700000100 1700000000"), "written before the start: loaded");
        assertFalse(ContainerdStart.newerThanStart("1700000000 1700000002"), "within the slack: loaded");
        assertTrue(ContainerdStart.newerThanStart("1700000000 1700000003"));
    }

    @Test
    void whatCannotBeReadCountsAsLoaded() {
        for (String bad : new String[] {"", "1700000000", "a b", "1 2 3"}) {
            assertFalse(ContainerdStart.newerThanStart(bad), bad);
        }
    }
}
