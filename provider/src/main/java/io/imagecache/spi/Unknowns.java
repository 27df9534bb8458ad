package io.imagecache.spi;

import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Unknown values of the right kind for a Java type, and placing them at a path inside an encoded value. */
public final class Unknowns {
    private Unknowns() {}

    /** The unknown sentinel for a value of Java type {@code t}: the string one only for strings. */
    public static PropertyValue.UnknownKind kindOf(Type t) {
        Class<?> raw = Records.rawClass(t);
        if (raw == Boolean.class || raw == boolean.class) {
            return PropertyValue.UnknownKind.BOOL;
        }
        if (Number.class.isAssignableFrom(raw) || raw == int.class || raw == long.class || raw == double.class) {
            return PropertyValue.UnknownKind.NUMBER;
        }
        if (raw == List.class) {
            return PropertyValue.UnknownKind.ARRAY;
        }
        if (raw == Map.class || raw.isRecord()) {
            return PropertyValue.UnknownKind.OBJECT;
        }
        return PropertyValue.UnknownKind.STRING;
    }

    /** The unknown kind of the value at {@code path} (keys and indexes) inside a record of {@code type}. */
    static PropertyValue.UnknownKind kindAt(Type type, List<Object> path) {
        Type t = type;
        for (Object e : path) {
            Class<?> raw = Records.rawClass(t);
            if (raw.isRecord() && e instanceof String k) {
                Type next = null;
                for (RecordComponent c : raw.getRecordComponents()) {
                    if (c.getName().equals(k)) {
                        next = c.getGenericType();
                    }
                }
                if (next == null) {
                    return PropertyValue.UnknownKind.STRING;
                }
                t = next;
            } else if (raw == List.class && e instanceof Integer) {
                t = Records.typeArg(t, 0);
            } else if (raw == Map.class && e instanceof String) {
                t = Records.typeArg(t, 1);
            } else {
                return PropertyValue.UnknownKind.STRING;
            }
        }
        return kindOf(t);
    }

    /** {@code v} with {@code leaf} at {@code path} (keys and indexes), creating what is missing on the way. */
    static PropertyValue setAt(PropertyValue v, List<Object> path, int i, PropertyValue leaf) {
        if (i == path.size()) {
            return leaf;
        }
        Object e = path.get(i);
        if (v instanceof PropertyValue.Secret s) {
            return new PropertyValue.Secret(setAt(s.value(), path, i, leaf));
        }
        if (e instanceof String k) {
            Map<String, PropertyValue> m = new LinkedHashMap<>(
                    v instanceof PropertyValue.Obj o ? o.fields() : Map.of());
            m.put(k, setAt(m.getOrDefault(k, PropertyValue.NULL), path, i + 1, leaf));
            return new PropertyValue.Obj(m);
        }
        int idx = (Integer) e;
        List<PropertyValue> items = new ArrayList<>(v instanceof PropertyValue.Arr a ? a.items() : List.of());
        while (items.size() <= idx) {
            items.add(PropertyValue.NULL);
        }
        items.set(idx, setAt(items.get(idx), path, i + 1, leaf));
        return new PropertyValue.Arr(items);
    }
}
