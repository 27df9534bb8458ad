package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What the real CLI gets from the plugin is the committed schema.json. */
class SchemaIT {
    @Test
    void pulumiPackageGetSchemaEqualsTheCommittedSchema() throws IOException {
        Path repo = PulumiCli.repoRoot();
        try (PulumiCli cli = PulumiCli.forExample("resolve-digest", "schema")) {
            PulumiCli.Result r = cli.run("package", "get-schema",
                    repo.resolve("provider/bin/pulumi-resource-imagecache").toString()).assertOk();
            assertEquals(JsonParser.parseString(Files.readString(repo.resolve("schema.json"))),
                    JsonParser.parseString(r.stdout()));
        }
    }
}
