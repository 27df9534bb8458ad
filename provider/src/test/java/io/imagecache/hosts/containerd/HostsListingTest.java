package io.imagecache.hosts.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What {@link ContainerdNode#hostsFilesIn}'s one command prints (dash on a lab node, for a directory like this). */
class HostsListingTest {
    @Test
    void namesAndContentsComeBackExactly() {
        // docker.io with a file, "we ird" (a space) with "a\nb", empty/ with an empty file
        String printed = "ZG9ja2VyLmlv c2VydmVyID0gIngiCgpbaG9zdC4iaHR0cDovL2E6NTAwMCJdCg==\nZW1wdHk= \nd2UgaXJk YQpi\n";
        assertEquals(Optional.of(Map.of("docker.io", "server = \"x\"\n\n[host.\"http://a:5000\"]\n", "empty", "", "we ird", "a\nb")),
                HostsListing.parse(printed));
    }

    @Test
    void nothingPrintedIsNoFiles() {
        assertEquals(Optional.of(Map.of()), HostsListing.parse(""));
    }

    @Test
    void anythingElseIsNotTrusted() {
        assertEquals(Optional.empty(), HostsListing.parse("docker.io\n"), "a plain name (not base64 pairs)");
        assertEquals(Optional.empty(), HostsListing.parse("ZG9ja2VyLmlv c2Vy dmVy\n"), "three fields");
        assertEquals(Optional.empty(), HostsListing.parse("ZG9ja2VyLmlv not*base64\n"), "not base64");
    }
}
