package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The committed sdk/nodejs, sdk/python and sdk/go are what scripts/gen-sdks.sh makes of schema.json. */
class SdkDriftIT {
    @Test
    void committedSdksEqualWhatTheGeneratorWrites() throws IOException {
        Path repo = PulumiCli.repoRoot();
        LangDeps.installed(); // builds the generator (scripts/gen-sdks.sh --bin) if it is not cached yet
        Path out = Files.createTempDirectory("imagecache-sdks-");
        Proc.run(repo, Map.of(), 15, List.of(repo.resolve("scripts/gen-sdks.sh").toString(), out.toString())).assertOk();
        List<String> differences = new ArrayList<>();
        for (String lang : List.of("nodejs", "python", "go")) {
            Path committed = repo.resolve("sdk").resolve(lang);
            Path generated = out.resolve(lang);
            TreeSet<String> names = new TreeSet<>(files(committed));
            names.addAll(files(generated));
            for (String name : names) {
                Path a = committed.resolve(name);
                Path b = generated.resolve(name);
                String where = "sdk/" + lang + "/" + name;
                if (!Files.exists(a)) {
                    differences.add(where + " (missing from the checkout)");
                } else if (!Files.exists(b)) {
                    differences.add(where + " (not generated any more)");
                } else if (!Arrays.equals(Files.readAllBytes(a), Files.readAllBytes(b))) {
                    differences.add(where + " (differs)");
                }
            }
        }
        SdkArtifacts.deleteTree(out);
        assertEquals(List.of(), differences, "the committed SDKs differ from schema.json's: run `make sdks` and commit sdk/");
    }

    /** Generated files under dir, relative; build output a developer may have left in place is not the SDK. */
    private static List<String> files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString())
                    .filter(n -> !n.startsWith("node_modules/") && !n.startsWith("bin/") && !n.startsWith("build/")
                            && !n.contains("__pycache__/") && !n.contains(".egg-info/"))
                    .toList();
        }
    }
}
