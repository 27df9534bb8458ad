package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The same PullThroughCache, with the same inputs, declared in YAML (examples/same-children-yaml), Java
 * (examples/same-children-java, run by pulumi-language-java with io.imagecache:imagecache-sdk from the local
 * Maven repository), TypeScript, Python and Go (examples/typescript, python, go through the inline harness),
 * yields the same children: each language's stack is brought {@code up} against the same lab hosts (one
 * registry host, one node, one local registry as both upstreams), {@code pulumi stack export}ed and
 * destroyed before the next one (they share the host's ports). From each export the component and every
 * resource parented to it are kept as type, name, parent type and, for the children, their inputs; URNs'
 * project names are left out, and secrets are compared by value (exported with {@code --show-secrets} to a
 * file of the test's own 0700 directory; the SSH key becomes a marker, so a diff never prints it), not by
 * ciphertext. The component's own inputs are not compared: the SDKs fill in their documented defaults
 * before sending them, YAML and Java leave that to the provider; what the component makes of them, its
 * children, is what must be equal. Every language is compared with YAML's, and a failure prints a line
 * diff of the differing resources. Where secrets are is checked apart: whatever YAML keeps secret (the
 * key, and only the key) must be secret in every language too. The TypeScript and Go SDKs mark more: a
 * connection object that holds a secret key arrives as one secret object (TypeScript's generated
 * {@code pulumi.output(registryHost).apply(...)} for the defaults, Go's struct inputs), so their children
 * store the whole connection, host included, as a secret; that is printed, not failed.
 *
 * <p>An up per language, not a preview: a preview leaves the children's inputs that depend on the
 * proxies' outputs unknown and would not show what a user's stack holds.
 */
@Order(2) // among the longest: started early, the short ones fill in beside it
class SameChildrenIT {
    static final String COMPONENT = "imagecache:index:PullThroughCache";
    private static final Gson PRETTY = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
    private static LabNetwork network;
    private static DockerHost host;
    private static NodeHost node;
    private static LocalRegistry upstream;

    @BeforeAll
    static void start() {
        Dist.installJavaSdk();
        network = LabNetwork.create();
        host = new DockerHost(network);
        host.start();
        node = NodeHost.containerd2(network);
        node.withAuthorizedKey(host.rootKey());
        node.start();
        upstream = LocalRegistry.plain().startedOn(network);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {upstream, node, host, network}) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    void everyLanguageYieldsTheSameChildren() throws IOException {
        String key = host.rootKey().privateKey();
        Map<String, Children> byLanguage = new LinkedHashMap<>();
        byLanguage.put("yaml", children(project("same-children-yaml", false), key));
        byLanguage.put("java", children(project("same-children-java", true), key));
        for (InlineProgram.Language l : InlineProgram.Language.values()) {
            byLanguage.put(l.name().toLowerCase(), children(inline(l), key));
        }
        Children yaml = byLanguage.get("yaml");
        assertEquals(1 + 2 + 2 + 1, yaml.resources().size(), "the component, 2 proxies, 2 schedules, 1 mirror: "
                + yaml.resources().keySet());
        assertTrue(yaml.resources().values().stream().filter(c -> c.has("inputs"))
                .allMatch(c -> c.get("parentType").getAsString().equals(COMPONENT)), yaml.resources().toString());
        assertTrue(yaml.secretPaths().values().stream().allMatch(p -> p.stream().allMatch(s -> s.endsWith(".privateKey")))
                && yaml.secretPaths().values().stream().filter(p -> !p.isEmpty()).count() == 5,
                "YAML's children keep the key secret, and only the key: " + yaml.secretPaths());
        List<String> failures = new ArrayList<>();
        byLanguage.forEach((language, children) -> {
            if (!children.resources().equals(yaml.resources())) {
                failures.add(language + " differs from yaml (- yaml, + " + language + "):\n"
                        + diff(yaml.resources(), children.resources()));
            }
            List<String> clear = unprotected(yaml, children);
            if (!clear.isEmpty()) {
                failures.add(language + " leaves in the clear what yaml keeps secret: " + clear);
            }
            if (!children.secretPaths().equals(yaml.secretPaths())) {
                // Not a failure: the TypeScript and Go SDKs send an object holding a secret as one secret.
                System.out.println(language + " marks more as secret than yaml: " + children.secretPaths());
            }
        });
        assertEquals(List.of(), failures, String.join("\n", failures));
    }

    /** examples/{@code name} (YAML or Java) up, exported, destroyed. */
    private static String project(String name, boolean java) throws IOException {
        try (PulumiCli cli = PulumiCli.forExample(name, "lab")) {
            if (java) {
                cli.env("MAVEN_OPTS", Dist.mavenOpts());
                offlineMaven(cli.project());
            }
            cli.config("registryHost", host.ip()).secretConfig("sshKey", host.rootKey().privateKey())
                    .config("node", node.ip()).config("image", DockerHost.REGISTRY_IMAGE)
                    .config("dockerUpstream", upstream.networkUrl()).config("quayUpstream", upstream.networkUrl());
            cli.up().assertOk();
            Path file = cli.project().getParent().resolve("export.json"); // the temporary directory is 0700
            try {
                cli.run("stack", "export", "--show-secrets", "--file", file.toString()).assertOk();
                return Files.readString(file);
            } finally {
                Files.deleteIfExists(file);
                cli.destroy().assertOk();
            }
        }
    }

    /** The stack's Maven dependencies fetched once (a package install, like JavaExampleIT's); then offline. */
    private static void offlineMaven(Path project) throws IOException {
        Dist.run(project, Map.of(), "mvn", "-B", "-ntp", "-q",
                "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:resolve", "compile",
                "org.codehaus.mojo:exec-maven-plugin:3.5.0:help").assertOk();
        Files.createDirectories(project.resolve(".mvn"));
        Files.writeString(project.resolve(".mvn/maven.config"), "--offline\n");
    }

    /** examples/typescript, python or go through the inline harness: up, exported, destroyed. */
    private static String inline(InlineProgram.Language language) {
        try (InlineProgram program = InlineProgram.prepare(language, host.ip(), host.rootKey().privateKey())) {
            InlineProgramExampleIT.withLab(program, upstream, List.of(node.ip()));
            program.run("up");
            try {
                return program.exportStateWithSecrets();
            } finally {
                program.run("destroy");
            }
        }
    }

    /** What is compared of one stack: "type::name" -> type, name, parent type, inputs; and where secrets are. */
    record Children(Map<String, JsonObject> resources, Map<String, Set<String>> secretPaths) {}

    /**
     * The component and its children from a {@code pulumi stack export --show-secrets}: secrets are
     * compared by value (their ciphertexts differ by nature) and where they are recorded separately; the
     * SSH key itself is replaced by a marker, so a diff never prints it.
     */
    static Children children(String export, String sshKey) {
        JsonArray resources = JsonParser.parseString(export).getAsJsonObject().getAsJsonObject("deployment")
                .getAsJsonArray("resources");
        Map<String, String> typeOf = new LinkedHashMap<>();
        for (JsonElement e : resources) {
            JsonObject r = e.getAsJsonObject();
            typeOf.put(r.get("urn").getAsString(), r.get("type").getAsString());
        }
        Map<String, JsonObject> out = new TreeMap<>();
        Map<String, Set<String>> secrets = new TreeMap<>();
        for (JsonElement e : resources) {
            JsonObject r = e.getAsJsonObject();
            String type = r.get("type").getAsString();
            String parentType = r.has("parent") ? typeOf.get(r.get("parent").getAsString()) : null;
            if (!type.equals(COMPONENT) && !COMPONENT.equals(parentType)) {
                continue;
            }
            String urn = r.get("urn").getAsString();
            String name = urn.substring(urn.lastIndexOf("::") + 2);
            JsonObject c = new JsonObject();
            c.addProperty("type", type);
            c.addProperty("name", name);
            c.addProperty("parentType", String.valueOf(parentType));
            Set<String> paths = new TreeSet<>();
            if (!type.equals(COMPONENT)) {
                c.add("inputs", normalized(r.has("inputs") ? r.get("inputs") : new JsonObject(), "", paths, sshKey));
            }
            out.put(type + "::" + name, c);
            secrets.put(type + "::" + name, paths);
        }
        return new Children(out, secrets);
    }

    /** Sorted keys, secrets unwrapped (their paths noted), the key as a marker, project names out of URNs. */
    static JsonElement normalized(JsonElement e, String path, Set<String> secretPaths, String sshKey) {
        if (e.isJsonObject()) {
            JsonObject o = e.getAsJsonObject();
            if (o.has("4dabf18193072939515e22adb298388d")) {
                secretPaths.add(path);
                return normalized(JsonParser.parseString(o.get("plaintext").getAsString()), path, secretPaths, sshKey);
            }
            JsonObject sorted = new JsonObject();
            new TreeMap<>(o.asMap()).forEach((k, v) -> sorted.add(k, normalized(v, path + "." + k, secretPaths, sshKey)));
            return sorted;
        }
        if (e.isJsonArray()) {
            JsonArray a = new JsonArray();
            JsonArray in = e.getAsJsonArray();
            for (int i = 0; i < in.size(); i++) {
                a.add(normalized(in.get(i), path + "[" + i + "]", secretPaths, sshKey));
            }
            return a;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            String s = e.getAsString();
            // the key as its file holds it (TypeScript, Python, Go) or as `pulumi config set` stores it (stripped)
            return new JsonPrimitive(s.strip().equals(sshKey.strip()) ? "[the lab's SSH key]"
                    : s.contains("PRIVATE KEY") ? "[another private key]"
                    : s.replaceAll("(urn:pulumi:[^:]+::)[^:]+::", "$1*::"));
        }
        return e;
    }

    /** Secret paths of {@code reference} that {@code other} leaves in the clear (neither it nor what holds it is secret). */
    static List<String> unprotected(Children reference, Children other) {
        List<String> missing = new ArrayList<>();
        reference.secretPaths().forEach((resource, paths) -> {
            Set<String> theirs = other.secretPaths().getOrDefault(resource, Set.of());
            for (String p : paths) {
                if (theirs.stream().noneMatch(q -> p.equals(q) || p.startsWith(q + ".") || p.startsWith(q + "["))) {
                    missing.add(resource + " " + p);
                }
            }
        });
        return missing;
    }

    /** A line diff (longest common subsequence) of the two sides' pretty JSON. */
    static String diff(Map<String, JsonObject> a, Map<String, JsonObject> b) {
        List<String> x = PRETTY.toJson(a).lines().toList();
        List<String> y = PRETTY.toJson(b).lines().toList();
        int[][] lcs = new int[x.size() + 1][y.size() + 1];
        for (int i = x.size() - 1; i >= 0; i--) {
            for (int j = y.size() - 1; j >= 0; j--) {
                lcs[i][j] = x.get(i).equals(y.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        int j = 0;
        while (i < x.size() || j < y.size()) {
            if (i < x.size() && j < y.size() && x.get(i).equals(y.get(j))) {
                out.append("  ").append(x.get(i++)).append('\n');
                j++;
            } else if (j < y.size() && (i == x.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
                out.append("+ ").append(y.get(j++)).append('\n');
            } else {
                out.append("- ").append(x.get(i++)).append('\n');
            }
        }
        return out.toString();
    }
}
