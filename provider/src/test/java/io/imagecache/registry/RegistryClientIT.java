package io.imagecache.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import io.imagecache.lab.registry.TokenServer;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Network;

/** {@link RegistryClient} against real distribution 2.8 registries from the lab fixtures. */
class RegistryClientIT {
    private static final RegistryClient CLIENT = RegistryClient.create();
    private static final Credentials ALICE = new Credentials("alice", "alice-pass");

    private static LocalRegistry plain;
    private static LocalRegistry basic;
    private static TokenServer issuer;
    private static LocalRegistry token;

    @BeforeAll
    static void start() {
        plain = LocalRegistry.plain();
        basic = LocalRegistry.htpasswd(ALICE.username(), ALICE.password());
        issuer = TokenServer.start("bob", "bob-pass");
        token = LocalRegistry.token(issuer);
        plain.start();
        basic.start();
        token.start();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : List.<AutoCloseable>of(plain, basic, token, issuer)) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private static ResolvedDigest resolve(LocalRegistry r, String repoAndTag, Optional<Credentials> creds, String platform)
            throws RegistryException {
        return CLIENT.resolve(ImageRef.parse(r.hostPort() + "/" + repoAndTag), Optional.of(r.url()), creds,
                Optional.ofNullable(platform).map(Platform::parse));
    }

    @Test
    void plainDockerImageAndAMovedTag() throws RegistryException {
        ImageSeeder seeder = ImageSeeder.to(plain);
        ImageSeeder.Pushed v1 = seeder.dockerImage("team/app", "stable", "v1");
        ResolvedDigest d1 = resolve(plain, "team/app:stable", Optional.empty(), null);
        assertEquals(v1.digest(), d1.digest());
        assertEquals(Manifests.DOCKER_V2, d1.mediaType());
        assertEquals(plain.hostPort() + "/team/app@" + v1.digest(), d1.pinned());

        ImageSeeder.Pushed v2 = seeder.dockerImage("team/app", "stable", "v2");
        assertEquals(v2.digest(), resolve(plain, "team/app:stable", Optional.empty(), null).digest(), "the tag moved");
        assertEquals(v1.digest(), resolve(plain, "team/app@" + v1.digest(), Optional.empty(), null).digest(), "old digest kept");
    }

    @Test
    void ociManifest() throws RegistryException {
        ImageSeeder.Pushed p = ImageSeeder.to(plain).ociImage("team/oci", "1", "oci");
        ResolvedDigest d = resolve(plain, "team/oci:1", Optional.empty(), "linux/amd64");
        assertEquals(p.digest(), d.digest(), "a single-platform image is returned as it is, platform or not");
        assertEquals(Manifests.OCI_MANIFEST, d.mediaType());
    }

