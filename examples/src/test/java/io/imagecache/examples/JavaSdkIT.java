package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed sdk/java is what {@code scripts/gen-sdk-java.sh} (gen-sdk with our pulumi-language-java) makes
 * from the committed schema.json today; its own pom carries the schema's version. The build compiles it
 * (sdk/java is a module of the root pom).
 */
class JavaSdkIT {
    private static final Path SDK = PulumiCli.repoRoot().resolve("sdk/java");

    @Test
    void committedSdkIsWhatTheGeneratorMakesFromTheSchema() throws IOException {
        Path out = Files.createTempDirectory("imagecache-sdk-java-");
        Path repo = PulumiCli.repoRoot();
        Dist.run(repo, Map.of(), repo.resolve("scripts/gen-sdk-java.sh").toString(), out.toString()).assertOk();
        Map<String, byte[]> generated = files(out);
        Dist.deleteTree(out);
        Map<String, byte[]> committed = files(SDK);
        committed.remove("pom.xml"); // ours, not generated
        assertTrue(generated.size() > 20 && generated.containsKey("src/main/java/com/pulumi/imagecache/RegistryProxy.java"),
                "the generator wrote the SDK: " + generated.keySet());

        List<String> problems = new ArrayList<>();
        for (String f : new TreeSet<>(generated.keySet())) {
            if (!committed.containsKey(f)) {
                problems.add("missing in sdk/java: " + f);
            } else if (!Arrays.equals(generated.get(f), committed.get(f))) {
                problems.add("differs: sdk/java/" + f);
            }
        }
        for (String f : new TreeSet<>(committed.keySet())) {
            if (!generated.containsKey(f)) {
                problems.add("not generated any more: sdk/java/" + f);
            }
        }
        assertEquals(List.of(), problems, "sdk/java is stale: run `make sdk-java` and commit the result");
    }

    @Test
    void sdkPomCarriesTheSchemaVersion() throws IOException {
        String pom = Files.readString(SDK.resolve("pom.xml"));
        Matcher m = Pattern.compile("<artifactId>imagecache-sdk</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(m.find(), "sdk/java/pom.xml names io.imagecache:imagecache-sdk with a version");
        assertEquals(Dist.version(), m.group(1), "sdk/java/pom.xml's version is schema.json's");
        assertEquals(Dist.version(), Files.readString(SDK.resolve("src/main/resources/com/pulumi/imagecache/version.txt")).strip());
    }

    /** README's "From Java" snippets (every ```java block) are what examples/java (run by JavaExampleIT) has, whitespace aside. */
    @Test
    void readmeJavaSnippetsAreTheExamplesCode() throws IOException {
        Path repo = PulumiCli.repoRoot();
        String readme = Files.readString(repo.resolve("README.md"));
        int section = readme.indexOf("### From Java");
        assertTrue(section >= 0, "README has a From Java section");
        String app = squash(Files.readString(repo.resolve("examples/java/src/main/java/myproject/App.java")));
        String pom = squash(Files.readString(repo.resolve("examples/java/pom.xml")));
        assertTrue(pom.contains(squash(block(readme, section, "xml"))), "README's Maven dependency is examples/java/pom.xml's");
        int end = readme.indexOf("\n## ", section);
        int snippets = 0;
        for (int at = readme.indexOf("```java\n", section); at >= 0 && at < end; at = readme.indexOf("```java\n", at + 1)) {
            String snippet = block(readme, at, "java");
            assertTrue(app.contains(squash(snippet)), "README's Java snippet is in examples/java's App.java:\n" + snippet);
            snippets++;
        }
        assertTrue(snippets >= 2, "README's From Java section shows the stack's own resources and the component");
    }

    private static String block(String text, int from, String lang) {
        int start = text.indexOf("```" + lang + "\n", from);
        assertTrue(start >= 0, "a ```" + lang + " block in README's From Java section");
        start += lang.length() + 4;
        return text.substring(start, text.indexOf("```", start));
    }

    private static String squash(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }

    /** Every file under {@code dir} by its relative path, build output ({@code target/}) left out. */
    private static Map<String, byte[]> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = s.filter(Files::isRegularFile).filter(p -> !dir.relativize(p).startsWith("target")).toList();
            Map<String, byte[]> out = new HashMap<>();
            for (Path p : all) {
                out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
            }
            return out;
        }
    }
}
