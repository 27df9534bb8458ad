package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Decoded;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every invalid input fails at Check, naming the property, with no connection made. */
class ContainerdMirrorCheckTest {
    private static final AtomicInteger DIALS = new AtomicInteger();
    private static final ContainerdMirror RESOURCE = new ContainerdMirror((t, p) -> {
        DIALS.incrementAndGet();
        throw new AssertionError("Check connected to a host");
    }, Optional::empty, Clock.systemUTC());

    private static ContainerdMirror.MirrorArgs m(String registry, String... endpoints) {
        return new ContainerdMirror.MirrorArgs(registry, List.of(endpoints), null, null, null, null, null, null);
    }

    private static MirrorTypes.MirrorHost host(String url) {
        return new MirrorTypes.MirrorHost(url, null, null, null, null, null, null, null);
    }

    private static ContainerdMirror.MirrorArgs hosts(String registry, MirrorTypes.MirrorHost... hosts) {
        return new ContainerdMirror.MirrorArgs(registry, null, null, null, null, null, null, null, null, null, List.of(hosts));
    }

    private static ConnectionArgs conn() {
        return new ConnectionArgs("10.0.30.1", 22, "root", null, null, null, null, null, 15, 10, 2, false);
    }

    private static ContainerdMirror.Args valid() {
        return new ContainerdMirror.Args(conn(), List.of(m("docker.io", "http://10.0.20.10:5000"), m("ghcr.io", "http://10.0.20.10:5010")),
                "/etc/containerd/certs.d", "/etc/containerd/config.toml", "systemctl restart containerd", 60);
    }

    private static ContainerdMirror.Args withMirror(ContainerdMirror.MirrorArgs second) {
        ContainerdMirror.Args v = valid();
        return new ContainerdMirror.Args(v.connection(), List.of(v.mirrors().get(0), second), v.certsDir(), v.configFile(),
                v.restartCommand(), v.criTimeoutSeconds());
    }

    private static Arguments c(String name, String property, ContainerdMirror.Args args) {
        return Arguments.of(name, property, args);
    }

    private static Arguments c(String name, String property, UnaryOperator<ContainerdMirror.MirrorArgs> change) {
        return c(name, property, withMirror(change.apply(m("ghcr.io", "http://10.0.20.10:5010"))));
    }

