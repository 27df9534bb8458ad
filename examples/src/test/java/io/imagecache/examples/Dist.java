package io.imagecache.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged artifacts, made once per test JVM by the project's own script ({@code scripts/dist.sh}),
 * from the provider this build just packaged: the plugin tarball and the Java SDK in the local Maven
 * repository (the build's own, {@code imagecache.mavenRepoLocal} from failsafe).
 */
final class Dist {
    private static Path tarball;
    private static boolean javaSdkInstalled;

    private Dist() {}

    /** What a command printed, with its exit code. */
    record Run(int exitCode, String output, List<String> command) {
        Run assertOk() {
            if (exitCode != 0) {
                throw new AssertionError("`" + String.join(" ", command) + "` failed (" + exitCode + "):\n" + output);
            }
            return this;
        }
    }

    /** The schema's version: the plugin's, the SDK's and the tarball's. */
    static String version() {
        try {
            String schema = Files.readString(PulumiCli.repoRoot().resolve("schema.json"));
            Matcher m = Pattern.compile("\"version\"\\s*:\\s*\"([^\"]+)\"").matcher(schema);
            if (!m.find()) {
                throw new IllegalStateException("schema.json has no version");
            }
            return m.group(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code dist/pulumi-resource-imagecache-v<version>-linux-amd64.tar.gz}, built into a temporary directory. */
    static synchronized Path pluginTarball() {
        if (tarball == null) {
            try {
                Path out = Files.createTempDirectory("imagecache-dist-");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(out)));
                script(out, "plugin");
                tarball = out.resolve("pulumi-resource-imagecache-v" + version() + "-linux-amd64.tar.gz");
                if (!Files.isRegularFile(tarball)) {
                    throw new AssertionError("scripts/dist.sh plugin did not write " + tarball);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tarball;
    }

    /**
     * The plugin as users install it: {@link #pluginTarball} by {@code pulumi plugin install} into {@code cli}'s
     * PULUMI_HOME, with the launcher's class-data archive for the default JVM built beside it as `make provider`
     * builds provider/bin's (the first start would otherwise build it). Returns the plugin's directory.
     */
    static Path installPlugin(PulumiCli cli) {
        String version = version();
        cli.installPlugin(version, pluginTarball()).assertOk();
        Path plugin = cli.home().resolve("plugins/resource-imagecache-v" + version);
        ensureJvmCache(plugin.resolve("pulumi-resource-imagecache"), plugin.resolve("jvm"), Map.of());
        return plugin;
    }

    /** The archive the launcher would use with {@code env}, built into {@code dir} when it has none. */
    static void ensureJvmCache(Path launcher, Path dir, Map<String, String> env) {
        if (env.containsKey("IMAGECACHE_JVM_CACHE")) {
            return;
        }
        if (launcher(launcher, env, "--jvm-cache-path").equals("none")) {
            launcher(launcher, env, "--build-jvm-cache", dir.toString());
        }
    }

    /** What the launcher printed on stdout (its notices on stderr are not wanted here). */
    private static String launcher(Path launcher, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(launcher.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError(cmd + " failed");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code mvn install} of sdk/java: io.imagecache:imagecache-sdk:<version> in the local repository. */
    static synchronized void installJavaSdk() {
        if (!javaSdkInstalled) {
            script(PulumiCli.repoRoot().resolve("dist"), "java-sdk");
            javaSdkInstalled = true;
        }
    }

    /** MAVEN_OPTS that make a nested {@code mvn} (ours, or the Java language host's) use the build's repository. */
    static String mavenOpts() {
        String repo = System.getProperty("imagecache.mavenRepoLocal", "");
        String own = System.getenv().getOrDefault("MAVEN_OPTS", "");
        return repo.isBlank() ? own : (own + " -Dmaven.repo.local=" + repo).strip();
    }

    private static void script(Path out, String part) {
        Path repo = PulumiCli.repoRoot();
        run(repo, Map.of(), repo.resolve("scripts/dist.sh").toString(), "--no-build", "--out", out.toString(), part).assertOk();
    }

    static void deleteTree(Path dir) {
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    static Run run(Path dir, Map<String, String> env, String... command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("MAVEN_OPTS", mavenOpts());
        pb.environment().putAll(env);
        try {
            Path log = Files.createTempFile("imagecache-run", ".txt");
            pb.redirectOutput(log.toFile());
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("`" + String.join(" ", command) + "` did not finish in 10 minutes");
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.delete(log);
            return new Run(p.exitValue(), output, new ArrayList<>(List.of(command)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
