package io.imagecache.lab.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Network;

class LocalRegistryIT {

    private static String skopeoDigest(String reference, String... creds) {
        String[] base = {"skopeo", "inspect", "--tls-verify=false", "--no-tags"};
        String[] cmd = new String[base.length + creds.length + 1];
        System.arraycopy(base, 0, cmd, 0, base.length);
        System.arraycopy(creds, 0, cmd, base.length, creds.length);
        cmd[cmd.length - 1] = "docker://" + reference;
        return JsonParser.parseString(Exec.run(cmd).ok()).getAsJsonObject().get("Digest").getAsString();
    }

    @Test
    void plainRegistryServesWhatWasSeeded() {
        try (LocalRegistry registry = LocalRegistry.plain()) {
            registry.start();
            ImageSeeder.Pushed v1 = ImageSeeder.to(registry).dockerImage("team/app", "1.0", "v1");
            assertEquals(v1.digest(), skopeoDigest(v1.byTag(registry.hostPort())));
            assertTrue(registry.config().contains("rootdirectory: /var/lib/registry"), registry.config());
            assertTrue(registry.awaitRequests("/v2/team/app/manifests/1\\.0", 2, Duration.ofSeconds(5)) >= 2,
                    registry.accessLog().toString());
            assertEquals(1, registry.requests("PUT", "/v2/team/app/manifests/1\\.0"), registry.accessLog().toString());
        }
    }

    @Test
    void htpasswdRegistryWantsTheRightPassword() {
        try (LocalRegistry registry = LocalRegistry.htpasswd("alice", "s3cret pass")) {
            registry.start();
            ImageSeeder.Pushed pushed = ImageSeeder.to(registry).ociImage("private/app", "v1", "hello");
            assertEquals("401", Exec.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", registry.url() + "/v2/").ok());
            assertEquals("200", Exec.run("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-u", "alice:s3cret pass",
                    registry.url() + "/v2/").ok());
            assertEquals(pushed.digest(), skopeoDigest(pushed.byTag(registry.hostPort()), "--creds", "alice:s3cret pass"));
            Exec wrong = Exec.run("skopeo", "inspect", "--tls-verify=false", "--creds", "alice:nope",
                    "docker://" + pushed.byTag(registry.hostPort()));
            assertNotEquals(0, wrong.exitCode());
            assertTrue(wrong.stderr().contains("unauthorized") || wrong.stderr().contains("401"), wrong.stderr());
        }
    }

    @Test
    void proxyServesItsUpstreamAndCachesBlobs(@TempDir Path tmp) {
        try (Network network = Network.newNetwork();
                LocalRegistry upstream = LocalRegistry.plain().withNetwork(network)) {
            upstream.start();
            ImageSeeder.Pushed pushed = ImageSeeder.to(upstream).dockerImage("library/alpine", "3.20", "upstream alpine");
            try (LocalRegistry proxy = LocalRegistry.proxy(upstream.networkUrl()).withNetwork(network)) {
                proxy.start();
                assertTrue(proxy.config().contains("remoteurl: \"" + upstream.networkUrl() + "\""), proxy.config());
                String reference = proxy.hostPort() + "/library/alpine:3.20";
                assertEquals(pushed.digest(), skopeoDigest(reference));

                Exec.run("skopeo", "copy", "--src-tls-verify=false", "docker://" + reference, "dir:" + tmp.resolve("1")).ok();
                String blobs = "/v2/library/alpine/blobs/sha256:[0-9a-f]+";
                upstream.awaitRequests(blobs, 2, Duration.ofSeconds(5));
                int blobGets = upstream.requests("GET", blobs);
                assertTrue(blobGets >= 2, upstream.accessLog().toString());

                Exec.run("skopeo", "copy", "--src-tls-verify=false", "docker://" + reference, "dir:" + tmp.resolve("2")).ok();
                int all = upstream.requests(blobs);
                upstream.awaitRequests(blobs, all + 1, Duration.ofSeconds(1)); // let a late log line show up
                assertEquals(blobGets, upstream.requests("GET", blobs),
                        "a second pull fetched blobs from the upstream again: " + upstream.accessLog());
                assertTrue(proxy.requests("GET", "/v2/library/alpine/blobs/sha256:[0-9a-f]+") >= 4, proxy.accessLog().toString());
            }
        }
    }

    /**
     * A fact the product must know: a distribution 2.8 proxy answers only Bearer challenges from its upstream
     * (its authorizer has a token handler and no basic handler), so {@code proxy.username/password} do nothing
     * against a Basic-auth upstream and every pull through it is "manifest unknown". (3.x does answer Basic:
     * LocalRegistry3IT.)
     */
    @Test
    void proxy28CannotUseABasicAuthUpstream() {
        try (Network network = Network.newNetwork();
                LocalRegistry upstream = LocalRegistry.htpasswd("mirror", "pw").withNetwork(network)) {
            upstream.start();
            ImageSeeder.Pushed pushed = ImageSeeder.to(upstream).dockerImage("library/alpine", "3.20", "basic upstream");
            try (LocalRegistry proxy = LocalRegistry.proxy(upstream.networkUrl(), "mirror", "pw")
                    .withDistribution(LocalRegistry.Distribution.V2_8).withNetwork(network)) {
                proxy.start();
                Exec inspect = Exec.run("skopeo", "inspect", "--tls-verify=false", "docker://" + proxy.hostPort() + "/library/alpine:3.20");
                assertNotEquals(0, inspect.exitCode(), "distribution now authenticates to Basic upstreams: " + pushed);
                assertTrue(inspect.stderr().contains("manifest unknown"), inspect.stderr());
                upstream.awaitRequests("/v2/library/alpine/manifests/3\\.20", 2, Duration.ofSeconds(2));
                assertTrue(upstream.accessLog().stream().filter(r -> r.path().startsWith("/v2/library/"))
                        .allMatch(r -> r.status() == 401 || r.method().equals("PUT") || r.method().equals("POST")),
                        upstream.accessLog().toString());
            }
        }
    }
}
