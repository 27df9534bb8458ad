package io.imagecache.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Golden files: set UPDATE_GOLDEN=1 to rewrite them after an intended change, then review the diff. */
final class Golden {
    private Golden() {}

    static final Path ROOT = Path.of("src/test/resources/testdata/containerd");

    static boolean updating() {
        return "1".equals(System.getenv("UPDATE_GOLDEN"));
    }

    static void assertGolden(Path p, String actual) throws IOException {
        if (updating()) {
            Files.createDirectories(p.getParent());
            Files.writeString(p, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "<missing golden file>", actual,
                "golden file " + p + " (UPDATE_GOLDEN=1 rewrites it)");
    }
}
