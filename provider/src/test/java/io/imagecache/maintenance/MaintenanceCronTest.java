package io.imagecache.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MaintenanceCronTest {
    private static final MaintenancePlan GHCR =
            new MaintenancePlan("registry-ghcr", "https://ghcr.io", "0 3 * * 0", false, "0 * * * *");

    /** Golden files: set UPDATE_GOLDEN=1 to rewrite them after an intended change, then review the diff. */
    static void assertGolden(String name, String actual) throws IOException {
        Path p = Path.of("src/test/resources/testdata/maintenance", name);
        if ("1".equals(System.getenv("UPDATE_GOLDEN"))) {
            Files.writeString(p, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(p, StandardCharsets.UTF_8), actual, "golden file " + p);
    }

    @Test
    void rendersTheGhcrProxyFile() throws IOException {
        assertGolden("registry-ghcr.cron", MaintenanceCron.render(GHCR));
    }

    @Test
    void rendersWithoutRestartAndWithDeleteUntagged() throws IOException {
        MaintenancePlan p = new MaintenancePlan("registry", "https://registry-1.docker.io/", "@weekly", true, "");
        String out = MaintenanceCron.render(p);
        assertGolden("registry-dockerhub-norestart.cron", out);
        assertFalse(out.contains("docker restart"));
        assertTrue(out.contains("garbage-collect --delete-untagged"));
    }

    @Test
    void everyPercentInACommandIsEscapedForCron() {
        for (String line : MaintenanceCron.render(GHCR).split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            for (int i = line.indexOf('%'); i >= 0; i = line.indexOf('%', i + 1)) {
                assertEquals('\\', line.charAt(i - 1), "unescaped % in: " + line);
            }
        }
        String cmd = MaintenanceCron.asCronRunsIt(MaintenanceCron.restartCommand(GHCR));
        assertTrue(cmd.contains("-w \"%{http_code}\""), cmd);
        assertFalse(cmd.contains("\\%"));
    }

    /** An IPv6 literal's brackets are no glob: the URL is one double-quoted word for sh, and curl runs with -g. */
    @Test
    void theProbeUrlIsOneQuotedWordAndParsesBackFromOldAndNewFiles() {
        MaintenancePlan v6 = new MaintenancePlan("registry-x", "http://[::ffff:10.0.0.1]:5000", "0 3 * * 0", false, "0 * * * *");
        String cmd = MaintenanceCron.asCronRunsIt(MaintenanceCron.restartCommand(v6));
        assertTrue(cmd.contains("curl -g ") && cmd.contains(" \"http://[::ffff:10.0.0.1]:5000/v2/\");"), cmd);
        assertEquals(Optional.of(v6), MaintenanceCron.parse(MaintenanceCron.render(v6)));
        String old = MaintenanceCron.render(GHCR).replace("curl -g -s", "curl -s").replace("\"https://ghcr.io/v2/\");",
                "https://ghcr.io/v2/);");
        assertEquals(Optional.of(GHCR), MaintenanceCron.parse(old), "a file of the version before");
    }

    @Test
    void parsesItsOwnFilesBackEvenAfterAHandEditedSchedule() {
        assertEquals(Optional.of(GHCR), MaintenanceCron.parse(MaintenanceCron.render(GHCR)));
        String edited = MaintenanceCron.render(GHCR).replace("\n0 3 * * 0 root", "\n15 4 * * 6 root");
        assertEquals("15 4 * * 6", MaintenanceCron.parse(edited).orElseThrow().gcSchedule());
        MaintenancePlan noRestart = new MaintenancePlan("r", "http://10.0.0.1:5000", "@daily", true, "");
        assertEquals(Optional.of(noRestart), MaintenanceCron.parse(MaintenanceCron.render(noRestart)));
        assertEquals(Optional.empty(), MaintenanceCron.parse("0 3 * * 0 root docker exec registry registry garbage-collect\n"));
    }

    private static String fileName(String container) {
        return new MaintenancePlan(container, "https://ghcr.io", "@daily", false, "").cronFileName();
    }

    @Test
    void fileNamesAreValidForCronD() {
        assertEquals("imagecache-registry-ghcr", fileName("registry-ghcr"));
        assertEquals("imagecache-registry_dghcr", fileName("registry.ghcr"));
        for (String c : List.of("registry.ghcr", "registry_ghcr", "a._b", "a_.b", "Reg-1.2_3")) {
            assertTrue(fileName(c).matches("[A-Za-z0-9_-]+"), "run-parts names only, as cron.d needs: " + fileName(c));
        }
    }

    /** Two containers sharing one cron file: deleting one schedule would remove the other's. */
    @Test
    void noTwoContainerNamesShareAFile() {
        assertNotEquals(fileName("registry.ghcr"), fileName("registry_ghcr"));
        // every name over a small alphabet that Check admits (letters, digits, _ . -), up to 4 characters
        String alphabet = "a1_.-";
        Map<String, String> seen = new HashMap<>();
        List<String> names = new ArrayList<>(List.of("a", "1"));
        for (int len = 1; len < 4; len++) {
            List<String> longer = new ArrayList<>();
            for (String n : names) {
                for (char c : alphabet.toCharArray()) {
                    longer.add(n + c);
                }
            }
            names.addAll(longer);
        }
        for (String n : names) {
            String other = seen.put(fileName(n), n);
            assertTrue(other == null || other.equals(n), n + " and " + other + " share " + fileName(n));
        }
        assertEquals(312, seen.size(), "checked " + seen.size() + " names");
    }
}
