package io.imagecache.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DistributionConfigTest {
    static void assertGolden(String name, String actual) throws IOException {
        Path p = Path.of("src/test/resources/testdata/distribution", name);
        if ("1".equals(System.getenv("UPDATE_GOLDEN"))) {
            Files.writeString(p, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(p, StandardCharsets.UTF_8), actual, "golden file " + p);
    }

    private static final ProxyConfig GHCR = new ProxyConfig("ghcr", "https://ghcr.io", Optional.empty(), Optional.empty(),
            Optional.empty(), "3f9c2a", 2);
    private static final ProxyConfig HUB = new ProxyConfig("docker", "https://registry-1.docker.io", Optional.of("pulls"),
            Optional.of("p\"a:ss#word"), Optional.of("72h"), "a1b2c3", 3);

    @Test
    void rendersAnAnonymous28Proxy() throws IOException {
        assertGolden("ghcr-2.8.yml", DistributionConfig.render(GHCR));
    }

    @Test
    void rendersAnAuthenticated3ProxyWithTtl() throws IOException {
        String out = DistributionConfig.render(HUB);
        assertGolden("docker-3.yml", out);
        assertTrue(out.contains("  ttl: 72h\n"));
    }

    @Test
    void ttlIsNeverWrittenFor2x() {
        ProxyConfig c = new ProxyConfig("q", "https://quay.io", Optional.empty(), Optional.empty(), Optional.of("72h"), "s", 2);
        assertFalse(DistributionConfig.render(c).contains("ttl"), "distribution 2.8 does not know proxy.ttl");
    }

    @Test
    void readsTheProxyBlockBackIncludingQuotedSecrets() {
        String out = DistributionConfig.render(HUB);
        assertEquals(Optional.of("https://registry-1.docker.io"), DistributionConfig.proxyValue(out, "remoteurl"));
        assertEquals(Optional.of("p\"a:ss#word"), DistributionConfig.proxyValue(out, "password"));
        assertEquals(Optional.of("pulls"), DistributionConfig.proxyValue(out, "username"));
        assertEquals(Optional.of("a1b2c3"), DistributionConfig.httpSecret(out));
        // the seed's hand-written config
        String seed = "version: 0.1\nstorage:\n  cache:\n    blobdescriptor: inmemory\n  filesystem:\n"
                + "    rootdirectory: /var/lib/registry\nhttp:\n  addr: :5000\nproxy:\n  remoteurl: https://ghcr.io # change per registry\n";
        assertEquals(Optional.of("https://ghcr.io"), DistributionConfig.proxyValue(seed, "remoteurl"));
        assertEquals(Optional.empty(), DistributionConfig.proxyValue(seed, "username"));
        assertEquals(Optional.empty(), DistributionConfig.httpSecret(seed));
    }

    @Test
    void aPasswordWithABackslashNAndOtherYamlSpecialsRoundTrips() {
        for (String pw : new String[] {"a\\nb", "back\\slash", "x: y #z", "'single'", "\"dq\"", "0123", "yes", "- dash",
                "tab\there", "new\nline", "{[&*!|>%@`]}"}) {
            ProxyConfig c = new ProxyConfig("d", "https://r.example", Optional.of("u"), Optional.of(pw), Optional.empty(), "s", 3);
            assertEquals(Optional.of(pw), DistributionConfig.proxyValue(DistributionConfig.render(c), "password"), pw);
        }
        // hand-written styles: single-quoted (no escapes in YAML), plain, and a value distribution reads as text
        String hand = "version: 0.1\nproxy:\n  remoteurl: https://r.example\n  username: 'o''neil'\n"
                + "  password: 'p\\nw'\n  ttl: 0123\n";
        assertEquals(Optional.of("o'neil"), DistributionConfig.proxyValue(hand, "username"));
        assertEquals(Optional.of("p\\nw"), DistributionConfig.proxyValue(hand, "password"), "backslash-n stays two characters");
        assertEquals(Optional.of("0123"), DistributionConfig.proxyValue(hand, "ttl"));
    }

    /**
     * What distribution's YAML reader (Go, YAML 1.1) would not give back: DEL and C1 controls are refused as "control
     * characters", NEL, LS and PS are line breaks that a double-quoted scalar folds into a space, a BOM inside the text
     * is refused. Each is escaped, and the value still reads back exactly (HostileValuesIT proves it with a real proxy
     * logging in with such a password).
     */
    @Test
    void charactersYaml11ReadsOtherwiseAreEscapedAndRoundTrip() {
        String pw = "p'a\"s$s`w;o&r|d\\ $(touch /tmp/x)\nline\ttab\r\u0000nul\u007fdel\u0085nel\u0090c1\u2028ls\u2029ps"
                + "\ufeffbom\uffffnon \u00fc\u6f22\ud83d\ude00 #{a: b} [c] *d &e !f %g @h: i";
        ProxyConfig c = new ProxyConfig("d", "https://r.example", Optional.of("u$(x)`y`'\"\u2028"), Optional.of(pw),
                Optional.empty(), "s", 3);
        String out = DistributionConfig.render(c);
        assertEquals(Optional.of(pw), DistributionConfig.proxyValue(out, "password"));
        assertEquals(Optional.of("u$(x)`y`'\"\u2028"), DistributionConfig.proxyValue(out, "username"));
        out.chars().forEach(ch -> assertTrue(ch == '\n' || (ch >= 0x20 && ch < 0x7f) || (ch >= 0xa0 && ch != 0x2028
                && ch != 0x2029 && ch != 0xfeff && ch != 0xffff), String.format("U+%04X written as it is", ch)));
        assertTrue(out.contains("\\x7fdel\\x85nel\\x90c1\\u2028ls\\u2029ps\\ufeffbom\\uffffnon \u00fc\u6f22\ud83d\ude00"), out);
    }

    @Test
    void durations() {
        for (String ok : new String[] {"168h", "0", "30m", "1h30m", "90s", "1.5h"}) {
            assertTrue(DistributionConfig.isDuration(ok), ok);
        }
        for (String bad : new String[] {"7d", "1 h", "h", "-1h", "", "168"}) {
            assertFalse(DistributionConfig.isDuration(bad), bad);
        }
    }

    @Test
    void toStringHidesThePassword() {
        assertFalse(HUB.toString().contains("a:ss#w"), HUB.toString());
    }

    @Test
    void aConfigThatDistributionCannotReadIsDescribedWithItsLineAndColumnButNotItsText() {
        assertEquals(Optional.empty(), DistributionConfig.yamlProblem("version: 0.1\nproxy:\n  remoteurl: x\n"));
        String p = DistributionConfig.yamlProblem("version: 0.1\nproxy:\n  password: \"hunter2\n").orElseThrow();
        assertTrue(p.startsWith("not valid YAML: line "), p);
        assertFalse(p.contains("hunter2"), p);
        assertEquals("not valid YAML: line 2, column 1: found duplicate key version",
                DistributionConfig.yamlProblem("version: 0.1\nversion: 0.2\n").orElseThrow());
        assertEquals(Optional.of("without any setting"), DistributionConfig.yamlProblem("# nothing\n"));
        assertEquals(Optional.of("not a YAML mapping of settings"), DistributionConfig.yamlProblem("- a\n"));
    }
}
