package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every generated SDK compiles with its own toolchain (installed by scripts/install-lang-deps.sh, nothing
 * fetched here): tsc over sdk/nodejs with its own package.json and tsconfig.json, then npm pack; the Python
 * wheel, imported from where pip installs it and type-checked by mypy (the SDK and examples/python against
 * it); {@code go build ./...} and {@code go vet ./...} of the sdk/ module and examples/go. A failure carries
 * the toolchain's output.
 */
class SdkToolchainIT {
    private static Path work;
    private static LangDeps deps;
    private static final Path REPO = PulumiCli.repoRoot();

    @BeforeAll
    static void setUp() throws IOException {
        deps = LangDeps.installed();
        work = Files.createTempDirectory("imagecache-sdk-toolchain-");
    }

    @AfterAll
    static void tearDown() {
        SdkArtifacts.deleteTree(work);
    }

    @Test
    void typescriptSdkCompilesWithTscAndPacks() throws IOException {
        Path tgz = new SdkArtifacts(work.resolve("ts")).nodeTarball();
        String listing = Proc.run(work, Map.of(), "tar", "-tzf", tgz.toString()).assertOk().output();
        for (String f : List.of("package/package.json", "package/index.js", "package/index.d.ts",
                "package/maintenanceSchedule.d.ts", "package/types/input.d.ts")) {
            assertTrue(listing.lines().anyMatch(f::equals), f + " is in the npm tarball:\n" + listing);
        }
    }

    @Test
    void pythonSdkInstallsImportsAndTypeChecks() {
        SdkArtifacts sdks = new SdkArtifacts(work.resolve("py"));
        Path site = sdks.pythonSite(sdks.pythonWheel());
        Map<String, String> env = Map.of("PYTHONPATH", site.toString(), "PYTHONDONTWRITEBYTECODE", "1");
        String imported = Proc.run(work, env, deps.python().toString(), "-c",
                "import importlib.resources as r, pulumi_imagecache as m; print(m.__file__); "
                        + "print(r.files(m).joinpath('pulumi-plugin.json').read_text()); print(m.MaintenanceSchedule.__name__)")
                .assertOk().output();
        assertTrue(imported.startsWith(site.toString()), "imported from the installed wheel:\n" + imported);
        assertTrue(imported.contains("\"name\": \"imagecache\"") && imported.contains("MaintenanceSchedule"), imported);

        String mypyIni = REPO.resolve("scripts/lang-deps/mypy.ini").toString();
        String cache = work.resolve("mypy-cache").toString();
        Proc.run(sdks.sdkCopy("python"), Map.of(), 10, List.of(deps.python().toString(), "-m", "mypy",
                "--config-file", mypyIni, "--cache-dir", cache, "-p", "pulumi_imagecache")).assertOk();
        Proc.run(REPO.resolve("examples/python"), Map.of("MYPYPATH", site.toString()), 10, List.of(deps.python().toString(),
                "-m", "mypy", "--config-file", mypyIni, "--cache-dir", cache, "main.py", "program.py")).assertOk();
    }

    @Test
    void goSdkBuildsAndVets() {
        Path module = REPO.resolve("sdk");
        Proc.run(module, deps.goEnv(), 15, List.of("go", "build", "./...")).assertOk();
        Proc.run(module, deps.goEnv(), 15, List.of("go", "vet", "./...")).assertOk();
        Proc.run(REPO.resolve("examples/go"), deps.goEnv(), 15, List.of("go", "vet", "./...")).assertOk();
    }
}
