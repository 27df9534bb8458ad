package io.imagecache.examples;

import io.imagecache.lab.guard.LabSecrets;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs the real Pulumi CLI on a copy of one example program, fully offline: a file backend and a
 * PULUMI_HOME of its own in a temporary directory, a passphrase for secrets, no update checks and no
 * plugin downloads. The provider is found through {@code plugins.providers} pointing at
 * {@code provider/bin}, the language hosts next to {@code pulumi}.
 */
public final class PulumiCli implements AutoCloseable {
    public static final String PASSPHRASE = "correct horse battery staple";

    static {
        LabSecrets.register(PASSPHRASE);
    }

    private final Path root;
    private final Path project;
    private final Map<String, String> env = new LinkedHashMap<>();
    private String pulumi = "pulumi";
    private long providerLogSeen;
    private PrintStream live;
    /** How long one command may run before the test gives up on it. */
    private int commandMinutes = 15;

    /** What one command did. */
    public record Result(int exitCode, String stdout, String stderr, List<String> command) {
        public String output() {
            return stdout + stderr;
        }

        public Result assertOk() {
            if (exitCode != 0) {
                throw new AssertionError("`" + String.join(" ", command) + "` failed (" + exitCode + "):\n" + output());
            }
            return this;
        }
    }

    private PulumiCli(Path root, Path project) {
        this.root = root;
        this.project = project;
    }

    /** Copies {@code examples/<name>} into a fresh temporary directory and creates stack {@code stack}. */
    public static PulumiCli forExample(String name, String stack) {
        return create(name, stack, true);
    }

    /**
     * Like {@link #forExample}, for a program that is not under {@code examples/}: copies {@code dir} (e.g. a
     * program a test derived from an example) and creates stack {@code stack}.
     */
    public static PulumiCli forProgram(Path dir, String stack) {
        return create(dir, dir.getFileName().toString(), stack, true);
    }

    /**
     * Like {@link #forExample}, but the way a user's stack finds the provider: no {@code plugins.providers}
     * path and no {@code provider/bin} on PATH, so the engine can only use a plugin installed into this
     * stack's PULUMI_HOME ({@link #installPlugin}).
     */
    public static PulumiCli forExampleWithoutLocalProvider(String name, String stack) {
        return create(name, stack, false);
    }

    /** Like {@link #forProgram}, the way {@link #forExampleWithoutLocalProvider} finds the provider. */
    public static PulumiCli forProgramWithoutLocalProvider(Path dir, String stack) {
        return create(dir, dir.getFileName().toString(), stack, false);
    }

    /** {@code pulumi plugin install resource imagecache <version> --file <tarball>} into this PULUMI_HOME. */
    public Result installPlugin(String version, Path tarball) {
        return run("plugin", "install", "resource", "imagecache", version, "--file", tarball.toString());
    }

    public Path home() {
        return root.resolve("home");
    }

    private static PulumiCli create(String name, String stack, boolean localProvider) {
        return create(repoRoot().resolve("examples").resolve(name), name, stack, localProvider);
    }

