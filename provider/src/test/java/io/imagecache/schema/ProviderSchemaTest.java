package io.imagecache.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.imagecache.provider.Plugin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** schema.json is generated from code; the committed copy must be exactly what the code generates. */
class ProviderSchemaTest {
    private static final Path COMMITTED = Path.of("..", "schema.json");

    @Test
    void committedSchemaIsWhatTheCodeGenerates() throws IOException {
        String generated = Plugin.create((t, p) -> {
            throw new AssertionError("no SSH while generating a schema");
        }).schema();
        assertEquals(Files.readString(COMMITTED, StandardCharsets.UTF_8), generated,
                "schema.json is stale: run `make schema` and commit it");
    }

    /** What GetSchema serves: the jar's copy of schema.json, the same as what the code generates. */
    @Test
    void theSchemaTheJarServesIsWhatTheCodeGenerates() throws IOException {
        String generated = Plugin.create((t, p) -> {
            throw new AssertionError("no SSH while generating a schema");
        }).schema();
        assertEquals(generated, Plugin.packagedSchema().orElseThrow(() -> new AssertionError("no schema.json among the provider's "
                + "resources")), "the provider's packaged schema.json is stale: run `make schema`, then build again");
    }

    @Test
    void credentialsAreSecretInTheSchema() throws IOException {
        JsonObject schema = JsonParser.parseString(Files.readString(COMMITTED)).getAsJsonObject();
        JsonObject conn = schema.getAsJsonObject("types").getAsJsonObject("imagecache:index:Connection")
                .getAsJsonObject("properties");
        for (String p : new String[] {"privateKey", "privateKeyPassword", "password"}) {
            assertTrue(conn.getAsJsonObject(p).get("secret").getAsBoolean(), "Connection." + p + " must be secret");
        }
        assertTrue(conn.getAsJsonObject("host").get("replaceOnChanges").getAsBoolean());
    }

    /** Properties marked hostNeutral say so in their description; the one that replaces does not. */
    @Test
    void hostNeutralPropertiesSaySoInTheirDescription() throws IOException {
        JsonObject schema = JsonParser.parseString(Files.readString(COMMITTED)).getAsJsonObject();
        JsonObject conn = schema.getAsJsonObject("types").getAsJsonObject("imagecache:index:Connection")
                .getAsJsonObject("properties");
        for (String p : new String[] {"port", "user", "privateKey", "password", "hostKey", "proxy", "dialTimeoutSeconds",
                "dialAttempts", "retryDelaySeconds", "sudo"}) {
            assertTrue(conn.getAsJsonObject(p).get("description").getAsString().endsWith("Changing it never touches the host."),
                    "Connection." + p);
        }
        assertFalse(conn.getAsJsonObject("host").get("description").getAsString().contains("never touches the host"));
    }

    @Test
    void everyResourceAndTypeIsDocumented() throws IOException {
        JsonObject schema = JsonParser.parseString(Files.readString(COMMITTED)).getAsJsonObject();
        for (String section : new String[] {"resources", "types"}) {
            schema.getAsJsonObject(section).entrySet().forEach(e -> {
                JsonObject spec = e.getValue().getAsJsonObject();
                assertTrue(spec.has("description") && !spec.get("description").getAsString().isBlank(), e.getKey());
                spec.getAsJsonObject("properties").entrySet().forEach(p -> assertTrue(
                        p.getValue().getAsJsonObject().has("description"), e.getKey() + "." + p.getKey()));
            });
        }
    }
}
