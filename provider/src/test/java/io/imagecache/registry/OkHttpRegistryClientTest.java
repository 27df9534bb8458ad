package io.imagecache.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.registry.FakeHttp.Reply;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The client's flows against a scripted loopback server; the real registries are in RegistryClientIT. */
class OkHttpRegistryClientTest {
    private static final String MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"" + Manifests.DOCKER_V2 + "\",\"config\":{},\"layers\":[]}";
    private static final String MANIFEST_DIGEST = Digests.sha256(MANIFEST.getBytes(StandardCharsets.UTF_8));
    private static final String ERR_UNKNOWN = "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\",\"detail\":{\"Tag\":\"9\"}}]}";

    private final RegistryClient client = RegistryClient.create();

    private static ImageRef ref(String s) {
        return ImageRef.parse(s);
    }

    private ResolvedDigest resolve(FakeHttp fake, String image, Optional<Credentials> creds, Optional<Platform> platform)
            throws RegistryException {
        return client.resolve(ref(image), Optional.of(fake.url()), creds, platform);
    }

    @Test
    void headAloneWhenItHasDigestAndType() throws RegistryException {
        try (FakeHttp fake = new FakeHttp(r -> Reply.of(200, Map.of("Docker-Content-Digest", MANIFEST_DIGEST,
                "Content-Type", Manifests.DOCKER_V2), MANIFEST))) {
            ResolvedDigest d = resolve(fake, "docker.io/library/alpine:3.20", Optional.empty(), Optional.empty());
            assertEquals(new ResolvedDigest(MANIFEST_DIGEST, Manifests.DOCKER_V2, "docker.io/library/alpine@" + MANIFEST_DIGEST), d);
            assertEquals(1, fake.requests.size());
            FakeHttp.Req head = fake.requests.get(0);
            assertEquals("HEAD", head.method());
            assertEquals("/v2/library/alpine/manifests/3.20", head.path());
            String accept = head.header("Accept");
            for (String t : Manifests.ACCEPT) {
                assertTrue(accept.contains(t), accept);
            }
        }
    }

    @Test
    void noDigestHeaderMeansGetAndHash() throws RegistryException {
        try (FakeHttp fake = new FakeHttp(r -> Reply.of(200, Map.of("Content-Type", "application/json"), MANIFEST))) {
            ResolvedDigest d = resolve(fake, "ghcr.io/o/a:1", Optional.empty(), Optional.empty());
            assertEquals(MANIFEST_DIGEST, d.digest());
            assertEquals(Manifests.DOCKER_V2, d.mediaType(), "taken from the body's mediaType field");
            assertEquals("ghcr.io/o/a@" + MANIFEST_DIGEST, d.pinned());
            assertEquals("GET", fake.requests.get(fake.requests.size() - 1).method());
        }
    }

