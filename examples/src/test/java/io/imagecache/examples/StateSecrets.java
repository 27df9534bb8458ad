package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** What a plain `pulumi stack export` must show of the imagecache resources' credentials: secrets, never text. */
final class StateSecrets {
    /** The key Pulumi marks a secret value with in an export. */
    private static final String SIG = "4dabf18193072939515e22adb298388d";

    private StateSecrets() {}

    /** Every secret in the export is a secret value: no password, privateKey or privateKeyPassword in plain. */
    static void assertMarked(JsonObject export) {
        JsonArray resources = export.getAsJsonObject("deployment").getAsJsonArray("resources");
        List<String> plain = new ArrayList<>();
        int marked = 0;
        for (JsonElement r : resources) {
            JsonObject o = r.getAsJsonObject();
            String urn = o.get("urn").getAsString();
            for (String part : List.of("inputs", "outputs")) {
                if (o.has(part)) {
                    marked += walk(o.get(part), urn + " " + part, plain);
                }
            }
            String type = o.get("type").getAsString();
            if (type.equals("imagecache:index:RegistryProxy")) {
                assertTrue(secretAt(o, "inputs", "upstream", "password"), urn + ": upstream.password is a secret");
                assertTrue(secretAt(o, "outputs", "upstream", "password"), urn + ": upstream.password is a secret output");
            }
            if (type.startsWith("imagecache:index:") && !type.equals("imagecache:index:PullThroughCache")) {
                assertTrue(secretAt(o, "inputs", "connection", "privateKey"), urn + ": privateKey is a secret");
                assertTrue(secretAt(o, "inputs", "connection", "privateKeyPassword"), urn + ": privateKeyPassword is a secret");
                assertTrue(secretAt(o, "outputs", "connection", "privateKeyPassword"), urn + ": privateKeyPassword is a secret output");
            }
        }
        assertEquals(List.of(), plain, "credentials in plain text in the state");
        assertTrue(marked >= 8, "the state has the secrets, encrypted: " + marked);
    }

    private static int walk(JsonElement e, String where, List<String> plain) {
        if (e.isJsonObject()) {
            JsonObject o = e.getAsJsonObject();
            if (o.has(SIG)) {
                return 1;
            }
            int n = 0;
            for (var f : o.entrySet()) {
                if (List.of("password", "privateKey", "privateKeyPassword").contains(f.getKey()) && f.getValue().isJsonPrimitive()
                        && !f.getValue().getAsString().isEmpty()) {
                    plain.add(where + "." + f.getKey());
                }
                n += walk(f.getValue(), where + "." + f.getKey(), plain);
            }
            return n;
        }
        if (e.isJsonArray()) {
            int n = 0;
            for (JsonElement x : e.getAsJsonArray()) {
                n += walk(x, where + "[]", plain);
            }
            return n;
        }
        return 0;
    }

    /** Whether the value at {@code path}, or an object on the way to it, is a secret; fails if it is not there. */
    private static boolean secretAt(JsonObject o, String... path) {
        JsonElement e = o;
        for (String p : path) {
            if (e.isJsonObject() && e.getAsJsonObject().has(SIG)) {
                return true;
            }
            assertTrue(e.isJsonObject() && e.getAsJsonObject().has(p), String.join(".", path) + " is in the state");
            e = e.getAsJsonObject().get(p);
        }
        return e.isJsonObject() && e.getAsJsonObject().has(SIG);
    }
}
