package io.imagecache.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.containerd.MirrorSpec.ClientCert;
import io.imagecache.containerd.MirrorSpec.Endpoint;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

class HostsTomlTest {
    private static final Path DIR = Golden.ROOT.resolve("hosts");
    private static final ContainerdVersion DEBIAN_16 =
            ContainerdVersion.parse("containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3");
    private static final ContainerdVersion V17 = ContainerdVersion.of(1, 7, 27);
    private static final ContainerdVersion V207 = ContainerdVersion.of(2, 0, 7);
    private static final ContainerdVersion V214 = ContainerdVersion.of(2, 1, 4);
    private static final ContainerdVersion V22 = ContainerdVersion.of(2, 2, 0);

    private static final MirrorSpec SEED_DOCKER_HUB = MirrorSpec.pullThrough("docker.io", "http://10.0.20.10:5000");
    private static final MirrorSpec SEED_GHCR = MirrorSpec.pullThrough("ghcr.io", "http://10.0.20.10:5010");

    @Test
    void seedDockerHubOnContainerd16() throws IOException {
        String out = HostsToml.render(SEED_DOCKER_HUB, DEBIAN_16);
        Golden.assertGolden(DIR.resolve("docker.io-1.6.toml"), out);
        assertTrue(out.startsWith(HostsToml.HEADER + "\n"), "the ownership header comes first");
        assertTrue(out.contains("server = \"https://registry-1.docker.io\""), "Docker Hub's server is registry-1");
    }

    @Test
    void seedGhcrOnContainerd17() throws IOException {
        Golden.assertGolden(DIR.resolve("ghcr.io-1.7.toml"), HostsToml.render(SEED_GHCR, V17));
    }

    @Test
    void defaultNamespaceOn17HasNoServerUnlessGiven() throws IOException {
        MirrorSpec d = MirrorSpec.pullThrough("_default", "http://10.0.20.10:5000");
        String out = HostsToml.render(d, V17);
        Golden.assertGolden(DIR.resolve("_default-1.7.toml"), out);
        assertFalse(out.contains("server"), "each image's own registry stays the fallback");
        String exclusive = HostsToml.render(d.withServer("http://10.0.20.10:5000"), V17);
        assertTrue(exclusive.contains("server = \"http://10.0.20.10:5000\""), exclusive);
    }

    @Test
    void dialTimeoutOn207AndOn21() throws IOException {
        MirrorSpec m = MirrorSpec.of("quay.io", Endpoint.of("http://10.0.20.10:5020").withDialTimeout("1s"));
        Golden.assertGolden(DIR.resolve("quay.io-dial-timeout-2.0.7.toml"), HostsToml.render(m, V207));
        assertEquals(HostsToml.render(m, V207), HostsToml.render(m, V214), "the same text on every version that accepts it");
        assertEquals(HostsToml.render(m, V207), HostsToml.render(m), "and before the version is known");
    }

    @Test
    void everyFieldOnContainerd22() throws IOException {
        MirrorSpec m = new MirrorSpec("registry.example.com:5443", "https://registry.example.com:5443", List.of(
                Endpoint.of("https://harbor.example.com/v2/proxy-registry")
                        .withCapabilities("pull", "resolve", "referrers")
                        .withCa("/etc/containerd/certs.d/ca/harbor.crt", "/etc/pki/tls/certs/corp-root.pem")
                        .withClient(ClientCert.of("/etc/pki/node.crt", "/etc/pki/node.key"), ClientCert.of("/etc/pki/both.pem", null))
                        .withSkipVerify(true)
                        .withOverridePath(true)
                        .withDialTimeout("500ms"),
                Endpoint.of("http://10.0.20.10:5060").withCapabilities("PULL", " resolve ")));
        String out = HostsToml.render(m, V22);
        Golden.assertGolden(DIR.resolve("registry.example.com:5443-all-fields-2.2.toml"), out);
        TomlParseResult p = Toml.parse(out);
        assertFalse(p.hasErrors(), p.errors()::toString);
        assertEquals(List.of("https://harbor.example.com/v2/proxy-registry", "http://10.0.20.10:5060"),
                List.copyOf(p.getTable("host").keySet()), "hosts keep their order");
        assertEquals(List.of("pull", "resolve"), p.getArray(List.of("host", "http://10.0.20.10:5060", "capabilities")).toList(),
                "capabilities are written the way containerd matches them");
    }

