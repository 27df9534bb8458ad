package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.GsonBuilder;
import io.imagecache.lab.DockerHost;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;

/**
 * Benchmark, not a test (`make bench PARTS=migration`, bench/run.sh; not matched by failsafe's *IT): issue 11 part 4.
 * A {@link FleetLab} of N nodes set up the runbook's broken way: one hand-made Docker Hub proxy ({@code registry} on
 * port 5000, the seed's {@code docker run}) and on every node the deprecated wildcard
 * {@code registry.mirrors."*"} pointing at it, so docker.io pulls work and ghcr.io pulls fail. While every node pulls
 * a docker.io image in a loop ({@code crictl pull}, then {@code rmi}, run with docker exec so sshd does not see it),
 * PullThroughCache migrates the fleet through the real CLI in rolling batches (bench.batch nodes at a time): a proxy per
 * upstream on new ports beside the old one, then per node the wildcard removed (1.6 has no {@code _default} hosts
 * directory to carry it to) and one hosts.toml per registry, containerd restarted. Counted from the loops' own logs: pulls, failed pulls (target zero)
 * with what crictl said, and the longest time a node went without a successful pull, against the same loop's gaps
 * before the migration. Checked afterwards: every node pulled docker.io through the new proxy (its access log) and
 * ghcr.io now works. One fresh lab per run (bench.runs). Writes bench/results/migration.tsv and migration.json.
 */
class MigrationBench {
    private static final int N = Integer.getInteger("bench.nodes", 10);
    private static final int RUNS = Integer.getInteger("bench.runs", 3);
    private static final int BATCH = Integer.getInteger("bench.batch", 2);
    private static final String HUB_IMAGE = "docker.io/library/app:1";
    private static final String GHCR_IMAGE = "ghcr.io/org/tool:1";
    private static final String LOOP_LOG = "/tmp/pull-loop.log";
    private static final String LOOP_STOP = "/tmp/pull-loop.stop";
    /** Seconds of pulling measured before the migration starts and after it ends. */
    private static final int BEFORE_S = 15;
    private static final int AFTER_S = 10;

    /** One pull of a loop: whether it worked, when it started and ended (epoch seconds), what crictl said. */
    record Pull(boolean ok, double start, double end, String message) {}

    /** What one node's loop saw in a window. */
    record Window(int pulls, int failed, double longestGapS, double medianPullS, List<String> failures) {}

    record Run(int run, String phase, double upWallS, double windowS, int restarts, int pulls, int failed, double longestGapS, double longestGapBeforeS,
               double medianPullS, Map<String, Integer> failureKinds, List<String> failures) {}

    private final List<Run> runs = new ArrayList<>();

    @Test
    void migrateUnderLoad() throws Exception {
        Path repo = PulumiCli.repoRoot();
        for (int r = 1; r <= RUNS; r++) {
            try (FleetLab lab = new FleetLab(N);
                 LocalRegistry ghcr = LocalRegistry.plain().startedOn(lab.network)) {
                runs.addAll(migrate(lab, ghcr, r));
            }
        }
        write(repo.resolve("bench/results"));
    }

