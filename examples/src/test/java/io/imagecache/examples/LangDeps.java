package io.imagecache.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The TypeScript, Python and Go dependencies, installed outside the checkout by
 * {@code scripts/install-lang-deps.sh} (which a test runs: it installs what is missing, so a fresh machine
 * works), and the environment each toolchain runs with: no package source is used at test time.
 */
record LangDeps(Path nodeModules, Path venv, Path goModCache, Path goCache) {
    private static LangDeps installed;

    static synchronized LangDeps installed() {
        if (installed == null) {
            Path repo = PulumiCli.repoRoot();
            Proc.Result r = Proc.run(repo, Map.of(), 30,
                    List.of(repo.resolve("scripts/install-lang-deps.sh").toString())).assertOk();
            Map<String, Path> dirs = new HashMap<>();
            for (String line : r.output().lines().toList()) {
                int eq = line.indexOf('=');
                if (eq > 0 && !line.startsWith("[")) {
                    dirs.put(line.substring(0, eq), Path.of(line.substring(eq + 1)));
                }
            }
            installed = new LangDeps(dirs.get("node_modules"), dirs.get("venv"), dirs.get("gomodcache"), dirs.get("gocache"));
            if (!Files.isDirectory(installed.nodeModules()) || !Files.isExecutable(installed.python())) {
                throw new AssertionError("install-lang-deps.sh printed no usable directories:\n" + r.output());
            }
        }
        return installed;
    }

    Path python() {
        return venv.resolve("bin/python");
    }

    Path nodeBin(String tool) {
        return nodeModules.resolve(".bin").resolve(tool);
    }

    /** Go with the modules install-lang-deps.sh downloaded, and nothing else: no module proxy, go.sum as committed. */
    Map<String, String> goEnv() {
        return Map.of("GOMODCACHE", goModCache.toString(), "GOCACHE", goCache.toString(), "GOFLAGS", "-mod=readonly",
                "GOPROXY", "off", "GOTOOLCHAIN", "local");
    }

    /** A directory's {@code node_modules}: a link to every installed package, as npm would lay them out. */
    void linkNodeModules(Path into) {
        try {
            Files.createDirectories(into);
            try (var entries = Files.list(nodeModules)) {
                for (Path e : (Iterable<Path>) entries::iterator) {
                    if (!Files.exists(into.resolve(e.getFileName().toString()))) {
                        Files.createSymbolicLink(into.resolve(e.getFileName().toString()), e);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
