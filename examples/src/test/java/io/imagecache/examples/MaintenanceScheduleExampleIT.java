package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * examples/maintenance-schedule through the real Pulumi CLI against a lab Docker host: preview, up, a
 * changed up, refresh after a hand edit, destroy, import; assertions on what the CLI shows and on
 * the host itself.
 */
class MaintenanceScheduleExampleIT {
    private static final String FILE = "/etc/cron.d/imagecache-registry-ghcr";
    private static final String TYPE = "imagecache:index:MaintenanceSchedule";
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

    private static boolean exists(String path) {
        return host.exec("test", "-e", path).getExitCode() == 0;
    }

    private PulumiCli stack() {
        PulumiCli cli = PulumiCli.forExample("maintenance-schedule", "lab");
        cli.config("host", host.ip()).secretConfig("sshKey", host.rootKey().privateKey());
        return cli;
    }

    @Test
    void lifecycleThroughTheCli() {
        try (PulumiCli cli = stack()) {
            PulumiCli.Result preview = cli.preview().assertOk();
            assertTrue(preview.stdout().contains("+ " + TYPE + ": (create)"), preview.stdout());
            assertTrue(preview.stdout().contains("gcSchedule      : \"0 3 * * 0\""), preview.stdout());
            PulumiCli.Result full = cli.preview("--show-full-output").assertOk();
            assertTrue(full.stdout().contains("0 3 * * 0 root flock"), "reviewers see the rendered cron line:\n" + full.stdout());
            assertFalse(exists(FILE), "preview touches nothing");

            // With plugin logs on (-v=3 shows the provider's stderr, not yet the engine's own property dumps),
            // nothing the provider prints or sends to the engine contains the key.
            String keyLine = host.rootKey().privateKey().lines().skip(1).findFirst().orElseThrow();
            PulumiCli.Result logged;
            try (CommandLineWatcher ps = CommandLineWatcher.watch(keyLine)) {
                logged = cli.run("up", "--yes", "--non-interactive", "--color=never", "--skip-preview",
                        "--logtostderr", "--logflow", "-v=3").assertOk();
                assertEquals(List.of(), ps.leaks(), "the key is never on a process command line");
            }
            assertTrue(logged.stderr().contains("imagecache provider"), "the provider's own log is in this output");
            assertTrue(logged.output().contains("Connecting to root@" + host.ip()), "status messages reach the engine");
            for (String line : host.rootKey().privateKey().lines().filter(l -> !l.startsWith("-----")).toList()) {
                assertFalse(logged.output().contains(line), "the private key is never logged");
            }
            String content = host.readFile(FILE);
            assertEquals(cli.output("content"), content.strip());
            assertTrue(content.contains("\n0 3 * * 0 root flock"));
            String state = cli.exportState();
            assertFalse(state.contains(keyLine), "the private key is encrypted in state");
            assertTrue(state.contains("\"hostKeys\""), "the host key seen first is recorded");

            cli.config("gcSchedule", "0 4 * * 0");
            PulumiCli.Result changed = cli.preview().assertOk();
            assertTrue(changed.stdout().contains("~ " + TYPE + ": (update)"), changed.stdout());
            assertTrue(changed.stdout().contains("~ gcSchedule: \"0 3 * * 0\" => \"0 4 * * 0\""), changed.stdout());
            PulumiCli.Result up2 = cli.up().assertOk();
            assertTrue(up2.stdout().contains("1 updated"), up2.stdout());
            assertTrue(host.readFile(FILE).contains("\n0 4 * * 0 root flock"));

            PulumiCli.Result noop = cli.up().assertOk();
            assertFalse(noop.stdout().contains("updated"), "an unchanged program changes nothing:\n" + noop.stdout());

            // A hand edit on the host shows in refresh, and the next up repairs it.
            host.sh("sed -i 's/^0 \\* \\* \\* \\* root/*\\/5 * * * * root/' " + FILE);
            PulumiCli.Result refresh = cli.refresh().assertOk();
            assertTrue(refresh.stdout().contains("restartSchedule: \"0 * * * *\" => \"*/5 * * * *\"")
                    || refresh.stdout().contains("~ restartSchedule"), refresh.stdout());
            PulumiCli.Result repair = cli.preview().assertOk();
            assertTrue(repair.stdout().contains("~ " + TYPE + ": (update)"), repair.stdout());
            cli.up().assertOk();
            assertEquals(cli.output("content"), host.readFile(FILE).strip());
            assertTrue(host.readFile(FILE).contains("\n0 * * * * root flock"));

            cli.destroy().assertOk();
            assertFalse(exists(FILE), "destroy removes the file it made");
        }
    }

    @Test
    void importAdoptsAnExistingFileWithoutChanges() throws IOException {
        try (PulumiCli cli = stack()) {
            cli.config("upstreamUrl", "https://quay.io");
            cli.up().assertOk();
            String urn = cli.run("stack", "--show-urns").assertOk().stdout().lines()
                    .filter(l -> l.contains("URN: ") && l.contains(TYPE)).map(l -> l.substring(l.indexOf("URN: ") + 5).strip())
                    .findFirst().orElseThrow();
            cli.run("state", "delete", urn, "--yes").assertOk();
            assertTrue(exists(FILE), "forgetting the resource leaves the file");

            Path key = Files.createTempFile("lab-key", "");
            Files.writeString(key, host.rootKey().privateKey());
            cli.env("IMAGECACHE_SSH_KEY_FILE", key.toString());
            PulumiCli.Result imported = cli.run("import", TYPE, "ghcrMaintenance", "root@" + host.ip() + ":22" + FILE,
                    "--yes", "--protect=false", "--generate-code=false", "--non-interactive", "--color=never").assertOk();
            assertTrue(imported.stdout().contains("= 1 imported"), imported.stdout());
            assertFalse(imported.output().contains("warning"), "the import validates cleanly:\n" + imported.output());
            Files.delete(key);

            PulumiCli.Result after = cli.preview().assertOk();
            assertFalse(after.stdout().contains("(update)") || after.stdout().contains("(replace)"),
                    "an imported setup shows no changes:\n" + after.stdout());
            // The program's credentials reach the state on this up, which touches nothing on the host.
            String mtime = host.sh("stat -c %Y.%i " + FILE);
            PulumiCli.Result up = cli.up().assertOk();
            assertFalse(up.stdout().contains("updated"), up.stdout());
            assertEquals(mtime, host.sh("stat -c %Y.%i " + FILE));
            cli.destroy().assertOk();
            assertFalse(exists(FILE));
        }
    }

    @Test
    void invalidInputsFailAtCheckNamingThePropertyAndTouchNothing() {
        try (PulumiCli cli = stack()) {
            cli.config("gcSchedule", "0 3 * *").config("upstreamUrl", "ghcr.io");
            PulumiCli.Result r = cli.up();
            assertNotEquals(0, r.exitCode());
            assertTrue(r.output().contains("gcSchedule"), r.output());
            assertTrue(r.output().contains("has 4 fields"), r.output());
            assertTrue(r.output().contains("upstreamUrl"), r.output());
            assertFalse(exists(FILE));
        }
    }
}
