package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Container.ExecResult;

/**
 * `pulumi up` interrupted in the middle of a node's change (FAULTS.md), through the PullThroughCache component and the
 * real CLI: each node's containerd restart is made slow, and the CLI is interrupted while the first node of a rollout
 * restarts. First by SIGINT (the engine cancels), then, with a third node added, by SIGKILL (the engine dies; its
 * plugins are orphaned). Each time, on every node: no half-written file (no temporary file of an atomic write left),
 * config.toml's {@code config_path} names a directory that exists and holds complete hosts.toml files, the CRI plugin
 * is loaded and a node pointed at the caches pulls; the nodes after the interrupted one are untouched; and the next `up` converges: every
 * node pulls through the proxy and the preview after it is empty (after a SIGKILL, once `pulumi cancel` has removed the
 * lock the killed engine left, as Pulumi's error says). A node whose config.toml was written but whose restart was cut
 * short still runs on its old config (it pulls as before); the next `up` loads the file with one restart.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InterruptedUpIT {
    private static final String PROGRAM = """
            name: interrupted-up
            runtime: yaml
            config:
              registryHost: { type: string }
              sshKey: { type: string, secret: true }
              image: { type: string }
              dockerUpstream: { type: string }
            %s
            resources:
              cache:
                type: imagecache:index:PullThroughCache
                properties:
                  registryHost: { host: "${registryHost}", privateKey: "${sshKey}" }
                  advertiseAddress: ${registryHost}
                  image: ${image}
                  upstreams:
                    - { name: docker, registry: docker.io, remoteUrl: "${dockerUpstream}", port: 5000 }
            %s
                  nodes:
            %s
            """;
    /** A second upstream: a new proxy, and a new hosts.toml on every node (no change of config.toml). */
    private static final String GHCR =
            "        - { name: ghcr, registry: ghcr.io, remoteUrl: \"${dockerUpstream}\", port: 5010 }";
    /** A restart slow enough to be interrupted in. */
    private static final String SLOW_RESTART = "sleep 8 && systemctl restart containerd";
    private static final String HOSTS = NodeHost.CERTS_DIR + "/docker.io/hosts.toml";
    /** Where a later change moves every node's hosts directory (config.toml changes: containerd restarts). */
    private static final String MOVED = "/etc/containerd/certs.moved.d";

    private static LabNetwork network;
    private static DockerHost registryHost;
    private static List<NodeHost> nodes;
    private static LocalRegistry dockerHub;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        registryHost = new DockerHost(network);
        registryHost.start();
        nodes = List.of(NodeHost.containerd16(network), NodeHost.containerd2(network), NodeHost.containerd17(network));
        for (NodeHost n : nodes) {
            n.withAuthorizedKey(registryHost.rootKey());
            n.start();
        }
        dockerHub = LocalRegistry.plain().startedOn(network);
        ImageSeeder.to(dockerHub).dockerImage("library/hello", "1", "hello");
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {dockerHub, nodes.get(0), nodes.get(1), nodes.get(2), registryHost, network}) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    /** The program with the first {@code count} nodes. */
    private static void program(Path dir, int count) throws IOException {
        program(dir, count, false);
    }

    /** The program with the first {@code count} nodes, and with {@link #GHCR} if {@code ghcr}. */
    private static void program(Path dir, int count, boolean ghcr) throws IOException {
        program(dir, count, ghcr, null);
    }

    /** ... and every node's hosts directory at {@code certsDir} (null: the default). */
    private static void program(Path dir, int count, boolean ghcr, String certsDir) throws IOException {
        StringBuilder config = new StringBuilder();
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < count; i++) {
            config.append("  node").append(i).append(": { type: string }\n");
            list.append("          - connection: { host: \"${node").append(i).append("}\", privateKey: \"${sshKey}\" }\n")
                    .append("            restartCommand: \"").append(SLOW_RESTART).append("\"\n");
            if (certsDir != null) {
                list.append("            certsDir: ").append(certsDir).append("\n");
            }
        }
        Files.writeString(dir.resolve("Pulumi.yaml"), PROGRAM.formatted(config.toString().stripTrailing(),
                ghcr ? GHCR : "", list.toString().stripTrailing()));
    }

    private static PulumiCli stack(Path dir) throws IOException {
        return stack(dir, 2);
    }

    private static PulumiCli stack(Path dir, int count) throws IOException {
        program(dir, count);
        PulumiCli cli = PulumiCli.forProgram(dir, "lab").config("registryHost", registryHost.ip())
                .secretConfig("sshKey", registryHost.rootKey().privateKey()).config("image", DockerHost.REGISTRY_IMAGE)
                .config("dockerUpstream", dockerHub.networkUrl());
        for (int i = 0; i < nodes.size(); i++) {
            cli.config("node" + i, nodes.get(i).ip());
        }
        return cli;
    }

    @Test
    @Order(1) // first: it needs nodes whose config.toml has no config_path yet, for the restarts it interrupts
    void anUpInterruptedBySigintThenBySigkillLeavesEveryNodeWholeAndTheNextUpConverges() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("interrupted-up"));
        try (PulumiCli cli = stack(dir)) {
            // SIGINT while the first node restarts containerd: the engine cancels
            PulumiCli.Result interrupted = interruptWhileRestarting(cli, nodes.get(0), "INT");
            System.out.println("FAULTS SIGINT mid-apply: exit " + interrupted.exitCode());
            assertNotEquals(0, interrupted.exitCode(), "the interrupted up fails:\n" + interrupted.output());
            everyNodeIsWhole("after SIGINT");
            assertEquals("", nodes.get(1).sh("cat " + HOSTS + " 2>/dev/null || true"),
                    "the rollout stopped at the interrupted node: the next one was not touched");
            converges(cli, 2, "after SIGINT");

            // a third node added, SIGKILL while it restarts: the engine dies without a word
            program(cli.project(), 3); // the CLI runs a copy of the program
            PulumiCli.Result killed = interruptWhileRestarting(cli, nodes.get(2), "KILL");
            System.out.println("FAULTS SIGKILL mid-apply: exit " + killed.exitCode());
            assertNotEquals(0, killed.exitCode());
            everyNodeIsWhole("after SIGKILL");
            // the killed engine left its stack lock: Pulumi's own way out, as its error says
            assertTrue(cli.up().output().contains("the stack is currently locked"), "a killed up leaves its lock");
            cli.run("cancel", "--yes", "--non-interactive").assertOk();
            converges(cli, 3, "after SIGKILL");
            cli.destroy().assertOk();
        }
    }

    /**
     * A node's sshd killed (listener and sessions, SIGKILL) in the middle of an `up` that gives every node a new
     * mirror (a second upstream): killed once the new proxy runs, before the rollout reaches node 2. The rollout
     * (batches of one) stops at node 2 with the cause, node 1 keeps its new mirror and the state says so, node 3 is
     * untouched; with sshd back, the next `up` converges: exactly the two hosts.toml files on every node, no other
     * file added or lost under /etc/containerd, both caches pull, and the preview expects no changes.
     */
    @Test
    @Order(2)
    void aNodesSshdKilledMidRolloutStopsTheRolloutThereTheStateKeepsNodeOneAndTheNextUpConverges() throws Exception {
        NodeHost first = nodes.get(0);
        NodeHost victim = nodes.get(1);
        NodeHost last = nodes.get(2);
        Path dir = Files.createDirectories(tmp.resolve("sshd-killed"));
        try (PulumiCli cli = stack(dir, 3)) {
            cli.up().assertOk();
            Map<NodeHost, List<String>> before = new LinkedHashMap<>();
            for (NodeHost n : nodes) {
                before.put(n, filesOutsideCertsDir(n));
                assertEquals(List.of("docker.io/hosts.toml"), certsDir(n), n.containerd() + " before");
            }

            program(cli.project(), 3, true); // every node gets a mirror of ghcr.io
            PulumiCli.Running up = upUntil(cli, "the new proxy ran",
                    () -> !registryHost.sh("docker ps -q --filter name=^registry-ghcr$").isBlank());
            assertEquals("", hostsFile(victim, "ghcr.io"), "the rollout reached node 2 before its sshd was killed");
            victim.killSshd();
            long killed = System.nanoTime();
            PulumiCli.Result failed = up.await();
            long failedAfter = (System.nanoTime() - killed) / 1_000_000;
            System.out.printf("FAULTS sshd killed on node 2 (%s): the up ended %d ms later, exit %d%n", victim.ip(),
                    failedAfter, failed.exitCode());
            System.out.println(failed.output().lines().filter(l -> l.contains(victim.ip())).distinct()
                    .map(l -> "FAULTS   " + l.strip()).reduce("", (a, b) -> a + b + "\n"));
            assertNotEquals(0, failed.exitCode(), failed.output());
            String out = failed.output();
            // the node's own error, from its dial: named, with the cause, after the retries (the component's
            // "the rollout stopped" message does not get through: the engine ends the deployment at the first failed
            // step and closes the provider's connection while Construct is answering: Pulumi prints "grpc: the client
            // connection is closing" for the component)
            assertTrue(out.contains("root@" + victim.ip() + ":22: cannot reach " + victim.ip()
                    + ":22 after 10 attempts: Connection refused"), "the error names node 2 and the cause:\n" + out);

            // node 1 finished, node 2 and node 3 are as they were; every node whole
            String firstGhcr = hostsFile(first, "ghcr.io");
            assertTrue(firstGhcr.contains("http://" + registryHost.ip() + ":5010"), "node 1 got its new mirror:\n" + firstGhcr);
            assertEquals(List.of("docker.io/hosts.toml", "ghcr.io/hosts.toml"), certsDir(first), "node 1");
            assertEquals(List.of("docker.io/hosts.toml"), certsDir(victim), "node 2 was not changed");
            assertEquals(List.of("docker.io/hosts.toml"), certsDir(last), "the rollout stopped before node 3");
            everyNodeIsWhole("after sshd was killed on node 2");
            assertTrue(pullsThrough(first, "ghcr.io/library/hello:1", "registry-ghcr"), "node 1 pulls through the new proxy");

            // the state records what was done: node 1's new mirror, as on the node; the others as they were
            Map<String, JsonObject> mirrors = mirrorsInState(cli);
            assertEquals(firstGhcr, hostsFiles(mirrors, first).get("ghcr.io").getAsString(),
                    "the state holds node 1's new hosts.toml");
            assertEquals(Set.of("docker.io"), hostsFiles(mirrors, victim).keySet(), "node 2 in the state");
            assertEquals(Set.of("docker.io"), hostsFiles(mirrors, last).keySet(), "node 3 in the state");

            // sshd back: the next up converges, no file duplicated, left behind or lost
            victim.startSshd();
            PulumiCli.Result next = cli.up();
            System.out.println("FAULTS next up after sshd came back: exit " + next.exitCode());
            next.assertOk();
            for (NodeHost n : nodes) {
                String where = "after sshd came back, " + n.containerd() + " (" + n.ip() + ")";
                assertEquals(List.of("docker.io/hosts.toml", "ghcr.io/hosts.toml"), certsDir(n), where);
                assertEquals(before.get(n), filesOutsideCertsDir(n), where + ": a file under /etc/containerd was added or lost");
                assertEquals(hostsFile(n, "ghcr.io"), hostsFiles(mirrorsInState(cli), n).get("ghcr.io").getAsString(), where);
                assertTrue(pullsThrough(n, "docker.io/library/hello:1", "registry-docker"), where + ": docker.io");
                assertTrue(pullsThrough(n, "ghcr.io/library/hello:1", "registry-ghcr"), where + ": ghcr.io");
            }
            everyNodeIsWhole("after the next up");
            cli.preview("--expect-no-changes").assertOk();
            cli.destroy().assertOk();
        } finally {
            victim.startSshd(); // for what follows, whatever happened here
        }
    }

    /**
     * A node's sshd killed (listener and sessions) while that node's own apply runs: during containerd's restart, the
     * provider's SSH connection to it drops. The up fails naming the node and the lost connection; node 1 is moved,
     * node 3 untouched; node 2 is whole (the restart, no longer watched, still ran); with sshd back the next `up`
     * finishes the move on node 2 and 3 without a second backup of config.toml, and the preview expects no changes.
     */
    @Test
    @Order(3)
    void aNodesSshdKilledDuringItsOwnRestartFailsThatNodeAndTheNextUpFinishesTheMove() throws Exception {
        NodeHost first = nodes.get(0);
        NodeHost victim = nodes.get(1);
        NodeHost last = nodes.get(2);
        Path dir = Files.createDirectories(tmp.resolve("sshd-killed-mid-restart"));
        try (PulumiCli cli = stack(dir, 3)) {
            cli.up().assertOk();
            Map<NodeHost, List<String>> before = new LinkedHashMap<>();
            for (NodeHost n : nodes) {
                before.put(n, backups(n));
            }

            program(cli.project(), 3, false, MOVED); // config.toml changes on every node: a slow restart each
            // node 2's config.toml written and its restart command running (in its `sleep 8`) over the SSH session
            PulumiCli.Running up = upUntil(cli, "node 2's restart ran", () -> !victim.sh("pgrep -f '^sleep 8$' || true").isBlank());
            victim.killSshd(); // node 2 is in its `sleep 8` before the restart: the session running it dies
            long killed = System.nanoTime();
            PulumiCli.Result failed = up.await();
            System.out.printf("FAULTS sshd killed during node 2's restart (%s): the up ended %d ms later, exit %d%n",
                    victim.ip(), (System.nanoTime() - killed) / 1_000_000, failed.exitCode());
            failed.output().lines().filter(l -> l.contains(victim.ip())).distinct()
                    .forEach(l -> System.out.println("FAULTS   " + l.strip()));
            assertNotEquals(0, failed.exitCode(), failed.output());
            assertTrue(failed.output().contains("the connection to root@" + victim.ip() + ":22 was lost while containerd"
                    + " restarted with the new " + NodeHost.CONFIG_FILE), "the error names node 2 and the lost connection:\n"
                    + failed.output());
            // nothing was put back (nothing could be): the message says what is left and how to finish, and claims no restore
            assertTrue(failed.output().contains("nothing more was tried on it: left on the node as this apply wrote them: "
                    + MOVED + "/docker.io/hosts.toml, " + NodeHost.CONFIG_FILE + " (the original config.toml is in "),
                    failed.output());
            assertTrue(failed.output().contains("Once the node answers again, `pulumi up` finishes the change"), failed.output());
            assertFalse(failed.output().contains("RESTORING FAILED") || failed.output().contains("was not kept"),
                    failed.output());
            // the restart command the dropped session had started runs on without it: wait for it to end
            victim.sh("i=0; while { pgrep -f '^sleep 8$' || pgrep -f '[s]ystemctl restart'; } >/dev/null && [ $i -lt 600 ];"
                    + " do sleep 0.1; i=$((i+1)); done");
            assertEquals(List.of("docker.io/hosts.toml"), files(first, MOVED), "node 1 moved");
            assertEquals(List.of(), files(first, NodeHost.CERTS_DIR), "node 1's old directory emptied");
            assertEquals(List.of("docker.io/hosts.toml"), files(victim, MOVED), "node 2's new directory is complete");
            assertEquals(List.of(), files(last, MOVED), "the rollout stopped before node 3");
            assertFalse(last.readFile(NodeHost.CONFIG_FILE).contains(MOVED), "node 3's config.toml untouched");
            everyNodeIsWhole("after sshd was killed during node 2's restart");
            // the failed update's state names the backup this apply made (where the original config.toml now is)
            List<String> newBackups = new java.util.ArrayList<>(backups(victim));
            newBackups.removeAll(before.get(victim));
            assertEquals(1, newBackups.size(), "node 2: one backup of config.toml: " + newBackups);
            JsonObject victimState = mirrorsInState(cli).get(victim.ip());
            assertEquals(newBackups.get(0), victimState.get("backupFile").getAsString(), "node 2's state names the new backup");
            assertFalse(victimState.get("configUpToDate").getAsBoolean(), "node 2's state: config.toml not known loaded");

            victim.startSshd();
            PulumiCli.Result next = cli.up();
            System.out.println("FAULTS next up after sshd came back (mid-restart case): exit " + next.exitCode());
            next.assertOk();
            for (NodeHost n : nodes) {
                String where = "after the move, " + n.containerd() + " (" + n.ip() + ")";
                assertEquals(List.of("docker.io/hosts.toml"), files(n, MOVED), where);
                assertEquals(List.of(), files(n, NodeHost.CERTS_DIR), where + ": the old directory still has files");
                List<String> added = new java.util.ArrayList<>(backups(n));
                added.removeAll(before.get(n));
                assertEquals(1, added.size(), where + ": one backup of config.toml for the move: " + added);
                assertTrue(pullsThrough(n, "docker.io/library/hello:1", "registry-docker"), where);
            }
            everyNodeIsWhole("after the move");
            cli.preview("--expect-no-changes").assertOk();
            cli.destroy().assertOk();
        } finally {
            victim.startSshd(); // for what follows, whatever happened here
        }
    }

    /** Starts `up` (no preview) and waits, five minutes at most, until {@code reached}; fails if the up ends before. */
    private static PulumiCli.Running upUntil(PulumiCli cli, String what, java.util.function.BooleanSupplier reached)
            throws InterruptedException {
        PulumiCli.Running up = cli.start("up", "--yes", "--diff", "--non-interactive", "--color=never", "--skip-preview");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (!reached.getAsBoolean()) {
            if (!up.isAlive()) {
                throw new AssertionError("the up ended before " + what + ":\n" + up.await().output());
            }
            assertTrue(System.nanoTime() < deadline, "never " + what + ":\n" + up.outputSoFar());
            Thread.sleep(200);
        }
        return up;
    }

    /** The files under {@code certs.d} on {@code n}, relative to it, sorted. */
    private static List<String> certsDir(NodeHost n) {
        return files(n, NodeHost.CERTS_DIR);
    }

    /** The files under {@code dir} on {@code n}, relative to it, sorted (none if it does not exist). */
    private static List<String> files(NodeHost n, String dir) {
        return n.sh("cd " + dir + " 2>/dev/null || exit 0; find . -type f -o -type l | sed 's|^./||' | sort").lines().toList();
    }

    /** The files beside config.toml other than it (its backups). */
    private static List<String> backups(NodeHost n) {
        return n.sh("find /etc/containerd -maxdepth 1 -type f ! -name config.toml | sort").lines().toList();
    }

    /** Every other file under /etc/containerd (config.toml, its backups), with its SHA-256, sorted. */
    private static List<String> filesOutsideCertsDir(NodeHost n) {
        return n.sh("find /etc/containerd -path " + NodeHost.CERTS_DIR + " -prune -o \\( -type f -o -type l \\) -print"
                + " | sort | xargs -r sha256sum").lines().toList();
    }

    private static String hostsFile(NodeHost n, String registry) {
        return n.sh("cat " + NodeHost.CERTS_DIR + "/" + registry + "/hosts.toml 2>/dev/null || true");
    }

    /** Whether {@code n} pulls {@code image} afresh and {@code proxy}'s access log shows the node fetching it. */
    private static boolean pullsThrough(NodeHost n, String image, String proxy) {
        int before = servedTo(n, proxy);
        n.crictl("rmi", image);
        ExecResult pull = n.crictl("pull", image);
        assertEquals(0, pull.getExitCode(), n.containerd() + " pulls " + image + ": " + pull.getStderr());
        return servedTo(n, proxy) > before;
    }

    /** The ContainerdMirror children in the stack's state, by node address: their outputs. */
    private static Map<String, JsonObject> mirrorsInState(PulumiCli cli) {
        Map<String, JsonObject> out = new LinkedHashMap<>();
        for (JsonElement e : JsonParser.parseString(cli.exportState()).getAsJsonObject().getAsJsonObject("deployment")
                .getAsJsonArray("resources")) {
            JsonObject r = e.getAsJsonObject();
            if ("imagecache:index:ContainerdMirror".equals(r.get("type").getAsString())) {
                String urn = r.get("urn").getAsString();
                out.put(urn.substring(urn.lastIndexOf("::cache-") + "::cache-".length()), r.getAsJsonObject("outputs"));
            }
        }
        return out;
    }

    private static JsonObject hostsFiles(Map<String, JsonObject> mirrors, NodeHost n) {
        JsonObject m = mirrors.get(n.ip());
        assertTrue(m != null, n.ip() + " has no ContainerdMirror in the state: " + mirrors.keySet());
        return m.getAsJsonObject("hostsFiles");
    }

    /**
     * Starts `up`, waits until {@code node}'s hosts.toml is written (its config.toml and slow restart come next), sends
     * {@code signal} to the CLI and waits for it and every process it started to end.
     */
    private static PulumiCli.Result interruptWhileRestarting(PulumiCli cli, NodeHost node, String signal) throws Exception {
        PulumiCli.Running up = upUntil(cli, "it reached " + node.ip(),
                () -> !node.sh("test -f " + HOSTS + " && echo yes || true").isBlank());
        List<ProcessHandle> children = up.children();
        up.signal(signal);
        PulumiCli.Result r = up.await();
        // our provider finishes what it was doing and ends with the engine; Pulumi's own language host may linger
        // after a SIGKILL (not ours to fix): it is stopped here once the provider is gone
        for (ProcessHandle c : children) {
            if (c.info().commandLine().orElse("").contains("imagecache-provider.jar")) {
                long t0 = System.nanoTime();
                boolean ended = c.onExit().completeOnTimeout(null, 3, TimeUnit.MINUTES).get() != null || !c.isAlive();
                assertTrue(ended, "the provider outlived the CLI (SIG" + signal + ") by 3 minutes");
                System.out.printf("FAULTS SIG%s: the provider ended %d ms after the CLI%n", signal,
                        (System.nanoTime() - t0) / 1_000_000);
            }
        }
        for (ProcessHandle c : children) {
            if (c.isAlive()) {
                System.out.println("FAULTS SIG" + signal + ": still running after the CLI: " + c.info().command().orElse("?"));
                c.destroyForcibly();
            }
        }
        return r;
    }

    /** Every node: no temporary file left, config_path's directory there and complete, CRI loaded, a pull works. */
    private static void everyNodeIsWhole(String when) {
        for (NodeHost n : nodes) {
            String where = when + ", " + n.containerd() + " (" + n.ip() + ")";
            assertEquals("", n.sh("find /etc/containerd -name '.*.imagecache-*' 2>/dev/null || true").strip(),
                    where + ": a temporary file of a write was left");
            String config = n.readFile("/etc/containerd/config.toml");
            Matcher m = Pattern.compile("(?m)^\\s*config_path\\s*=\\s*[\"']([^\"']*)[\"']").matcher(config);
            if (m.find() && !m.group(1).isEmpty()) {
                assertEquals("yes", n.sh("test -d " + m.group(1) + " && echo yes || echo no").strip(),
                        where + ": config.toml points at " + m.group(1) + ", which is missing");
                for (String f : n.sh("find " + m.group(1) + " -name hosts.toml").lines().toList()) {
                    String hosts = n.readFile(f);
                    assertTrue(hosts.endsWith("\n") && hosts.contains("server = "), where + ": " + f + " is incomplete:\n" + hosts);
                }
            }
            assertTrue(n.criLoaded(), where + ": the CRI plugin is not loaded");
            boolean written = m.find(0) && (NodeHost.CERTS_DIR.equals(m.group(1)) || MOVED.equals(m.group(1)));
            // loaded: containerd (re)started after config.toml last changed (1.x also shows it in `crictl info`)
            String[] times = n.sh("m=$(stat -L -c %Y /etc/containerd/config.toml); e=$(ps -o etimes= -C containerd | sort -n"
                    + " | head -n 1 | tr -d ' '); echo $(( $(date +%s) - e )) $m").strip().split(" ");
            boolean loaded = written && Long.parseLong(times[0]) + 2 >= Long.parseLong(times[1]);
            System.out.println("FAULTS " + where + ": " + (loaded ? "pulls through the mirror" : written
                    ? "config.toml written, not yet loaded (the interrupted restart; the next up loads it)"
                    : "not pointed at the caches"));
            if (!loaded) {
                continue; // it pulls from the real upstream, as before the change, which no test may do
            }
            n.crictl("rmi", "docker.io/library/hello:1");
            ExecResult pull = n.crictl("pull", "docker.io/library/hello:1");
            assertEquals(0, pull.getExitCode(), where + ": the node cannot pull: " + pull.getStderr());
        }
    }

    /** The next `up` succeeds, the first {@code count} nodes pull through the proxy, and the preview is empty. */
    private static void converges(PulumiCli cli, int count, String when) {
        PulumiCli.Result up = cli.up();
        System.out.println("FAULTS next up " + when + ": exit " + up.exitCode());
        up.assertOk();
        for (NodeHost n : nodes.subList(0, count)) {
            int before = servedTo(n);
            n.crictl("rmi", "docker.io/library/hello:1");
            ExecResult pull = n.crictl("pull", "docker.io/library/hello:1");
            assertEquals(0, pull.getExitCode(), when + ", " + n.containerd() + ": " + pull.getStderr());
            assertTrue(servedTo(n) > before, when + ", " + n.containerd() + ": the pull came through the proxy");
        }
        PulumiCli.Result preview = cli.preview().assertOk();
        assertFalse(preview.stdout().matches("(?s).*\\d+ to (create|update|delete|replace).*"), when + ":\n" + preview.stdout());
    }

    private static int servedTo(NodeHost n) {
        return servedTo(n, "registry-docker");
    }

    private static int servedTo(NodeHost n, String proxy) {
        return (int) registryHost.sh("docker logs " + proxy + " 2>&1").lines()
                .filter(l -> l.startsWith(n.ip() + " ") && l.contains("/v2/library/hello/manifests/")).count();
    }
}
