package io.imagecache.spi;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Structural diffs of property values, with paths in Pulumi's syntax. Pure. */
public final class Diffs {
    private Diffs() {}

    /**
     * Compares old and new inputs. Secrets compare by their plain value; an unknown new value is a
     * possible update. Paths in (or above, or below) {@code replaces} become *_REPLACE kinds. The match is
     * on the path without list indexes ({@link PropertyPath#schemaPath()}), e.g. {@code connection.host}.
     */
    public static DiffResult inputs(PropertyValue.Obj olds, PropertyValue.Obj news, Set<String> replaces) {
        Map<String, PropertyDiff> out = new LinkedHashMap<>();
        walk(PropertyPath.root(), olds, news, out, replaces, true);
        return new DiffResult(out, false);
    }

    /** The schema paths ({@code connection.host}) of components annotated {@code replaceOnChanges}. */
    public static Set<String> replaceOnChangesPaths(Class<?> argsType) {
        Set<String> out = new LinkedHashSet<>();
        collect(argsType, "", out, new java.util.ArrayList<>());
        return out;
    }

    /** Recursion stops at a type already on the path: a jump host ({@code connection.proxy}) is a
     * Connection too, but changing it does not replace anything. */
    private static void collect(Class<?> type, String prefix, Set<String> out, List<Class<?>> ancestors) {
        if (!type.isRecord() || ancestors.contains(type)) {
            return;
        }
        List<Class<?>> path = new java.util.ArrayList<>(ancestors);
        path.add(type);
        for (var c : type.getRecordComponents()) {
            String p = prefix.isEmpty() ? c.getName() : prefix + "." + c.getName();
            Prop prop = c.getAnnotation(Prop.class);
            if (prop != null && prop.replaceOnChanges()) {
                out.add(p);
            }
            Class<?> nested = Records.rawClass(c.getGenericType());
            if (nested == List.class) {
                nested = Records.rawClass(Records.typeArg(c.getGenericType(), 0));
            } else if (nested == Map.class) {
                nested = Records.rawClass(Records.typeArg(c.getGenericType(), 1));
            }
            collect(nested, p, out, path);
        }
    }

    private static void walk(PropertyPath path, PropertyValue oldV, PropertyValue newV,
                             Map<String, PropertyDiff> out, Set<String> replaces, boolean input) {
        PropertyValue o = oldV == null ? PropertyValue.NULL : strip(oldV);
        PropertyValue n = newV == null ? PropertyValue.NULL : strip(newV);
        if (n instanceof PropertyValue.Unknown) {
            put(path, PropertyDiff.Kind.UPDATE, out, replaces, input);
            return;
        }
        if (o.isNull() && n.isNull()) {
            return;
        }
        if (o.isNull()) {
            put(path, PropertyDiff.Kind.ADD, out, replaces, input);
            return;
        }
        if (n.isNull()) {
            put(path, PropertyDiff.Kind.DELETE, out, replaces, input);
            return;
        }
        if (o instanceof PropertyValue.Obj oo && n instanceof PropertyValue.Obj no) {
            Set<String> keys = new LinkedHashSet<>(oo.fields().keySet());
            keys.addAll(no.fields().keySet());
            for (String k : keys) {
                walk(path.key(k), oo.fields().get(k), no.fields().get(k), out, replaces, input);
            }
            return;
        }
        if (o instanceof PropertyValue.Arr oa && n instanceof PropertyValue.Arr na) {
            int max = Math.max(oa.items().size(), na.items().size());
            for (int i = 0; i < max; i++) {
                PropertyValue a = i < oa.items().size() ? oa.items().get(i) : null;
                PropertyValue b = i < na.items().size() ? na.items().get(i) : null;
                walk(path.index(i), a, b, out, replaces, input);
            }
            return;
        }
        if (o instanceof PropertyValue.Asset oa && n instanceof PropertyValue.Asset na) {
            if (!oa.hash().equals(na.hash())) {
                put(path, PropertyDiff.Kind.UPDATE, out, replaces, input);
            }
            return;
        }
        if (o instanceof PropertyValue.Archive oa && n instanceof PropertyValue.Archive na) {
            if (!oa.hash().equals(na.hash())) {
                put(path, PropertyDiff.Kind.UPDATE, out, replaces, input);
            }
            return;
        }
        if (!sameScalar(o, n)) {
            put(path, PropertyDiff.Kind.UPDATE, out, replaces, input);
        }
    }

    private static boolean sameScalar(PropertyValue a, PropertyValue b) {
        if (a instanceof PropertyValue.Num x && b instanceof PropertyValue.Num y) {
            return Double.compare(x.value(), y.value()) == 0;
        }
        return a.equals(b);
    }

    private static PropertyValue strip(PropertyValue v) {
        while (true) {
            if (v instanceof PropertyValue.Secret s) {
                v = s.value();
            } else if (v instanceof PropertyValue.Output o) {
                if (o.value().isEmpty()) {
                    return new PropertyValue.Unknown(PropertyValue.UnknownKind.STRING);
                }
                v = o.value().get();
            } else {
                return v;
            }
        }
    }

    private static void put(PropertyPath path, PropertyDiff.Kind kind, Map<String, PropertyDiff> out,
                            Set<String> replaces, boolean input) {
        PropertyDiff d = new PropertyDiff(kind, input);
        if (replacesUnder(path, replaces)) {
            d = d.asReplace();
        }
        out.put(path.toString(), d);
    }

    /** A path replaces if it, or any of its ancestors, is a replace path: removing a whole
     * {@code connection} object changes {@code connection.host}. Descendants count too: adding the
     * object {@code upstream} sets {@code upstream.name}. */
    private static boolean replacesUnder(PropertyPath path, Set<String> replaces) {
        String sp = path.schemaPath();
        for (String r : replaces) {
            if (r.equals(sp) || sp.startsWith(r + ".") || r.startsWith(sp + ".")) {
                return true;
            }
        }
        return false;
    }
}
