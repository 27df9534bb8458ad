package io.imagecache.rpc;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The table of invalid inputs ({@code invalid-inputs.yaml} beside this class): a valid base per token and the
 * cases, each a base with some properties set or removed. Placeholders ({@code ${node}}, {@code ${docker.host}},
 * {@code ${registry}}) are filled by the caller's resolver, so the inputs point at the test's own lab hosts.
 */
final class InputTable {
    /** One invalid input: what is wrong, where the provider must say so, and a fragment of what it must say. */
    record Case(String token, String what, Map<String, Object> set, List<String> unset, String path, String message) {
        String name() {
            return token + ": " + what + " -> " + path;
        }
    }

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z0-9_.]+)}");

    final Map<String, Map<String, Object>> bases;
    final List<Case> cases;

    private InputTable(Map<String, Map<String, Object>> bases, List<Case> cases) {
        this.bases = bases;
        this.cases = cases;
    }

    @SuppressWarnings("unchecked")
    static InputTable load(String resource) {
        try (InputStream in = InputTable.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the test class path");
            }
            Map<String, Object> doc = (Map<String, Object>) new Load(LoadSettings.builder().build())
                    .loadFromString(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            Map<String, Map<String, Object>> bases = (Map<String, Map<String, Object>>) doc.get("bases");
            List<Case> cases = new ArrayList<>();
            for (Map<String, Object> c : (List<Map<String, Object>>) doc.get("cases")) {
                String token = (String) c.get("token");
                if (!bases.containsKey(token)) {
                    throw new IllegalStateException("case " + c + " names a token without a base");
                }
                cases.add(new Case(token, String.valueOf(c.get("what")),
                        (Map<String, Object>) c.getOrDefault("set", Map.of()), (List<String>) c.getOrDefault("unset", List.of()),
                        String.valueOf(c.get("path")), String.valueOf(c.get("message"))));
            }
            return new InputTable(bases, cases);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The base of {@code token} with placeholders filled: {@code resolve} maps a placeholder's name to its value. */
    Map<String, Object> base(String token, Resolver resolve) {
        return asMap(fill(bases.get(token), resolve));
    }

    /** The case's inputs: its base, then {@code set} and {@code unset}, placeholders filled. */
    Map<String, Object> inputs(Case c, Resolver resolve) {
        Map<String, Object> m = base(c.token(), resolve);
        c.set().forEach((path, value) -> put(m, path, fill(value, resolve)));
        c.unset().forEach(path -> remove(m, path));
        return m;
    }

    /** What a placeholder stands for: a string (spliced into the text around it) or a whole value (a map). */
    interface Resolver {
        Object resolve(String name);
    }

    // --- placeholders and paths --------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private static Object fill(Object v, Resolver r) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<String, Object>) m).forEach((k, x) -> out.put(k, fill(x, r)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(fill(x, r)));
            return out;
        }
        if (v instanceof String s) {
            Matcher whole = PLACEHOLDER.matcher(s);
            if (whole.matches()) {
                return fill(r.resolve(whole.group(1)), r);
            }
            return PLACEHOLDER.matcher(s).replaceAll(mr -> Matcher.quoteReplacement(String.valueOf(r.resolve(mr.group(1)))));
        }
        return v;
    }

    /** Path steps: {@code a.b[1].c} -> "a", "b", 1, "c". */
    static List<Object> steps(String path) {
        List<Object> out = new ArrayList<>();
        Matcher m = Pattern.compile("([^.\\[\\]]+)|\\[(\\d+)]").matcher(path);
        while (m.find()) {
            out.add(m.group(1) != null ? m.group(1) : (Object) Integer.parseInt(m.group(2)));
        }
        return out;
    }

    private static void put(Map<String, Object> root, String path, Object value) {
        List<Object> steps = steps(path);
        Object parent = walk(root, steps.subList(0, steps.size() - 1), path);
        Object last = steps.get(steps.size() - 1);
        if (last instanceof Integer i) {
            List<Object> l = asList(parent, path);
            if (i == l.size()) {
                l.add(value);
            } else {
                l.set(i, value);
            }
        } else {
            asMap(parent).put((String) last, value);
        }
    }

    private static void remove(Map<String, Object> root, String path) {
        List<Object> steps = steps(path);
        Object parent = walk(root, steps.subList(0, steps.size() - 1), path);
        Object last = steps.get(steps.size() - 1);
        if (last instanceof Integer i) {
            asList(parent, path).remove((int) i);
        } else if (asMap(parent).remove(last) == null) {
            throw new IllegalStateException("unset " + path + ": nothing there in the base");
        }
    }

    private static Object walk(Object at, List<Object> steps, String path) {
        for (Object s : steps) {
            Object next = s instanceof Integer i ? asList(at, path).get(i) : asMap(at).get(s);
            if (next == null) {
                throw new IllegalStateException(path + ": no " + s + " in the base");
            }
            at = next;
        }
        return at;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object o, String path) {
        if (!(o instanceof List<?>)) {
            throw new IllegalStateException(path + ": not a list in the base");
        }
        return (List<Object>) o;
    }

    // --- to the wire -------------------------------------------------------------------------------

    /** The inputs as the engine sends them (plain values: no secrets or unknowns in this table). */
    static Struct struct(Map<String, Object> m) {
        Struct.Builder b = Struct.newBuilder();
        m.forEach((k, v) -> b.putFields(k, value(v)));
        return b.build();
    }

    @SuppressWarnings("unchecked")
    static Value value(Object v) {
        Value.Builder b = Value.newBuilder();
        if (v == null) {
            return b.setNullValue(NullValue.NULL_VALUE).build();
        }
        if (v instanceof String s) {
            return b.setStringValue(s).build();
        }
        if (v instanceof Number n) {
            return b.setNumberValue(n.doubleValue()).build();
        }
        if (v instanceof Boolean x) {
            return b.setBoolValue(x).build();
        }
        if (v instanceof Map<?, ?> m) {
            return b.setStructValue(struct((Map<String, Object>) m)).build();
        }
        if (v instanceof List<?> l) {
            ListValue.Builder lb = ListValue.newBuilder();
            l.forEach(x -> lb.addValues(value(x)));
            return b.setListValue(lb).build();
        }
        throw new IllegalArgumentException("no wire form for " + v.getClass());
    }
}