    private List<Run> migrate(FleetLab lab, LocalRegistry ghcr, int run) throws Exception {
        byte[] layer = new byte[2 * 1024 * 1024];
        new Random(4).nextBytes(layer);
        ImageSeeder.to(lab.upstream).dockerImage("library/app", "1", layer);
        ImageSeeder.to(ghcr).dockerImage("org/tool", "1", "ghcr's tool");
        runbookSetup(lab);
        for (NodeHost node : lab.nodes) {
            ExecResult hub = node.crictl("pull", HUB_IMAGE);
            assertEquals(0, hub.getExitCode(), "before: docker.io pulls through the hand-made proxy on " + node.ip() + ": " + hub.getStderr());
            assertTrue(node.crictl("rmi", HUB_IMAGE).getExitCode() == 0);
        }
        assertTrue(lab.nodes.get(0).crictl("pull", GHCR_IMAGE).getExitCode() != 0,
                "before: the runbook's symptom, ghcr.io through the wildcard Docker Hub proxy fails");

        Path program = lab.dir.resolve("migration");
        Files.createDirectories(program);
        Files.writeString(program.resolve("Pulumi.yaml"), program(lab, ghcr, false));
        List<Run> out = new ArrayList<>();
        try (PulumiCli cli = PulumiCli.forProgram(program, "bench")) {
            cli.secretConfig("sshKey", lab.key.privateKey());
            startLoops(lab);
            Thread.sleep(BEFORE_S * 1000L);
            List<Long> pids0 = pids(lab);
            double[] migration = timed(() -> cli.up().assertOk());
            Thread.sleep(AFTER_S * 1000L);
            List<Long> pids1 = pids(lab);
            // a later change under the same load: one more registry (config_path is set now, so no restart)
            Path yaml = cli.project().resolve("Pulumi.yaml");
            String now = Files.readString(yaml);
            Files.writeString(yaml, program(lab, ghcr, true) + now.substring(now.indexOf("\nplugins:")));
            double[] added = timed(() -> cli.up().assertOk());
            Thread.sleep(AFTER_S * 1000L);
            List<Long> pids2 = pids(lab);
            stopLoops(lab);

            Map<NodeHost, List<Pull>> logs = new LinkedHashMap<>();
            for (NodeHost node : lab.nodes) {
                logs.put(node, parse(node.readFile(LOOP_LOG)));
            }
            double before = migration[0] - BEFORE_S + 2;
            out.add(phase(run, "migration from the wildcard", logs, before, migration, added[0] - 1, restarts(pids0, pids1)));
            out.add(phase(run, "one more registry", logs, before, added, added[1] + AFTER_S - 1, restarts(pids1, pids2)));
            after(lab);
            cli.destroy().assertOk();
        }
        return out;
    }

    private static List<Long> pids(FleetLab lab) {
        return lab.nodes.stream().map(NodeHost::containerdPid).toList();
    }

    private static int restarts(List<Long> a, List<Long> b) {
        int n = 0;
        for (int i = 0; i < a.size(); i++) {
            n += a.get(i).equals(b.get(i)) ? 0 : 1;
        }
        return n;
    }

    interface Op {
        void run() throws Exception;
    }

    /** When {@code op} started and ended, epoch seconds. */
    private static double[] timed(Op op) throws Exception {
        double t0 = now();
        op.run();
        return new double[] {t0, now()};
    }

    /**
     * One phase across the fleet: the pulls that ended from the `up`'s start to {@code to}, against the same loops'
     * gaps from {@code before} to the first `up`.
     */
    private static Run phase(int run, String name, Map<NodeHost, List<Pull>> logs, double before, double[] up, double to,
                             int restarts) {
        int pulls = 0;
        int failed = 0;
        double gap = 0;
        double gapBefore = 0;
        List<Double> durations = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        Map<String, Integer> kinds = new TreeMap<>();
        for (Map.Entry<NodeHost, List<Pull>> e : logs.entrySet()) {
            Window quiet = window(e.getValue(), before, before + BEFORE_S - 2);
            Window during = window(e.getValue(), up[0], to);
            assertTrue(during.pulls() > 0, e.getKey().ip() + " pulled nothing during " + name);
            pulls += during.pulls();
            failed += during.failed();
            gap = Math.max(gap, during.longestGapS());
            gapBefore = Math.max(gapBefore, quiet.longestGapS());
            durations.add(during.medianPullS());
            for (String f : during.failures()) {
                failures.add(e.getKey().ip() + ": " + f);
                kinds.merge(kind(f), 1, Integer::sum);
            }
        }
        Run r = new Run(run, name, up[1] - up[0], to - up[0], restarts, pulls, failed, gap, gapBefore, median(durations), kinds, failures);
        System.out.printf(Locale.ROOT, "[migration] run %d, %s: up %.1f s, %d containerd restarts; %d pulls in %.1f s, %d failed %s; longest gap %.2f s"
                + " (before: %.2f s); median pull %.2f s%n", run, name, r.upWallS(), restarts, pulls, r.windowS(), failed, kinds, gap, gapBefore,
                r.medianPullS());
        failures.forEach(f -> System.out.println("[migration]   failed: " + f));
        return r;
    }

