package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.registry.RegistryClient;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.PropertyPath;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** RegistryProxy's inputs: defaults, and every invalid one failing at Check with its property and no connection. */
class RegistryProxyCheckTest {
    private static final AtomicInteger DIALS = new AtomicInteger();
    private static final RegistryProxy RESOURCE = new RegistryProxy((t, p) -> {
        DIALS.incrementAndGet();
        throw new AssertionError("Check connected to a host");
    }, Optional::empty, RegistryClient.create());

    private static ConnectionArgs conn() {
        return new ConnectionArgs("10.0.20.10", 22, "root", null, null, null, null, null, 15, 10, 2, false);
    }

    private static RegistryProxy.Args with(UpstreamArgs u) {
        return new RegistryProxy.Args(conn(), u, "registry:3.0.0", "0.0.0.0", "/var/lib/imagecache/ghcr", "/etc/imagecache/ghcr",
                false, 120);
    }

    private static UpstreamArgs up(String name, String registry, String remote, Integer port, String user, String pass, String ttl) {
        return new UpstreamArgs(name, registry, remote, port, user, pass, ttl);
    }

    private static Decoded<RegistryProxy.Args> d(RegistryProxy.Args a) {
        return new Decoded<>(a, Set.of(), Set.of(), List.of());
    }

