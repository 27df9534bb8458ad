package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.containerd.ContainerdVersion;
import io.imagecache.containerd.HostsToml;
import io.imagecache.containerd.MirrorSpec;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.ResourceException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Import of hand-made hosts.toml files: for every golden input, parse -> inputs -> spec -> render means to containerd
 * what the input means (HostsToml.parse of both equal), the inputs take the simplest form, and what cannot be held is
 * refused naming the file and the field.
 */
class ContainerdMirrorImportTest {
    private static final Path DIR = Path.of("src/test/resources/testdata/containerd/hosts/import");
    private static final ContainerdVersion V214 = ContainerdVersion.of(2, 1, 4);
    private static final ContainerdVersion V22 = ContainerdVersion.of(2, 2, 0);

    static Stream<Path> goldenInputs() throws IOException {
        return Files.list(DIR).filter(p -> p.toString().endsWith(".toml") && !p.toString().endsWith(".rendered.toml")).sorted();
    }

    private static ContainerdVersion versionFor(Path input) {
        return input.getFileName().toString().contains("-2.2") ? V22 : V214;
    }

    @ParameterizedTest
    @MethodSource("goldenInputs")
    void importThenRenderMeansTheSame(Path input) throws Exception {
        String name = input.getFileName().toString();
        String registry = name.substring(0, name.indexOf("--"));
        String text = Files.readString(input, StandardCharsets.UTF_8);
        ContainerdVersion v = versionFor(input);

        ContainerdMirror.MirrorArgs args = Mirrors.imported("/etc/containerd/certs.d/" + registry + "/hosts.toml",
                registry, text, v, "node");
        String rendered = HostsToml.render(Mirrors.spec(args), v);
        Path golden = DIR.resolve(name.replace(".toml", ".rendered.toml"));
        if ("1".equals(System.getenv("UPDATE_GOLDEN"))) {
            Files.writeString(golden, rendered, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), rendered, "golden " + golden);

        assertEquals(HostsToml.parse(registry, text, v).mirror().canonical(),
                HostsToml.parse(registry, rendered, v).mirror().canonical(), "same meaning to containerd " + v);
        assertTrue(Mirrors.sameMeaning(registry, text, Mirrors.spec(args)),
                "drift compares meanings: the untouched hand-made file is not drift");
        assertEquals(List.of(), Mirrors.failures(
                io.imagecache.containerd.MirrorValidation.check(List.of(Mirrors.spec(args)), v), List.of(args)),
                "what import emits passes Check");
    }

    @Test
    void mirrorsThatShareSettingsUseEndpointsAndOthersUseHosts() throws Exception {
        ContainerdMirror.MirrorArgs shared = Mirrors.imported("f", "quay.io",
                Files.readString(DIR.resolve("quay.io--headers.toml")), V214, "node");
        assertEquals(List.of("https://mirror-a.example.com", "https://mirror-b.example.com"), shared.endpoints());
        assertNull(shared.hosts());
        assertNull(shared.capabilities(), "pull and resolve (in any order or case) is the default");
        assertEquals(List.of("en", "de"), shared.header().get("Accept-Language"));

        ContainerdMirror.MirrorArgs mtls = Mirrors.imported("f", "docker.io",
                Files.readString(DIR.resolve("docker.io--mtls-client-pairs.toml")), V214, "node");
        assertEquals(List.of(new MirrorTypes.ClientCertificate("/etc/pki/node/client.crt", "/etc/pki/node/client.key"),
                new MirrorTypes.ClientCertificate("/etc/pki/node/both.pem", null)), mtls.client());

        ContainerdMirror.MirrorArgs differing = Mirrors.imported("f", "ghcr.io",
                Files.readString(DIR.resolve("ghcr.io--per-host-capabilities.toml")), V214, "node");
        assertNull(differing.endpoints());
        assertNotNull(differing.hosts());
        assertEquals(List.of("pull"), differing.hosts().get(1).capabilities());
        assertEquals(Boolean.TRUE, differing.hosts().get(1).skipVerify());
        assertEquals(List.of("pull", "resolve", "push"), differing.hosts().get(2).capabilities());
    }

