package io.imagecache.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** DESIGN.md section 4: io.imagecache.containerd is pure TOML rendering and editing: tomlj and the JDK, no I/O. */
class ContainerdPurityTest {

    @Test
    void importsOnlyTomljAndTheJdkWithoutIo() throws IOException {
        Path pkg = Path.of("src/main/java/io/imagecache/containerd");
        assertTrue(Files.isDirectory(pkg), "run from the provider module: " + pkg.toAbsolutePath());
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.list(pkg)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                for (String line : Files.readAllLines(p)) {
                    if (!line.startsWith("import ")) {
                        continue;
                    }
                    String imp = line.substring("import ".length()).replace("static ", "");
                    boolean allowed = imp.startsWith("java.") || imp.startsWith("org.tomlj.")
                            || imp.startsWith("io.imagecache.containerd.");
                    boolean io = imp.startsWith("java.io.") || imp.startsWith("java.nio.") || imp.startsWith("java.net.http")
                            || imp.startsWith("java.net.Socket") || imp.startsWith("java.lang.ProcessBuilder");
                    if (!allowed || io) {
                        offenders.add(p.getFileName() + ": " + line);
                    }
                }
            }
        }
        assertEquals(List.of(), offenders);
    }
}
