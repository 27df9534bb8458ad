package io.imagecache.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The toolchain takes its package sources from the machine's own set-up ({@code scripts/package-sources.sh}),
 * and the repository names none of the registries this machine uses: the hosts come from the machine's
 * configuration at test time, so this test names none either.
 */
class PackageSourcesTest {
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Path SCRIPT = REPO.resolve("scripts/package-sources.sh");

    record Run(int code, String stdout, String stderr) {}

    static Run run(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out.strip(), err.strip());
    }

    @Test
    void goProxyIsTheMachinesWithoutDirect() throws Exception {
        assertEquals(new Run(0, "https://a.test/mod,https://b.test", ""),
                run(Map.of("GOPROXY_IMAGECACHE", "https://a.test/mod,direct|https://b.test"), "goproxy"));
        Run none = run(Map.of("GOPROXY_IMAGECACHE", "direct"), "goproxy");
        assertEquals(1, none.code());
        assertTrue(none.stderr().contains("names no module proxy"), none.stderr());
    }

    @Test
    void debianMirrorFromDeb822SkipsOtherSuites(@TempDir Path etc) throws Exception {
        Files.createDirectories(etc.resolve("sources.list.d"));
        Files.writeString(etc.resolve("sources.list.d/debian.sources"), """
                Types: deb
                URIs: http://security.example.test/debian-security
                Suites: bookworm-security
                Components: main

                Types: deb-src
                URIs: http://src.example.test/debian
                Suites: bookworm
                Components: main

                # the archive
                Types: deb
                URIs: http://archive.example.test/debian/
                Suites: bookworm bookworm-updates
                Components: main contrib
                """);
        Run r = run(Map.of("APT_ETC_IMAGECACHE", etc.toString()), "debian-mirror", "bookworm");
        assertEquals(new Run(0, "http://archive.example.test/debian", ""), r);
    }

    @Test
    void debianMirrorFromOneLineSourcesWithOptions(@TempDir Path etc) throws Exception {
        Files.writeString(etc.resolve("sources.list"), """
                # deb http://commented.example.test/debian bookworm main
                deb http://updates.example.test/debian bookworm-updates main
                deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://one.example.test/debian bookworm contrib main
                """);
        Run r = run(Map.of("APT_ETC_IMAGECACHE", etc.toString()), "debian-mirror", "bookworm");
        assertEquals(new Run(0, "http://one.example.test/debian", ""), r);
    }

    @Test
    void noDebianSourceIsAClearError(@TempDir Path etc) throws Exception {
        Run r = run(Map.of("APT_ETC_IMAGECACHE", etc.toString()), "debian-mirror", "bookworm");
        assertEquals(1, r.code());
        assertTrue(r.stderr().contains("apt has no source for Debian bookworm main"), r.stderr());
    }

    /** Hosts of the registries this machine is set up with: Go proxy, apt sources, npm, pip, Maven. */
    static Set<String> machineRegistryHosts() throws Exception {
        Set<String> urls = new TreeSet<>();
        urls.add(run(Map.of(), "goproxy").stdout());
        urls.add(run(Map.of(), "debian-mirror", "bookworm").stdout());
        for (List<String> cmd : List.of(List.of("npm", "config", "get", "registry"),
                List.of("pip", "config", "list"), List.of("go", "env", "GOSUMDB"))) {
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                urls.add(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                p.waitFor(30, TimeUnit.SECONDS);
            } catch (IOException absent) {
                // a client that is not installed names no registry
            }
        }
        for (Path settings : List.of(Path.of(System.getProperty("user.home"), ".m2", "settings.xml"),
                Path.of("/etc/maven/settings.xml"), Path.of(System.getProperty("user.home"), ".npmrc"),
                Path.of("/etc/pip.conf"))) {
            if (Files.isRegularFile(settings) && settings.toString().endsWith(".xml")) {
                // Maven: the mirrors' and repositories' <url>s (not the XML namespaces)
                var m = java.util.regex.Pattern.compile("<url>\\s*([^<\\s]+)\\s*</url>")
                        .matcher(Files.readString(settings).replaceAll("(?s)<!--.*?-->", ""));
                while (m.find()) {
                    urls.add(m.group(1));
                }
            } else if (Files.isRegularFile(settings)) {
                urls.add(Files.readString(settings));
            }
        }
        Path apt = Path.of("/etc/apt");
        if (Files.isDirectory(apt)) {
            try (var files = Files.walk(apt)) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)
                        .filter(f -> f.toString().endsWith(".list") || f.toString().endsWith(".sources"))::iterator) {
                    urls.add(Files.readString(f));
                }
            }
        }
        Set<String> hosts = new TreeSet<>();
        for (String text : urls) {
            for (String word : text.split("[\\s,|'\"=<>]+")) {
                if (word.matches("https?://.+")) {
                    String h = URI.create(word.replaceAll("[\\]\\[]", "")).getHost();
                    if (h != null && h.matches(".*[a-z].*\\.[a-z]{2,}")) {
                        hosts.add(h.toLowerCase());
                    }
                } else if (word.matches("[a-z0-9.-]+\\.[a-z]{2,}") && text.startsWith(word)) {
                    hosts.add(word); // GOSUMDB names a bare host
                }
            }
        }
        return hosts;
    }

    @Test
    void theRepositoryNamesNoRegistryOfThisMachine() throws Exception {
        Set<String> hosts = machineRegistryHosts();
        assertFalse(hosts.isEmpty(), "the machine's set-up names at least its Go proxy and Debian archive");
        Process p = new ProcessBuilder("git", "-C", REPO.toString(), "ls-files", "-z").start();
        String[] files = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\0");
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        List<String> found = new ArrayList<>();
        for (String f : files) {
            Path path = REPO.resolve(f);
            if (f.isEmpty() || f.endsWith("go.sum") || !Files.isRegularFile(path) || Files.size(path) > 2_000_000) {
                continue; // go.sum lists module paths, not where they come from
            }
            String text = new String(Files.readAllBytes(path), StandardCharsets.ISO_8859_1).toLowerCase();
            for (String h : hosts) {
                if (text.contains(h)) {
                    found.add(f + " names " + h);
                }
            }
        }
        assertEquals(List.of(), found, "take package sources from the machine's configuration instead");
    }
}
