package io.imagecache.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package rules of DESIGN.md section 4, checked on the sources: which package may import what.
 * jsch, okhttp and grpc/protobuf each live behind one package; spi is JDK only; containerd is pure.
 */
class PackageDependenciesTest {
    private static final Path SRC = Path.of("src/main/java/io/imagecache");

    /** Package (relative, dotted) -> import prefixes it may use besides java.* and its own project packages. */
    private static final Map<String, List<String>> ALLOWED_EXTERNAL = Map.ofEntries(
            Map.entry("spi", List.of()),
            Map.entry("containerd", List.of("org.tomlj.")),
            Map.entry("maintenance", List.of()),
            Map.entry("distribution", List.of("org.snakeyaml.engine.")),
            Map.entry("vm", List.of("org.snakeyaml.engine.")),
            Map.entry("ssh", List.of()),
            Map.entry("ssh.jsch", List.of("com.jcraft.jsch.")),
            Map.entry("registry", List.of("okhttp3.", "com.google.gson.")),
            Map.entry("registry.json", List.of("com.google.gson.")),
            Map.entry("resources", List.of()),
            Map.entry("component", List.of()),
            Map.entry("hosts", List.of()),
            Map.entry("hosts.docker", List.of("com.google.gson.")),
            Map.entry("hosts.containerd", List.of()),
            Map.entry("hosts.kvm", List.of("com.google.gson.")),
            Map.entry("schema", List.of("com.google.gson.")),
            Map.entry("rpc", List.of("io.grpc.", "com.google.protobuf.", "com.google.rpc.", "pulumirpc.")),
            Map.entry("provider", List.of("jdk.jfr.")));

    /** Package -> project packages it may not import (one direction of dependency). */
    private static final Map<String, List<String>> FORBIDDEN_INTERNAL = Map.ofEntries(
            Map.entry("spi", List.of("rpc", "resources", "ssh", "registry", "containerd", "schema", "provider")),
            Map.entry("containerd", List.of("rpc", "resources", "ssh", "registry", "spi", "provider")),
            Map.entry("resources", List.of("rpc", "ssh.jsch", "provider", "schema", "component")),
            Map.entry("component", List.of("rpc", "ssh", "ssh.jsch", "registry", "provider", "schema", "hosts")),
            Map.entry("hosts", List.of("rpc", "resources", "ssh.jsch", "provider", "schema", "registry")),
            Map.entry("hosts.docker", List.of("rpc", "resources", "ssh.jsch", "provider", "schema", "registry")),
            Map.entry("hosts.containerd", List.of("rpc", "resources", "ssh.jsch", "provider", "schema", "registry")),
            Map.entry("hosts.kvm", List.of("rpc", "resources", "ssh.jsch", "provider", "schema", "registry", "component")),
            Map.entry("ssh", List.of("rpc", "resources", "spi", "registry", "containerd", "provider")),
            Map.entry("registry", List.of("rpc", "resources", "spi", "ssh", "containerd", "provider")),
            Map.entry("rpc", List.of("resources", "ssh", "registry", "containerd", "provider", "component")),
            Map.entry("vm", List.of("rpc", "resources", "ssh", "spi", "registry", "hosts", "provider", "component")));

    /** Libraries that live behind one package each: named in code, not only in imports, they still count. */
    private static final List<String> LIBRARIES = List.of("io.grpc.", "com.google.protobuf.", "com.google.rpc.",
            "pulumirpc.", "com.jcraft.jsch.", "okhttp3.");

    private static final Pattern IMPORT = Pattern.compile("(?m)^import (?:static )?([\\w.]+)");

    @Test
    void everyPackageImportsOnlyWhatItMay() throws IOException {
        List<String> problems = new ArrayList<>();
        int files = 0;
        try (Stream<Path> s = Files.walk(SRC)) {
            for (Path f : (Iterable<Path>) s.filter(p -> p.toString().endsWith(".java"))::iterator) {
                files++;
                String pkg = SRC.relativize(f.getParent()).toString().replace('/', '.');
                List<String> allowed = ALLOWED_EXTERNAL.get(pkg);
                if (allowed == null) {
                    problems.add(pkg + " is a package without rules here: add it to " + getClass().getSimpleName());
                    continue;
                }
                String source = Files.readString(f);
                // a fully qualified name is an import too
                String code = source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("//[^\n]*", "");
                for (String lib : LIBRARIES) {
                    if (code.replaceAll("(?m)^import .*$", "").contains(lib) && allowed.stream().noneMatch(lib::startsWith)) {
                        problems.add(f + " (" + pkg + ") names " + lib + "* in its code");
                    }
                }
                Matcher m = IMPORT.matcher(source);
                while (m.find()) {
                    String imp = m.group(1);
                    if (imp.startsWith("java.") || imp.startsWith("javax.")) {
                        continue;
                    }
                    if (imp.startsWith("io.imagecache.")) {
                        String target = imp.substring("io.imagecache.".length());
                        for (String bad : FORBIDDEN_INTERNAL.getOrDefault(pkg, List.of())) {
                            if (target.startsWith(bad + ".") && !(bad.equals("ssh") && target.startsWith("ssh.jsch") && pkg.equals("ssh"))) {
                                problems.add(f + " (" + pkg + ") imports " + imp);
                            }
                        }
                        continue;
                    }
                    if (allowed.stream().noneMatch(imp::startsWith)) {
                        problems.add(f + " (" + pkg + ") imports " + imp);
                    }
                }
            }
        }
        assertTrue(files > 50, "scanned " + files + " files");
        assertEquals(List.of(), problems);
    }
}
