package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * examples/typescript, examples/python and examples/go, each declaring a MaintenanceSchedule with its
 * language's generated SDK, through the real engine as inline Automation API programs against a lab
 * Docker host: preview (nothing touched), up (the cron file is on the host), refresh after a hand edit,
 * a changed up (one update, the file rewritten), a no-op up, destroy.
 */
class InlineProgramExampleIT {
    private static final String FILE = "/etc/cron.d/imagecache-registry-ghcr";
    private static LabNetwork network;
    private static DockerHost host;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        host = new DockerHost(network);
        host.start();
    }

    @AfterAll
    static void stop() {
        host.stop();
        network.close();
    }

    /** A failed run leaves no file behind for the next language's preview. */
    @AfterEach
    void removeCronFile() {
        host.exec("rm", "-f", FILE);
    }

    private static boolean exists(String path) {
        return host.exec("test", "-e", path).getExitCode() == 0;
    }

    @ParameterizedTest
    @EnumSource(InlineProgram.Language.class)
    void lifecycleThroughTheEngine(InlineProgram.Language language) {
        try (InlineProgram program = InlineProgram.prepare(language, host.ip(), host.rootKey().privateKey())) {
            InlineProgram.Run preview = program.run("preview");
            assertEquals(2, preview.changes("create"), preview.proc().output());
            assertTrue(preview.proc().output().contains("+ imagecache:index:MaintenanceSchedule: (create)"), preview.proc().output());
            assertTrue(preview.proc().output().contains("gcSchedule      : \"0 3 * * 0\""), preview.proc().output());
            assertFalse(exists(FILE), "preview touches nothing");

            String keyLine = host.rootKey().privateKey().lines().skip(1).findFirst().orElseThrow();
            InlineProgram.Run up;
            try (CommandLineWatcher ps = CommandLineWatcher.watch(keyLine)) {
                up = program.run("up");
                assertEquals(List.of(), ps.leaks(), "the key is never on a process command line");
            }
            assertEquals(2, up.changes("create"), up.proc().output());
            assertEquals(FILE, up.output("cronFile"));
            String content = host.readFile(FILE);
            assertTrue(content.startsWith("# Managed by imagecache. Do not edit.\n"), content);
            assertTrue(content.contains("\n0 3 * * 0 root flock"), content);
            assertEquals(up.output("content").strip(), content.strip());

            // A hand edit on the host shows in refresh; the next (changed) up updates the file and repairs it.
            host.sh("sed -i 's/^0 \\* \\* \\* \\* root/*\\/5 * * * * root/' " + FILE);
            InlineProgram.Run refresh = program.run("refresh");
            assertEquals(1, refresh.changes("update"), refresh.proc().output());
            program.input("IMAGECACHE_EXAMPLE_GC_SCHEDULE", "0 4 * * 0");
            InlineProgram.Run changed = program.run("up");
            assertEquals(1, changed.changes("update"), changed.proc().output());
            String diff = changed.proc().output();
            assertTrue(diff.matches("(?s).*~ gcSchedule *: \"0 3 \\* \\* 0\" => \"0 4 \\* \\* 0\".*"), diff);
            assertTrue(diff.matches("(?s).*~ restartSchedule *: \"\\*/5 \\* \\* \\* \\*\" => \"0 \\* \\* \\* \\*\".*"), diff);
            String updated = host.readFile(FILE);
            assertTrue(updated.contains("\n0 4 * * 0 root flock") && updated.contains("\n0 * * * * root flock"), updated);

            InlineProgram.Run again = program.run("up");
            assertEquals(0, again.changes("update") + again.changes("create") + again.changes("replace"), again.proc().output());
            assertEquals(2, again.changes("same"), again.proc().output());

            InlineProgram.Run destroy = program.run("destroy");
            assertEquals(2, destroy.changes("delete"), destroy.proc().output());
            assertFalse(exists(FILE), "destroy removes the cron file");
        }
    }
}