    @Test
    void whatTheInputsCannotHoldIsRefusedNamingFileAndField() {
        ResourceException top = assertThrows(ResourceException.class, () -> Mirrors.imported(
                "/etc/containerd/certs.d/docker.io/hosts.toml", "docker.io",
                "capabilities = [\"pull\"]\n[host.\"https://m.example\"]\n", V214, "node"));
        assertEquals(ResourceException.Kind.INVALID, top.kind());
        assertTrue(top.getMessage().contains("/etc/containerd/certs.d/docker.io/hosts.toml")
                && top.getMessage().contains("[capabilities]") && top.getMessage().contains("server line"), top.getMessage());

        ResourceException unknown = assertThrows(ResourceException.class, () -> Mirrors.imported("/x/hosts.toml",
                "docker.io", "[host.\"https://m.example\"]\n  proxy = \"http://squid:3128\"\n", V214, "node"));
        assertTrue(unknown.getMessage().contains("host.\"https://m.example\".proxy") && unknown.getMessage().contains("remove it"),
                unknown.getMessage());

        ResourceException type = assertThrows(ResourceException.class, () -> Mirrors.imported("/x/hosts.toml",
                "docker.io", "[host.\"https://m.example\"]\n  skip_verify = \"yes\"\n", V214, "node"));
        assertTrue(type.getMessage().contains("skip_verify must be true or false"), type.getMessage());

        ResourceException check = assertThrows(ResourceException.class, () -> Mirrors.imported("/x/hosts.toml",
                "docker.io", "[host.\"https://m.example\"]\n  ca = \"ca.crt\"\n", V214, "node"));
        assertTrue(check.getMessage().contains("relative") && check.getMessage().contains("/x/hosts.toml"), check.getMessage());
    }

    @Test
    void checkNamesPerHostPropertiesAndRefusesBothForms() {
        MirrorTypes.MirrorHost good = new MirrorTypes.MirrorHost("https://m.example", null, null, null, null, null,
                null, null);
        MirrorTypes.MirrorHost badClient = new MirrorTypes.MirrorHost("https://m2.example", null, null, null,
                List.of(new MirrorTypes.ClientCertificate("client.crt", null)), null, null, null);
        ContainerdMirror.MirrorArgs m = new ContainerdMirror.MirrorArgs("docker.io", null, null, null, null, null, null, null,
                null, null, List.of(good, badClient));
        List<CheckFailure> f = Mirrors.failures(io.imagecache.containerd.MirrorValidation.check(
                Mirrors.specs(List.of(m))), List.of(m));
        assertEquals(List.of("mirrors[0].hosts[1].client[0].cert"), f.stream().map(CheckFailure::property).toList(), f::toString);

        ContainerdMirror.MirrorArgs both = new ContainerdMirror.MirrorArgs("docker.io", List.of("http://10.0.20.10:5000"),
                null, List.of("pull"), null, null, null, null, null, null, List.of(good));
        List<String> props = Mirrors.failures(io.imagecache.containerd.MirrorValidation.check(
                Mirrors.specs(List.of(both))), List.of(both)).stream().map(CheckFailure::property).toList();
        assertTrue(props.contains("mirrors[0].hosts") && props.contains("mirrors[0].capabilities"), props::toString);

        ContainerdMirror.MirrorArgs badUrl = new ContainerdMirror.MirrorArgs("docker.io", null, null, null, null, null, null,
                null, null, null, List.of(new MirrorTypes.MirrorHost("10.0.20.10:5000", null, null, null, null, null, null,
                null)));
        assertEquals(List.of("mirrors[0].hosts[0].url"), Mirrors.failures(io.imagecache.containerd.MirrorValidation
                .check(Mirrors.specs(List.of(badUrl))), List.of(badUrl)).stream().map(CheckFailure::property).toList());
    }

    @Test
    void serverSettingsAreAdoptedAndChecked() throws Exception {
        ContainerdMirror.MirrorArgs a = Mirrors.imported("f", "registry.corp.example",
                Files.readString(DIR.resolve("registry.corp.example--server-level-settings.toml")), V214, "node");
        assertEquals(List.of("/etc/pki/corp/root.pem"), a.serverSettings().ca());
        assertEquals(List.of("node-7"), a.serverSettings().header().get("X-Node"));
        assertEquals("3s", a.serverSettings().dialTimeout());
        ContainerdMirror.MirrorArgs bad = new ContainerdMirror.MirrorArgs("docker.io", List.of("http://10.0.20.10:5000"), null,
                null, null, null, null, null, null, null, null, new MirrorTypes.ServerSettings(List.of("fetch"), null,
                List.of("ca.pem"), null, null, "1s", null));
        List<String> props = Mirrors.failures(io.imagecache.containerd.MirrorValidation.check(
                Mirrors.specs(List.of(bad)), ContainerdVersion.of(1, 7, 27)), List.of(bad)).stream()
                .map(CheckFailure::property).toList();
        assertEquals(List.of("mirrors[0].serverSettings.capabilities[0]", "mirrors[0].serverSettings.ca[0]",
                "mirrors[0].serverSettings.dialTimeout"), props);
    }

    @Test
    void aMirrorSpecRoundTripsThroughTheInputs() {
        MirrorSpec s = MirrorSpec.of("docker.io", MirrorSpec.Endpoint.of("https://a.example").withHeader("X", "1"),
                MirrorSpec.Endpoint.of("https://b.example"));
        assertEquals(s.canonical(), Mirrors.spec(Mirrors.args(s)).canonical());
    }
}
