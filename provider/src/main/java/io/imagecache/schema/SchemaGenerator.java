package io.imagecache.schema;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import io.imagecache.spi.ComponentResource;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.ObjectType;
import io.imagecache.spi.Prop;
import io.imagecache.spi.ProviderFunction;
import io.imagecache.spi.Records;
import io.imagecache.spi.ResourceType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the Pulumi package schema (schema.json) from the registered resources and functions: their
 * {@link ResourceType} docs, their Args/State records and the {@link Prop} and {@link ObjectType}
 * annotations. The committed schema.json is this output; a test keeps them equal.
 */
public final class SchemaGenerator {
    private final PackageInfo info;
    private final Map<String, Object> types = new TreeMap<>();

    /** Package-level metadata that is not derived from code. */
    public record PackageInfo(String name, String version, String displayName, String description, String homepage,
                              String repository, String license, String publisher, List<String> keywords,
                              Map<String, Object> language) {}

    public SchemaGenerator(PackageInfo info) {
        this.info = info;
    }

    public String generate(List<CustomResource<?, ?>> resources, List<ProviderFunction<?, ?>> functions) {
        return generate(resources, functions, List.of());
    }

    public String generate(List<CustomResource<?, ?>> resources, List<ProviderFunction<?, ?>> functions,
                           List<ComponentResource<?, ?>> components) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("name", info.name());
        root.put("displayName", info.displayName());
        root.put("version", info.version());
        root.put("description", info.description());
        root.put("keywords", info.keywords());
        root.put("homepage", info.homepage());
        root.put("license", info.license());
        root.put("repository", info.repository());
        root.put("publisher", info.publisher());
        root.put("meta", Map.of("moduleFormat", "(.*)"));
        root.put("language", info.language());
        root.put("config", Map.of());
        root.put("provider", Map.of("description", "The imagecache provider. It has no settings: every resource "
                + "carries the SSH connection it works through."));