    @Test
    void bearerChallengeFetchesATokenWithBasicCredentials() throws RegistryException {
        String[] realm = new String[1];
        try (FakeHttp fake = new FakeHttp(r -> {
            if (r.path().equals("/token")) {
                return Reply.of(200, Map.of(), "{\"access_token\":\"tok-123\",\"expires_in\":60}");
            }
            if (!"Bearer tok-123".equals(r.header("Authorization"))) {
                return Reply.of(401, Map.of("WWW-Authenticate", "Bearer realm=\"" + realm[0]
                        + "\",service=\"fake\",scope=\"repository:o/a:pull\""), "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
            }
            return Reply.of(200, Map.of("Docker-Content-Digest", MANIFEST_DIGEST, "Content-Type", Manifests.DOCKER_V2), "");
        })) {
            realm[0] = fake.url() + "/token";
            ResolvedDigest d = resolve(fake, "ghcr.io/o/a:1", Optional.of(new Credentials("bob", "pw")), Optional.empty());
            assertEquals(MANIFEST_DIGEST, d.digest());
            FakeHttp.Req token = fake.requests.stream().filter(r -> r.path().equals("/token")).findFirst().orElseThrow();
            assertTrue(token.query().contains("service=fake"), token.query());
            assertTrue(token.query().contains("scope=repository:o/a:pull"), token.query());
            assertEquals("Basic " + Base64.getEncoder().encodeToString("bob:pw".getBytes(StandardCharsets.UTF_8)),
                    token.header("Authorization"));
        }
    }

    @Test
    void bearerWithoutScopeAsksForPullOfTheRepository() throws RegistryException {
        String[] realm = new String[1];
        try (FakeHttp fake = new FakeHttp(r -> {
            if (r.path().equals("/token")) {
                assertEquals(null, r.header("Authorization"), "anonymous: no Basic header");
                return Reply.of(200, Map.of(), "{\"token\":\"anon\"}");
            }
            if (!"Bearer anon".equals(r.header("Authorization"))) {
                return Reply.of(401, Map.of("WWW-Authenticate", "Bearer realm=\"" + realm[0] + "\""), "");
            }
            return Reply.of(200, Map.of("Docker-Content-Digest", MANIFEST_DIGEST, "Content-Type", Manifests.DOCKER_V2), "");
        })) {
            realm[0] = fake.url() + "/token";
            resolve(fake, "alpine", Optional.empty(), Optional.empty());
            FakeHttp.Req token = fake.requests.stream().filter(r -> r.path().equals("/token")).findFirst().orElseThrow();
            assertEquals("scope=repository:library/alpine:pull", token.query());
        }
    }

    @Test
    void basicChallengeWithoutCredentialsSaysWhatToGive() {
        try (FakeHttp fake = new FakeHttp(r -> Reply.of(401, Map.of("WWW-Authenticate", "Basic realm=\"x\""), ""))) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> resolve(fake, "ghcr.io/o/a:1", Optional.empty(), Optional.empty()));
            assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
            assertTrue(e.getMessage().contains("username and password"), e.getMessage());
            assertTrue(e.getMessage().contains(fake.url() + "/v2/o/a/manifests/1"), e.getMessage());
        }
    }

    @Test
    void wrongBasicPasswordIsUnauthorizedAndNeverPrinted() {
        try (FakeHttp fake = new FakeHttp(r -> Reply.of(401, Map.of("WWW-Authenticate", "Basic realm=\"x\""),
                "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}"))) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> resolve(fake, "ghcr.io/o/a:1", Optional.of(new Credentials("bob", "hunter2")), Optional.empty()));
            assertEquals(RegistryException.Kind.UNAUTHORIZED, e.kind());
            assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
            assertFalse(e.getMessage().contains(Base64.getEncoder().encodeToString("bob:hunter2".getBytes(StandardCharsets.UTF_8))));
            assertTrue(e.getMessage().contains("bob"), e.getMessage());
        }
    }

    @Test
    void headNotFoundIsAskedAgainWithGetForTheErrorCode() {
        try (FakeHttp fake = new FakeHttp(r -> Reply.of(404, Map.of("Content-Type", "application/json"), ERR_UNKNOWN))) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> resolve(fake, "ghcr.io/o/a:9", Optional.empty(), Optional.empty()));
            assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
            assertTrue(e.hasCode(ErrorCode.MANIFEST_UNKNOWN), e.errors().toString());
            assertEquals(404, e.status());
            assertTrue(e.getMessage().contains("MANIFEST_UNKNOWN: manifest unknown"), e.getMessage());
            assertEquals("GET", fake.requests.get(1).method());
        }
    }

    @Test
    void rateLimitAndServerErrorsAreUnavailable() {
        for (int status : new int[] {429, 500, 503}) {
            try (FakeHttp fake = new FakeHttp(r -> Reply.of(status, Map.of(), "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\"}]}"))) {
                RegistryException e = assertThrows(RegistryException.class,
                        () -> resolve(fake, "ghcr.io/o/a:1", Optional.empty(), Optional.empty()));
                assertEquals(RegistryException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
                assertEquals(status, e.status());
            }
        }
    }

    @Test
    void unexpectedStatusIsProtocol() {
        try (FakeHttp fake = new FakeHttp(r -> Reply.of(418, Map.of(), "teapot"))) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> resolve(fake, "ghcr.io/o/a:1", Optional.empty(), Optional.empty()));
            assertEquals(RegistryException.Kind.PROTOCOL, e.kind());
        }
    }

    @Test
    void aMirrorServingOtherContentForADigestIsCaught() {
        String asked = "sha256:" + "f".repeat(64);
        try (FakeHttp fake = new FakeHttp(r -> Reply.of(200, Map.of("Content-Type", Manifests.DOCKER_V2), MANIFEST))) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> resolve(fake, "alpine@" + asked, Optional.empty(), Optional.empty()));
            assertEquals(RegistryException.Kind.PROTOCOL, e.kind());
            assertTrue(e.getMessage().contains(MANIFEST_DIGEST), e.getMessage());
        }
    }

    @Test
    void platformIsChosenFromTheIndexFetchedByDigest() throws RegistryException {
        String arm = "sha256:" + "2".repeat(64);
        String index = "{\"schemaVersion\":2,\"mediaType\":\"" + Manifests.DOCKER_LIST + "\",\"manifests\":["
                + "{\"mediaType\":\"" + Manifests.DOCKER_V2 + "\",\"digest\":\"sha256:" + "1".repeat(64) + "\",\"size\":1,"
                + "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
                + "{\"digest\":\"" + arm + "\",\"size\":1,\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}}]}";
        String indexDigest = Digests.sha256(index.getBytes(StandardCharsets.UTF_8));
        try (FakeHttp fake = new FakeHttp(r -> Reply.of(200, Map.of("Docker-Content-Digest", indexDigest,
                "Content-Type", Manifests.DOCKER_LIST), index))) {
            ResolvedDigest d = resolve(fake, "alpine:3", Optional.empty(), Optional.of(Platform.parse("linux/arm64")));
            assertEquals(new ResolvedDigest(arm, Manifests.DOCKER_V2, "docker.io/library/alpine@" + arm), d);
            assertEquals("/v2/library/alpine/manifests/" + indexDigest, fake.requests.get(1).path());

            ResolvedDigest whole = resolve(fake, "alpine:3", Optional.empty(), Optional.empty());
            assertEquals(indexDigest, whole.digest());
            assertEquals(Manifests.DOCKER_LIST, whole.mediaType());
        }
    }

    @Test
    void ping() {
        try (FakeHttp ok = new FakeHttp(r -> Reply.of(200, Map.of(), "{}"));
                FakeHttp auth = new FakeHttp(r -> Reply.of(401, Map.of("WWW-Authenticate", "Basic realm=\"x\""), ""));
                FakeHttp notRegistry = new FakeHttp(r -> Reply.of(404, Map.of(), "no"))) {
            assertTrue(client.ping(ok.url()));
            assertEquals("/v2/", ok.requests.get(0).path());
            assertTrue(client.ping(auth.url() + "/"));
            assertEquals(1, auth.requests.size(), "a 401 is an answer, not a challenge to meet");
            assertFalse(client.ping(notRegistry.url()));
            assertFalse(client.ping("http://127.0.0.1:1"));
        }
    }

    @Test
    void connectionRefusedIsUnreachable() {
        RegistryException e = assertThrows(RegistryException.class, () -> client.resolve(ref("ghcr.io/o/a:1"),
                Optional.of("http://127.0.0.1:1"), Optional.empty(), Optional.empty()));
        assertEquals(RegistryException.Kind.UNREACHABLE, e.kind());
        assertTrue(e.getMessage().contains("http://127.0.0.1:1/v2/o/a/manifests/1"), e.getMessage());
    }
}
