package io.imagecache.lab.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Network;

/** Distribution 2.8 accepts the tokens: it checks the x5c chain against rootcertbundle, iss, aud, exp and access. */
class TokenServerIT {

    private static Exec skopeoInspect(String reference, String... creds) {
        String[] base = {"skopeo", "inspect", "--tls-verify=false", "--no-tags"};
        String[] cmd = new String[base.length + creds.length + 1];
        System.arraycopy(base, 0, cmd, 0, base.length);
        System.arraycopy(creds, 0, cmd, base.length, creds.length);
        cmd[cmd.length - 1] = "docker://" + reference;
        return Exec.run(cmd);
    }

    private static String digestOf(Exec inspect) {
        return JsonParser.parseString(inspect.ok()).getAsJsonObject().get("Digest").getAsString();
    }

    @Test
    void registryAcceptsIssuedTokensAndRejectsEverythingElse() {
        try (TokenServer issuer = TokenServer.start("bob", "token-pass");
                LocalRegistry registry = LocalRegistry.token(issuer)) {
            registry.start();
            assertTrue(registry.config().contains("rootcertbundle:"), registry.config());
            String challenge = Exec.run("curl", "-s", "-D", "-", "-o", "/dev/null", registry.url() + "/v2/").ok();
            assertTrue(challenge.contains("Bearer realm=\"http://"), challenge);

            ImageSeeder.Pushed pushed = ImageSeeder.to(registry).dockerImage("org/app", "1.2", "token protected");
            assertTrue(issuer.issued().stream().anyMatch(i -> i.scopes().contains("repository:org/app:pull,push")),
                    issuer.issued().toString());

            assertEquals(pushed.digest(), digestOf(skopeoInspect(pushed.byTag(registry.hostPort()), "--creds", "bob:token-pass")));
            Exec anonymous = skopeoInspect(pushed.byTag(registry.hostPort()));
            assertNotEquals(0, anonymous.exitCode(), anonymous.stdout());
            Exec wrong = skopeoInspect(pushed.byTag(registry.hostPort()), "--creds", "bob:wrong");
            assertNotEquals(0, wrong.exitCode(), wrong.stdout());
        }
    }

    @Test
    void anonymousPullLikeDockerHubAndAProxyInFrontOfIt() {
        try (TokenServer issuer = TokenServer.startWithAnonymousPull("bob", "token-pass");
                Network network = Network.newNetwork();
                LocalRegistry hub = LocalRegistry.token(issuer).withNetwork(network)) {
            hub.start();
            ImageSeeder.Pushed pushed = ImageSeeder.to(hub).ociIndex("library/busybox", "latest", "public busybox");
            assertEquals(pushed.digest(), digestOf(skopeoInspect(pushed.byTag(hub.hostPort()))));

            // The proxy container reaches the realm through its network's gateway, like a cache in front of Docker Hub.
            // 2.8: a 3.1 proxy refuses a realm on another host (LocalRegistry3IT.proxy31UsesNoTokenRealmOnAnotherHost)
            try (LocalRegistry proxy = LocalRegistry.proxy(hub.networkUrl())
                    .withDistribution(LocalRegistry.Distribution.V2_8).withNetwork(network)) {
                proxy.start();
                int before = issuer.issued().size();
                assertEquals(pushed.digest(), digestOf(skopeoInspect(proxy.hostPort() + "/library/busybox:latest")));
                assertTrue(issuer.issued().size() > before, "the proxy fetched no token: " + issuer.issued());
                assertTrue(issuer.issued().stream().skip(before).allMatch(i -> i.subject().equals("anonymous")),
                        issuer.issued().toString());
            }
        }
    }

    @Test
    void proxyWithCredentialsPullsFromATokenUpstream() {
        try (TokenServer issuer = TokenServer.start("robot", "robot-pass");
                Network network = Network.newNetwork();
                LocalRegistry upstream = LocalRegistry.token(issuer).withNetwork(network)) {
            upstream.start();
            ImageSeeder.Pushed pushed = ImageSeeder.to(upstream).dockerManifestList("org/private", "v1", "private");
            try (LocalRegistry proxy = LocalRegistry.proxy(upstream.networkUrl(), "robot", "robot-pass")
                    .withDistribution(LocalRegistry.Distribution.V2_8).withNetwork(network)) {
                proxy.start();
                assertEquals(pushed.digest(), digestOf(skopeoInspect(proxy.hostPort() + "/org/private:v1")));
                assertTrue(issuer.issued().stream().anyMatch(i -> i.subject().equals("robot")
                        && i.scopes().contains("repository:org/private:pull")), issuer.issued().toString());
            }
        }
    }
}
