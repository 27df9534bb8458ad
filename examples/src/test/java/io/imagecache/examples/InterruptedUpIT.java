package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
                  nodes:
            %s
            """;
    /** A restart slow enough to be interrupted in. */
    private static final String SLOW_RESTART = "sleep 8 && systemctl restart containerd";
    private static final String HOSTS = NodeHost.CERTS_DIR + "/docker.io/hosts.toml";

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
        dockerHub = LocalRegistry.plain();
        dockerHub.withNetwork(network.network());
        dockerHub.start();
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
        StringBuilder config = new StringBuilder();
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < count; i++) {
            config.append("  node").append(i).append(": { type: string }\n");
            list.append("          - connection: { host: \"${node").append(i).append("}\", privateKey: \"${sshKey}\" }\n")
                    .append("            restartCommand: \"").append(SLOW_RESTART).append("\"\n");
        }
        Files.writeString(dir.resolve("Pulumi.yaml"), PROGRAM.formatted(config.toString().stripTrailing(),
                list.toString().stripTrailing()));
    }

    private static PulumiCli stack(Path dir) throws IOException {
        program(dir, 2);
        PulumiCli cli = PulumiCli.forProgram(dir, "lab").config("registryHost", registryHost.ip())
                .secretConfig("sshKey", registryHost.rootKey().privateKey()).config("image", DockerHost.REGISTRY_IMAGE)
                .config("dockerUpstream", dockerHub.networkUrl());
        for (int i = 0; i < nodes.size(); i++) {
            cli.config("node" + i, nodes.get(i).ip());
        }
        return cli;
    }

    @Test
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
     * Starts `up`, waits until {@code node}'s hosts.toml is written (its config.toml and slow restart come next), sends
     * {@code signal} to the CLI and waits for it and every process it started to end.
     */
    private static PulumiCli.Result interruptWhileRestarting(PulumiCli cli, NodeHost node, String signal) throws Exception {
        PulumiCli.Running up = cli.start("up", "--yes", "--diff", "--non-interactive", "--color=never", "--skip-preview");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (node.sh("test -f " + HOSTS + " && echo yes || true").isBlank()) {
            if (!up.isAlive()) {
                throw new AssertionError("the up ended before it reached " + node.ip() + ":\n" + up.await().output());
            }
            assertTrue(System.nanoTime() < deadline, "the up never reached " + node.ip() + ":\n" + up.outputSoFar());
            Thread.sleep(200);
        }
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
            boolean written = m.find(0) && NodeHost.CERTS_DIR.equals(m.group(1));
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
        return (int) registryHost.sh("docker logs registry-docker 2>&1").lines()
                .filter(l -> l.startsWith(n.ip() + " ") && l.contains("/v2/library/hello/manifests/")).count();
    }
}