        Map<String, Object> res = new TreeMap<>();
        for (CustomResource<?, ?> r : resources) {
            ResourceType rt = annotation(r.getClass());
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("description", rt.description());
            Map<String, Object> props = new TreeMap<>(properties(r.argsType()));
            props.putAll(properties(r.stateType()));
            List<String> required = new ArrayList<>(required(r.argsType(), false));
            required.addAll(required(r.stateType(), false));
            required.sort(null);
            spec.put("properties", props);
            spec.put("required", required);
            spec.put("inputProperties", properties(r.argsType()));
            spec.put("requiredInputs", required(r.argsType(), true));
            res.put(rt.token(), spec);
        }
        for (ComponentResource<?, ?> c : components) {
            ResourceType rt = annotation(c.getClass());
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("description", rt.description());
            spec.put("isComponent", true);
            spec.put("properties", properties(c.outputsType()));
            List<String> outputsRequired = required(c.outputsType(), false);
            if (!outputsRequired.isEmpty()) { // the engine's schema leaves an empty list out
                spec.put("required", outputsRequired);
            }
            spec.put("inputProperties", properties(c.argsType()));
            spec.put("requiredInputs", required(c.argsType(), true));
            res.put(rt.token(), spec);
        }
        Map<String, Object> fns = new TreeMap<>();
        for (ProviderFunction<?, ?> f : functions) {
            ResourceType rt = annotation(f.getClass());
            Map<String, Object> spec = new LinkedHashMap<>();
            spec.put("description", rt.description());
            spec.put("inputs", objectSpec(f.argsType(), null, true));
            spec.put("outputs", objectSpec(f.resultType(), null, false));
            fns.put(rt.token(), spec);
        }
        root.put("types", types);
        root.put("resources", res);
        root.put("functions", fns);
        Map<String, Object> stable = new LinkedHashMap<>();
        root.forEach((k, v) -> stable.put(k, sorted(v)));
        Gson gson = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();
        return gson.toJson(stable) + "\n";
    }

    /** Every nested map in key order, so the output does not depend on hash order. */
    private static Object sorted(Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new TreeMap<>();
            m.forEach((k, x) -> out.put((String) k, sorted(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(sorted(x)));
            return out;
        }
        return v;
    }

    private static ResourceType annotation(Class<?> c) {
        ResourceType rt = c.getAnnotation(ResourceType.class);
        if (rt == null) {
            throw new IllegalStateException(c + " lacks @ResourceType");
        }
        return rt;
    }

    private Map<String, Object> objectSpec(Class<?> type, String description, boolean inputs) {
        Map<String, Object> spec = new LinkedHashMap<>();
        if (description != null) {
            spec.put("description", description);
        }
        spec.put("type", "object");
        spec.put("properties", properties(type));
        List<String> req = required(type, inputs);
        if (!req.isEmpty()) {
            spec.put("required", req);
        }
        return spec;
    }

    /** Appended to the description of a {@link Prop#hostNeutral()} property. */
    static final String HOST_NEUTRAL = " Changing it never touches the host.";

    private Map<String, Object> properties(Class<?> type) {
        Map<String, Object> props = new TreeMap<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Prop p = c.getAnnotation(Prop.class);
            if (p == null) {
                throw new IllegalStateException(type.getSimpleName() + "." + c.getName() + " lacks @Prop");
            }
            Map<String, Object> spec = new LinkedHashMap<>(typeSpec(c.getGenericType()));
            spec.put("description", p.hostNeutral() ? p.description() + HOST_NEUTRAL : p.description());
            if (!p.defaultValue().isEmpty()) {
                spec.put("default", defaultJson(c.getType(), p.defaultValue()));
            }
            if (p.secret()) {
                spec.put("secret", true);
            }
            if (p.replaceOnChanges()) {
                spec.put("replaceOnChanges", true);
            }
            props.put(c.getName(), spec);
        }
        return props;
    }

    /** Inputs: required means the user must set it. Outputs: every component without a default or
     * optional marker is always present, but we only promise what is truly always set. */
    private static List<String> required(Class<?> type, boolean inputs) {
        List<String> req = new ArrayList<>();
        for (RecordComponent c : type.getRecordComponents()) {
            Prop p = c.getAnnotation(Prop.class);
            if (p != null && (p.required() || (!inputs && !p.defaultValue().isEmpty()))) {
                req.add(c.getName());
            }
        }
        req.sort(null);
        return req;
    }

    private Map<String, Object> typeSpec(Type t) {
        Class<?> raw = Records.rawClass(t);
        Map<String, Object> spec = new LinkedHashMap<>();
        if (raw == String.class) {
            spec.put("type", "string");
        } else if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) {
            spec.put("type", "integer");
        } else if (raw == Double.class || raw == double.class) {
            spec.put("type", "number");
        } else if (raw == Boolean.class || raw == boolean.class) {
            spec.put("type", "boolean");
        } else if (raw == List.class) {
            spec.put("type", "array");
            spec.put("items", typeSpec(Records.typeArg(t, 0)));
        } else if (raw == Map.class) {
            spec.put("type", "object");
            spec.put("additionalProperties", typeSpec(Records.typeArg(t, 1)));
        } else if (raw.isRecord()) {
            ObjectType ot = raw.getAnnotation(ObjectType.class);
            if (ot == null) {
                throw new IllegalStateException(raw + " is used as a property type but lacks @ObjectType");
            }
            if (!types.containsKey(ot.token())) {
                types.put(ot.token(), Map.of()); // placeholder against recursion (Connection.proxy)
                types.put(ot.token(), objectSpec(raw, ot.description(), true));
            }
            spec.put("$ref", "#/types/" + ot.token());
        } else {
            throw new IllegalStateException("unsupported property type " + t);
        }
        return spec;
    }

    private static Object defaultJson(Class<?> type, String literal) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return Long.parseLong(literal);
        }
        if (type == Double.class || type == double.class) {
            return Double.parseDouble(literal);
        }
        if (type == Boolean.class || type == boolean.class) {
            return Boolean.parseBoolean(literal);
        }
        return literal;
    }
}
