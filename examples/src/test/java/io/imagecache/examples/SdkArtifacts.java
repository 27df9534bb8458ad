package io.imagecache.examples;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Builds the generated SDKs the way each ecosystem ships them, from the committed {@code sdk/}, in a
 * work directory outside the checkout: the npm tarball ({@code tsc}, then {@code npm pack} of the
 * compiled package) and the Python wheel ({@code pip wheel}, offline). The Go SDK is used as a module in
 * place. Every step fails with the toolchain's own output.
 */
final class SdkArtifacts {
    private static final Set<String> BUILD_OUTPUT = Set.of("node_modules", "bin", "build", "dist", "__pycache__", ".mypy_cache");

    private final LangDeps deps = LangDeps.installed();
    private final Path repo = PulumiCli.repoRoot();
    private final Path work;

    SdkArtifacts(Path work) {
        this.work = work;
    }

    /**
     * The npm tarball as {@code make dist} builds it ({@code scripts/dist.sh nodejs}: sdk/nodejs compiled with its own
     * package.json and tsconfig.json, then packed), so a packaging mistake there fails the tests that install it.
     */
    Path nodeTarball() {
        Proc.run(repo, Map.of(), 10, List.of(repo.resolve("scripts/dist.sh").toString(), "--out", work.toString(),
                "nodejs")).assertOk();
        Path tgz = work.resolve("imagecache-pulumi-0.1.0.tgz");
        if (!Files.isRegularFile(tgz)) {
            throw new AssertionError("scripts/dist.sh nodejs made no " + tgz);
        }
        return tgz;
    }

    /** Unpacks the npm tarball as {@code node_modules/@imagecache/pulumi} of {@code project}, beside links to its dependencies. */
    void installNodeSdk(Path tarball, Path project) {
        Path nm = project.resolve("node_modules");
        Path pkg = nm.resolve("@imagecache/pulumi");
        try {
            Files.createDirectories(pkg);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Proc.run(project, Map.of(), "tar", "-xzf", tarball.toString(), "-C", pkg.toString(), "--strip-components=1").assertOk();
        deps.linkNodeModules(nm);
    }

    /**
     * The wheel as {@code make dist} builds it ({@code scripts/dist.sh python}: pyproject.toml, setuptools from the
     * venv, no index); a copy of the sources is left in {@link #sdkCopy} for the type check.
     */
    Path pythonWheel() {
        copy(repo.resolve("sdk/python"), work.resolve("python-sdk"));
        Path dist = work.resolve("dist");
        Proc.run(repo, Map.of(), 10, List.of(repo.resolve("scripts/dist.sh").toString(), "--out", dist.toString(),
                "python")).assertOk();
        try (Stream<Path> s = Files.list(dist)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".whl")).findFirst()
                    .orElseThrow(() -> new AssertionError("pip wheel made no wheel in " + dist));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Installs the wheel into a directory of its own (for PYTHONPATH), as pip would into site-packages. */
    Path pythonSite(Path wheel) {
        Path site = work.resolve("site");
        Proc.run(work, Map.of(), 10, List.of(deps.python().toString(), "-m", "pip", "install", "--no-deps", "--no-index",
                "--quiet", "--disable-pip-version-check", "--target", site.toString(), wheel.toString())).assertOk();
        return site;
    }

    Path sdkCopy(String language) {
        return work.resolve(language + "-sdk");
    }

    /** Copies a source tree, leaving out what a build in place would have left there. */
    static Path copy(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path src : (Iterable<Path>) s::iterator) {
                Path rel = from.relativize(src);
                boolean skipped = false;
                for (Path part : rel) {
                    String n = part.toString();
                    skipped |= BUILD_OUTPUT.contains(n) || n.endsWith(".egg-info");
                }
                if (skipped) {
                    continue;
                }
                Path dst = to.resolve(rel.toString());
                if (Files.isDirectory(src)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(src, dst, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return to;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes a work directory; links in it (node_modules) are removed, never what they point at. */
    static void deleteTree(Path root) {
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort
        }
    }
}