    static Stream<Arguments> invalid() {
        RegistryProxy.Args ok = with(up("ghcr", "ghcr.io", null, 5010, null, null, null));
        return Stream.of(
                Arguments.of("remote URL without scheme", "upstream.remoteUrl", with(up("ghcr", "ghcr.io", "ghcr.io", 5010, null, null, null))),
                Arguments.of("remote URL with a path", "upstream.remoteUrl", with(up("ghcr", "ghcr.io", "https://ghcr.io/v2/org", 5010, null, null, null))),
                Arguments.of("ttl that is not a duration", "upstream.ttl", with(up("ghcr", "ghcr.io", null, 5010, null, null, "7d"))),
                Arguments.of("ttl on a 2.x image", "upstream.ttl", new RegistryProxy.Args(conn(), up("ghcr", "ghcr.io", null, 5010, null, null, "72h"),
                        "registry:2.8.3", "0.0.0.0", "/var/lib/imagecache/ghcr", "/etc/imagecache/ghcr", false, 120)),
                Arguments.of("a name no container can have", "upstream.name", with(up("GHCR proxy", "ghcr.io", null, 5010, null, null, null))),
                Arguments.of("registry with a scheme", "upstream.registry", with(up("ghcr", "https://ghcr.io", null, 5010, null, null, null))),
                Arguments.of("port out of range", "upstream.port", with(up("ghcr", "ghcr.io", null, 70000, null, null, null))),
                Arguments.of("port zero", "upstream.port", with(up("ghcr", "ghcr.io", null, 0, null, null, null))),
                Arguments.of("username without password", "upstream.password", with(up("ghcr", "ghcr.io", null, 5010, "u", null, null))),
                Arguments.of("password without username", "upstream.username", with(up("ghcr", "ghcr.io", null, 5010, null, "p", null))),
                Arguments.of("user name with a colon", "upstream.username", with(up("ghcr", "ghcr.io", null, 5010, "org:bot", "p", null))),
                Arguments.of("user name with a newline", "upstream.username", with(up("ghcr", "ghcr.io", null, 5010, "bot\n", "p", null))),
                Arguments.of("config directory inside the data directory", "configDir", new RegistryProxy.Args(conn(), ok.upstream(),
                        ok.image(), "0.0.0.0", "/srv/cache", "/srv/cache/etc", false, 120)),
                Arguments.of("image that is not a reference", "image", new RegistryProxy.Args(conn(), ok.upstream(), "Registry 3",
                        "0.0.0.0", ok.dataDir(), ok.configDir(), false, 120)),
                Arguments.of("bind address that is no IP", "bindAddress", new RegistryProxy.Args(conn(), ok.upstream(), ok.image(),
                        "localhost", ok.dataDir(), ok.configDir(), false, 120)),
                Arguments.of("bind address that is half an IP", "bindAddress", new RegistryProxy.Args(conn(), ok.upstream(), ok.image(),
                        "999.1", ok.dataDir(), ok.configDir(), false, 120)),
                Arguments.of("bind address of hex letters", "bindAddress", new RegistryProxy.Args(conn(), ok.upstream(), ok.image(),
                        "cafe", ok.dataDir(), ok.configDir(), false, 120)),
                Arguments.of("relative data directory", "dataDir", new RegistryProxy.Args(conn(), ok.upstream(), ok.image(),
                        "0.0.0.0", "cache", ok.configDir(), false, 120)),
                Arguments.of("a system directory as data directory", "dataDir", new RegistryProxy.Args(conn(), ok.upstream(), ok.image(),
                        "0.0.0.0", "/var", ok.configDir(), false, 120)),
                Arguments.of("a system directory spelt with a dot", "dataDir", new RegistryProxy.Args(conn(), ok.upstream(),
                        ok.image(), "0.0.0.0", "/etc/.", ok.configDir(), false, 120)),
                Arguments.of("a system directory spelt with two slashes", "dataDir", new RegistryProxy.Args(conn(), ok.upstream(),
                        ok.image(), "0.0.0.0", "//var", ok.configDir(), false, 120)),
                Arguments.of("data directory with a trailing slash (Docker mounts it without)", "dataDir",
                        new RegistryProxy.Args(conn(), ok.upstream(), ok.image(), "0.0.0.0", "/srv/ghcr/", ok.configDir(), false, 120)),
                Arguments.of("config directory with /./", "configDir", new RegistryProxy.Args(conn(), ok.upstream(), ok.image(),
                        "0.0.0.0", ok.dataDir(), "/etc/imagecache/./ghcr", false, 120)),
                Arguments.of("data directory with a name no file system allows", "dataDir", new RegistryProxy.Args(conn(),
                        ok.upstream(), ok.image(), "0.0.0.0", "/srv/" + "d".repeat(256), ok.configDir(), false, 120)),
                Arguments.of("config directory with a space", "configDir", new RegistryProxy.Args(conn(), ok.upstream(), ok.image(),
                        "0.0.0.0", ok.dataDir(), "/etc/image cache", false, 120)),
                Arguments.of("health wait out of range", "healthTimeoutSeconds", new RegistryProxy.Args(conn(), ok.upstream(),
                        ok.image(), "0.0.0.0", ok.dataDir(), ok.configDir(), false, 1)),
                Arguments.of("SSH port out of range", "connection.port", new RegistryProxy.Args(new ConnectionArgs("10.0.20.10", 0,
                        "root", null, null, null, null, null, 15, 10, 2, false), ok.upstream(), ok.image(), "0.0.0.0", ok.dataDir(),
                        ok.configDir(), false, 120)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void failsAtCheckNamingTheProperty(String name, String property, RegistryProxy.Args args) {
        List<CheckFailure> failures = RESOURCE.check(d(RESOURCE.withDefaults(d(args))));
        assertTrue(failures.stream().anyMatch(f -> f.property().equals(property)), name + ": " + failures);
        assertEquals(0, DIALS.get());
    }

    @Test
    void defaultsFollowTheUpstream() {
        RegistryProxy.Args a = new RegistryProxy.Args(conn(), up("docker", "docker.io", null, 5000, "", "", ""), null, null,
                null, null, null, null);
        RegistryProxy.Args filled = RESOURCE.withDefaults(d(a));
        assertEquals("https://registry-1.docker.io", filled.upstream().remoteUrl());
        assertEquals("/var/lib/imagecache/docker", filled.dataDir());
        assertEquals("/etc/imagecache/docker", filled.configDir());
        assertEquals(null, filled.upstream().username(), "empty strings count as unset");
        assertEquals("https://quay.io", RESOURCE.withDefaults(d(with(up("quay", "quay.io", null, 5020, null, null, null))))
                .upstream().remoteUrl());
        assertEquals(List.of(), RESOURCE.check(d(filled)).stream().filter(f -> !f.property().equals("image")).toList());
    }

    @Test
    void unknownCredentialsInPreviewAreNotMissing() {
        RegistryProxy.Args a = with(up("ghcr", "ghcr.io", null, 5010, "u", null, null));
        Decoded<RegistryProxy.Args> d = new Decoded<>(a, Set.of(PropertyPath.of("upstream").key("password")), Set.of(), List.of());
        assertTrue(RESOURCE.check(d).isEmpty(), RESOURCE.check(d).toString());
    }
}
