package io.imagecache.schema;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The README's resource reference, made from schema.json's descriptions: every resource, the component, every
 * function and object type, each property with its type, whether it is required, its default and description.
 * {@code make docs} writes it between {@link #BEGIN} and {@link #END} in README.md ({@code main(schema, readme)});
 * {@code ReferenceDocsTest} fails when README.md holds anything else there.
 */
public final class ReferenceDocs {
    public static final String BEGIN = "<!-- reference:begin (generated from schema.json by `make docs`; do not edit) -->";
    public static final String END = "<!-- reference:end -->";
    private static final String TYPES = "#/types/";

    private ReferenceDocs() {}

    /** {@code ReferenceDocs schema.json README.md}: rewrites the block in README.md. */
    public static void main(String[] args) throws IOException {
        Path schema = Path.of(args.length > 0 ? args[0] : "schema.json");
        Path readme = Path.of(args.length > 1 ? args[1] : "README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        String updated = replaceBlock(text, render(Files.readString(schema, StandardCharsets.UTF_8)));
        if (!updated.equals(text)) {
            Files.writeString(readme, updated, StandardCharsets.UTF_8);
        }
    }

    /** {@code readme} with the text between the markers replaced by {@code block}; fails without both markers. */
    public static String replaceBlock(String readme, String block) {
        int a = readme.indexOf(BEGIN);
        int b = readme.indexOf(END);
        if (a < 0 || b < a) {
            throw new IllegalArgumentException("README.md lacks the markers " + BEGIN + " ... " + END);
        }
        return readme.substring(0, a + BEGIN.length()) + "\n" + block + readme.substring(b);
    }

    /** The block between the markers as README.md has it (empty when the markers are missing). */
    public static String currentBlock(String readme) {
        int a = readme.indexOf(BEGIN);
        int b = readme.indexOf(END);
        return a < 0 || b < a ? "" : readme.substring(a + BEGIN.length() + 1, b);
    }

    /** The reference in Markdown, ending with a line break. */
    public static String render(String schemaJson) {
        JsonObject schema = JsonParser.parseString(schemaJson).getAsJsonObject();
        StringBuilder md = new StringBuilder();
        JsonObject resources = object(schema, "resources");
        for (Map.Entry<String, JsonElement> e : sorted(resources).entrySet()) {
            JsonObject r = e.getValue().getAsJsonObject();
            boolean component = r.has("isComponent") && r.get("isComponent").getAsBoolean();
            heading(md, e.getKey(), component ? "component" : "resource", r);
            table(md, "Inputs", object(r, "inputProperties"), strings(r, "requiredInputs"));
            JsonObject outputs = new JsonObject();
            for (Map.Entry<String, JsonElement> p : object(r, "properties").entrySet()) {
                if (!object(r, "inputProperties").has(p.getKey())) {
                    outputs.add(p.getKey(), p.getValue());
                }
            }
            table(md, "Outputs (besides the inputs)", outputs, strings(r, "required"));
        }
        for (Map.Entry<String, JsonElement> e : sorted(object(schema, "functions")).entrySet()) {
            JsonObject f = e.getValue().getAsJsonObject();
            heading(md, e.getKey(), "function", f);
            table(md, "Arguments", object(object(f, "inputs"), "properties"), strings(object(f, "inputs"), "required"));
            table(md, "Result", object(object(f, "outputs"), "properties"), strings(object(f, "outputs"), "required"));
        }
        for (Map.Entry<String, JsonElement> e : sorted(object(schema, "types")).entrySet()) {
            JsonObject t = e.getValue().getAsJsonObject();
            heading(md, e.getKey(), "object type", t);
            table(md, "Properties", object(t, "properties"), strings(t, "required"));
        }
        return md.toString();
    }

    private static void heading(StringBuilder md, String token, String kind, JsonObject o) {
        md.append("\n#### `").append(token).append("` (").append(kind).append(")\n\n");
        if (o.has("description")) {
            md.append(o.get("description").getAsString().strip()).append("\n");
        }
    }

    private static void table(StringBuilder md, String title, JsonObject props, Set<String> required) {
        if (props.size() == 0) {
            return;
        }
        md.append("\n").append(title).append(":\n\n| Property | Type | Required | Default | Description |\n|---|---|---|---|---|\n");
        for (Map.Entry<String, JsonElement> p : sorted(props).entrySet()) {
            JsonObject prop = p.getValue().getAsJsonObject();
            md.append("| `").append(p.getKey()).append("` | `").append(type(prop)).append("`")
                    .append(prop.has("secret") && prop.get("secret").getAsBoolean() ? ", secret" : "").append(" | ")
                    .append(required.contains(p.getKey()) ? "yes" : "").append(" | ")
                    .append(prop.has("default") ? "`" + prop.get("default") + "`" : "").append(" | ")
                    .append(cell(prop.has("description") ? prop.get("description").getAsString() : ""))
                    .append(prop.has("replaceOnChanges") && prop.get("replaceOnChanges").getAsBoolean() ? " Replaces on change." : "")
                    .append(" |\n");
        }
    }

    /** {@code string}, {@code integer}, {@code list<Mirror>}, {@code map<string>}, {@code Connection}. */
    static String type(JsonObject prop) {
        if (prop == null) {
            return "any";
        }
        String t;
        if (prop.has("$ref")) {
            t = prop.get("$ref").getAsString().replace(TYPES, "").replaceAll("^imagecache:index:", "");
        } else {
            String base = prop.has("type") ? prop.get("type").getAsString() : "any";
            t = switch (base) {
                case "array" -> "list<" + type(prop.getAsJsonObject("items")) + ">";
                case "object" -> prop.has("additionalProperties")
                        ? "map<" + type(prop.getAsJsonObject("additionalProperties")) + ">" : "object";
                default -> base;
            };
        }
        return t;
    }

    private static String cell(String text) {
        return text.strip().replace("|", "\\|").replaceAll("\\s*\\n\\s*", " ");
    }

    private static JsonObject object(JsonObject o, String key) {
        return o != null && o.has(key) && o.get(key).isJsonObject() ? o.getAsJsonObject(key) : new JsonObject();
    }

    private static Set<String> strings(JsonObject o, String key) {
        Set<String> out = new LinkedHashSet<>();
        if (o.has(key) && o.get(key).isJsonArray()) {
            JsonArray a = o.getAsJsonArray(key);
            a.forEach(e -> out.add(e.getAsString()));
        }
        return out;
    }

    private static Map<String, JsonElement> sorted(JsonObject o) {
        Map<String, JsonElement> m = new TreeMap<>();
        o.entrySet().forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }
}
