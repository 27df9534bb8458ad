package io.imagecache.lab.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.imagecache.lab.registry.LocalRegistry.Distribution;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Network;

/** The fixtures on distribution 3 ({@code imagecache-lab/registry:3}, built from Go modules). */
class LocalRegistry3IT {

    private static String skopeoDigest(String reference, String... creds) {
        List<String> cmd = new ArrayList<>(List.of("skopeo", "inspect", "--tls-verify=false", "--no-tags"));
        cmd.addAll(List.of(creds));
        cmd.add("docker://" + reference);
        return JsonParser.parseString(Exec.run(cmd.toArray(String[]::new)).ok()).getAsJsonObject().get("Digest").getAsString();
    }

    @Test
    void servesPushesAndPulls(@TempDir Path tmp) {
        try (LocalRegistry registry = LocalRegistry.plain().withDistribution(Distribution.V3)) {
            registry.start();
            assertEquals(Distribution.V3, registry.distribution());
            assertTrue(registry.getLogs().contains("version=3."), registry.getLogs());
            ImageSeeder.Pushed docker = ImageSeeder.to(registry).dockerImage("team/app", "1.0", "v3 docker");
            ImageSeeder.Pushed index = ImageSeeder.to(registry).ociIndex("team/multi", "2.0", "v3 index");
            assertEquals(docker.digest(), skopeoDigest(docker.byTag(registry.hostPort())));
            assertEquals(index.digest(), skopeoDigest(index.byTag(registry.hostPort())));
            Exec.run("skopeo", "copy", "--src-tls-verify=false", "docker://" + docker.byDigest(registry.hostPort()),
                    "dir:" + tmp.resolve("app")).ok();
            assertEquals(1, registry.requests("PUT", "/v2/team/app/manifests/1\\.0"), registry.accessLog().toString());
            assertTrue(registry.awaitRequests("/v2/team/app/blobs/sha256:[0-9a-f]+", 2, Duration.ofSeconds(5)) >= 2,
                    registry.accessLog().toString());
        }
    }