    @Test
    void neverEmitsAFieldTheVersionDoesNotKnow() {
        MirrorSpec dial = MirrorSpec.of("docker.io", Endpoint.of("http://10.0.20.10:5000").withDialTimeout("1s"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostsToml.render(dial, V17));
        assertTrue(e.getMessage().contains("dial_timeout") && e.getMessage().contains("1.7.27"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HostsToml.render(dial, ContainerdVersion.of(2, 0, 6)));
        MirrorSpec referrers = MirrorSpec.of("docker.io", Endpoint.of("http://10.0.20.10:5000")
                .withCapabilities("pull", "resolve", "referrers"));
        assertThrows(IllegalArgumentException.class, () -> HostsToml.render(referrers, V214));
        assertThrows(IllegalArgumentException.class, () -> HostsToml.render(MirrorSpec.pullThrough("_default",
                "http://10.0.20.10:5000"), DEBIAN_16));
        assertThrows(IllegalArgumentException.class, () -> HostsToml.render(MirrorSpec.of("docker.io",
                Endpoint.of("https://h.example/v2/x").withOverridePath(true)), ContainerdVersion.of(1, 5, 18)));
    }

    @Test
    void alwaysAtLeastOneHostTable() {
        // containerd 1.7 cannot parse a hosts.toml without [host] (containerd#10027)
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostsToml.render(MirrorSpec.of("docker.io")));
        assertTrue(e.getMessage().contains("endpoints"), e.getMessage());
    }

    @Test
    void escapesWhatTomlNeedsEscaped() {
        MirrorSpec m = MirrorSpec.of("docker.io", Endpoint.of("https://mirror.example.com").withCa("/etc/pki/odd \"name\"\\x.pem"));
        String out = HostsToml.render(m, V17);
        assertEquals(List.of("/etc/pki/odd \"name\"\\x.pem"),
                Toml.parse(out).getArray(List.of("host", "https://mirror.example.com", "ca")).toList());
    }

    @Test
    void readsItsOwnFilesBack() {
        MirrorSpec m = new MirrorSpec("ghcr.io", null, List.of(
                Endpoint.of("http://10.0.20.10:5010").withDialTimeout("2s"),
                Endpoint.of("https://mirror.example.com/v2/ghcr").withOverridePath(true).withSkipVerify(true)
                        .withCa("/etc/pki/ca.pem").withClient(ClientCert.of("/c.pem", "/k.pem"), ClientCert.of("/both.pem", null))));
        String text = HostsToml.render(m, V214);
        HostsToml.Parsed back = HostsToml.parse("ghcr.io", text);
        assertTrue(back.managed());
        assertEquals(List.of(), back.ignored());
        assertEquals(text, HostsToml.render(back.mirror(), V214), "render(parse(render(x))) == render(x)");
        assertEquals(null, back.mirror().server(), "the default server is not an explicit setting");
    }

    @Test
    void readsAHandMadeFileForImport() {
        String seed = """
                server = "https://registry-1.docker.io"
                [host."http://10.0.20.10:5000"]
                capabilities = ["pull", "resolve"]
                  [host."http://10.0.20.10:5000".header]
                  x-custom = "1"
                """;
        HostsToml.Parsed p = HostsToml.parse("docker.io", seed);
        assertFalse(p.managed(), "only files with the header are imagecache's");
        assertEquals(List.of(), p.ignored(), "headers are read, not ignored");
        assertEquals(MirrorSpec.of("docker.io", Endpoint.of("http://10.0.20.10:5000").withCapabilities("pull", "resolve")
                        .withHeader("x-custom", "1")), p.mirror());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostsToml.parse("docker.io", "server = \"x\"\n[host.\"a\"\n"));
        assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HostsToml.parse("docker.io", "[host.\"h\"]\ncapabilities = \"pull\"\n"));
    }

    @Test
    void pathsAndOwnership() {
        assertEquals("/etc/containerd/certs.d/docker.io/hosts.toml", HostsToml.path("/etc/containerd/certs.d", "docker.io"));
        assertEquals("/etc/containerd/certs.d/10.0.20.10:5000/hosts.toml", HostsToml.path("/etc/containerd/certs.d/", "10.0.20.10:5000"));
        assertTrue(HostsToml.isManaged(HostsToml.render(SEED_GHCR)));
        assertFalse(HostsToml.isManaged("server = \"https://ghcr.io\"\n# Managed by imagecache. Do not edit.\n"));
        assertFalse(HostsToml.isManaged(null));
    }

    @Test
    void aHostWithoutCapabilitiesMeansEveryCapabilityOfThatVersion() {
        String file = "[host.\"https://mirror.example.com\"]\n";
        assertEquals(List.of("pull", "resolve", "push"),
                HostsToml.parse("docker.io", file, V214).mirror().endpoints().get(0).capabilities());
        assertEquals(List.of("pull", "resolve", "push", "referrers"),
                HostsToml.parse("docker.io", file, V22).mirror().endpoints().get(0).capabilities());
        assertFalse(HostsToml.sameMeaning("docker.io", file, MirrorSpec.pullThrough("docker.io", "https://mirror.example.com")),
                "pull and resolve only is not what containerd makes of it (push is allowed there)");
    }

    @Test
    void fieldsItDoesNotModelAreListedAndTypeErrorsRefused() {
        HostsToml.Parsed p = HostsToml.parse("docker.io", """
                server = "https://registry-1.docker.io"
                ca = "/etc/pki/upstream.pem"
                [host."https://m.example"]
                  capabilities = ["pull", "resolve"]
                  proxy = "http://squid:3128"
                """);
        assertEquals(List.of("host.\"https://m.example\".proxy"), p.ignored());
        assertEquals(List.of("/etc/pki/upstream.pem"), p.mirror().serverSettings().ca(), "top-level settings are the server's");
        assertEquals(List.of("capabilities"), HostsToml.parse("docker.io", "capabilities = [\"pull\"]\n[host.\"https://m\"]\n")
                .ignored(), "top-level capabilities without a server line mean nothing to containerd");
        assertFalse(HostsToml.sameMeaning("docker.io", """
                [host."https://m.example"]
                  capabilities = ["pull", "resolve"]
                  proxy = "http://squid:3128"
                """, MirrorSpec.pullThrough("docker.io", "https://m.example")), "a field we cannot hold is a difference");
        for (String bad : List.of("[host.\"h\"]\nskip_verify = \"yes\"\n", "[host.\"h\"]\ndial_timeout = 5\n",
                "[host.\"h\"]\nheader = \"x\"\n", "[host.\"h\"]\n[host.\"h\".header]\nx = 1\n",
                "[host.\"h\"]\nclient = [[\"a\", \"b\", \"c\"]]\n", "server = 1\n")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostsToml.parse("docker.io", bad), bad);
            assertTrue(e.getMessage().contains("must be"), e.getMessage());
        }
    }

    @Test
    void headersRenderAsTheirOwnTable() throws IOException {
        MirrorSpec m = MirrorSpec.of("quay.io", Endpoint.of("https://mirror.example.com").withHeader("X-Mirror-Token", "abc")
                .withHeader("x.multi", "a", "b"), Endpoint.of("http://10.0.20.10:5020"));
        String out = HostsToml.render(m, V17);
        Golden.assertGolden(DIR.resolve("quay.io-headers.toml"), out);
        assertEquals(m.canonical(), HostsToml.parse("quay.io", out).mirror().canonical());
        assertTrue(HostsToml.sameMeaning("quay.io", out, m));
    }

    @Test
    void hostsThatContainerd2CannotSeeAreRefused() {
        for (String hidden : List.of("host.\"https://m.example\".capabilities = [\"pull\"]\n",
                "host.\"https://m.example\" = { capabilities = [\"pull\"] }\n",
                "[host]\n\"https://m.example\" = { capabilities = [\"pull\"] }\n")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostsToml.parse("docker.io", hidden),
                    hidden);
            assertTrue(e.getMessage().contains("must be declared as a [host.\"https://m.example\"] table"), e.getMessage());
        }
        assertEquals(1, HostsToml.parse("docker.io", "[host.\"https://m.example\"]\n[host.\"https://m.example\".header]\nx = \"1\"\n")
                .mirror().endpoints().size());
    }

    @Test
    void aParseErrorNamesLineAndColumnButNotTheFilesText() {
        String secret = "\"Bearer\" s3cr3t-t0ken-value"; // tomlj quotes the token after a value
        String content = "server = \"https://ghcr.io\"\n[host.\"http://10.0.20.10:5010\".header]\n"
                + "  Authorization = " + secret + "\n";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostsToml.parse("ghcr.io", content, ContainerdVersion.parse("containerd github.com/containerd/containerd v1.7.35")));
        assertTrue(e.getMessage().contains("line 3"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t"), "a header value is a credential: " + e.getMessage());
    }
}
