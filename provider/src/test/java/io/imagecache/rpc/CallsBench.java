package io.imagecache.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import io.imagecache.spi.PropertyValue;
import io.imagecache.ssh.Ed25519HostKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import pulumirpc.Provider;

/**
 * Benchmark, not a test (`make bench PARTS=calls`; not matched by surefire's or failsafe's patterns): what the
 * provider answers the engine's preview pass of a mirror change on N nodes, one call after another as the engine's
 * step generator sends them: per node Check, Diff and the preview Update of a ContainerdMirror whose inputs gain a
 * second registry. None contacts a host. Each run starts the plugin afresh through its launcher (as the engine does
 * for every command, with the class-data archive `make provider` builds), so class loading and the JIT's warm-up
 * are counted as a deployment pays them. The time of a call is its gRPC round trip on loopback, the requests built
 * before the clock starts. Writes bench/results/calls.tsv and calls.json. Its assertions are the benchmark's own
 * checks (Check passes, Diff sees the change, the preview returns the new hosts.toml), never a time.
 */
class CallsBench {
    private static final int RUNS = Integer.getInteger("bench.runs", 5);
    private static final int NODES = Integer.getInteger("bench.nodes", 50);
    private static final String OUT = System.getProperty("bench.out", "calls");
    private static final String TYPE = "imagecache:index:ContainerdMirror";
    /** The timed processes' environment beyond this one's, {@code K=V;K=V} (e.g. IMAGECACHE_JAVA_OPTS, IMAGECACHE_JFR). */
    private static final Map<String, String> ENV = env(System.getProperty("bench.env", ""));

    record Node(String urn, String id, Provider.CheckRequest check, Struct olds, Struct oldInputs) {}

    @Test
    void previewPassOfAMirrorChange() throws Exception {
        String key = Ed25519HostKeys.generate("imagecache-bench").privateKey();
        List<String> ops = List.of("check", "diff", "update-preview");
        Map<String, List<double[]>> byRun = new LinkedHashMap<>();
        ops.forEach(o -> byRun.put(o, new ArrayList<>()));
        List<Double> cpus = new ArrayList<>();
        double[] load = {loadAverage(), 0};
        Path log = Files.createTempFile("imagecache-calls-bench", ".log");
        ensureJvmCache(PluginProcess.launcher());
        // the requests, made with a plugin process of their own: each timed process answers its first call cold
        List<Node> nodes;
        try (PluginProcess p = PluginProcess.start(log)) {
            p.stub.configure(Provider.ConfigureRequest.newBuilder().setAcceptSecrets(true).build());
            nodes = nodes(p, key);
        }
        for (int r = 0; r <= RUNS; r++) {
            try (PluginProcess p = PluginProcess.start(PluginProcess.launcher(), ENV, log)) {
                p.stub.configure(Provider.ConfigureRequest.newBuilder().setAcceptSecrets(true).build());
                double[][] took = new double[ops.size()][NODES];
                long cpu0 = cpuMillis(p.pid());
                for (int i = 0; i < NODES; i++) {
                    Node n = nodes.get(i);
                    long t0 = System.nanoTime();
                    Provider.CheckResponse checked = p.stub.check(n.check());
                    long t1 = System.nanoTime();
                    Provider.DiffResponse diff = p.stub.diff(Provider.DiffRequest.newBuilder().setUrn(n.urn()).setType(TYPE)
                            .setId(n.id()).setOlds(n.olds()).setOldInputs(n.oldInputs()).setNews(checked.getInputs()).build());
                    long t2 = System.nanoTime();
                    Provider.UpdateResponse updated = p.stub.update(Provider.UpdateRequest.newBuilder().setUrn(n.urn())
                            .setType(TYPE).setId(n.id()).setOlds(n.olds()).setOldInputs(n.oldInputs())
                            .setNews(checked.getInputs()).setPreview(true).build());
                    long t3 = System.nanoTime();
                    assertEquals(0, checked.getFailuresCount(), () -> "Check refused: " + checked.getFailuresList());
                    assertEquals(Provider.DiffResponse.DiffChanges.DIFF_SOME, diff.getChanges(), "Diff sees the new registry");
                    assertTrue(updated.getProperties().getFieldsOrThrow("hostsFiles").getStructValue()
                            .containsFields("ghcr.io"), "the preview renders the new registry's hosts.toml");
                    took[0][i] = (t1 - t0) / 1e6;
                    took[1][i] = (t2 - t1) / 1e6;
                    took[2][i] = (t3 - t2) / 1e6;
                }
                long cpu = cpuMillis(p.pid()) - cpu0;
                if (r > 0) {
                    cpus.add((double) cpu);
                    for (int o = 0; o < ops.size(); o++) {
                        byRun.get(ops.get(o)).add(took[o]);
                    }
                }
            }
        }
        load[1] = loadAverage();
        write(Path.of(System.getProperty("user.dir")).getParent().resolve("bench/results"), byRun, cpus, load);
    }

