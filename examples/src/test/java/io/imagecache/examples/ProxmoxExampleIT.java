package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.imagecache.lab.SshKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * examples/proxmox cannot run here (no Proxmox VE node), so this checks what can be checked: the program
 * parses; our function's arguments and the component's inputs pass our provider's Check through the real
 * CLI (a program derived from the example, the Proxmox resources left out, previewed); the function outputs
 * it uses exist in schema.json; every Proxmox property it sets is named as in the upstream schema excerpt
 * pinned in examples/proxmox/README.md; README.md's Proxmox snippet is the example's.
 */
class ProxmoxExampleIT {
    private static final Path REPO = PulumiCli.repoRoot();
    private static final Path EXAMPLE = REPO.resolve("examples/proxmox");
    private static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z0-9_]+)(?:\\.([A-Za-z0-9_]+))?");

    @SuppressWarnings("unchecked")
    static Map<String, Object> program() throws IOException {
        return (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(EXAMPLE.resolve("Pulumi.yaml")));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    /** Every {@code fn::invoke} of one of our functions among the program's variables, by variable name. */
    static Map<String, Map<String, Object>> ourInvokes(Map<String, Object> program) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        map(program.getOrDefault("variables", Map.of())).forEach((name, v) -> {
            if (v instanceof Map<?, ?> m && m.get("fn::invoke") instanceof Map<?, ?> inv
                    && String.valueOf(inv.get("function")).startsWith("imagecache:")) {
                out.put(name, map(inv));
            }
        });
        return out;
    }

    /** The names an expression refers to ({@code ${name.field}}), with the fields used of each. */
    static Map<String, Set<String>> references(Object value) {
        Map<String, Set<String>> out = new TreeMap<>();
        Matcher m = REF.matcher(String.valueOf(value));
        while (m.find()) {
            Set<String> fields = out.computeIfAbsent(m.group(1), k -> new LinkedHashSet<>());
            if (m.group(2) != null) {
                fields.add(m.group(2));
            }
        }
        return out;
    }

    @Test
    void theFunctionOutputsItUsesExistInOurSchema() throws IOException {
        Map<String, Object> program = program();
        Map<String, Map<String, Object>> invokes = ourInvokes(program);
        assertEquals(Set.of("cloudInit"), invokes.keySet(), "the example invokes registryVmCloudInit once");
        JsonObject schema = JsonParser.parseString(Files.readString(REPO.resolve("schema.json"))).getAsJsonObject();
        for (var e : invokes.entrySet()) {
            String fn = (String) e.getValue().get("function");
            JsonObject f = schema.getAsJsonObject("functions").getAsJsonObject(fn);
            assertTrue(f != null, fn + " is in schema.json");
            Set<String> inputs = f.getAsJsonObject("inputs").getAsJsonObject("properties").keySet();
            Set<String> outputs = f.getAsJsonObject("outputs").getAsJsonObject("properties").keySet();
            for (String arg : map(e.getValue().get("arguments")).keySet()) {
                assertTrue(inputs.contains(arg), fn + " takes " + arg);
            }
            Set<String> used = new LinkedHashSet<>();
            for (String section : List.of("variables", "resources", "outputs")) {
                used.addAll(references(program.get(section)).getOrDefault(e.getKey(), Set.of()));
            }
            for (String field : used) {
                assertTrue(outputs.contains(field), "${" + e.getKey() + "." + field + "}: " + fn + " has no output " + field
                        + " (it has " + outputs + ")");
            }
            assertEquals(Set.of("userData", "networkConfig", "metaData", "hostKey", "proxmoxIpConfig"), used);
        }
    }

    @Test
    void everyProxmoxFieldIsNamedAsInThePinnedUpstreamSchema() throws IOException {
        String readme = Files.readString(EXAMPLE.resolve("README.md"));
        int begin = readme.indexOf("<!-- upstream-schema:begin -->");
        int end = readme.indexOf("<!-- upstream-schema:end -->");
        assertTrue(begin >= 0 && end > begin, "examples/proxmox/README.md pins the upstream schema excerpt");
        String block = readme.substring(begin, end);
        JsonObject excerpt = JsonParser.parseString(block.substring(block.indexOf("```json") + 7, block.lastIndexOf("```")))
                .getAsJsonObject();
        Set<String> proxmoxTypes = new LinkedHashSet<>();
        map(program().get("resources")).forEach((name, r) -> {
            String type = (String) map(r).get("type");
            if (!type.startsWith("proxmoxve:")) {
                assertTrue(type.startsWith("imagecache:"), name + ": only Proxmox and imagecache resources");
                return;
            }
            proxmoxTypes.add(type);
            JsonObject res = excerpt.getAsJsonObject("resources").getAsJsonObject(type);
            assertTrue(res != null, name + ": " + type + " is a resource of the pinned pulumi-proxmoxve schema");
            for (JsonElement req : res.getAsJsonArray("requiredInputs")) {
                assertTrue(map(map(r).get("properties")).containsKey(req.getAsString()), name + " sets required " + req);
            }
            checkObject(name, map(map(r).get("properties")), res.getAsJsonObject("inputProperties"), excerpt);
        });
        assertEquals(Set.of("proxmoxve:index/fileLegacy:FileLegacy", "proxmoxve:index/vmLegacy:VmLegacy"), proxmoxTypes);
        // Proxmox's cicustom takes every document as a snippet; ipConfigs/userAccount would conflict with them.
        Map<String, Object> init = map(map(map(map(program().get("resources")).get("registryVm")).get("properties"))
                .get("initialization"));
        assertEquals(Set.of("datastoreId", "userDataFileId", "networkDataFileId", "metaDataFileId"), init.keySet());
    }

    private static void checkObject(String path, Map<String, Object> value, JsonObject props, JsonObject excerpt) {
        for (var e : value.entrySet()) {
            String where = path + "." + e.getKey();
            JsonObject p = props.getAsJsonObject(e.getKey());
            assertTrue(p != null, where + " is not a property in the pinned schema (it has " + props.keySet() + ")");
            if (p.has("$ref")) {
                assertTrue(e.getValue() instanceof Map, where + " is an object");
                checkType(where, map(e.getValue()), p.get("$ref").getAsString(), excerpt);
            } else if (p.has("items") && p.get("items").getAsString().contains(":")) {
                assertTrue(e.getValue() instanceof List, where + " is a list");
                int i = 0;
                for (Object item : (List<?>) e.getValue()) {
                    assertTrue(item instanceof Map, where + "[" + i + "] is an object");
                    checkType(where + "[" + i++ + "]", map(item), p.get("items").getAsString(), excerpt);
                }
            } else {
                assertFalse(e.getValue() instanceof Map || e.getValue() instanceof List, where + " is a "
                        + p.get("type").getAsString());
            }
        }
    }

    private static void checkType(String path, Map<String, Object> value, String token, JsonObject excerpt) {
        JsonObject t = excerpt.getAsJsonObject("types").getAsJsonObject(token);
        assertTrue(t != null, path + ": " + token + " is in the pinned excerpt");
        if (t.has("required")) {
            for (JsonElement req : t.getAsJsonArray("required")) {
                assertTrue(value.containsKey(req.getAsString()), path + " sets required " + req.getAsString());
            }
        }
        checkObject(path, value, t.getAsJsonObject("properties"), excerpt);
    }

    /**
     * The example's invokes, PullThroughCache and outputs as their own program (the Proxmox resources and the
     * dependencies on them left out: there is no Proxmox provider here), previewed with the real CLI: the
     * function's Check and the component's (every child's) Check pass on what the example gives them.
     */
    @Test
    void theFunctionsArgumentsAndTheCachesInputsPassCheckThroughTheCli(@TempDir Path dir) throws IOException {
        Map<String, Object> program = program();
        Map<String, Object> derived = new LinkedHashMap<>();
        derived.put("name", "proxmox-checked");
        derived.put("runtime", "yaml");
        derived.put("config", program.get("config"));
        Set<String> kept = new LinkedHashSet<>(map(program.get("config")).keySet());
        Map<String, Object> variables = new LinkedHashMap<>(ourInvokes(program).keySet().stream()
                .collect(LinkedHashMap::new, (m, k) -> m.put(k, map(program.get("variables")).get(k)), Map::putAll));
        for (var v : variables.entrySet()) {
            assertTrue(kept.containsAll(references(v.getValue()).keySet()), v.getKey() + "'s arguments come from config only");
        }
        kept.addAll(variables.keySet());
        derived.put("variables", variables);
        Map<String, Object> resources = new LinkedHashMap<>();
        map(program.get("resources")).forEach((name, r) -> {
            if (((String) map(r).get("type")).startsWith("imagecache:")) {
                Map<String, Object> copy = new LinkedHashMap<>(map(r));
                copy.remove("options"); // dependsOn the Proxmox VM
                assertTrue(kept.containsAll(references(copy).keySet()), name + " refers to config and our invokes only");
                resources.put(name, copy);
            }
        });
        assertEquals(Set.of("cache"), resources.keySet());
        kept.addAll(resources.keySet());
        derived.put("resources", resources);
        Map<String, Object> outputs = new LinkedHashMap<>();
        map(program.get("outputs")).forEach((name, o) -> {
            if (kept.containsAll(references(o).keySet())) {
                outputs.put(name, o);
            }
        });
        assertEquals(Set.of("ipconfig0", "hostKey", "endpoints"), outputs.keySet());
        derived.put("outputs", outputs);
        Path project = Files.createDirectories(dir.resolve("proxmox-checked"));
        Files.writeString(project.resolve("Pulumi.yaml"), new Dump(DumpSettings.builder().build()).dumpToString(derived));

        SshKeys operator = SshKeys.ed25519();
        SshKeys hostKey = SshKeys.ed25519();
        try (PulumiCli cli = PulumiCli.forProgram(project, "check")) {
            cli.config("sshPublicKey", operator.publicKey()).secretConfig("sshKey", operator.privateKey())
                    .secretConfig("hostKey", hostKey.privateKey()).config("node1", "127.0.0.2").config("node2", "127.0.0.3");
            PulumiCli.Result text = cli.preview().assertOk();
            assertTrue(text.stdout().contains("ip=10.0.20.10/24,gw=10.0.20.1"), text.stdout());
            String pub = String.join(" ", List.of(hostKey.publicKey().split(" ")).subList(0, 2));
            assertTrue(text.stdout().contains(pub), "the VM's host key is exported plainly:\n" + text.stdout());

            JsonObject json = JsonParser.parseString(cli.preview("--json").assertOk().stdout()).getAsJsonObject();
            List<String> children = new ArrayList<>();
            for (JsonElement s : json.getAsJsonArray("steps")) {
                JsonObject state = s.getAsJsonObject().getAsJsonObject("newState");
                if (state != null && state.get("type").getAsString().equals("imagecache:index:RegistryProxy")) {
                    JsonObject connection = state.getAsJsonObject("inputs").getAsJsonObject("connection");
                    assertEquals("10.0.20.10", connection.get("host").getAsString(), "the proxies go to the VM's static address");
                    children.add(s.getAsJsonObject().get("urn").getAsString().replaceAll(".*::", ""));
                }
            }
            assertEquals(5, children.size(), "a proxy per default upstream: " + children);
        }
    }

    /** README.md's Proxmox snippet: each part (between {@code # ...} lines) is in examples/proxmox, in order. */
    @Test
    void readmeProxmoxSnippetIsTheExamplesProgram() throws IOException {
        String readme = Files.readString(REPO.resolve("README.md"));
        int section = readme.indexOf("### On Proxmox VE");
        assertTrue(section >= 0, "README has the registry VM's Proxmox section");
        int next = readme.indexOf("\n#", section + 1);
        int start = readme.indexOf("```yaml\n", section);
        assertTrue(start >= 0 && start < next, "a ```yaml block in README's Proxmox section");
        start += "```yaml\n".length();
        String snippet = readme.substring(start, readme.indexOf("```", start));
        String example = squash(Files.readString(EXAMPLE.resolve("Pulumi.yaml")));
        int at = 0;
        int parts = 0;
        for (String part : snippet.split("(?m)^\\s*# \\.\\.\\.\\s*$")) {
            int found = example.indexOf(squash(part), at);
            assertTrue(found >= 0, "README's Proxmox snippet is examples/proxmox/Pulumi.yaml's, in its order:\n" + part);
            at = found + squash(part).length();
            parts++;
        }
        assertEquals(3, parts, "the invoke, the VM's initialization, the cache's registryHost");
    }

    private static String squash(String s) {
        return s.replaceAll("\\s+", " ").strip();
    }
}