    private static PulumiCli create(Path source, String name, String stack, boolean localProvider) {
        try {
            Path repo = repoRoot();
            Path root = Files.createTempDirectory("imagecache-" + name + "-");
            Path project = root.resolve("project");
            copyTree(source, project);
            Path providerBin = repo.resolve("provider").resolve("bin");
            if (localProvider) {
                String yaml = Files.readString(project.resolve("Pulumi.yaml"), StandardCharsets.UTF_8);
                yaml += "\nplugins:\n  providers:\n    - name: imagecache\n      path: " + providerBin + "\n";
                Files.writeString(project.resolve("Pulumi.yaml"), yaml, StandardCharsets.UTF_8);
            }
            Files.createDirectories(root.resolve("state"));
            Files.createDirectories(root.resolve("home"));
            PulumiCli cli = new PulumiCli(root, project);
            String tools = toolsBin(repo);
            cli.pulumi = Path.of(tools, "pulumi").toString();
            cli.env.put("PATH", tools + ":" + (localProvider ? System.getenv("PATH") : pathWithout(providerBin)));
            cli.env.put("PULUMI_HOME", root.resolve("home").toString());
            cli.env.put("PULUMI_BACKEND_URL", "file://" + root.resolve("state"));
            cli.env.put("PULUMI_CONFIG_PASSPHRASE", PASSPHRASE);
            cli.env.put("PULUMI_SKIP_UPDATE_CHECK", "true");
            cli.env.put("PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "true");
            cli.env.put("PULUMI_DISABLE_REGISTRY_RESOLVE", "true");
            cli.env.put("PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK", "true");
            cli.env.put("NO_COLOR", "1");
            // the provider appends its own log here too (read by the secrets guard after each command)
            cli.env.put("IMAGECACHE_PROVIDER_LOG", root.resolve("provider.log").toString());
            cli.run("stack", "init", stack).assertOk();
            return cli;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path project() {
        return project;
    }

    /** The temporary directory of this stack: project, state backend, PULUMI_HOME and the provider's log. */
    public Path root() {
        return root;
    }

    /** The file the provider appends its log to (IMAGECACHE_PROVIDER_LOG). */
    public Path providerLog() {
        return root.resolve("provider.log");
    }

    public PulumiCli env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /**
     * Also prints each line the CLI writes to stdout to {@code sink} (indented) as it comes, so the engine's
     * progress is seen while a command runs; {@code null} turns it off. Results still carry the whole output.
     */
    public PulumiCli live(PrintStream sink) {
        this.live = sink;
        return this;
    }

    public PulumiCli config(String key, String value) {
        run("config", "set", key, "--", value).assertOk();
        return this;
    }

    /** Sets a secret config value; the value goes on stdin, never on the command line. */
    public PulumiCli secretConfig(String key, String value) {
        LabSecrets.register(value);
        runWithStdin(value, "config", "set", "--secret", key).assertOk();
        return this;
    }

    public Result preview(String... extra) {
        List<String> a = new ArrayList<>(List.of("preview", "--diff", "--non-interactive", "--color=never"));
        a.addAll(List.of(extra));
        return run(a.toArray(String[]::new));
    }

    public Result up() {
        return run("up", "--yes", "--diff", "--non-interactive", "--color=never", "--skip-preview");
    }

    public Result refresh() {
        return run("refresh", "--yes", "--diff", "--non-interactive", "--color=never", "--skip-preview");
    }

    public Result destroy() {
        return run("destroy", "--yes", "--non-interactive", "--color=never", "--skip-preview");
    }

    /** A command left running, to be interrupted: what it printed so far, its plugins, a signal, its end. */
    /** Gives each command up to {@code minutes} (a program whose resources may wait longer than 15 minutes). */
    public PulumiCli commandMinutes(int minutes) {
        this.commandMinutes = minutes;
        return this;
    }

    public final class Running {
        private final Process process;
        private final StringBuilder streamed = new StringBuilder();
        private final Thread pump;
        private final Path err;
        private final List<String> cmd;

        private Running(List<String> cmd, String stdin) throws IOException {
            this.cmd = cmd;
            this.err = Files.createTempFile(root, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            process = pb.start();
            if (stdin != null) {
                process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            PrintStream sink = live != null ? live : new PrintStream(java.io.OutputStream.nullOutputStream());
            pump = new Thread(() -> pump(process, sink, streamed), "pulumi-output");
            pump.setDaemon(true);
            pump.start();
        }

        public String outputSoFar() {
            synchronized (streamed) {
                return streamed.toString();
            }
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** The processes the CLI started (the language host, the provider plugins), as they are now. */
        public List<ProcessHandle> children() {
            return process.descendants().toList();
        }

        /** Sends {@code signal} ({@code INT}, {@code KILL}, ...) to the CLI itself, not to its children. */
        public void signal(String signal) {
            try {
                Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).start();
                if (!k.waitFor(10, TimeUnit.SECONDS) || k.exitValue() != 0) {
                    throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Waits for the command to end (at most {@link #commandMinutes(int)}, 15 by default) and returns what it did. */
        public Result await() {
            try {
                if (!process.waitFor(commandMinutes, TimeUnit.MINUTES)) {
                    process.destroyForcibly();
                    throw new AssertionError("`" + String.join(" ", cmd) + "` did not finish in " + commandMinutes + " minutes");
                }
                pump.join(TimeUnit.SECONDS.toMillis(30));
                Result r = new Result(process.exitValue(), outputSoFar(), Files.readString(err), cmd);
                observe(r);
                Files.deleteIfExists(err);
                return r;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    /** Starts {@code pulumi <args>} and returns at once. */
    public Running start(String... args) {
        return start(null, args);
    }

    private Running start(String stdin, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(pulumi);
        cmd.addAll(List.of(args));
        try {
            return new Running(cmd, stdin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String output(String name) {
        return run("stack", "output", name, "--show-secrets").assertOk().stdout().strip();
    }

    /** The stack's state as JSON, secrets as the backend stores them (encrypted). */
    public String exportState() {
        return run("stack", "export").assertOk().stdout();
    }

    public Result run(String... args) {
        return runWithStdin(null, args);
    }

    /** Runs {@code pulumi <args>} with {@code stdin} (null: none) to its end (at most {@link #commandMinutes(int)}). */
    public Result runWithStdin(String stdin, String... args) {
        return start(stdin, args).await();
    }

    private static void pump(Process p, PrintStream sink, StringBuilder into) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                sink.println(line.isEmpty() ? "" : "    " + line);
                sink.flush();
                synchronized (into) {
                    into.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            sink.println("    (reading the CLI's output failed: " + e.getMessage() + ")");
        }
    }

    /**
     * Hands what the engine printed and what the provider logged (IMAGECACHE_PROVIDER_LOG) to the lab's
     * secrets guard. {@code --show-secrets} output is meant to show them and is left out.
     */
    private void observe(Result r) throws IOException {
        String what = "pulumi " + String.join(" ", r.command().subList(1, Math.min(3, r.command().size())));
        if (!r.command().contains("--show-secrets")) {
            LabSecrets.observe(what + " (stdout)", r.stdout());
        }
        boolean verbose = r.command().stream().anyMatch(a -> a.startsWith("-v="));
        LabSecrets.observe(what + " (stderr)", verbose ? withoutEngineRpcTraces(r.stderr()) : r.stderr());
        Path log = root.resolve("provider.log");
        if (Files.exists(log)) {
            byte[] all = Files.readAllBytes(log);
            if (all.length > providerLogSeen) {
                LabSecrets.observe(what + " (provider log)",
                        new String(all, (int) providerLogSeen, all.length - (int) providerLogSeen, StandardCharsets.UTF_8));
                providerLogSeen = all.length;
            }
        }
    }

    /**
     * The engine's log without its own traces of every property it marshals for a gRPC call ("Marshaling property
     * for RPC[...]", "Unmarshaling ..."): at {@code -v=11} those show secret values, as Pulumi documents ("At log
     * level 11, Pulumi will intentionally expose some known credentials") and warns at the start of the log; at
     * {@code -v=10} they still show the secrets it sends for a Delete. What the provider logs, and the rest of the
     * engine's log, stay in.
     */
    public static String withoutEngineRpcTraces(String log) {
        return log.lines().filter(l -> !l.contains("\"msg\":\"Marshaling property for RPC[")
                && !l.contains("\"msg\":\"Unmarshaling property for RPC[")).collect(Collectors.joining("\n"));
    }

    @Override
    public void close() {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }

    /** The checkout's root: the directory holding {@code schema.json} and {@code examples/}. */
    public static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !(Files.exists(p.resolve("schema.json")) && Files.isDirectory(p.resolve("examples")))) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalStateException("not inside an imagecache checkout: " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    static String toolsBin(Path repo) throws IOException {
        String fromEnv = System.getenv("IMAGECACHE_TOOLS_BIN");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        Process p = new ProcessBuilder(repo.resolve("scripts/install-tools.sh").toString(), "--bin-dir").start();
        String dir = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (dir.isEmpty() || !Files.isExecutable(Path.of(dir, "pulumi"))) {
            throw new IllegalStateException("pulumi is not built (expected in " + dir + "): run `make tools`");
        }
        return dir;
    }

    /**
     * The PATH of this process without {@code dir} (the Makefile puts provider/bin on it) and without any other
     * directory holding a {@code pulumi-resource-imagecache}.
     */
    private static String pathWithout(Path dir) {
        return Stream.of(System.getenv("PATH").split(":"))
                .filter(d -> !d.isEmpty() && !Path.of(d).toAbsolutePath().normalize().equals(dir.normalize()))
                .filter(d -> !Files.exists(Path.of(d, "pulumi-resource-imagecache")))
                .collect(Collectors.joining(":"));
    }

    /** Copies an example, leaving out build output ({@code target/}) a local build may have left there. */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path src : (Iterable<Path>) s::iterator) {
                if (from.relativize(src).startsWith("target")) {
                    continue;
                }
                Path dst = to.resolve(from.relativize(src).toString());
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
