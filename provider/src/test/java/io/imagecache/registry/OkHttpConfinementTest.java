package io.imagecache.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** DESIGN.md section 4: io.imagecache.registry is the only package that imports okhttp (and not its json DTOs). */
class OkHttpConfinementTest {

    @Test
    void onlyTheRegistryPackageImportsOkhttp() throws IOException {
        Path main = Path.of("src/main/java");
        assertTrue(Files.isDirectory(main), "run from the provider module: " + main.toAbsolutePath());
        Path registry = main.resolve("io/imagecache/registry");
        try (Stream<Path> files = Files.walk(main)) {
            List<String> offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.getParent().equals(registry))
                    .filter(p -> {
                        try {
                            return Files.readString(p).lines().anyMatch(l -> l.startsWith("import okhttp3") || l.startsWith("import okio"));
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    })
                    .map(p -> main.relativize(p).toString())
                    .toList();
            assertEquals(List.of(), offenders);
        }
    }
}
