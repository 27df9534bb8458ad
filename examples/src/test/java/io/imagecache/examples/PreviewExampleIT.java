package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.imagecache.lab.SshKeys;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A first preview of examples/pull-through-cache through the real engine, with no host behind the addresses
 * (preview touches no host): the component's Construct registers every child, what follows from the inputs is
 * known to the engine (the proxies' endpoints in the nodes' mirrors, the container names in the schedules),
 * the rest is unknown, and nothing is null.
 */
class PreviewExampleIT {

    @Test
    void outputsThatFollowFromTheInputsAreKnownInTheFirstPreview() {
        try (PulumiCli cli = PulumiCli.forExample("pull-through-cache", "preview")) {
            cli.config("registryHost", "127.0.0.1").config("advertiseAddress", "127.0.0.1").config("node1", "127.0.0.2").config("node2", "127.0.0.3")
                    .config("node3", "127.0.0.4").secretConfig("sshKey", SshKeys.ed25519().privateKey());
            PulumiCli.Result r = cli.preview("--json").assertOk();
            JsonObject json = JsonParser.parseString(r.stdout()).getAsJsonObject();
            Map<String, JsonObject> inputs = new LinkedHashMap<>();
            for (JsonElement s : json.getAsJsonArray("steps")) {
                JsonObject step = s.getAsJsonObject();
                JsonObject state = step.getAsJsonObject("newState");
                if (state.has("custom") && state.get("custom").getAsBoolean() && state.has("inputs")) {
                    assertEquals("create", step.get("op").getAsString(), step.toString());
                    String type = state.get("type").getAsString().replaceAll(".*:", "");
                    inputs.put(type + "/" + step.get("urn").getAsString().replaceAll(".*::", ""), state.getAsJsonObject("inputs"));
                }
            }
            assertEquals(List.of("ContainerdMirror/cache-127.0.0.2", "ContainerdMirror/cache-127.0.0.3",
                    "ContainerdMirror/cache-127.0.0.4", "MaintenanceSchedule/cache-docker", "MaintenanceSchedule/cache-ghcr",
                    "RegistryProxy/cache-docker", "RegistryProxy/cache-ghcr"), inputs.keySet().stream().sorted().toList());
            assertEquals("registry-docker", inputs.get("MaintenanceSchedule/cache-docker").get("containerName").getAsString());
            assertEquals("30 3 * * 0", inputs.get("MaintenanceSchedule/cache-ghcr").get("gcSchedule").getAsString());
            var mirrors = inputs.get("ContainerdMirror/cache-127.0.0.3").getAsJsonArray("mirrors");
            assertEquals("http://127.0.0.1:5000", mirrors.get(0).getAsJsonObject().getAsJsonArray("endpoints").get(0)
                    .getAsString());
            assertEquals("http://127.0.0.1:5010", mirrors.get(1).getAsJsonObject().getAsJsonArray("endpoints").get(0)
                    .getAsString());

            // The stack's outputs: known where they follow from inputs, unknown (not null, not missing) otherwise.
            PulumiCli.Result text = cli.preview().assertOk();
            assertTrue(text.stdout().matches("(?s).*docker\\.io: \"http://127.0.0.1:5000\".*"), text.stdout());
            assertTrue(text.stdout().matches("(?s).*nodes\\s*: \\[unknown].*") || text.stdout()
                    .matches("(?s).*containerdVersion\\s*: \\[unknown].*"), text.stdout());
        }
    }
}