    static Stream<Arguments> invalid() {
        ContainerdMirror.Args v = valid();
        return Stream.of(
                c("endpoint without scheme", "mirrors[1].endpoints[0]", withMirror(m("ghcr.io", "10.0.20.10:5010"))),
                c("endpoint with another scheme", "mirrors[1].endpoints[0]", withMirror(m("ghcr.io", "ftp://10.0.20.10:5010"))),
                c("endpoint with credentials", "mirrors[1].endpoints[0]", withMirror(m("ghcr.io", "http://u:p@10.0.20.10:5010"))),
                c("endpoint with a query", "mirrors[1].endpoints[0]", withMirror(m("ghcr.io", "http://10.0.20.10:5010/?ns=x"))),
                c("the same endpoint twice", "mirrors[1].endpoints[1]", withMirror(m("ghcr.io", "http://10.0.20.10:5010", "http://10.0.20.10:5010"))),
                c("no endpoints", "mirrors[1].endpoints", withMirror(m("ghcr.io"))),
                c("duplicate registry", "mirrors[1].registry", withMirror(m("docker.io", "http://10.0.20.10:5001"))),
                c("registry with a scheme", "mirrors[1].registry", withMirror(m("https://ghcr.io", "http://10.0.20.10:5010"))),
                c("registry with a path", "mirrors[1].registry", withMirror(m("ghcr.io/org", "http://10.0.20.10:5010"))),
                c("the old wildcard", "mirrors[1].registry", withMirror(m("*", "http://10.0.20.10:5010"))),
                c("unknown capability", "mirrors[1].capabilities[1]", x -> new ContainerdMirror.MirrorArgs(x.registry(), x.endpoints(),
                        null, List.of("pull", "fetch"), null, null, null, null)),
                c("relative CA path", "mirrors[1].ca[0]", x -> new ContainerdMirror.MirrorArgs(x.registry(),
                        List.of("https://10.0.20.10:5443"), null, null, null, List.of("ca.pem"), null, null)),
                c("CA on an http mirror", "mirrors[1].ca", x -> new ContainerdMirror.MirrorArgs(x.registry(), x.endpoints(),
                        null, null, null, List.of("/etc/ssl/ca.pem"), null, null)),
                c("dial timeout that is not a duration", "mirrors[1].dialTimeout", x -> new ContainerdMirror.MirrorArgs(x.registry(),
                        x.endpoints(), null, null, null, null, null, "5 seconds")),
                c("override path without a path", "mirrors[1].overridePath", x -> new ContainerdMirror.MirrorArgs(x.registry(),
                        x.endpoints(), null, null, null, null, true, null)),
                c("server without scheme", "mirrors[1].server", x -> new ContainerdMirror.MirrorArgs(x.registry(), x.endpoints(),
                        "ghcr.io", null, null, null, null, null)),
                c("a relative client key on the second host", "mirrors[1].hosts[1].client[0].key", withMirror(hosts("ghcr.io",
                        host("http://10.0.20.10:5010"), new MirrorTypes.MirrorHost("https://m.example", null, null, null,
                                List.of(new MirrorTypes.ClientCertificate("/etc/pki/c.crt", "c.key")), null, null, null)))),
                c("a header name with a space", "mirrors[1].hosts[0].header[\"X Token\"]", withMirror(hosts("ghcr.io",
                        new MirrorTypes.MirrorHost("http://10.0.20.10:5010", null, null, null, null, null, null,
                                java.util.Map.of("X Token", List.of("1")))))),
                c("a host URL without scheme", "mirrors[1].hosts[0].url", withMirror(hosts("ghcr.io", host("10.0.20.10:5010")))),
                c("both endpoints and hosts", "mirrors[1].hosts", withMirror(new ContainerdMirror.MirrorArgs("ghcr.io",
                        List.of("http://10.0.20.10:5010"), null, null, null, null, null, null, null, null,
                        List.of(host("http://10.0.20.10:5011"))))),
                c("a mirror-level setting next to hosts", "mirrors[1].dialTimeout", withMirror(new ContainerdMirror.MirrorArgs(
                        "ghcr.io", null, null, null, null, null, null, "1s", null, null, List.of(host("http://10.0.20.10:5010"))))),
                c("empty hosts", "mirrors[1].hosts", withMirror(hosts("ghcr.io"))),
                c("relative certsDir", "certsDir", new ContainerdMirror.Args(v.connection(), v.mirrors(), "certs.d",
                        v.configFile(), v.restartCommand(), 60)),
                c("colon-list certsDir", "certsDir", new ContainerdMirror.Args(v.connection(), v.mirrors(),
                        "/etc/containerd/certs.d:/etc/docker/certs.d", v.configFile(), v.restartCommand(), 60)),
                c("relative config file", "configFile", new ContainerdMirror.Args(v.connection(), v.mirrors(), v.certsDir(),
                        "config.toml", v.restartCommand(), 60)),
                c("empty restart command", "restartCommand", new ContainerdMirror.Args(v.connection(), v.mirrors(), v.certsDir(),
                        v.configFile(), " ", 60)),
                c("CRI wait out of range", "criTimeoutSeconds", new ContainerdMirror.Args(v.connection(), v.mirrors(), v.certsDir(),
                        v.configFile(), v.restartCommand(), 1)),
                c("no mirrors", "mirrors", new ContainerdMirror.Args(v.connection(), List.of(), v.certsDir(), v.configFile(),
                        v.restartCommand(), 60)),
                c("SSH port out of range", "connection.port", new ContainerdMirror.Args(new ConnectionArgs("10.0.30.1", 70000,
                        "root", null, null, null, null, null, 15, 10, 2, false), v.mirrors(), v.certsDir(), v.configFile(),
                        v.restartCommand(), 60)),
                c("malformed host key", "connection.hostKey", new ContainerdMirror.Args(new ConnectionArgs("10.0.30.1", 22,
                        "root", null, null, null, "AAAA-not-a-key", null, 15, 10, 2, false), v.mirrors(), v.certsDir(),
                        v.configFile(), v.restartCommand(), 60)),
                c("a key path instead of a key", "connection.privateKey", new ContainerdMirror.Args(new ConnectionArgs("10.0.30.1",
                        22, "root", "/root/.ssh/id_ed25519", null, null, null, null, 15, 10, 2, false), v.mirrors(), v.certsDir(),
                        v.configFile(), v.restartCommand(), 60)),
                c("a key file whose body is not a key", "connection.privateKey", new ContainerdMirror.Args(new ConnectionArgs(
                        "10.0.30.1", 22, "root", "-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----",
                        null, null, null, null, 15, 10, 2, false), v.mirrors(), v.certsDir(), v.configFile(), v.restartCommand(), 60)),
                c("a host with a port", "connection.host", new ContainerdMirror.Args(new ConnectionArgs("10.0.30.1:2222", 22,
                        "root", null, null, null, null, null, 15, 10, 2, false), v.mirrors(), v.certsDir(), v.configFile(),
                        v.restartCommand(), 60)),
                c("a host with a shell character", "connection.host", new ContainerdMirror.Args(new ConnectionArgs("node1;id", 22,
                        "root", null, null, null, null, null, 15, 10, 2, false), v.mirrors(), v.certsDir(), v.configFile(),
                        v.restartCommand(), 60)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void failsAtCheckNamingTheProperty(String name, String property, ContainerdMirror.Args args) {
        List<CheckFailure> failures = RESOURCE.check(new Decoded<>(args, Set.of(), Set.of(), List.of()));
        assertTrue(failures.stream().anyMatch(f -> f.property().equals(property)),
                name + ": expected a failure on " + property + ", got " + failures);
        for (CheckFailure f : failures) {
            assertFalse(f.reason().isBlank(), "every failure says what to do: " + f);
        }
        assertEquals(0, DIALS.get());
    }

    @org.junit.jupiter.api.Test
    void theValidInputsPass() {
        assertEquals(List.of(), RESOURCE.check(new Decoded<>(valid(), Set.of(), Set.of(), List.of())));
    }
}
