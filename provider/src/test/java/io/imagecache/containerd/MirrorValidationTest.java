package io.imagecache.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.containerd.MirrorSpec.ClientCert;
import io.imagecache.containerd.MirrorSpec.Endpoint;
import io.imagecache.containerd.Problem.Rule;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class MirrorValidationTest {
    private static final ContainerdVersion V16 = ContainerdVersion.of(1, 6, 20);
    private static final ContainerdVersion V17 = ContainerdVersion.of(1, 7, 27);
    private static final ContainerdVersion V206 = ContainerdVersion.of(2, 0, 6);
    private static final ContainerdVersion V214 = ContainerdVersion.of(2, 1, 4);
    private static final ContainerdVersion V22 = ContainerdVersion.of(2, 2, 0);
    private static final Set<Rule> COVERED = EnumSet.noneOf(Rule.class);

    private static final Endpoint PROXY = Endpoint.of("http://10.0.20.10:5000");

    private static MirrorSpec mirror(String registry, Endpoint... e) {
        return MirrorSpec.of(registry, e);
    }

    /** One bad input per case: the rule it breaks, the property it names, and words the sentence must contain. */
    static Stream<Arguments> badInputs() {
        List<Arguments> a = new ArrayList<>();
        // version-independent
        a.add(bad(Rule.REGISTRY_EMPTY, "mirrors[0].registry", "registry namespace", null, List.of(mirror(" ", PROXY))));
        a.add(bad(Rule.REGISTRY_SCHEME, "mirrors[0].registry", "\"ghcr.io\"", null, List.of(mirror("https://ghcr.io/", PROXY))));
        a.add(bad(Rule.REGISTRY_PATH, "mirrors[0].registry", "\"ghcr.io\"", null, List.of(mirror("ghcr.io/org", PROXY))));
        a.add(bad(Rule.REGISTRY_WILDCARD, "mirrors[0].registry", "_default", null, List.of(mirror("*", PROXY))));
        a.add(bad(Rule.REGISTRY_INVALID, "mirrors[0].registry", "host name", null, List.of(mirror("my_registry", PROXY))));
        a.add(bad(Rule.REGISTRY_INVALID, "mirrors[0].registry", "host name", null, List.of(mirror("10.0.20.10:99999", PROXY))));
        a.add(bad(Rule.REGISTRY_INVALID, "mirrors[0].registry", "host name", null, List.of(mirror("..", PROXY))));
        // a valid DNS name of 253 with a port: 259 characters, a directory name no node can create
        a.add(bad(Rule.REGISTRY_INVALID, "mirrors[0].registry", "at most 255", null, List.of(mirror(
                "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(61) + ":65535", PROXY))));
        a.add(bad(Rule.REGISTRY_DUPLICATE, "mirrors[1].registry", "mirrors[0]", null,
                List.of(mirror("ghcr.io", PROXY), mirror("GHCR.io", Endpoint.of("http://10.0.20.10:5010")))));
        a.add(bad(Rule.ENDPOINTS_EMPTY, "mirrors[0].endpoints", "at least one", null, List.of(mirror("docker.io"))));
        a.add(bad(Rule.ENDPOINT_NO_SCHEME, "mirrors[0].endpoints[0]", "http://10.0.20.10:5000", null,
                List.of(mirror("docker.io", Endpoint.of("10.0.20.10:5000")))));
        a.add(bad(Rule.ENDPOINT_SCHEME, "mirrors[0].endpoints[0]", "ftp://", null,
                List.of(mirror("docker.io", Endpoint.of("ftp://10.0.20.10:5000")))));
        a.add(bad(Rule.ENDPOINT_INVALID_URL, "mirrors[0].endpoints[0]", "not a valid URL", null,
                List.of(mirror("docker.io", Endpoint.of("http://10.0.20.10:5000/a b")))));
        a.add(bad(Rule.ENDPOINT_INVALID_URL, "mirrors[0].endpoints[0]", "no valid host", null,
                List.of(mirror("docker.io", Endpoint.of("http://:5000")))));
        a.add(bad(Rule.ENDPOINT_INVALID_URL, "mirrors[0].endpoints[1]", "is empty", null,
                List.of(mirror("docker.io", PROXY, Endpoint.of("")))));
        a.add(bad(Rule.ENDPOINT_CREDENTIALS, "mirrors[0].endpoints[0]", "credentials", null,
                List.of(mirror("docker.io", Endpoint.of("https://user:secret@mirror.example.com")))));
        a.add(bad(Rule.ENDPOINT_QUERY, "mirrors[0].endpoints[0]", "query", null,
                List.of(mirror("docker.io", Endpoint.of("http://10.0.20.10:5000/?ns=docker.io")))));
        a.add(bad(Rule.ENDPOINT_DUPLICATE, "mirrors[0].endpoints[1]", "endpoints[0]", null,
                List.of(mirror("docker.io", PROXY, Endpoint.of("HTTP://10.0.20.10:5000/")))));
        a.add(bad(Rule.CAPABILITY_UNKNOWN, "mirrors[0].endpoints[0].capabilities[1]", "pull, resolve, push or referrers", null,
                List.of(mirror("docker.io", PROXY.withCapabilities("pull", "fetch")))));
        a.add(bad(Rule.CAPABILITY_DUPLICATE, "mirrors[0].endpoints[0].capabilities[2]", "twice", null,
                List.of(mirror("docker.io", PROXY.withCapabilities("pull", "resolve", "pull")))));
        Endpoint tlsEndpoint = Endpoint.of("https://mirror.example.com:5000");
        a.add(bad(Rule.PATH_EMPTY, "mirrors[0].endpoints[0].ca[0]", "absolute file path", null,
                List.of(mirror("docker.io", tlsEndpoint.withCa("")))));
        a.add(bad(Rule.PATH_RELATIVE, "mirrors[0].endpoints[0].ca[0]", "relative", null,
                List.of(mirror("docker.io", tlsEndpoint.withCa("ca.crt")))));
        a.add(bad(Rule.PATH_RELATIVE, "mirrors[0].endpoints[0].client[0].key", "relative", null,
                List.of(mirror("docker.io", tlsEndpoint.withClient(ClientCert.of("/etc/pki/node.crt", "node.key"))))));
        a.add(bad(Rule.HEADER_INVALID, "mirrors[0].endpoints[0].header[\"X Token\"]", "HTTP header name", null,
                List.of(mirror("docker.io", PROXY.withHeader("X Token", "1")))));
        a.add(bad(Rule.HEADER_INVALID, "mirrors[0].endpoints[0].header[\"X-Token\"][1]", "single-line", null,
                List.of(mirror("docker.io", PROXY.withHeader("X-Token", "a", "b\r\nHost: evil")))));
        a.add(bad(Rule.HEADER_INVALID, "mirrors[0].endpoints[0].header[\"X-Token\"]", "no value", null,
                List.of(mirror("docker.io", PROXY.withHeader("X-Token")))));
        a.add(bad(Rule.TLS_ON_HTTP, "mirrors[0].endpoints[0].skipVerify", "plain http", null,
                List.of(mirror("docker.io", PROXY.withSkipVerify(true)))));
        a.add(bad(Rule.TLS_ON_HTTP, "mirrors[0].endpoints[0].ca", "plain http", null,
                List.of(mirror("docker.io", PROXY.withCa("/etc/ssl/ca.crt")))));
        a.add(bad(Rule.OVERRIDE_PATH_WITHOUT_PATH, "mirrors[0].endpoints[0].overridePath", "has no path", null,
                List.of(mirror("docker.io", PROXY.withOverridePath(true)))));
        a.add(bad(Rule.DIAL_TIMEOUT_FORMAT, "mirrors[0].endpoints[0].dialTimeout", "Go duration", null,
                List.of(mirror("docker.io", PROXY.withDialTimeout("1 second")))));
        a.add(bad(Rule.DIAL_TIMEOUT_FORMAT, "mirrors[0].endpoints[0].dialTimeout", "Go duration", null,
                List.of(mirror("docker.io", PROXY.withDialTimeout("5")))));
        a.add(bad(Rule.DIAL_TIMEOUT_NOT_POSITIVE, "mirrors[0].endpoints[0].dialTimeout", "not positive", null,
                List.of(mirror("docker.io", PROXY.withDialTimeout("0s")))));
        a.add(bad(Rule.DIAL_TIMEOUT_NOT_POSITIVE, "mirrors[0].endpoints[0].dialTimeout", "not positive", null,
                List.of(mirror("docker.io", PROXY.withDialTimeout("-1s")))));
        a.add(bad(Rule.SERVER_INVALID, "mirrors[0].server", "no scheme", null,
                List.of(mirror("ghcr.io", PROXY).withServer("ghcr.io"))));
        a.add(bad(Rule.DEFAULT_SERVER, "mirrors[0].server", "every registry", null,
                List.of(mirror("_default", PROXY).withServer("https://registry-1.docker.io"))));
        // version-dependent
        a.add(bad(Rule.VERSION_TOO_OLD, "mirrors", "1.5", ContainerdVersion.of(1, 4, 13), List.of(mirror("docker.io", PROXY))));
        a.add(bad(Rule.DEFAULT_NAMESPACE_UNSUPPORTED, "mirrors[0].registry", "1.7.0", V16, List.of(mirror("_default", PROXY))));
        a.add(bad(Rule.OVERRIDE_PATH_UNSUPPORTED, "mirrors[0].endpoints[0].overridePath", "1.6.0", ContainerdVersion.of(1, 5, 18),
                List.of(mirror("docker.io", Endpoint.of("https://harbor.example.com/v2/hub").withOverridePath(true)))));
        a.add(bad(Rule.DIAL_TIMEOUT_UNSUPPORTED, "mirrors[0].endpoints[0].dialTimeout", "2.0.7", V17,
                List.of(mirror("docker.io", PROXY.withDialTimeout("1s")))));
        a.add(bad(Rule.DIAL_TIMEOUT_UNSUPPORTED, "mirrors[0].endpoints[0].dialTimeout", "2.0.6", V206,
                List.of(mirror("docker.io", PROXY.withDialTimeout("1s")))));
        a.add(bad(Rule.REFERRERS_UNSUPPORTED, "mirrors[0].endpoints[0].capabilities[2]", "2.2.0", V214,
                List.of(mirror("docker.io", PROXY.withCapabilities("pull", "resolve", "referrers")))));
        return a.stream();
    }

    private static Arguments bad(Rule rule, String property, String words, ContainerdVersion v, List<MirrorSpec> mirrors) {
        return Arguments.of(rule + " " + property, rule, property, words, v, mirrors);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputs")
    void eachRuleNamesThePropertyAndSaysWhatToDo(String name, Rule rule, String property, String words,
                                                  ContainerdVersion v, List<MirrorSpec> mirrors) {
        List<Problem> problems = v == null ? MirrorValidation.check(mirrors) : MirrorValidation.check(mirrors, v);
        assertEquals(1, problems.size(), () -> "exactly one problem expected, got " + problems);
        Problem p = problems.get(0);
        assertEquals(rule, p.rule(), p::toString);
        assertEquals(property, p.property());
        assertTrue(p.reason().contains(words), () -> "\"" + p.reason() + "\" should contain \"" + words + "\"");
        assertEquals(v != null, rule.needsVersion(), "version rules are exactly those that need a version");
        if (v != null) {
            assertEquals(List.of(), MirrorValidation.check(mirrors), "without a version only version-independent rules run");
            assertEquals(problems, MirrorValidation.checkForVersion(mirrors, v));
        }
        COVERED.add(rule);
    }

    @Test
    void certsDirMustBeOneAbsoluteDirectory() {
        assertEquals(List.of(), MirrorValidation.checkCertsDir("/etc/containerd/certs.d"));
        assertEquals(List.of(), MirrorValidation.checkCertsDir("/var/lib/rancher/k3s/agent/etc/containerd/certs.d/"));
        assertRule(Rule.CERTS_DIR_EMPTY, MirrorValidation.checkCertsDir(""));
        assertRule(Rule.CERTS_DIR_EMPTY, MirrorValidation.checkCertsDir(null));
        assertRule(Rule.CERTS_DIR_RELATIVE, MirrorValidation.checkCertsDir("certs.d"));
        assertRule(Rule.CERTS_DIR_LIST, MirrorValidation.checkCertsDir("/etc/containerd/certs.d:/etc/docker/certs.d"));
        assertRule(Rule.CERTS_DIR_INVALID, MirrorValidation.checkCertsDir("/etc/containerd/\"certs.d"));
        assertRule(Rule.CERTS_DIR_INVALID, MirrorValidation.checkCertsDir("/etc/containerd/../certs.d"));
        assertRule(Rule.CERTS_DIR_INVALID, MirrorValidation.checkCertsDir("/"));
        assertRule(Rule.CERTS_DIR_INVALID, MirrorValidation.checkCertsDir("/etc/containerd/certs.d\n"));
        assertRule(Rule.CERTS_DIR_INVALID, MirrorValidation.checkCertsDir("/etc/" + "c".repeat(256)));
        assertRule(Rule.CERTS_DIR_INVALID, MirrorValidation.checkCertsDir(("/" + "c".repeat(250)).repeat(16)));
        assertEquals(List.of(), MirrorValidation.checkCertsDir("/etc/" + "c".repeat(255) + "/h o'st$(x)`y`;&|*#\u00fc"),
                "the longest name, and characters only a shell or TOML would mind");
        assertEquals(List.of(), MirrorValidation.check(List.of(mirror("a".repeat(63) + "." + "b".repeat(63) + "."
                + "c".repeat(63) + "." + "d".repeat(57) + ":65535", PROXY))), "a registry of 255 characters fits");
        assertEquals("certsDir", MirrorValidation.checkCertsDir("x").get(0).property());
    }

    @Test
    void aListCheckedAgainAnswersTheSameAndTheCallersCopyIsItsOwn() {
        // a fleet's nodes share their mirrors, so answers are kept (Memo): what one caller adds to its list (as
        // ContainerdMirror.check does with its own rules) must not reach the next caller's
        List<MirrorSpec> bad = List.of(mirror("docker.io", Endpoint.of("10.0.20.10:5000")));
        List<Problem> first = MirrorValidation.check(bad);
        first.add(new Problem("certsDir", Rule.CERTS_DIR_EMPTY, "added by a caller"));
        List<Problem> again = MirrorValidation.check(new ArrayList<>(bad));
        assertEquals(1, again.size(), again::toString);
        assertEquals(Rule.ENDPOINT_NO_SCHEME, again.get(0).rule());
        assertEquals(List.of(), MirrorValidation.check(List.of(mirror("docker.io", PROXY))));
        // the same registry with another endpoint is another question
        assertRule(Rule.ENDPOINT_NO_SCHEME, MirrorValidation.check(List.of(mirror("docker.io", Endpoint.of("10.0.20.10:5001")))));
    }

    private static void assertRule(Rule rule, List<Problem> problems) {
        assertEquals(1, problems.size(), problems::toString);
        assertEquals(rule, problems.get(0).rule(), problems::toString);
        COVERED.add(rule);
    }

    @Test
    void goodInputsHaveNoProblemsOnEveryVersionThatSupportsThem() {
        List<MirrorSpec> seed = List.of(
                MirrorSpec.pullThrough("docker.io", "http://10.0.20.10:5000"),
                MirrorSpec.pullThrough("ghcr.io", "http://10.0.20.10:5010"),
                MirrorSpec.pullThrough("quay.io", "http://10.0.20.10:5020"),
                MirrorSpec.pullThrough("registry.k8s.io", "http://10.0.20.10:5030"),
                MirrorSpec.pullThrough("reg.kyverno.io", "http://10.0.20.10:5040"),
                MirrorSpec.pullThrough("10.0.20.10:5000", "http://10.0.20.10:5000"),
                MirrorSpec.pullThrough("[fd00::10]:5000", "http://[fd00::10]:5000"),
                MirrorSpec.of("registry.example.com", Endpoint.of("https://harbor.example.com/v2/proxy")
                        .withOverridePath(true).withCa("/etc/pki/harbor-ca.crt").withSkipVerify(true)
                        .withClient(ClientCert.of("/etc/pki/node.pem", null), ClientCert.of("/etc/pki/n.crt", "/etc/pki/n.key"))
                        .withCapabilities("pull", "resolve", "push")));
        for (ContainerdVersion v : List.of(V16, V17, V206, V214, V22)) {
            assertEquals(List.of(), MirrorValidation.check(seed, v), v::toString);
        }
        List<MirrorSpec> modern = List.of(MirrorSpec.of("_default", Endpoint.of("http://127.0.0.1:5001").withDialTimeout("200ms"))
                .withServer("http://127.0.0.1:5001"));
        assertEquals(List.of(), MirrorValidation.check(modern, V214));
        assertEquals(List.of(), MirrorValidation.check(List.of(MirrorSpec.of("docker.io",
                PROXY.withCapabilities("pull", "resolve", "referrers").withDialTimeout("1m30s"))), V22));
    }

    @Test
    void goDurationsAsGoReadsThem() {
        assertEquals(Optional.of(new BigDecimal("1000000000")), MirrorSyntax.goDurationNanos("1s"));
        assertEquals(Optional.of(new BigDecimal("500000000")), MirrorSyntax.goDurationNanos("500ms"));
        assertEquals(Optional.of(new BigDecimal("90000000000")), MirrorSyntax.goDurationNanos("1m30s"));
        assertEquals(Optional.of(new BigDecimal("1500000000.0")), MirrorSyntax.goDurationNanos("1.5s"));
        assertEquals(Optional.of(new BigDecimal("2000")), MirrorSyntax.goDurationNanos("2\u00b5s"));
        assertEquals(Optional.of(BigDecimal.ZERO), MirrorSyntax.goDurationNanos("0"));
        assertTrue(MirrorSyntax.goDurationNanos("-2h").get().signum() < 0);
        for (String bad : List.of("", "1", "s", "1 s", "1sec", "1.5.5s", ".s", "1d", "ms1")) {
            assertEquals(Optional.empty(), MirrorSyntax.goDurationNanos(bad), bad);
        }
    }

    @Test
    void collectsEveryProblemNotJustTheFirst() {
        List<Problem> p = MirrorValidation.check(List.of(
                MirrorSpec.of("https://docker.io", Endpoint.of("10.0.20.10:5000").withCapabilities("pul")),
                MirrorSpec.of("ghcr.io")), V16);
        assertEquals(List.of("mirrors[0].registry", "mirrors[0].endpoints[0]", "mirrors[0].endpoints[0].capabilities[0]",
                "mirrors[1].endpoints"), p.stream().map(Problem::property).toList());
    }

    @AfterAll
    static void everyRuleHasATest() {
        Set<Rule> missing = EnumSet.allOf(Rule.class);
        missing.removeAll(COVERED);
        // Only meaningful when the whole class ran (not a single filtered test).
        if (COVERED.size() > 10) {
            assertEquals(Set.of(), missing, "rules without a test case");
        }
    }
}