    /** N nodes as PullThroughCache registers them: the stored state after an up with one registry, and new inputs with two. */
    private static List<Node> nodes(PluginProcess p, String key) {
        List<Node> out = new ArrayList<>();
        for (int i = 0; i < NODES; i++) {
            String host = "10.9." + (i / 200) + "." + (i % 200 + 1);
            String urn = "urn:pulumi:bench::fleet::imagecache:index:PullThroughCache$" + TYPE + "::cache-" + host;
            PropertyValue.Obj connection = obj("host", PropertyValue.of(host), "privateKey", PropertyValue.secret(PropertyValue.of(key)));
            Struct oldInputs = p.stub.check(check(urn, inputs(connection, mirror("docker.io", 5000)))).getInputs();
            // the state an up left: the inputs, and what the preview renders with the node's answers filled in
            Struct rendered = p.stub.update(Provider.UpdateRequest.newBuilder().setUrn(urn).setType(TYPE).setId(host)
                    .setOlds(oldInputs).setOldInputs(oldInputs).setNews(oldInputs).setPreview(true).build()).getProperties();
            Map<String, PropertyValue> state = new LinkedHashMap<>(PropertyCodec.decode(rendered).fields());
            state.put("containerdVersion", PropertyValue.of("1.6.20"));
            state.put("configVersion", PropertyValue.of(2));
            state.put("configChanged", PropertyValue.of(true));
            state.put("configUpToDate", PropertyValue.of(true));
            state.put("restartsContainerd", PropertyValue.of(true));
            state.put("backupFile", PropertyValue.of("/etc/containerd/config.toml.imagecache-20261207T000000Z"));
            state.put("hostKeys", obj(host + ":22", PropertyValue.of("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIbench")));
            state.put("containerdBinary", PropertyValue.of("/usr/bin/containerd 1234 40000000 1765065600"));
            state.remove("migratedFiles");
            Struct olds = PropertyCodec.encode(new PropertyValue.Obj(state));
            out.add(new Node(urn, host, check(urn, inputs(connection, mirror("docker.io", 5000), mirror("ghcr.io", 5010))),
                    olds, oldInputs));
        }
        return out;
    }

    private static Provider.CheckRequest check(String urn, PropertyValue.Obj inputs) {
        Struct s = PropertyCodec.encode(inputs);
        return Provider.CheckRequest.newBuilder().setUrn(urn).setType(TYPE).setNews(s).setOlds(s).build();
    }

    private static PropertyValue.Obj inputs(PropertyValue.Obj connection, PropertyValue... mirrors) {
        return obj("connection", connection, "mirrors", new PropertyValue.Arr(List.of(mirrors)));
    }

    private static PropertyValue mirror(String registry, int port) {
        return obj("registry", PropertyValue.of(registry),
                "endpoints", new PropertyValue.Arr(List.of(PropertyValue.of("http://10.9.255.10:" + port))),
                "server", PropertyValue.of("http://10.9.255.20:" + port));
    }

