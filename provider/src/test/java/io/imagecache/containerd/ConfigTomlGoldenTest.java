package io.imagecache.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

/**
 * Real-world config.toml starting points (testdata/containerd/config/<case>/input.toml, origin at the top of each):
 * the edit must give expected.toml byte for byte, the migrated mirrors must render to hosts/<registry>/hosts.toml,
 * and notes.txt records what a person is told. Each case's case.properties gives the node's
 * {@code containerd --version} line and the certs directory.
 */
class ConfigTomlGoldenTest {
    private static final Path CASES = Golden.ROOT.resolve("config");

    record Case(String name, Path dir, String input, ContainerdVersion version, String certsDir) {
        static Case load(String name) throws IOException {
            Path dir = CASES.resolve(name);
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(dir.resolve("case.properties"), StandardCharsets.UTF_8)));
            return new Case(name, dir, Files.readString(dir.resolve("input.toml"), StandardCharsets.UTF_8),
                    ContainerdVersion.parse(p.getProperty("containerd")), p.getProperty("certsDir"));
        }
    }

    static Stream<String> cases() throws IOException {
        try (Stream<Path> s = Files.list(CASES)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @Test
    void thereAreAtLeastTenRealWorldStartingPoints() throws IOException {
        List<String> all = cases().toList();
        assertTrue(all.size() >= 10, all::toString);
        for (String name : all) {
            String input = Case.load(name).input();
            assertTrue(input.startsWith("# Origin: "), name + ": input.toml must say where it comes from on its first line");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void editsAsTheGoldenFilesSay(String name) throws Exception {
        Case c = Case.load(name);
        ConfigEdit e = ConfigToml.edit(c.input(), c.version(), c.certsDir());
        Golden.assertGolden(c.dir().resolve("expected.toml"), e.text());
        Golden.assertGolden(c.dir().resolve("notes.txt"), report(e));

        Path hosts = c.dir().resolve("hosts");
        if (Golden.updating() && Files.isDirectory(hosts)) {
            try (Stream<Path> s = Files.walk(hosts)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        TreeSet<String> expectedFiles = new TreeSet<>();
        for (MirrorSpec m : e.migrated()) {
            String rel = m.registry() + "/hosts.toml";
            expectedFiles.add(rel);
            Golden.assertGolden(hosts.resolve(rel), HostsToml.render(m, c.version()));
        }
        TreeSet<String> present = new TreeSet<>();
        if (Files.isDirectory(hosts)) {
            try (Stream<Path> s = Files.walk(hosts)) {
                s.filter(Files::isRegularFile).forEach(p -> present.add(hosts.relativize(p).toString()));
            }
        }
        assertEquals(expectedFiles, present, "hosts.toml golden files of " + name);
    }

    /** Versions each input is also edited for (those that read its config version), besides its own. */
    private static final List<ContainerdVersion> OTHER_VERSIONS = List.of(ContainerdVersion.of(1, 6, 20),
            ContainerdVersion.of(1, 7, 27), ContainerdVersion.of(2, 0, 5), ContainerdVersion.of(2, 1, 4),
            ContainerdVersion.of(2, 2, 1), ContainerdVersion.of(2, 3, 0));

    /** The properties every edit must have, whatever the input, for the case's node and every other version that reads it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyEditKeepsItsPromises(String name) throws Exception {
        Case c = Case.load(name);
        assertPromises(c, c.version());
        int configVersion = ConfigToml.configVersion(c.input());
        for (ContainerdVersion v : OTHER_VERSIONS) {
            if (v.readsConfigVersion(configVersion)) {
                assertPromises(c, v);
            }
        }
    }

    private static void assertPromises(Case c, ContainerdVersion version) throws Exception {
        ConfigEdit e = ConfigToml.edit(c.input(), version, c.certsDir());
        List<String> reg = ConfigToml.registryTable(e.configVersion());

        TomlParseResult out = Toml.parse(e.text());
        assertFalse(out.hasErrors(), () -> "output parses: " + out.errors());
        List<List<String>> configPaths = out.keyPathSet().stream()
                .filter(k -> k.size() >= 2 && k.get(k.size() - 1).equals("config_path") && k.get(k.size() - 2).equals("registry"))
                .toList();
        List<String> expectedKey = new ArrayList<>(reg);
        expectedKey.add("config_path");
        assertEquals(List.of(expectedKey), configPaths, "exactly one registry config_path, at the right table");
        assertEquals(c.certsDir().replaceAll("(.)/$", "$1"), out.getString(expectedKey));
        assertFalse(out.keyPathSet().stream().anyMatch(k -> k.size() > reg.size() && k.subList(0, reg.size()).equals(reg)
                && k.get(reg.size()).equals("mirrors")), "no mirrors under " + reg);
        if (version.major() < 2) {
            assertFalse(out.keyPathSet().stream().anyMatch(k -> k.size() > reg.size() + 2 && k.subList(0, reg.size()).equals(reg)
                    && k.get(reg.size()).equals("configs") && k.get(reg.size() + 2).equals("tls")), "no configs.*.tls on 1.x");
        }
        assertEquals(outsideRegistry(c.input(), reg), outsideRegistry(e.text(), reg), "text outside the registry table");
        if (!c.input().contains("\r\n")) {
            assertFalse(e.text().contains("\r"), "no CR brought in");
        } else {
            assertEquals(e.text().split("\n", -1).length - 1, e.text().split("\r\n", -1).length - 1, "every line break stays CRLF");
        }
        assertEquals(List.of(), MirrorValidation.check(e.migrated(), version), "migrated mirrors are valid for the node");

        ConfigEdit again = ConfigToml.edit(e.text(), version, c.certsDir());
        assertTrue(again.unchanged(), () -> "editing the result again changes nothing: " + again.notes());
        assertEquals(e.text(), again.text());
    }

    private static String report(ConfigEdit e) {
        StringBuilder sb = new StringBuilder();
        sb.append("changed: ").append(e.changed()).append('\n');
        sb.append("configVersion: ").append(e.configVersion()).append('\n');
        sb.append("registryTable: ").append(e.registryTable()).append('\n');
        sb.append("previousConfigPath: ").append(e.previousConfigPath()).append('\n');
        sb.append("migrated: ").append(e.migrated().stream().map(MirrorSpec::registry).toList()).append('\n');
        e.notes().forEach(n -> sb.append("note: ").append(n).append('\n'));
        e.warnings().forEach(w -> sb.append("warning: ").append(w).append('\n'));
        return sb.toString();
    }

    /**
     * The lines of a config.toml that are not part of the registry table, found by a deliberately simple scanner
     * (independent of the editor): tables under {@code reg} with the comment lines right above their headers, and
     * key/value lines in parent tables whose dotted key reaches into {@code reg} (with their continuation lines),
     * are left out; runs of blank lines count as one.
     */
    static List<String> outsideRegistry(String text, List<String> reg) {
        List<String> out = new ArrayList<>();
        List<String> comments = new ArrayList<>();
        List<String> table = List.of();
        boolean inRegistry = false;
        int openBrackets = 0;
        for (String line : text.split("\r?\n", -1)) {
            String t = line.strip();
            if (openBrackets > 0) {
                openBrackets += depth(t);
                continue;
            }
            if (t.startsWith("#")) {
                comments.add(line);
                continue;
            }
            if (t.startsWith("[") && !t.startsWith("[[")) {
                table = Toml.parseDottedKey(t.substring(1, t.indexOf(']')).strip());
                inRegistry = table.size() >= reg.size() && table.subList(0, reg.size()).equals(reg);
                if (!inRegistry) {
                    out.addAll(comments);
                    out.add(line);
                }
                comments.clear();
                continue;
            }
            if (!inRegistry) {
                out.addAll(comments);
            }
            comments.clear();
            if (inRegistry) {
                continue;
            }
            int eq = t.indexOf('=');
            if (eq > 0 && !t.isEmpty()) {
                List<String> key = new ArrayList<>(table);
                key.addAll(Toml.parseDottedKey(t.substring(0, eq).strip()));
                if (key.size() >= reg.size() && key.subList(0, reg.size()).equals(reg)) {
                    openBrackets = depth(t);
                    continue;
                }
            }
            out.add(line);
        }
        out.addAll(comments);
        List<String> collapsed = new ArrayList<>();
        for (String l : out) {
            boolean blank = l.isBlank();
            if (blank && (collapsed.isEmpty() || collapsed.get(collapsed.size() - 1).isBlank())) {
                continue;
            }
            collapsed.add(blank ? "" : l);
        }
        while (!collapsed.isEmpty() && collapsed.get(collapsed.size() - 1).isBlank()) {
            collapsed.remove(collapsed.size() - 1);
        }
        return collapsed;
    }

    /** Open minus closed brackets outside strings and comments (good enough for the test corpus). */
    private static int depth(String line) {
        int d = 0;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quote != 0) {
                if (ch == '\\' && quote == '"') {
                    i++;
                } else if (ch == quote) {
                    quote = 0;
                }
            } else if (ch == '"' || ch == '\'') {
                quote = ch;
            } else if (ch == '#') {
                break;
            } else if (ch == '[' || ch == '{') {
                d++;
            } else if (ch == ']' || ch == '}') {
                d--;
            }
        }
        return d;
    }
}
