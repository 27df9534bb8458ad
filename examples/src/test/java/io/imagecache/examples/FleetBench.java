package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.NodeHost;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (`make bench PARTS=fleet`, bench/run.sh; not matched by failsafe's *IT): issue 11 parts 1 and 2.
 * For each fleet size N (bench.fleet, default 10,50,100) a {@link FleetLab} of N light nodes and one registry host; on it,
 * from the same starting state each time, three tools reach the same end state (a Registry v2 proxy per upstream on the
 * registry host; on every node containerd's config_path set and a hosts.toml per registry naming the cache and the
 * upstream as fallback):
 * <ul>
 *   <li>PullThroughCache through the real CLI: first `up`; no-op `preview`, `up` and `refresh`; a one-mirror change
 *       (a second upstream: a proxy, and one more hosts.toml on every node), and the same change applied with
 *       `up --skip-preview`, each bench.runs times (undone, untimed, in between);</li>
 *   <li>Debian's Ansible with bench/peers/mirrors.yml: first run, a no-op run, a no-op `--check --diff`, the change;</li>
 *   <li>the floor: one {@code ssh} per node writing exactly the needed files (a no-op: one {@code ssh} reading them);
 *       its change bench.runs times too.</li>
 * </ul>
 * Every operation is timed (wall, spawn to exit) and counted on the nodes: sshd's accepted connections and the commands
 * it ran (each node records them), files written, bytes, containerd restarts. The only assertions are the benchmark's
 * own checks: each operation succeeded, a no-op wrote nothing and restarted nothing, and the end state is reached.
 * Writes bench/results/fleet.tsv and fleet.json; bench/plot.py draws fleet.png from them.
 */
class FleetBench {
    private static final List<Integer> SIZES = Arrays.stream(System.getProperty("bench.fleet", "10,50,100").split(","))
            .map(String::trim).map(Integer::parseInt).toList();
    private static final int RUNS = Integer.getInteger("bench.runs", 3);
    /** Nodes changed at once, by every tool: rollout.batchSize, Ansible's forks, the floor's parallel ssh. */
    private static final int BATCH = Integer.getInteger("bench.batch", 10);
    /** The tools to run (a profile of one of them need not wait for the others). */
    private static final List<String> TOOLS = List.of(System.getProperty("bench.tools", "pulumi,ansible,floor").split(","));
    /** The results' file name in bench/results (fleet.tsv, fleet.json: what BENCHMARKS.md and plot.py read). */
    private static final String OUT = System.getProperty("bench.out", "fleet");
    /** When set, a directory for the engine's log (-v=7, with times) of each pulumi change (bench/steps.py reads it). */
    private static final String ENGINE_LOG = System.getProperty("bench.engineLog", "");
    /**
     * How the engine finds the provider: {@code installed} (the default: the tarball by `pulumi plugin install`, as
     * users run it; the engine keeps its schema and starts it once per command) or {@code path} (provider/bin, as the
     * tests do; the engine starts it a second time per command for the schema).
     */
    private static final String PLUGIN = System.getProperty("bench.plugin", "installed");

    /**
     * The engine's --parallel for every pulumi command, when bench.parallel is set (its default is 4 per CPU: 8 here,
     * fewer than a batch of 10, so each batch ran in two rounds; PullThroughCache says so in its output).
     */
    private static final String[] PARALLEL = System.getProperty("bench.parallel", "").isEmpty() ? new String[0]
            : new String[] {"--parallel", System.getProperty("bench.parallel")};
    private static final String[] UP = with(new String[] {"up", "--yes", "--non-interactive", "--color=never"}, PARALLEL);
    private static final String[] REFRESH = with(new String[] {"refresh", "--yes", "--non-interactive", "--color=never"}, PARALLEL);
    private static final String[] PREVIEW = with(new String[] {"preview", "--diff", "--non-interactive", "--color=never"}, PARALLEL);

    private static String[] with(String[] cmd, String... more) {
        String[] out = Arrays.copyOf(cmd, cmd.length + more.length);
        System.arraycopy(more, 0, out, cmd.length, more.length);
        return out;
    }

    record Row(int n, String tool, String op, int run, double wallMs, FleetLab.Counts c) {}

    /** One upstream: its proxy's name and port on the registry host, and the registry its hosts.toml is for. */
    record Mirror(String name, String registry, int port) {}

    private static final Mirror DOCKER = new Mirror("docker", "docker.io", 5000);
    /** The one-mirror change every tool makes: a second proxy, and its hosts.toml on every node. */
    private static final Mirror GHCR = new Mirror("ghcr", "ghcr.io", 5010);
    /** The same change once more, by PullThroughCache only, applied as after a reviewed preview: `up --skip-preview`. */

    private final List<Row> rows = new ArrayList<>();

    @Test
    void fleet() throws Exception {
        Path repo = PulumiCli.repoRoot();
        for (int n : SIZES) {
            try (FleetLab lab = new FleetLab(n)) {
                System.out.printf("[fleet] N=%d: %d nodes and a registry host up%n", n, lab.nodes.size());
                if (TOOLS.contains("pulumi")) {
                    pulumi(lab);
                    lab.reset();
                }
                if (TOOLS.contains("ansible")) {
                    ansible(lab, repo.resolve("bench/peers/mirrors.yml"));
                    lab.reset();
                }
                if (TOOLS.contains("floor")) {
                    floor(lab);
                }
            }
        }
        write(repo.resolve("bench/results"));
    }

    // --- PullThroughCache -------------------------------------------------------------------------------------

    private void pulumi(FleetLab lab) throws Exception {
        Path program = lab.dir.resolve("fleet");
        Files.createDirectories(program);
        Files.writeString(program.resolve("Pulumi.yaml"), program(lab, List.of(DOCKER)));
        try (PulumiCli cli = PLUGIN.equals("path") ? PulumiCli.forProgram(program, "bench")
                : PulumiCli.forProgramWithoutLocalProvider(program, "bench")) {
            if (!PLUGIN.equals("path")) {
                Dist.installPlugin(cli);
            }
            cli.secretConfig("sshKey", lab.key.privateKey());
            // every command as an SRE runs it: up and refresh with their preview pass (--yes), refresh also without it
            measure(lab, "pulumi", "first up", 1, () -> logged(lab, "first-up", cli.run(verbose(UP)).assertOk()), false);
            endState(lab, "pulumi", List.of(DOCKER));
            for (int r = 1; r <= RUNS; r++) {
                measure(lab, "pulumi", "no-op preview", r, () -> {
                    PulumiCli.Result p = cli.run(PREVIEW).assertOk();
                    assertTrue(!p.stdout().matches("(?s).*\\d+ to (create|update|replace|delete).*"), p.stdout());
                }, true);
                measure(lab, "pulumi", "no-op up", r, () -> cli.run(with(UP, "--expect-no-changes")).assertOk(), true);
                measure(lab, "pulumi", "refresh", r, () -> cli.run(with(REFRESH, "--expect-no-changes")).assertOk(), true);
                measure(lab, "pulumi", "refresh --skip-preview", r, () -> cli.run(with(REFRESH, "--skip-preview")).assertOk(), true);
            }
            // the change, then the same change applied as an SRE who reviewed its preview in a pull request applies it
            // (no second preview pass); each undone between runs, untimed, so that every run starts from one proxy
            for (int r = 1; r <= RUNS; r++) {
                String suffix = r == 1 ? "" : "-" + r;
                rewrite(cli, lab, List.of(DOCKER, GHCR));
                measure(lab, "pulumi", "mirror change", r, () -> logged(lab, "mirror-change" + suffix,
                        cli.run(verbose(UP)).assertOk()), false);
                endState(lab, "pulumi", List.of(DOCKER, GHCR));
                undoPulumi(cli, lab);
                rewrite(cli, lab, List.of(DOCKER, GHCR));
                measure(lab, "pulumi", "mirror change --skip-preview", r, () -> logged(lab, "mirror-change-skip-preview" + suffix,
                        cli.run(verbose(with(UP, "--skip-preview"))).assertOk()), false);
                endState(lab, "pulumi", List.of(DOCKER, GHCR));
                undoPulumi(cli, lab);
            }
        }
    }

    /**
     * Back to one upstream, untimed: the second proxy and every node's hosts.toml go (checked), then the cache data
     * the delete kept, so that the next change starts from where the first did.
     */
    private static void undoPulumi(PulumiCli cli, FleetLab lab) throws Exception {
        rewrite(cli, lab, List.of(DOCKER));
        cli.run(with(UP, "--skip-preview")).assertOk();
        endState(lab, "pulumi", List.of(DOCKER));
        lab.removeMirror(GHCR.registry(), "registry-" + GHCR.name(), List.of("/var/lib/imagecache/" + GHCR.name(),
                "/etc/imagecache/" + GHCR.name()));
    }

    /** The program with {@code mirrors} as its upstreams; the plugins section PulumiCli added (bench.plugin=path) stays. */
    private static void rewrite(PulumiCli cli, FleetLab lab, List<Mirror> mirrors) throws IOException {
        Path yaml = cli.project().resolve("Pulumi.yaml");
        String now = Files.readString(yaml);
        int plugins = now.indexOf("\nplugins:");
        Files.writeString(yaml, program(lab, mirrors) + (plugins < 0 ? "" : now.substring(plugins)));
    }

    /** {@code cmd} at the engine's verbosity 7 on stderr when bench.engineLog names a directory. */
    private static String[] verbose(String[] cmd) {
        return ENGINE_LOG.isEmpty() ? cmd : with(cmd, "-v=7", "--logtostderr");
    }

    /** Keeps the engine's log of an operation in bench.engineLog (its reading is not timed: after the command). */
    private static void logged(FleetLab lab, String op, PulumiCli.Result r) throws IOException {
        if (!ENGINE_LOG.isEmpty()) {
            Files.createDirectories(Path.of(ENGINE_LOG));
            Files.writeString(Path.of(ENGINE_LOG, "fleet-" + lab.nodes.size() + "-" + op + ".log"), r.stderr());
        }
    }

    private static String program(FleetLab lab, List<Mirror> mirrors) {
        StringBuilder y = lab.cacheProgram("fleet", BATCH);
        y.append("      upstreams:\n");
        for (Mirror m : mirrors) {
            y.append("        - {name: ").append(m.name()).append(", registry: ").append(m.registry()).append(", remoteUrl: \"")
                    .append(lab.upstream.networkUrl()).append("\", port: ").append(m.port()).append("}\n");
        }
        return lab.withNodes(y);
    }

    // --- Ansible ----------------------------------------------------------------------------------------------

    private void ansible(FleetLab lab, Path playbook) throws Exception {
        StringBuilder inv = new StringBuilder("[nodes]\n");
        for (NodeHost node : lab.nodes) {
            inv.append(node.ip()).append('\n');
        }
        inv.append("[registry]\n").append(lab.registryHost.ip()).append('\n');
        inv.append("[all:vars]\nansible_user=root\nansible_ssh_private_key_file=").append(lab.keyFile())
                .append("\nansible_python_interpreter=/usr/bin/python3\nansible_ssh_common_args='-o UserKnownHostsFile=")
                .append(lab.knownHosts()).append(" -o StrictHostKeyChecking=yes'\n");
        Path inventory = Files.writeString(lab.dir.resolve("inventory.ini"), inv);
        Path one = Files.writeString(lab.dir.resolve("mirrors-1.json"), vars(lab, List.of(DOCKER)));
        Path two = Files.writeString(lab.dir.resolve("mirrors-2.json"), vars(lab, List.of(DOCKER, GHCR)));
        measure(lab, "ansible", "first up", 1, () -> playbook(lab, inventory, one, playbook), false);
        endState(lab, "ansible", List.of(DOCKER));
        for (int r = 1; r <= RUNS; r++) {
            measure(lab, "ansible", "no-op check --diff", r, () -> {
                String out = playbook(lab, inventory, one, playbook, "--check", "--diff");
                assertTrue(out.contains("changed=0"), out);
            }, true);
            measure(lab, "ansible", "no-op up", r, () -> {
                String out = playbook(lab, inventory, one, playbook);
                assertTrue(!out.matches("(?s).*changed=[1-9].*"), out);
            }, true);
        }
        measure(lab, "ansible", "mirror change", 1, () -> playbook(lab, inventory, two, playbook), false);
        endState(lab, "ansible", List.of(DOCKER, GHCR));
    }

    private static String vars(FleetLab lab, List<Mirror> mirrors) {
        String reg = lab.registryHost.ip();
        List<String> ms = new ArrayList<>();
        for (Mirror m : mirrors) {
            ms.add("{\"name\": \"" + m.name() + "\", \"registry\": \"" + m.registry() + "\", \"port\": " + m.port()
                    + ", \"server\": \"" + lab.upstream.networkUrl() + "\", \"endpoint\": \"http://" + reg + ":" + m.port() + "\"}");
        }
        return "{\"certs_dir\": \"" + FleetLab.CERTS_DIR + "\", \"config_file\": \"" + FleetLab.CONFIG + "\", \"image\": \""
                + DockerHost.REGISTRY_IMAGE + "\", \"mirrors\": [" + String.join(", ", ms) + "]}\n";
    }

    private static String playbook(FleetLab lab, Path inventory, Path vars, Path playbook, String... extra) {
        List<String> cmd = new ArrayList<>(List.of("ansible-playbook", "-i", inventory.toString(), "-e", "@" + vars,
                "-f", String.valueOf(BATCH), playbook.toString()));
        cmd.addAll(List.of(extra));
        Map<String, String> env = Map.of("ANSIBLE_HOST_KEY_CHECKING", "True", "ANSIBLE_NOCOLOR", "1",
                // each run starts cold, as a CI job does: no ssh master of an earlier run (ControlPersist) is reused
                "ANSIBLE_SSH_CONTROL_PATH_DIR", lab.dir.resolve("cp-" + System.nanoTime()).toString(),
                // the nodes' sshd runs every command through a recorder (ForceCommand): sftp and scp cannot pass it
                "ANSIBLE_SSH_TRANSFER_METHOD", "piped", "ANSIBLE_LOCAL_TEMP", lab.dir.resolve("ansible-tmp").toString());
        Proc.Result r = Proc.run(lab.dir, env, 30, cmd);
        if (r.exitCode() != 0) {
            throw new AssertionError("ansible-playbook failed:\n" + r.output());
        }
        return r.output();
    }

    // --- the floor --------------------------------------------------------------------------------------------

    /**
     * The floor: one {@code ssh} per node, {@link #BATCH} at a time, and beside them one to the registry host that
     * writes the proxy's config.yml and starts it as the runbook does ({@code docker run}, not waited for: the end
     * state's check waits for it, untimed).
     */
    private void floor(FleetLab lab) throws Exception {
        String reg = lab.registryHost.ip();
        measure(lab, "floor", "first up", 1, () -> withRegistryHost(lab, "tar -x -C / && " + runbookRun(DOCKER),
                tar(Map.of(proxyConfigPath(DOCKER).substring(1), proxyConfig(lab))),
                () -> lab.sshEach(BATCH, "tar -x -C / && systemctl restart containerd",
                        node -> tar(Map.of(FleetLab.CONFIG.substring(1), floorConfig(lab, node),
                                FleetLab.CERTS_DIR.substring(1) + "/docker.io/hosts.toml", hostsToml(lab, reg, DOCKER.port()))))), false);
        endState(lab, "floor", List.of(DOCKER));
        for (int r = 1; r <= RUNS; r++) {
            // a no-op at its cheapest: read what should be there, compare here (the comparison is the node's sha256sum -c)
            measure(lab, "floor", "no-op check", r, () -> withRegistryHost(lab,
                    "sha256sum -c --quiet && docker inspect -f '{{.State.Running}}' registry-" + DOCKER.name() + " | grep -qx true",
                    (sha(proxyConfig(lab)) + "  " + proxyConfigPath(DOCKER) + "\n").getBytes(StandardCharsets.UTF_8),
                    () -> lab.sshEach(BATCH, "sha256sum -c --quiet", node -> (sha(floorConfig(lab, node))
                            + "  " + FleetLab.CONFIG + "\n" + sha(hostsToml(lab, reg, DOCKER.port())) + "  " + FleetLab.CERTS_DIR
                            + "/docker.io/hosts.toml\n").getBytes(StandardCharsets.UTF_8))), true);
        }
        for (int r = 1; r <= RUNS; r++) {
            measure(lab, "floor", "mirror change", r, () -> withRegistryHost(lab, "tar -x -C / && " + runbookRun(GHCR),
                    tar(Map.of(proxyConfigPath(GHCR).substring(1), proxyConfig(lab))),
                    () -> lab.sshEach(BATCH, "tar -x -C /", node -> tar(Map.of(FleetLab.CERTS_DIR.substring(1) + "/ghcr.io/hosts.toml",
                            hostsToml(lab, reg, GHCR.port()))))), false);
            endState(lab, "floor", List.of(DOCKER, GHCR));
            // undone, untimed, for the next run
            lab.removeMirror(GHCR.registry(), "registry-" + GHCR.name(), List.of(proxyConfigPath(GHCR)));
        }
    }

    /** Runs {@code nodes} while one {@code ssh} to the registry host runs {@code command}; both must succeed. */
    private static void withRegistryHost(FleetLab lab, String command, byte[] stdin, Op nodes) throws Exception {
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            Future<String> registry = one.submit(() -> lab.ssh(lab.registryHost, command, stdin));
            nodes.run();
            registry.get();
        } finally {
            one.shutdownNow();
        }
    }

    /** The runbook's proxy: its config.yml for the lab's upstream (as bench/peers/mirrors.yml writes it too). */
    private static String proxyConfig(FleetLab lab) {
        return "version: 0.1\nstorage:\n  cache:\n    blobdescriptor: inmemory\n  filesystem:\n    rootdirectory: /var/lib/registry\n"
                + "http:\n  addr: :5000\nproxy:\n  remoteurl: " + lab.upstream.networkUrl() + "\n";
    }

    private static String proxyConfigPath(Mirror m) {
        return "/etc/docker-registry/" + m.name() + "/config.yml";
    }

    /** The runbook's {@code docker run} of a proxy. */
    private static String runbookRun(Mirror m) {
        return "docker run -p " + m.port() + ":5000 -d --restart always --name registry-" + m.name() + " -v " + proxyConfigPath(m)
                + ":/etc/docker/registry/config.yml " + DockerHost.REGISTRY_IMAGE + " >/dev/null";
    }

    private static String floorConfig(FleetLab lab, NodeHost node) {
        return lab.original(node) + "\n  [plugins.\"io.containerd.grpc.v1.cri\".registry]\n    config_path = \"" + FleetLab.CERTS_DIR + "\"\n";
    }

    private static String hostsToml(FleetLab lab, String reg, int port) {
        return "server = \"" + lab.upstream.networkUrl() + "\"\n\n[host.\"http://" + reg + ":" + port + "\"]\n"
                + "  capabilities = [\"pull\", \"resolve\"]\n";
    }

    private static String sha(String s) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A tar stream of {@code files} (relative path to content), made by the system's tar from a scratch directory. */
    private static byte[] tar(Map<String, String> files) {
        try {
            Path d = Files.createTempDirectory("imagecache-floor-");
            for (Map.Entry<String, String> f : files.entrySet()) {
                Path p = d.resolve(f.getKey());
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue());
            }
            List<String> cmd = new ArrayList<>(List.of("tar", "-c", "-C", d.toString(), "--owner=0", "--group=0"));
            cmd.addAll(files.keySet());
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            p.getInputStream().transferTo(out);
            if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("tar failed");
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // --- measuring --------------------------------------------------------------------------------------------

    interface Op {
        void run() throws Exception;
    }

    private void measure(FleetLab lab, String tool, String op, int run, Op body, boolean noop) throws Exception {
        Map<NodeHost, FleetLab.Snapshot> before = lab.snapshot();
        long t0 = System.nanoTime();
        body.run();
        double ms = (System.nanoTime() - t0) / 1e6;
        FleetLab.Counts c = FleetLab.counts(before, lab.snapshot());
        if (noop) {
            assertTrue(c.touchedNothing(), tool + " " + op + " is a no-op, yet wrote " + c.filesWritten() + " files and restarted "
                    + c.restarts() + " containerd");
        }
        rows.add(new Row(lab.nodes.size(), tool, op, run, ms, c));
        System.out.printf(Locale.ROOT, "[fleet] N=%d %-7s %-18s #%d %8.0f ms  ssh/node %.1f (max %d)  cmds/node %.1f  files %d  bytes %d  restarts %d%n",
                lab.nodes.size(), tool, op, run, ms, c.connectionsPerNode(), c.maxConnections(), c.commandsPerNode(), c.filesWritten(),
                c.bytesWritten(), c.restarts());
    }

    /**
     * The registry host: a proxy answering on each mirror's port. Every node: config.toml sets config_path to the certs
     * directory, a hosts.toml per registry names the cache.
     */
    private static void endState(FleetLab lab, String tool, List<Mirror> mirrors) throws InterruptedException {
        lab.proxiesAnswer(tool, mirrors.stream().map(Mirror::port).toList());
        List<String> registries = mirrors.stream().map(Mirror::registry).toList();
        for (NodeHost node : lab.nodes) {
            String config = node.readFile(FleetLab.CONFIG);
            assertTrue(config.contains("config_path = \"" + FleetLab.CERTS_DIR + "\""), tool + ": " + node.ip() + " config.toml:\n" + config);
            for (String r : registries) {
                String h = node.readFile(FleetLab.CERTS_DIR + "/" + r + "/hosts.toml");
                assertTrue(h.contains("server = \"" + lab.upstream.networkUrl() + "\"") && h.contains("[host.\"http://" + lab.registryHost.ip()
                        + ":"), tool + ": " + node.ip() + " " + r + "/hosts.toml:\n" + h);
            }
            assertEquals(registries.size(), Integer.parseInt(node.sh("ls " + FleetLab.CERTS_DIR + " | wc -l").strip()), tool);
            assertTrue(node.criLoaded(), tool + ": CRI loaded on " + node.ip());
        }
    }

    private void write(Path out) throws IOException {
        Files.createDirectories(out);
        StringBuilder tsv = new StringBuilder("n\ttool\top\trun\twall_ms\tssh_per_node\tssh_max\tcommands_per_node\tfiles\tbytes\trestarts\n");
        for (Row r : rows) {
            tsv.append(String.format(Locale.ROOT, "%d\t%s\t%s\t%d\t%.1f\t%.2f\t%d\t%.2f\t%d\t%d\t%d%n", r.n(), r.tool(), r.op(), r.run(),
                    r.wallMs(), r.c().connectionsPerNode(), r.c().maxConnections(), r.c().commandsPerNode(), r.c().filesWritten(),
                    r.c().bytesWritten(), r.c().restarts()));
        }
        Files.writeString(out.resolve(OUT + ".tsv"), tsv);
        StringBuilder json = new StringBuilder("{\n  \"part\": \"fleet\",\n  \"batch\": " + BATCH + ",\n  \"runs\": " + RUNS
                + ",\n  \"plugin\": \"" + PLUGIN + "\",\n  \"loadavg\": \"" + Files.readString(Path.of("/proc/loadavg")).strip() + "\",\n  \"rows\": [");
        String sep = "\n";
        for (Row r : rows) {
            json.append(sep).append(String.format(Locale.ROOT, "    {\"n\": %d, \"tool\": \"%s\", \"op\": \"%s\", \"run\": %d, \"wall_ms\": %.1f, "
                            + "\"ssh_per_node\": %.2f, \"ssh_max\": %d, \"commands_per_node\": %.2f, \"files\": %d, \"bytes\": %d, \"restarts\": %d}",
                    r.n(), r.tool(), r.op(), r.run(), r.wallMs(), r.c().connectionsPerNode(), r.c().maxConnections(), r.c().commandsPerNode(),
                    r.c().filesWritten(), r.c().bytesWritten(), r.c().restarts()));
            sep = ",\n";
        }
        json.append("\n  ]\n}\n");
        Files.writeString(out.resolve(OUT + ".json"), json);
    }
}