    private static PropertyValue.Obj obj(Object... kv) {
        Map<String, PropertyValue> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], (PropertyValue) kv[i + 1]);
        }
        return new PropertyValue.Obj(m);
    }

    /** The class-data archive the launcher uses, built as `make provider` builds it when this jar has none yet. */
    private static void ensureJvmCache(Path launcher) throws IOException, InterruptedException {
        Process which = new ProcessBuilder(launcher.toString(), "--jvm-cache-path")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String path = new String(which.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        which.waitFor();
        if (path.equals("none")) {
            Process build = new ProcessBuilder(launcher.toString(), "--build-jvm-cache",
                    launcher.getParent().resolveSibling("target/dist/jvm").toString())
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            assertEquals(0, build.waitFor(), "the launcher's --build-jvm-cache");
        }
    }

    /** utime + stime of a process, all its threads (10 ms ticks). */
    private static long cpuMillis(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    private static Map<String, String> env(String spec) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : spec.split(";")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                m.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return m;
    }

    private static double loadAverage() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    private static double median(List<Double> xs) {
        List<Double> s = xs.stream().sorted().toList();
        return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
    }

    /** Per operation: the first call's time, the median of the other calls, and the sum of all N, each over the runs. */
    private static void write(Path out, Map<String, List<double[]>> byRun, List<Double> cpus, double[] load)
            throws IOException {
        Files.createDirectories(out);
        StringBuilder tsv = new StringBuilder("op\trun\tnode\tms\n");
        StringBuilder json = new StringBuilder(String.format(Locale.ROOT, "{\n  \"part\": \"calls\",\n  \"nodes\": %d,\n"
                + "  \"runs\": %d,\n  \"loadavg\": [%.2f, %.2f],\n  \"ops\": {", NODES, RUNS, load[0], load[1]));
        System.out.printf(Locale.ROOT, "preview pass of a mirror change, %d nodes, %d fresh plugin processes; load %.1f -> %.1f%n",
                NODES, RUNS, load[0], load[1]);
        System.out.printf("%-16s %22s %22s %26s%n", "op", "first call ms", "later calls ms", "all N calls ms");
        String sep = "\n";
        double total = 0;
        for (var e : byRun.entrySet()) {
            List<Double> first = new ArrayList<>();
            List<Double> later = new ArrayList<>();
            List<Double> sums = new ArrayList<>();
            for (int r = 0; r < e.getValue().size(); r++) {
                double[] xs = e.getValue().get(r);
                double sum = 0;
                List<Double> rest = new ArrayList<>();
                for (int i = 0; i < xs.length; i++) {
                    tsv.append(e.getKey()).append('\t').append(r + 1).append('\t').append(i + 1).append('\t')
                            .append(String.format(Locale.ROOT, "%.3f", xs[i])).append('\n');
                    sum += xs[i];
                    if (i > 0) {
                        rest.add(xs[i]);
                    }
                }
                first.add(xs[0]);
                later.add(median(rest));
                sums.add(sum);
            }
            total += median(sums);
            json.append(sep).append(String.format(Locale.ROOT, "    \"%s\": {\"first_ms\": %s, \"later_median_ms\": %s, "
                    + "\"sum_ms\": %s}", e.getKey(), stats(first), stats(later), stats(sums)));
            sep = ",\n";
            System.out.printf(Locale.ROOT, "%-16s %22s %22s %26s%n", e.getKey(), text(first), text(later), text(sums));
        }
        json.append(String.format(Locale.ROOT, "\n  },\n  \"sum_of_medians_ms\": %.1f,\n  \"provider_cpu_ms\": %s\n}\n",
                total, stats(cpus)));
        System.out.printf(Locale.ROOT, "all three, %d nodes: %.0f ms (sum of the medians); the provider's CPU meanwhile %s ms%n",
                NODES, total, text(cpus));
        Files.writeString(out.resolve(OUT + ".tsv"), tsv);
        Files.writeString(out.resolve(OUT + ".json"), json);
    }

    private static String stats(List<Double> xs) {
        return String.format(Locale.ROOT, "{\"median\": %.2f, \"min\": %.2f, \"max\": %.2f}", median(xs),
                xs.stream().mapToDouble(d -> d).min().orElse(0), xs.stream().mapToDouble(d -> d).max().orElse(0));
    }

    private static String text(List<Double> xs) {
        return String.format(Locale.ROOT, "%.2f [%.2f-%.2f]", median(xs), xs.stream().mapToDouble(d -> d).min().orElse(0),
                xs.stream().mapToDouble(d -> d).max().orElse(0));
    }
}