    /** The runbook's starting point: its Docker Hub proxy made by hand, and every node's wildcard mirror pointing at it. */
    private static void runbookSetup(FleetLab lab) throws Exception {
        DockerHost reg = lab.registryHost;
        reg.writeFile("/etc/docker-registry/config.yml", "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /var/lib/registry\n"
                + "http:\n  addr: :5000\nproxy:\n  remoteurl: " + lab.upstream.networkUrl() + "\n");
        reg.docker("run", "-d", "--restart", "always", "--name", "registry", "-p", "5000:5000",
                "-v", "/etc/docker-registry/config.yml:/etc/docker/registry/config.yml", DockerHost.REGISTRY_IMAGE);
        reg.sh("for i in $(seq 100); do curl -fsS -o /dev/null http://127.0.0.1:5000/v2/ && exit 0; sleep 0.1; done; exit 1");
        String wildcard = "\n[plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.\"*\"]\n  endpoint = [\"http://" + reg.ip() + ":5000\"]\n";
        for (NodeHost node : lab.nodes) {
            node.writeFile(FleetLab.CONFIG, lab.original(node) + wildcard);
            node.restartContainerd();
            assertTrue(node.criLoaded(), "the wildcard config loads on " + node.ip());
        }
    }

    private static String program(FleetLab lab, LocalRegistry ghcr, boolean quay) {
        StringBuilder y = lab.cacheProgram("migration", BATCH);
        // beside the hand-made proxy (port 5000), which nodes not yet migrated keep using
        y.append("      upstreams:\n");
        y.append("        - {name: docker, registry: docker.io, remoteUrl: \"").append(lab.upstream.networkUrl()).append("\", port: 5001}\n");
        y.append("        - {name: ghcr, registry: ghcr.io, remoteUrl: \"").append(ghcr.networkUrl()).append("\", port: 5010}\n");
        if (quay) {
            y.append("        - {name: quay, registry: quay.io, remoteUrl: \"").append(ghcr.networkUrl()).append("\", port: 5020}\n");
        }
        return lab.withNodes(y);
    }

    /** Every node pulls {@link #HUB_IMAGE} in a loop (pull, rmi, 0.2 s), logging each pull, until {@link #LOOP_STOP} exists. */
    private static void startLoops(FleetLab lab) {
        String loop = "#!/bin/sh\necho $$ > /tmp/pull-loop.pid\nwhile [ ! -e " + LOOP_STOP + " ]; do\n  t0=$(date +%s.%N)\n"
                + "  if out=$(crictl --timeout 30s pull " + HUB_IMAGE + " 2>&1); then r=ok; else r=fail; fi\n"
                + "  t1=$(date +%s.%N)\n  printf '%s %s %s %s\\n' \"$r\" \"$t0\" \"$t1\" \"$(printf %s \"$out\" | tr '\\n\\t' '  ' | cut -c1-600)\" >> "
                + LOOP_LOG + "\n  crictl rmi " + HUB_IMAGE + " >/dev/null 2>&1\n  sleep 0.2\ndone\n";
        for (NodeHost node : lab.nodes) {
            node.writeFile("/usr/local/bin/pull-loop", loop);
            node.sh("rm -f " + LOOP_LOG + " " + LOOP_STOP + " /tmp/pull-loop.pid; chmod 755 /usr/local/bin/pull-loop; "
                    + "setsid nohup /usr/local/bin/pull-loop </dev/null >/dev/null 2>&1 & "
                    + "for i in $(seq 50); do [ -s /tmp/pull-loop.pid ] && exit 0; sleep 0.1; done; exit 1");
        }
    }

    private static void stopLoops(FleetLab lab) throws InterruptedException {
        for (NodeHost node : lab.nodes) {
            node.sh("touch " + LOOP_STOP);
        }
        for (NodeHost node : lab.nodes) {
            node.sh("for i in $(seq 600); do kill -0 $(cat /tmp/pull-loop.pid) 2>/dev/null || exit 0; sleep 0.1; done; exit 1");
        }
    }

