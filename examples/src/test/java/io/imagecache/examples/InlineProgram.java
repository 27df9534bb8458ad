package io.imagecache.examples;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.imagecache.lab.guard.LabSecrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs examples/typescript, examples/python or examples/go through the real engine without their language
 * hosts: each example's driver runs its program as an inline Automation API program, and the Pulumi CLI
 * (our build, first on PATH) connects back to it ({@code --client}). File backend and PULUMI_HOME in a
 * temporary directory, a passphrase, no plugin downloads; our provider is found on PATH. Each program uses
 * its language's generated SDK as a user installs it: the npm tarball, the wheel, the Go module.
 */
final class InlineProgram implements AutoCloseable {
    enum Language { TYPESCRIPT, PYTHON, GO }

    /** One driver command: what it printed, and its closing {@code IMAGECACHE_RESULT} line. */
    record Run(Proc.Result proc, JsonObject result) {
        int changes(String op) {
            JsonObject c = result.getAsJsonObject("changes");
            return c.has(op) ? c.get(op).getAsInt() : 0;
        }

        String output(String name) {
            return result.getAsJsonObject("outputs").get(name).getAsString();
        }
    }

    private final Language language;
    private final Path root;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> driver = new ArrayList<>();
    private Path dir;
    private long providerLogSeen;

    private InlineProgram(Language language, Path root) {
        this.language = language;
        this.root = root;
    }

    /** Builds the language's SDK artifact and the example's driver; the program will reach {@code host} with {@code sshKey}. */
    static InlineProgram prepare(Language language, String host, String sshKey) {
        try {
            Path repo = PulumiCli.repoRoot();
            String name = language.name().toLowerCase();
            Path root = Files.createTempDirectory("imagecache-inline-" + name + "-");
            InlineProgram p = new InlineProgram(language, root);
            Files.createDirectories(root.resolve("state"));
            Files.createDirectories(root.resolve("home"));
            Path key = root.resolve("ssh-key");
            Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(key, sshKey, StandardCharsets.UTF_8);
            LabSecrets.register(sshKey);
            p.env.put("PATH", PulumiCli.toolsBin(repo) + ":" + repo.resolve("provider/bin") + ":" + System.getenv("PATH"));
            p.env.put("PULUMI_HOME", root.resolve("home").toString());
            p.env.put("PULUMI_BACKEND_URL", "file://" + root.resolve("state"));
            p.env.put("PULUMI_CONFIG_PASSPHRASE", PulumiCli.PASSPHRASE);
            p.env.put("PULUMI_SKIP_UPDATE_CHECK", "true");
            p.env.put("PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION", "true");
            p.env.put("PULUMI_DISABLE_REGISTRY_RESOLVE", "true");
            p.env.put("PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK", "true");
            p.env.put("NO_COLOR", "1");
            p.env.put("IMAGECACHE_PROVIDER_LOG", root.resolve("provider.log").toString());
            p.env.put("IMAGECACHE_EXAMPLE_STACK", "lab");
            p.env.put("IMAGECACHE_EXAMPLE_PROJECT", "imagecache-example-" + name);
            p.env.put("IMAGECACHE_EXAMPLE_HOST", host);
            p.env.put("IMAGECACHE_EXAMPLE_SSH_KEY_FILE", key.toString());
            p.build(repo);
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void build(Path repo) {
        LangDeps deps = LangDeps.installed();
        SdkArtifacts sdks = new SdkArtifacts(root.resolve("sdk"));
        switch (language) {
            case TYPESCRIPT -> {
                dir = SdkArtifacts.copy(repo.resolve("examples/typescript"), root.resolve("project"));
                sdks.installNodeSdk(sdks.nodeTarball(), dir);
                // Type-checked against the SDK's declarations and compiled once (ts-node would do both on every run).
                Proc.run(dir, Map.of(), deps.nodeBin("tsc").toString(), "-p", ".", "--outDir", "out").assertOk();
                driver.addAll(List.of("node", "out/main.js"));
            }
            case PYTHON -> {
                dir = SdkArtifacts.copy(repo.resolve("examples/python"), root.resolve("project"));
                env.put("PYTHONPATH", sdks.pythonSite(sdks.pythonWheel()).toString());
                env.put("PYTHONDONTWRITEBYTECODE", "1");
                driver.addAll(List.of(deps.python().toString(), "main.py"));
            }
            case GO -> {
                // Built in place (go.mod points at ../../sdk), into the work directory; Go's build cache
                // ($IMAGECACHE_CACHE/go-build) makes every build after the first take seconds.
                dir = root;
                Path bin = root.resolve("example-go");
                Proc.run(repo.resolve("examples/go"), deps.goEnv(), 10, List.of("go", "build", "-o", bin.toString(), ".")).assertOk();
                driver.add(bin.toString());
            }
        }
    }

    /** Sets one of the example's inputs for the next runs, e.g. {@code IMAGECACHE_EXAMPLE_GC_SCHEDULE}. */
    InlineProgram input(String name, String value) {
        env.put(name, value);
        return this;
    }

    Run run(String command) {
        List<String> cmd = new ArrayList<>(driver);
        cmd.add(command);
        Proc.Result r = Proc.run(dir, env, 15, cmd);
        observeProviderLog(command);
        r.assertOk();
        String line = r.output().lines().filter(l -> l.startsWith("IMAGECACHE_RESULT ")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError(language + " " + command + " printed no result:\n" + r.output()));
        return new Run(r, JsonParser.parseString(line.substring("IMAGECACHE_RESULT ".length())).getAsJsonObject());
    }

    /**
     * {@code pulumi stack export --show-secrets} of the program's stack (the same backend, passphrase and
     * PULUMI_HOME), through a file of the work directory (0700), never through the process's output.
     */
    String exportStateWithSecrets() {
        Path file = root.resolve("export.json");
        Proc.run(root, env, 2, List.of("pulumi", "stack", "export", "--show-secrets", "--file", file.toString(), "--stack",
                "organization/" + env.get("IMAGECACHE_EXAMPLE_PROJECT") + "/" + env.get("IMAGECACHE_EXAMPLE_STACK"))).assertOk();
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            file.toFile().delete();
        }
    }

    private void observeProviderLog(String command) {
        Path log = root.resolve("provider.log");
        try {
            if (Files.exists(log)) {
                byte[] all = Files.readAllBytes(log);
                if (all.length > providerLogSeen) {
                    LabSecrets.observe(language + " " + command + " (provider log)",
                            new String(all, (int) providerLogSeen, all.length - (int) providerLogSeen, StandardCharsets.UTF_8));
                    providerLogSeen = all.length;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        SdkArtifacts.deleteTree(root);
    }
}
