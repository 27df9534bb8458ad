package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.distribution.DistributionConfig;
import io.imagecache.registry.RegistryClient;
import io.imagecache.spi.Context;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.PropertyPath;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Preview of a RegistryProxy: every output that follows from the inputs is known, the rest unknown; no host touched. */
class RegistryProxyPreviewTest {
    private static final RegistryProxy RESOURCE = new RegistryProxy((t, p) -> {
        throw new AssertionError("preview connected to a host");
    }, Optional::empty, RegistryClient.create());

    static RegistryProxy.Args args(String password) {
        return new RegistryProxy.Args(new ConnectionArgs("10.0.20.10", 22, "root", null, null, null, null, null, 15, 10, 2, false),
                new UpstreamArgs("ghcr", "ghcr.io", "https://ghcr.io", 5010, "u", password, null), "registry:3.0.0", "0.0.0.0",
                "/var/lib/imagecache/ghcr", "/etc/imagecache/ghcr", false, 120);
    }

    @Test
    void createPreviewKnowsNamesPathsAndEndpoint() throws Exception {
        RegistryProxy.Args a = args("p");
        RegistryProxy.State s = RESOURCE.create(new CustomResource.CreateRequest<>("urn", "ghcr",
                new Decoded<>(a, Set.of(), Set.of(), List.of()), true, Context.silent())).state();
        assertEquals("registry-ghcr", s.containerName());
        assertEquals("http://10.0.20.10:5010", s.endpoint());
        assertEquals("/etc/imagecache/ghcr/config.yml", s.configFile());
        assertNull(s.healthy(), "unknown until the proxy runs");
        assertNull(s.configSha256(), "needs the image's version and a new http.secret: unknown");
        assertNull(s.diskFreeBytes(), "unknown until the host is asked");
    }

    @Test
    void updatePreviewKnowsTheNewConfigsHashWhenTheImageStays() throws Exception {
        RegistryProxy.Args olds = args("old");
        RegistryProxy.State old = new RegistryProxy.State("registry-ghcr", "http://10.0.20.10:5010", "/etc/imagecache/ghcr/config.yml",
                "x", true, true, "3.0.0", "secret", Map.of("10.0.20.10:22", "ssh-ed25519 AAAA"), 123_456_789L);
        RegistryProxy.Args news = args("new");
        RegistryProxy.State s = RESOURCE.update(new CustomResource.UpdateRequest<>("id", "urn", olds, old,
                new Decoded<>(news, Set.of(), Set.of(), List.of()), true, Context.silent()));
        assertEquals(RegistryProxy.sha256(DistributionConfig.render(RegistryProxy.config(news, "secret", 3))), s.configSha256());
        assertEquals("3.0.0", s.distributionVersion());
        assertEquals(old.hostKeys(), s.hostKeys());
        assertNotNull(s.containerName());
        assertNull(s.diskFreeBytes(), "free space is what the host shows when it is asked: unknown in preview");
        RegistryProxy.State unknownPassword = RESOURCE.update(new CustomResource.UpdateRequest<>("id", "urn", olds, old,
                new Decoded<>(news, Set.of(PropertyPath.of("upstream").key("password")), Set.of(), List.of()), true, Context.silent()));
        assertNull(unknownPassword.configSha256(), "an unknown password makes the hash unknown");
    }

    @Test
    void aChangeOfDiskFreeBytesAloneIsNoDiff() {
        RegistryProxy.Args a = args("p");
        for (Long free : new Long[] {null, 0L, 7L << 30}) {
            RegistryProxy.State old = new RegistryProxy.State("registry-ghcr", "http://10.0.20.10:5010",
                    "/etc/imagecache/ghcr/config.yml", null, true, true, "3.0.0", "secret", Map.of(), free);
            var diff = RESOURCE.diff(new CustomResource.DiffRequest<>("id", "urn", a, old,
                    new Decoded<>(a, Set.of(), Set.of(), List.of()), io.imagecache.spi.Records.encode(a),
                    io.imagecache.spi.Records.encode(a), io.imagecache.spi.Records.encode(old), Set.of()));
            assertEquals(false, diff.hasChanges(), free + ": " + diff.detailed());
        }
    }

    @Test
    void theLowDiskWarningNamesTheProxyHostDirectoryAndWhatFillsUp() {
        String w = RegistryProxy.diskWarning(new io.imagecache.hosts.docker.DiskFree(8L << 20, 0, "/var/lib/imagecache/ghcr"),
                args("p"), "registry-ghcr", "root@10.0.20.10:22");
        assertTrue(w.startsWith("the cache of registry-ghcr on root@10.0.20.10:22 is nearly out of disk: 0 B of 8.0 MiB free (0%)"), w);
        assertTrue(w.contains("dataDir /var/lib/imagecache/ghcr"), w);
        assertTrue(w.contains("below 5% or 409.6 KiB"), w);
    }
}