    /** After the migration: docker.io through the new proxy on every node (its access log), ghcr.io works. */
    private static void after(FleetLab lab) {
        String log = lab.registryHost.sh("docker logs registry-docker 2>&1");
        for (NodeHost node : lab.nodes) {
            assertTrue(log.contains(node.ip()), node.ip() + " pulled docker.io through the new proxy registry-docker");
            ExecResult g = node.crictl("pull", GHCR_IMAGE);
            assertEquals(0, g.getExitCode(), "after: ghcr.io pulls on " + node.ip() + ": " + g.getStderr());
            String config = node.readFile(FleetLab.CONFIG);
            assertTrue(!config.contains("mirrors.\"*\""), "the wildcard is gone from " + node.ip() + "'s config.toml");
            // containerd 1.6 has no _default hosts directory: the wildcard is dropped (with a warning), not carried over
            assertEquals("docker.io\nghcr.io\nquay.io", node.sh("ls " + FleetLab.CERTS_DIR).strip(), node.ip() + "'s hosts directories");
        }
    }

    static List<Pull> parse(String log) {
        List<Pull> out = new ArrayList<>();
        for (String line : log.split("\n")) {
            String[] f = line.split(" ", 4);
            if (f.length >= 3) {
                out.add(new Pull(f[0].equals("ok"), Double.parseDouble(f[1]), Double.parseDouble(f[2]), f.length == 4 ? f[3].strip() : ""));
            }
        }
        return out;
    }

    /**
     * The pulls that ended in [from, to]; the longest gap is the longest stretch in it with no pull succeeding: from
     * {@code from} (or a successful pull's end) to the next successful pull's end, or to {@code to}.
     */
    static Window window(List<Pull> pulls, double from, double to) {
        List<Pull> in = pulls.stream().filter(p -> p.end() >= from && p.end() <= to).toList();
        double last = from;
        double gap = 0;
        List<String> failures = new ArrayList<>();
        List<Double> durations = new ArrayList<>();
        for (Pull p : in) {
            if (p.ok()) {
                gap = Math.max(gap, p.end() - last);
                last = p.end();
                durations.add(p.end() - p.start());
            } else {
                failures.add(String.format(Locale.ROOT, "at +%.1f s after %.1f s: %s", p.start() - from, p.end() - p.start(), p.message()));
            }
        }
        gap = Math.max(gap, to - last);
        return new Window(in.size(), failures.size(), gap, median(durations), failures);
    }

    /** A failure by its cause, without the parts that change from pull to pull. */
    static String kind(String failure) {
        String m = failure.substring(failure.indexOf(": ") + 2);
        if (m.contains("validate service connection") || m.contains("Error while dialing")) {
            return "containerd's socket not there (restarting)";
        }
        if (m.contains("Unavailable") || m.contains("EOF") || m.contains("transport is closing")) {
            return "connection to containerd lost mid-pull (restart)";
        }
        if (m.contains("not found") || m.contains("404")) {
            return "image not found (wrong mirror)";
        }
        return m.length() > 80 ? m.substring(0, 80) : m;
    }

    private static double median(List<Double> xs) {
        if (xs.isEmpty()) {
            return 0;
        }
        List<Double> s = xs.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    private static double now() {
        return System.currentTimeMillis() / 1000.0;
    }

    private void write(Path out) throws IOException {
        Files.createDirectories(out);
        StringBuilder tsv = new StringBuilder("run\tphase\tnodes\tbatch\tup_s\twindow_s\trestarts\tpulls\tfailed\tlongest_gap_s\tlongest_gap_before_s\tmedian_pull_s\n");
        for (Run r : runs) {
            tsv.append(String.format(Locale.ROOT, "%d\t%s\t%d\t%d\t%.1f\t%.1f\t%d\t%d\t%d\t%.2f\t%.2f\t%.2f%n", r.run(), r.phase(), N, BATCH, r.upWallS(), r.windowS(),
                    r.restarts(), r.pulls(), r.failed(), r.longestGapS(), r.longestGapBeforeS(), r.medianPullS()));
        }
        Files.writeString(out.resolve("migration.tsv"), tsv);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("part", "migration");
        json.put("nodes", N);
        json.put("batch", BATCH);
        json.put("containerd", "1.6 (Debian)");
        json.put("loadavg", Files.readString(Path.of("/proc/loadavg")).strip());
        json.put("runs", runs);
        Files.writeString(out.resolve("migration.json"), new GsonBuilder().setPrettyPrinting().create().toJson(json) + "\n");
    }
}
