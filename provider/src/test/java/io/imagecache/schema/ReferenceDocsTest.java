package io.imagecache.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** README.md's resource reference is exactly what {@link ReferenceDocs} makes of the committed schema.json. */
class ReferenceDocsTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Path SCHEMA = Path.of("..", "schema.json");

    @Test
    void readmeReferenceIsWhatTheGeneratorMakes() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        String expected = ReferenceDocs.render(Files.readString(SCHEMA, StandardCharsets.UTF_8));
        String actual = ReferenceDocs.currentBlock(readme);
        if (!expected.equals(actual)) {
            List<String> e = expected.lines().toList();
            List<String> a = actual.lines().toList();
            int i = 0;
            while (i < e.size() && i < a.size() && e.get(i).equals(a.get(i))) {
                i++;
            }
            throw new AssertionError("README.md's reference (between the reference markers) differs from schema.json"
                    + " at line " + (i + 1) + " of the block: run `make docs` and commit README.md\n  README:    "
                    + (i < a.size() ? a.get(i) : "<end>") + "\n  generated: " + (i < e.size() ? e.get(i) : "<end>"));
        }
    }

    @Test
    void everyResourceFunctionAndTypeHasASectionWithItsProperties() throws IOException {
        String schema = Files.readString(SCHEMA, StandardCharsets.UTF_8);
        String md = ReferenceDocs.render(schema);
        var json = JsonParser.parseString(schema).getAsJsonObject();
        for (String group : List.of("resources", "functions", "types")) {
            for (String token : json.getAsJsonObject(group).keySet()) {
                assertTrue(md.contains("\n#### `" + token + "` ("), token);
            }
        }
        assertTrue(md.contains("#### `imagecache:index:PullThroughCache` (component)"), md);
        assertTrue(md.contains("#### `imagecache:index:resolveDigest` (function)"), md);
        // a required input, a default, a list of an object type, a secret, a replacing property
        assertTrue(md.contains("| `connection` | `Connection` | yes |  |"), md);
        assertTrue(md.contains("| `port` | `integer` |  | `22` |"), md);
        assertTrue(md.contains("| `mirrors` | `list<Mirror>` | yes |"), md);
        assertTrue(md.matches("(?s).*\\| `privateKey` \\| `string`, secret \\|.*"), md);
        assertTrue(md.matches("(?s).*\\| `host` \\| `string` \\| yes \\|[^\\n]*Replaces on change\\. \\|.*"), md);
    }

    @Test
    void theBlockIsReplacedBetweenTheMarkersOnly() {
        String readme = "top\n" + ReferenceDocs.BEGIN + "\nold\n" + ReferenceDocs.END + "\nbottom\n";
        String out = ReferenceDocs.replaceBlock(readme, "new\n");
        assertEquals("top\n" + ReferenceDocs.BEGIN + "\nnew\n" + ReferenceDocs.END + "\nbottom\n", out);
        assertEquals("new\n", ReferenceDocs.currentBlock(out));
        assertThrows(IllegalArgumentException.class, () -> ReferenceDocs.replaceBlock("no markers", "x"));
    }
}
