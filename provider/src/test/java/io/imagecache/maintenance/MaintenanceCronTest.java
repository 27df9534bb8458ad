package io.imagecache.maintenance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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

    @Test
    void parsesItsOwnFilesBackEvenAfterAHandEditedSchedule() {
        assertEquals(Optional.of(GHCR), MaintenanceCron.parse(MaintenanceCron.render(GHCR)));
        String edited = MaintenanceCron.render(GHCR).replace("\n0 3 * * 0 root", "\n15 4 * * 6 root");
        assertEquals("15 4 * * 6", MaintenanceCron.parse(edited).orElseThrow().gcSchedule());
        MaintenancePlan noRestart = new MaintenancePlan("r", "http://10.0.0.1:5000", "@daily", true, "");
        assertEquals(Optional.of(noRestart), MaintenanceCron.parse(MaintenanceCron.render(noRestart)));
        assertEquals(Optional.empty(), MaintenanceCron.parse("0 3 * * 0 root docker exec registry registry garbage-collect\n"));
    }

    @Test
    void fileNamesAreValidForCronD() {
        assertEquals("imagecache-registry_ghcr", new MaintenancePlan("registry.ghcr", "https://ghcr.io", "@daily", false, "")
                .cronFileName());
    }
}