    @Test
    void ociIndexAndPlatformChoice() throws RegistryException {
        ImageSeeder.Pushed p = ImageSeeder.to(plain).ociIndex("team/multi", "1", "multi");
        ResolvedDigest whole = resolve(plain, "team/multi:1", Optional.empty(), null);
        assertEquals(p.digest(), whole.digest());
        assertEquals(Manifests.OCI_INDEX, whole.mediaType());

        String arm = p.platformDigests().get("linux/arm64/v8");
        for (String platform : List.of("linux/arm64/v8", "linux/arm64", "linux/aarch64")) {
            ResolvedDigest d = resolve(plain, "team/multi:1", Optional.empty(), platform);
            assertEquals(arm, d.digest(), platform);
            assertEquals(Manifests.OCI_MANIFEST, d.mediaType());
            assertEquals(plain.hostPort() + "/team/multi@" + arm, d.pinned());
        }
        assertEquals(p.platformDigests().get("linux/amd64"), resolve(plain, "team/multi:1", Optional.empty(), "linux/amd64").digest());
        assertEquals(arm, resolve(plain, "team/multi@" + p.digest(), Optional.empty(), "linux/arm64").digest(), "index by digest");

        RegistryException e = assertThrows(RegistryException.class, () -> resolve(plain, "team/multi:1", Optional.empty(), "linux/s390x"));
        assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("linux/amd64, linux/arm64/v8"), e.getMessage());
    }

    @Test
    void dockerManifestList() throws RegistryException {
        ImageSeeder.Pushed p = ImageSeeder.to(plain).dockerManifestList("team/list", "1", "list",
                List.of("linux/amd64", "linux/arm64/v8", "linux/arm/v7"));
        ResolvedDigest whole = resolve(plain, "team/list:1", Optional.empty(), null);
        assertEquals(p.digest(), whole.digest());
        assertEquals(Manifests.DOCKER_LIST, whole.mediaType());
        ResolvedDigest armv7 = resolve(plain, "team/list:1", Optional.empty(), "linux/arm");
        assertEquals(p.platformDigests().get("linux/arm/v7"), armv7.digest());
        assertEquals(Manifests.DOCKER_V2, armv7.mediaType());
    }

    @Test
    void missingTagAndRepositoryAreNotFound() {
        ImageSeeder.to(plain).dockerImage("team/here", "1", "here");
        RegistryException tag = assertThrows(RegistryException.class, () -> resolve(plain, "team/here:nope", Optional.empty(), null));
        assertEquals(RegistryException.Kind.NOT_FOUND, tag.kind());
        assertTrue(tag.hasCode(ErrorCode.MANIFEST_UNKNOWN), tag.errors().toString());
        assertTrue(tag.getMessage().contains(plain.url() + "/v2/team/here/manifests/nope"), tag.getMessage());

        RegistryException repo = assertThrows(RegistryException.class, () -> resolve(plain, "team/absent:1", Optional.empty(), null));
        assertEquals(RegistryException.Kind.NOT_FOUND, repo.kind());
        assertTrue(repo.hasCode(ErrorCode.NAME_UNKNOWN) || repo.hasCode(ErrorCode.MANIFEST_UNKNOWN), repo.errors().toString());
    }

    @Test
    void htpasswdRegistry() throws RegistryException {
        ImageSeeder.Pushed p = ImageSeeder.to(basic).dockerImage("private/app", "1", "basic");
        assertEquals(p.digest(), resolve(basic, "private/app:1", Optional.of(ALICE), null).digest());

        RegistryException wrong = assertThrows(RegistryException.class,
                () -> resolve(basic, "private/app:1", Optional.of(new Credentials("alice", "not-her-password")), null));
        assertEquals(RegistryException.Kind.UNAUTHORIZED, wrong.kind());
        assertFalse(wrong.getMessage().contains("not-her-password"), wrong.getMessage());
        assertTrue(wrong.getMessage().contains("alice"), wrong.getMessage());

        RegistryException none = assertThrows(RegistryException.class, () -> resolve(basic, "private/app:1", Optional.empty(), null));
        assertEquals(RegistryException.Kind.UNAUTHORIZED, none.kind());
        assertTrue(none.getMessage().contains("username and password"), none.getMessage());
    }

    @Test
    void bearerTokenRegistry() throws RegistryException {
        ImageSeeder.Pushed p = ImageSeeder.to(token).ociIndex("org/app", "1.2", "token");
        Credentials bob = new Credentials("bob", "bob-pass");
        assertEquals(p.digest(), resolve(token, "org/app:1.2", Optional.of(bob), null).digest());
        assertEquals(p.platformDigests().get("linux/amd64"), resolve(token, "org/app:1.2", Optional.of(bob), "linux/amd64").digest());
        assertTrue(issuer.issued().stream().anyMatch(i -> i.subject().equals("bob") && i.scopes().equals(List.of("repository:org/app:pull"))),
                issuer.issued().toString());

        RegistryException wrong = assertThrows(RegistryException.class,
                () -> resolve(token, "org/app:1.2", Optional.of(new Credentials("bob", "wrong-pass")), null));
        assertEquals(RegistryException.Kind.UNAUTHORIZED, wrong.kind());
        assertTrue(wrong.getMessage().contains("token service"), wrong.getMessage());
        assertFalse(wrong.getMessage().contains("wrong-pass"), wrong.getMessage());

        RegistryException anonymous = assertThrows(RegistryException.class, () -> resolve(token, "org/app:1.2", Optional.empty(), null));
        assertEquals(RegistryException.Kind.UNAUTHORIZED, anonymous.kind());
    }

    @Test
    void throughAPullThroughCacheTheDigestIsTheUpstreamsAndPinnedNamesTheImage() throws RegistryException {
        try (TokenServer hubIssuer = TokenServer.startWithAnonymousPull("hub", "hub-pass");
                Network network = Network.newNetwork();
                LocalRegistry hub = LocalRegistry.token(hubIssuer).withNetwork(network)) {
            hub.start();
            ImageSeeder.Pushed alpine = ImageSeeder.to(hub).ociIndex("library/alpine", "3.20", "alpine 3.20");
            try (LocalRegistry cache = LocalRegistry.proxy(hub.networkUrl()).withNetwork(network)) {
                cache.start();
                ImageRef image = ImageRef.parse("alpine:3.20");
                ResolvedDigest viaCache = CLIENT.resolve(image, Optional.of(cache.url()), Optional.empty(), Optional.empty());
                assertEquals(alpine.digest(), viaCache.digest());
                assertEquals("docker.io/library/alpine@" + alpine.digest(), viaCache.pinned());

                ResolvedDigest arm = CLIENT.resolve(image, Optional.of(cache.url()), Optional.empty(),
                        Optional.of(Platform.parse("linux/arm64")));
                assertEquals(alpine.platformDigests().get("linux/arm64/v8"), arm.digest());
                assertEquals("docker.io/library/alpine@" + arm.digest(), arm.pinned());

                // The stale-cache question: after the upstream's tag moves, the cache answers the new digest.
                ImageSeeder.Pushed moved = ImageSeeder.to(hub).ociIndex("library/alpine", "3.20", "alpine 3.20 rebuilt");
                assertEquals(moved.digest(), CLIENT.resolve(image, Optional.of(cache.url()), Optional.empty(), Optional.empty()).digest());
                assertTrue(hub.requests("/v2/library/alpine/manifests/3\\.20") >= 2, hub.accessLog().toString());
            }
        }
    }

    @Test
    void loginChecksCredentialsLikeDockerLogin() throws RegistryException {
        CLIENT.login(token.url(), new Credentials("bob", "bob-pass"));
        CLIENT.login(basic.url(), ALICE);
        RegistryException t = assertThrows(RegistryException.class, () -> CLIENT.login(token.url(), new Credentials("bob", "nope")));
        assertEquals(RegistryException.Kind.UNAUTHORIZED, t.kind());
        assertTrue(t.getMessage().contains("check username and password"), t.getMessage());
        assertFalse(t.getMessage().contains("nope"));
        RegistryException b = assertThrows(RegistryException.class, () -> CLIENT.login(basic.url(), new Credentials("alice", "nope")));
        assertEquals(RegistryException.Kind.UNAUTHORIZED, b.kind());
        CLIENT.login(plain.url(), ALICE); // a registry without authentication lets anyone in
    }

    @Test
    void unreachableAndPing() {
        RegistryException e = assertThrows(RegistryException.class, () -> CLIENT.resolve(ImageRef.parse("alpine"),
                Optional.of("http://127.0.0.1:9"), Optional.empty(), Optional.empty()));
        assertEquals(RegistryException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().contains("http://127.0.0.1:9/v2/library/alpine/manifests/latest"), e.getMessage());

        assertTrue(CLIENT.ping(plain.url()));
        assertTrue(CLIENT.ping(basic.url()), "401 is a registry answering");
        assertTrue(CLIENT.ping(token.url() + "/v2/"));
        assertFalse(CLIENT.ping("http://127.0.0.1:9"));
    }

    @Test
    void plainHttpRegistryAskedOverHttpsIsUnreachableWithAHint() {
        RegistryException e = assertThrows(RegistryException.class, () -> CLIENT.resolve(ImageRef.parse(plain.hostPort() + "/team/app:1"),
                Optional.empty(), Optional.empty(), Optional.empty()));
        assertEquals(RegistryException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().contains("https://" + plain.hostPort()), e.getMessage());
        assertTrue(e.getMessage().contains("http://"), e.getMessage());
    }
}