    @Test
    void htpasswdAndTokenAuthWork() {
        try (LocalRegistry registry = LocalRegistry.htpasswd("alice", "s3cret pass").withDistribution(Distribution.V3)) {
            registry.start();
            assertTrue(registry.config().contains("path: /etc/distribution/htpasswd"), registry.config());
            ImageSeeder.Pushed pushed = ImageSeeder.to(registry).ociImage("private/app", "v1", "hello v3");
            assertEquals("401", Exec.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", registry.url() + "/v2/").ok());
            assertEquals(pushed.digest(), skopeoDigest(pushed.byTag(registry.hostPort()), "--creds", "alice:s3cret pass"));
        }
        try (TokenServer issuer = TokenServer.start("bob", "token-pass");
                LocalRegistry registry = LocalRegistry.token(issuer).withDistribution(Distribution.V3)) {
            registry.start();
            ImageSeeder.Pushed pushed = ImageSeeder.to(registry).dockerImage("org/app", "1.2", "token protected v3");
            assertEquals(pushed.digest(), skopeoDigest(pushed.byTag(registry.hostPort()), "--creds", "bob:token-pass"));
            Exec anonymous = Exec.run("skopeo", "inspect", "--tls-verify=false", "docker://" + pushed.byTag(registry.hostPort()));
            assertNotEquals(0, anonymous.exitCode(), anonymous.stdout());
        }
    }

    @Test
    void proxyWithTtlCachesItsUpstreamAndSchedulesExpiry(@TempDir Path tmp) {
        try (Network network = Network.newNetwork();
                LocalRegistry upstream = LocalRegistry.plain().withDistribution(Distribution.V3).withNetwork(network)) {
            upstream.start();
            ImageSeeder.Pushed pushed = ImageSeeder.to(upstream).dockerImage("library/alpine", "3.20", "upstream alpine v3");
            try (LocalRegistry proxy = LocalRegistry.proxy(upstream.networkUrl()).withProxyTtl("1h")
                    .withDistribution(Distribution.V3).withNetwork(network)) {
                proxy.start();
                assertTrue(proxy.config().contains("  ttl: 1h\n"), proxy.config());
                String reference = proxy.hostPort() + "/library/alpine:3.20";
                assertEquals(pushed.digest(), skopeoDigest(reference));

                Instant pulled = Instant.now();
                Exec.run("skopeo", "copy", "--src-tls-verify=false", "docker://" + reference, "dir:" + tmp.resolve("1")).ok();
                String blobs = "/v2/library/alpine/blobs/sha256:[0-9a-f]+";
                upstream.awaitRequests(blobs, 2, Duration.ofSeconds(5));
                int blobGets = upstream.requests("GET", blobs);
                assertTrue(blobGets >= 2, upstream.accessLog().toString());

                Exec.run("skopeo", "copy", "--src-tls-verify=false", "docker://" + reference, "dir:" + tmp.resolve("2")).ok();
                upstream.awaitRequests(blobs, upstream.requests(blobs) + 1, Duration.ofSeconds(1)); // a late log line
                assertEquals(blobGets, upstream.requests("GET", blobs),
                        "a second pull fetched blobs from the upstream again: " + upstream.accessLog());

                // The TTL scheduler saves its entries every 5 s; each expires ttl after it was cached (168h without ttl).
                JsonObject state = awaitSchedulerState(proxy, Duration.ofSeconds(15));
                assertTrue(state.size() >= 3, state.toString()); // manifest, config and layer blobs
                for (var e : state.entrySet()) {
                    Instant expiry = Instant.parse(e.getValue().getAsJsonObject().get("ExpiryData").getAsString());
                    Duration left = Duration.between(pulled, expiry);
                    assertTrue(left.compareTo(Duration.ofMinutes(55)) > 0 && left.compareTo(Duration.ofMinutes(65)) < 0,
                            e.getKey() + " expires in " + left);
                }
            }
        }
    }

    /**
     * Unlike 2.8 (LocalRegistryIT.proxy28CannotUseABasicAuthUpstream), a distribution 3 proxy answers Basic challenges
     * with {@code proxy.username/password}; with a wrong password the pull fails (and the upstream saw only 401s).
     */
    @Test
    void proxy3UsesItsCredentialsAgainstABasicAuthUpstream() {
        try (Network network = Network.newNetwork();
                LocalRegistry upstream = LocalRegistry.htpasswd("mirror", "pw").withDistribution(Distribution.V3).withNetwork(network)) {
            upstream.start();
            ImageSeeder.Pushed pushed = ImageSeeder.to(upstream).dockerImage("library/alpine", "3.20", "basic upstream v3");
            try (LocalRegistry proxy = LocalRegistry.proxy(upstream.networkUrl(), "mirror", "pw").withDistribution(Distribution.V3)
                    .withNetwork(network)) {
                proxy.start();
                assertEquals(pushed.digest(), skopeoDigest(proxy.hostPort() + "/library/alpine:3.20"));
                assertTrue(upstream.awaitRequests("/v2/library/alpine/manifests/3\\.20", 2, Duration.ofSeconds(5)) >= 2);
                assertTrue(upstream.accessLog().stream().anyMatch(r -> r.method().equals("GET")
                        && r.path().startsWith("/v2/library/alpine/manifests/") && r.status() == 200), upstream.accessLog().toString());
            }
            try (LocalRegistry proxy = LocalRegistry.proxy(upstream.networkUrl(), "mirror", "wrong").withDistribution(Distribution.V3)
                    .withNetwork(network)) {
                proxy.start();
                Exec inspect = Exec.run("skopeo", "inspect", "--tls-verify=false", "docker://" + proxy.hostPort() + "/library/alpine:3.20");
                assertNotEquals(0, inspect.exitCode(), inspect.stdout());
            }
        }
    }

    /**
     * A fact for proxies of token-auth upstreams: since 3.1.1 a distribution proxy uses a Bearer realm only when it
     * is on the upstream's own host:port or shares its registrable domain (eTLD+1), and never for IP literals
     * ({@code realmAllowed} in registry/proxy/proxyauth.go; 3.0.0 has no such check). Docker Hub passes
     * (registry-1.docker.io / auth.docker.io), as do ghcr.io and quay.io (realm on the same host). A lab upstream
     * whose realm is the {@link TokenServer} at another address is, for a 3.x proxy, an upstream it cannot
     * authenticate to: no token is asked for, and every pull through it is "manifest unknown".
     */
    @Test
    void proxy31UsesNoTokenRealmOnAnotherHost() {
        try (TokenServer issuer = TokenServer.startWithAnonymousPull("robot", "robot-pass");
                Network network = Network.newNetwork();
                LocalRegistry upstream = LocalRegistry.token(issuer).withNetwork(network)) {
            upstream.start();
            ImageSeeder.to(upstream).dockerImage("org/private", "v1", "token upstream");
            try (LocalRegistry proxy = LocalRegistry.proxy(upstream.networkUrl(), "robot", "robot-pass")
                    .withDistribution(Distribution.V3).withNetwork(network)) {
                proxy.start();
                int issued = issuer.issued().size();
                Exec inspect = Exec.run("skopeo", "inspect", "--tls-verify=false", "docker://" + proxy.hostPort() + "/org/private:v1");
                assertNotEquals(0, inspect.exitCode(), "distribution 3 now follows a realm on another host: " + inspect.stdout());
                assertTrue(inspect.stderr().contains("manifest unknown"), inspect.stderr());
                assertEquals(issued, issuer.issued().size(), issuer.issued().toString());
                assertTrue(upstream.awaitRequests("/v2/org/private/manifests/v1", 1, Duration.ofSeconds(5)) >= 1);
                assertTrue(upstream.accessLog().stream().filter(r -> r.path().equals("/v2/org/private/manifests/v1")
                        && !r.method().equals("PUT")).allMatch(r -> r.status() == 401), upstream.accessLog().toString());
            }
        }
    }

    @Test
    void proxyTtlNeedsDistribution3() {
        LocalRegistry on28 = LocalRegistry.proxy("http://127.0.0.1:1").withProxyTtl("1h").withDistribution(Distribution.V2_8);
        RuntimeException e = assertThrows(RuntimeException.class, on28::start);
        on28.close();
        Throwable t = e;
        while (t.getCause() != null && !t.getMessage().contains("proxy.ttl")) {
            t = t.getCause();
        }
        assertTrue(t.getMessage().contains("has no proxy.ttl"), e.toString());
        assertThrows(IllegalStateException.class, () -> LocalRegistry.plain().withProxyTtl("1h"));
    }

    private static JsonObject awaitSchedulerState(LocalRegistry proxy, Duration timeout) {
        Instant end = Instant.now().plus(timeout);
        while (true) {
            try {
                String json = proxy.copyFileFromContainer("/var/lib/registry/scheduler-state.json",
                        in -> new String(in.readAllBytes(), StandardCharsets.UTF_8));
                JsonElement parsed = JsonParser.parseString(json);
                if (parsed.isJsonObject() && parsed.getAsJsonObject().size() >= 3) {
                    return parsed.getAsJsonObject();
                }
            } catch (RuntimeException notYet) {
                // not saved yet
            }
            if (Instant.now().isAfter(end)) {
                throw new AssertionError("no scheduler-state.json with entries within " + timeout + "; log:\n" + proxy.getLogs());
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ie);
            }
        }
    }
}
