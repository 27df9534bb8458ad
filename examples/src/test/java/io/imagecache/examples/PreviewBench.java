package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Benchmark, not a test (`make bench`, bench/run.sh preview; not matched by failsafe's *IT): a no-op
 * {@code pulumi preview} of one resource. examples/maintenance-schedule is brought up once on a lab Docker host;
 * then `pulumi preview` runs RUNS times per variant of the provider's JVM (the variants taking turns), each checked
 * to report the resource unchanged. Wall time of the whole CLI command, from spawn to exit. Writes
 * bench/results/preview.tsv and preview.json. Its only assertions are the benchmark's own checks (the preview
 * succeeded and changed nothing), never a time.
 */
class PreviewBench {
    private static final int RUNS = Integer.getInteger("bench.runs", 9);
    private static final String FLOOR = "pulumi-floor";
    private static final String JAVA25 = System.getProperty("bench.java25", "/usr/lib/jvm/temurin-25-jdk-amd64");

    /** {@code installed}: the plugin as users install it (the tarball, `pulumi plugin install`), not provider/bin. */
    record Variant(String name, String what, Map<String, String> env, boolean installed) {
        Variant(String name, String what, Map<String, String> env) {
            this(name, what, env, false);
        }
    }

    @Test
    void noOpPreviewOfOneResource() throws Exception {
        Path repo = PulumiCli.repoRoot();
        Path launcher = repo.resolve("provider/bin/pulumi-resource-imagecache");
        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("java17-noarchive", "Java 17, the launcher's flags, no archive",
                Map.of("IMAGECACHE_JVM_CACHE", "off")));
        variants.add(new Variant("java17-appcds", "Java 17 with the AppCDS archive (the default here)", Map.of()));
        if (Files.isExecutable(Path.of(JAVA25, "bin/java"))) {
            variants.add(new Variant("java25-aot", "Temurin 25 with the AOT cache (IMAGECACHE_JAVA_HOME)",
                    Map.of("IMAGECACHE_JAVA_HOME", JAVA25)));
        }
        variants.add(new Variant("java17-appcds-installed", "Java 17 with the AppCDS archive, the plugin installed from its "
                + "tarball (pulumi plugin install): the engine keeps its schema in PULUMI_HOME/schemas", Map.of(), true));
        if (Files.isExecutable(Path.of(JAVA25, "bin/java"))) {
            variants.add(new Variant("java25-aot-installed", "Temurin 25 with the AOT cache, the plugin installed from its tarball",
                    Map.of("IMAGECACHE_JAVA_HOME", JAVA25), true));
        }
        for (Variant v : variants) {
            if (!v.installed()) {
                Dist.ensureJvmCache(launcher, repo.resolve("provider/target/dist/jvm"), v.env());
            }
        }
        Map<String, List<Double>> walls = new LinkedHashMap<>();
        variants.forEach(v -> walls.put(v.name(), new ArrayList<>()));
        double[] load = new double[2];
        int[] launches = new int[2];
        try (LabNetwork network = LabNetwork.create()) {
            DockerHost host = new DockerHost(network);
            host.start();
            // the installed plugin's stack has a host of its own: one MaintenanceSchedule per cron file and host
            DockerHost other = new DockerHost(network);
            other.start();
            Path empty = Files.createTempDirectory("imagecache-bench-empty");
            // the floor: the same CLI, backend and YAML language host with no resource and no provider at all
            Files.writeString(empty.resolve("Pulumi.yaml"), "name: empty\nruntime: yaml\noutputs:\n  x: 1\n");
            variants.add(new Variant(FLOOR, "the same `pulumi preview` of a YAML program with no resource (no provider)",
                    Map.of()));
            walls.put(FLOOR, new ArrayList<>());
            try (PulumiCli cli = PulumiCli.forExample("maintenance-schedule", "bench");
                 PulumiCli installed = PulumiCli.forExampleWithoutLocalProvider("maintenance-schedule", "bench-installed");
                 PulumiCli floor = PulumiCli.forProgram(empty, "bench")) {
                cli.config("host", host.ip()).secretConfig("sshKey", host.rootKey().privateKey());
                cli.up().assertOk();
                String version = Dist.version();
                Path plugin = Dist.installPlugin(installed);
                for (Variant v : variants) {
                    if (v.installed()) {
                        Dist.ensureJvmCache(plugin.resolve("pulumi-resource-imagecache"), plugin.resolve("jvm"), v.env());
                    }
                }
                installed.config("host", other.ip()).secretConfig("sshKey", other.rootKey().privateKey());
                installed.up().assertOk();
                floor.up().assertOk();
                load[0] = loadAverage();
                for (int r = 0; r <= RUNS; r++) {
                    for (Variant v : variants) {
                        PulumiCli c = v.name().equals(FLOOR) ? floor : v.installed() ? installed : cli;
                        v.env().forEach(c::env);
                        long t0 = System.nanoTime();
                        PulumiCli.Result p = c.preview().assertOk();
                        double ms = (System.nanoTime() - t0) / 1e6;
                        v.env().keySet().forEach(k -> c.env(k, ""));
                        // the stack (and the MaintenanceSchedule): nothing to do
                        String unchanged = v.name().equals(FLOOR) ? "1 unchanged" : "2 unchanged";
                        assertTrue(p.stdout().contains(unchanged) && !p.stdout().matches("(?s).*to (create|update|replace|delete).*"),
                                "a no-op preview:\n" + p.stdout());
                        if (r > 0) {
                            walls.get(v.name()).add(ms);
                        }
                    }
                }
                load[1] = loadAverage();
                // what makes the installed plugin's preview cheaper: the engine loaded its schema from this file,
                // written at the first preview, instead of starting the plugin to ask for it
                Path schema = installed.home().resolve("schemas/imagecache-" + version + ".json");
                assertTrue(Files.isRegularFile(schema), "the engine's schema cache " + schema);
                // and so starts the provider once per preview; provider/bin (a PATH plugin, never cached) twice
                launches[0] = launches(cli);
                launches[1] = launches(installed);
                assertTrue(launches[1] == 1, "the installed plugin started " + launches[1] + " times in one preview");
                cli.destroy().assertOk();
                installed.destroy().assertOk();
            } finally {
                host.stop();
                other.stop();
            }
        }
        write(repo.resolve("bench/results"), variants, walls, load, launches);
    }

    /** How many times the engine started our provider in one more (untimed) no-op preview, from its own log. */
    private static int launches(PulumiCli c) {
        String log = c.preview("--logtostderr", "-v=9").assertOk().stderr();
        return (int) log.lines().filter(l -> l.contains("Launching plugin") && l.contains("pulumi-resource-imagecache")).count();
    }

    private static double loadAverage() throws IOException {
        return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    }

    private static void write(Path out, List<Variant> variants, Map<String, List<Double>> walls, double[] load,
            int[] launches) throws IOException {
        Files.createDirectories(out);
        StringBuilder tsv = new StringBuilder("variant\trun\twall_ms\n");
        StringBuilder json = new StringBuilder("{\n  \"part\": \"preview\",\n  \"runs\": " + RUNS
                + ",\n  \"command\": \"pulumi preview --diff --non-interactive --color=never (examples/maintenance-schedule,"
                + " one MaintenanceSchedule, state from one up on a lab Docker host)\",\n  \"loadavg\": ["
                + load[0] + ", " + load[1] + "],\n  \"provider_processes_per_preview\": {\"provider/bin\": " + launches[0]
                + ", \"installed\": " + launches[1] + "},\n  \"variants\": {");
        System.out.printf("no-op pulumi preview of one resource, %d runs each (interleaved); load %.1f -> %.1f;"
                + " provider processes per preview: %d from provider/bin, %d installed%n",
                RUNS, load[0], load[1], launches[0], launches[1]);
        String sep = "\n";
        for (Variant v : variants) {
            List<Double> xs = walls.get(v.name());
            for (int i = 0; i < xs.size(); i++) {
                tsv.append(v.name()).append('\t').append(i + 1).append('\t')
                        .append(String.format(Locale.ROOT, "%.1f", xs.get(i))).append('\n');
            }
            List<Double> sorted = xs.stream().sorted().toList();
            double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                    : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
            json.append(sep).append(String.format(Locale.ROOT,
                    "    \"%s\": {\"what\": \"%s\", \"wall_ms\": {\"median\": %.1f, \"min\": %.1f, \"max\": %.1f}}",
                    v.name(), v.what(), median, sorted.get(0), sorted.get(sorted.size() - 1)));
            sep = ",\n";
            System.out.printf(Locale.ROOT, "%-24s %7.0f [%.0f-%.0f] ms%n", v.name(), median, sorted.get(0),
                    sorted.get(sorted.size() - 1));
        }
        json.append("\n  }\n}\n");
        Files.writeString(out.resolve("preview.tsv"), tsv);
        Files.writeString(out.resolve("preview.json"), json);
    }
}
