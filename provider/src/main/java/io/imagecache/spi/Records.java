package io.imagecache.spi;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Converts between property objects and the records that resources declare (Args, State and object
 * types), guided by the records' component types and {@link Prop} annotations. Pure; JDK only.
 */
public final class Records {
    private Records() {}

    /** A record component as decoding and encoding need it, read once per record class. */
    private record Component(String name, Class<?> type, Type genericType, Prop prop, Method accessor) {}

    /** A record class's components and canonical constructor (null with the reason when it cannot be used). */
    private record Shape(Component[] components, Set<String> names, Constructor<?> constructor, String constructorProblem) {}

    /**
     * Reflection reads a class file's record, signature and annotation attributes again on every call, and the engine
     * asks for thousands of decodes per deployment (three per node per pass): each record class is read once.
     */
    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            RecordComponent[] rcs = type.getRecordComponents();
            Component[] comps = new Component[rcs.length];
            Class<?>[] types = new Class<?>[rcs.length];
            Set<String> names = new LinkedHashSet<>();
            for (int i = 0; i < rcs.length; i++) {
                RecordComponent c = rcs[i];
                Method accessor = c.getAccessor();
                accessor.setAccessible(true);
                comps[i] = new Component(c.getName(), c.getType(), c.getGenericType(), c.getAnnotation(Prop.class), accessor);
                types[i] = c.getType();
                names.add(c.getName());
            }
            try {
                Constructor<?> ctor = type.getDeclaredConstructor(types);
                ctor.setAccessible(true);
                return new Shape(comps, Set.copyOf(names), ctor, null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return new Shape(comps, Set.copyOf(names), null, String.valueOf(e.getMessage()));
            }
        }
    };

    private static Component[] components(Class<?> type) {
        return SHAPES.get(type).components();
    }

    public enum Mode {
        /** Check: unknown properties are failures, required ones must be present, defaults are applied. */
        STRICT,
        /** Reading stored state: extra properties (other side's outputs, older versions) are ignored. */
        LENIENT
    }

    public static <T extends Record> Decoded<T> decode(Class<T> type, PropertyValue.Obj obj, Mode mode) {
        Ctx ctx = new Ctx(mode);
        Object v = decodeRecord(type, obj, PropertyPath.root(), ctx);
        return new Decoded<>(type.cast(v), ctx.unknowns, ctx.secrets, ctx.failures);
    }

    /**
     * Encodes a record as a property object. Null components are left out; components marked
     * {@link Prop#secret()} and any path in {@code secrets} are wrapped as secrets; paths in
     * {@code unknowns} are written as unknown values.
     */
    public static PropertyValue.Obj encode(Record r, Set<PropertyPath> secrets, Set<PropertyPath> unknowns) {
        PropertyValue v = encodeValue(r, PropertyPath.root(), secrets, false);
        PropertyValue.Obj obj = (PropertyValue.Obj) v;
        for (PropertyPath u : unknowns) {
            obj = (PropertyValue.Obj) Unknowns.setAt(obj, u.elements(), 0,
                    new PropertyValue.Unknown(Unknowns.kindAt(r.getClass(), u.elements())));
        }
        return obj;
    }

    /**
     * A preview's outputs: as {@link #encode(Record)}, with every null component written as an unknown
     * of its type (a preview returns every output, known or not).
     */
    public static PropertyValue.Obj encodePreview(Record r) {
        Map<String, PropertyValue> fields = new LinkedHashMap<>(encode(r).fields());
        for (Component c : components(r.getClass())) {
            if (!fields.containsKey(c.name())) {
                fields.put(c.name(), new PropertyValue.Unknown(Unknowns.kindOf(c.genericType())));
            }
        }
        return new PropertyValue.Obj(fields);
    }

    public static PropertyValue.Obj encode(Record r) {
        return encode(r, Set.of(), Set.of());
    }

    // ---------------------------------------------------------------------------------------------

    private static final class Ctx {
        final Mode mode;
        final Set<PropertyPath> unknowns = new HashSet<>();
        final Set<PropertyPath> secrets = new HashSet<>();
        final List<CheckFailure> failures = new ArrayList<>();

        Ctx(Mode mode) {
            this.mode = mode;
        }

        void fail(PropertyPath p, String reason) {
            failures.add(CheckFailure.of(p, reason));
        }
    }

    private static Object decodeRecord(Class<?> type, PropertyValue.Obj obj, PropertyPath path, Ctx ctx) {
        Shape shape = SHAPES.get(type);
        Component[] comps = shape.components();
        Object[] args = new Object[comps.length];
        for (int i = 0; i < comps.length; i++) {
            Component c = comps[i];
            PropertyPath p = path.key(c.name());
            Prop prop = c.prop();
            PropertyValue raw = obj.fields().get(c.name());
            Object value = null;
            boolean unknown = false;
            boolean given = false;
            if (raw != null) {
                PropertyValue unwrapped = unwrapTop(raw, p, ctx);
                if (unwrapped instanceof PropertyValue.Unknown) {
                    ctx.unknowns.add(p);
                    unknown = true;
                } else if (!unwrapped.isNull()) {
                    given = true;
                    value = decodeValue(c.genericType(), unwrapped, p, ctx);
                }
            }
            if (value == null && !unknown && prop != null && !prop.defaultValue().isEmpty()) {
                value = parseDefault(c.type(), prop.defaultValue());
            }
            if (value == null && !unknown && !given && prop != null && prop.required() && ctx.mode == Mode.STRICT) {
                ctx.fail(p, "is required: " + firstSentence(prop.description()));
            }
            if (value == null && c.type().isPrimitive()) {
                value = primitiveZero(c.type());
            }
            args[i] = value;
        }
        if (ctx.mode == Mode.STRICT) {
            for (String k : obj.fields().keySet()) {
                if (!shape.names().contains(k) && !k.startsWith("__")) {
                    List<String> names = new ArrayList<>(shape.names());
                    names.sort(null);
                    ctx.fail(path.key(k), "is not a property of " + typeName(type) + "; remove it or use one of: "
                            + String.join(", ", names));
                }
            }
        }
        if (shape.constructor() == null) {
            ctx.fail(path, "is invalid: " + shape.constructorProblem());
            return null;
        }
        try {
            return shape.constructor().newInstance(args);
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            ctx.fail(path, "is invalid: " + cause.getMessage());
            return null;
        }
    }

    private static PropertyValue unwrapTop(PropertyValue v, PropertyPath p, Ctx ctx) {
        while (true) {
            if (v instanceof PropertyValue.Secret s) {
                ctx.secrets.add(p);
                v = s.value();
            } else if (v instanceof PropertyValue.Output o) {
                if (o.secret()) {
                    ctx.secrets.add(p);
                }
                if (o.value().isEmpty()) {
                    return new PropertyValue.Unknown(PropertyValue.UnknownKind.STRING);
                }
                v = o.value().get();
            } else {
                return v;
            }
        }
    }

    private static Object decodeValue(Type type, PropertyValue v, PropertyPath p, Ctx ctx) {
        Class<?> raw = rawClass(type);
        if (raw == String.class) {
            if (v instanceof PropertyValue.Str s) {
                return s.value();
            }
            if (v instanceof PropertyValue.Num n) {
                return formatNumber(n.value());
            }
            if (v instanceof PropertyValue.Bool b) {
                return Boolean.toString(b.value());
            }
            if (v instanceof PropertyValue.Bytes) {
                ctx.fail(p, "must be UTF-8 text; it holds bytes that are not (a file in another encoding?)");
                return null;
            }
            ctx.fail(p, "must be a string");
            return null;
        }
        if (raw == Integer.class || raw == int.class || raw == Long.class || raw == long.class) {
            Double d = null;
            if (v instanceof PropertyValue.Num n) {
                d = n.value();
            } else if (v instanceof PropertyValue.Str s) {
                try {
                    d = Double.parseDouble(s.value().strip());
                } catch (NumberFormatException e) {
                    d = null;
                }
            }
            if (d == null || d != Math.rint(d) || Double.isInfinite(d)) {
                ctx.fail(p, "must be a whole number");
                return null;
            }
            if (raw == Long.class || raw == long.class) {
                return d.longValue();
            }
            if (d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
                ctx.fail(p, "is too large");
                return null;
            }
            return d.intValue();
        }
        if (raw == Double.class || raw == double.class) {
            if (v instanceof PropertyValue.Num n) {
                return n.value();
            }
            ctx.fail(p, "must be a number");
            return null;
        }
        if (raw == Boolean.class || raw == boolean.class) {
            if (v instanceof PropertyValue.Bool b) {
                return b.value();
            }
            if (v instanceof PropertyValue.Str s && (s.value().equals("true") || s.value().equals("false"))) {
                return Boolean.parseBoolean(s.value());
            }
            ctx.fail(p, "must be true or false");
            return null;
        }
        if (raw == List.class) {
            Type elem = typeArg(type, 0);
            if (!(v instanceof PropertyValue.Arr a)) {
                ctx.fail(p, "must be a list");
                return null;
            }
            List<Object> out = new ArrayList<>();
            for (int i = 0; i < a.items().size(); i++) {
                PropertyPath ip = p.index(i);
                PropertyValue item = unwrapTop(a.items().get(i), ip, ctx);
                if (item instanceof PropertyValue.Unknown) {
                    ctx.unknowns.add(ip);
                    out.add(null);
                } else if (item.isNull()) {
                    out.add(null);
                } else {
                    out.add(decodeValue(elem, item, ip, ctx));
                }
            }
            return java.util.Collections.unmodifiableList(out);
        }
        if (raw == Map.class) {
            Type val = typeArg(type, 1);
            if (!(v instanceof PropertyValue.Obj o)) {
                ctx.fail(p, "must be a map");
                return null;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            o.fields().forEach((k, item0) -> {
                PropertyPath kp = p.key(k);
                PropertyValue item = unwrapTop(item0, kp, ctx);
                if (item instanceof PropertyValue.Unknown) {
                    ctx.unknowns.add(kp);
                    out.put(k, null);
                } else if (!item.isNull()) {
                    out.put(k, decodeValue(val, item, kp, ctx));
                }
            });
            return java.util.Collections.unmodifiableMap(out);
        }
        if (raw.isRecord()) {
            if (!(v instanceof PropertyValue.Obj o)) {
                ctx.fail(p, "must be an object (" + typeName(raw) + ")");
                return null;
            }
            return decodeRecord(raw, o, p, ctx);
        }
        if (raw == PropertyValue.class) {
            return v;
        }
        throw new IllegalStateException("unsupported property type " + type + " at " + p);
    }

    private static PropertyValue encodeValue(Object value, PropertyPath p, Set<PropertyPath> secrets, boolean secret) {
        PropertyValue out;
        if (value == null) {
            out = PropertyValue.NULL;
        } else if (value instanceof String s) {
            out = new PropertyValue.Str(s);
        } else if (value instanceof Integer i) {
            out = new PropertyValue.Num(i);
        } else if (value instanceof Long l) {
            out = new PropertyValue.Num(l);
        } else if (value instanceof Double d) {
            out = new PropertyValue.Num(d);
        } else if (value instanceof Boolean b) {
            out = new PropertyValue.Bool(b);
        } else if (value instanceof PropertyValue pv) {
            out = pv;
        } else if (value instanceof List<?> list) {
            List<PropertyValue> items = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                items.add(encodeValue(list.get(i), p.index(i), secrets, false));
            }
            out = new PropertyValue.Arr(items);
        } else if (value instanceof Map<?, ?> map) {
            Map<String, PropertyValue> fields = new LinkedHashMap<>();
            map.forEach((k, v) -> fields.put((String) k, encodeValue(v, p.key((String) k), secrets, false)));
            out = new PropertyValue.Obj(fields);
        } else if (value instanceof Record r) {
            Map<String, PropertyValue> fields = new LinkedHashMap<>();
            for (Component c : components(r.getClass())) {
                Object cv;
                try {
                    cv = c.accessor().invoke(r);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
                if (cv == null) {
                    continue;
                }
                boolean s = c.prop() != null && c.prop().secret();
                fields.put(c.name(), encodeValue(cv, p.key(c.name()), secrets, s));
            }
            out = new PropertyValue.Obj(fields);
        } else {
            throw new IllegalStateException("cannot encode " + value.getClass() + " at " + p);
        }
        if ((secret || secrets.contains(p)) && !out.isNull()) {
            return PropertyValue.secret(out);
        }
        return out;
    }

    static Object parseDefault(Class<?> type, String literal) {
        if (type == String.class) {
            return literal;
        }
        if (type == Integer.class || type == int.class) {
            return Integer.parseInt(literal);
        }
        if (type == Long.class || type == long.class) {
            return Long.parseLong(literal);
        }
        if (type == Double.class || type == double.class) {
            return Double.parseDouble(literal);
        }
        if (type == Boolean.class || type == boolean.class) {
            return Boolean.parseBoolean(literal);
        }
        throw new IllegalStateException("no literal default for " + type);
    }

    private static Object primitiveZero(Class<?> t) {
        if (t == int.class) {
            return 0;
        }
        if (t == long.class) {
            return 0L;
        }
        if (t == double.class) {
            return 0d;
        }
        if (t == boolean.class) {
            return false;
        }
        throw new IllegalStateException(t.toString());
    }

    public static Class<?> rawClass(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType pt) {
            return (Class<?>) pt.getRawType();
        }
        throw new IllegalStateException("unsupported type " + t);
    }

    public static Type typeArg(Type t, int i) {
        if (t instanceof ParameterizedType pt) {
            return pt.getActualTypeArguments()[i];
        }
        throw new IllegalStateException("raw collection type " + t + ": declare List<X> or Map<String, X>");
    }

    static String typeName(Class<?> type) {
        ObjectType ot = type.getAnnotation(ObjectType.class);
        if (ot != null) {
            return ot.token().substring(ot.token().lastIndexOf(':') + 1);
        }
        String n = type.getSimpleName();
        Class<?> outer = type.getEnclosingClass();
        if (n.equals("Args") && outer != null) {
            // a resource's or function's own inputs (RegistryProxy.Args): named by its token, e.g. resolveDigest
            ResourceType rt = outer.getAnnotation(ResourceType.class);
            return rt != null ? rt.token().substring(rt.token().lastIndexOf(':') + 1) : outer.getSimpleName();
        }
        return n.endsWith("Args") ? n.substring(0, n.length() - 4) : n;
    }

    static String formatNumber(double d) {
        return d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString((long) d) : Double.toString(d);
    }

    public static String firstSentence(String description) {
        String d = description.strip();
        int dot = d.indexOf(". ");
        // "e.g. `registry-ghcr`" does not end the sentence
        while (dot > 0 && (d.startsWith("e.g", dot - 3) || d.startsWith("i.e", dot - 3))) {
            dot = d.indexOf(". ", dot + 2);
        }
        String s = dot > 0 ? d.substring(0, dot + 1) : d;
        return s.isEmpty() ? "set it" : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
