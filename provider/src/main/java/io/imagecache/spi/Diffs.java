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
        return inputs(olds, news, replaces, Set.of());
    }

    /**
     * As {@link #inputs(PropertyValue.Obj, PropertyValue.Obj, Set)}, leaving out changes at or below the
     * schema paths in {@code hostNeutral} ({@link #hostNeutralPaths}).
     */
    public static DiffResult inputs(PropertyValue.Obj olds, PropertyValue.Obj news, Set<String> replaces,
                                    Set<String> hostNeutral) {
        Map<String, PropertyDiff> out = new LinkedHashMap<>();
        walk(PropertyPath.root(), olds, news, out, new Marks(replaces, hostNeutral), true);
        return new DiffResult(out, false);
    }

    /** Every change becomes a replacement: the diff of a resource that cannot be updated in place. */
    public static DiffResult replacing(DiffResult d) {
        Map<String, PropertyDiff> out = new LinkedHashMap<>();
        d.detailed().forEach((p, pd) -> out.put(p, pd.asReplace()));
        return new DiffResult(out, d.deleteBeforeReplace());
    }

    private static boolean under(String schemaPath, Set<String> prefixes) {
        for (String n : prefixes) {
            if (schemaPath.equals(n) || schemaPath.startsWith(n + ".")) {
                return true;
            }
        }
        return false;
    }

    /** The schema paths ({@code connection.host}) of components annotated {@code replaceOnChanges}. */
    public static Set<String> replaceOnChangesPaths(Class<?> argsType) {
        Set<String> out = new LinkedHashSet<>();
        collect(argsType, "", out, new java.util.ArrayList<>(), Prop::replaceOnChanges);
        return out;
    }

    private static final Map<Class<?>, Set<String>> HOST_NEUTRAL = new java.util.concurrent.ConcurrentHashMap<>();

    /** The schema paths ({@code connection.port}) of components annotated {@link Prop#hostNeutral()}. */
    public static Set<String> hostNeutralPaths(Class<?> argsType) {
        return HOST_NEUTRAL.computeIfAbsent(argsType, t -> {
            Set<String> out = new LinkedHashSet<>();
            collect(t, "", out, new java.util.ArrayList<>(), Prop::hostNeutral);
            return Set.copyOf(out);
        });
    }

    /** Recursion stops at a type already on the path: a jump host ({@code connection.proxy}) is a
     * Connection too, but changing it does not replace anything. */
    private static void collect(Class<?> type, String prefix, Set<String> out, List<Class<?>> ancestors,
                                java.util.function.Predicate<Prop> marked) {
        if (!type.isRecord() || ancestors.contains(type)) {
            return;
        }
        List<Class<?>> path = new java.util.ArrayList<>(ancestors);
        path.add(type);
        for (var c : type.getRecordComponents()) {
            String p = prefix.isEmpty() ? c.getName() : prefix + "." + c.getName();
            Prop prop = c.getAnnotation(Prop.class);
            if (prop != null && marked.test(prop)) {
                out.add(p);
            }
            Class<?> nested = Records.rawClass(c.getGenericType());
            if (nested == List.class) {
                nested = Records.rawClass(Records.typeArg(c.getGenericType(), 0));
            } else if (nested == Map.class) {
                nested = Records.rawClass(Records.typeArg(c.getGenericType(), 1));
            }
            collect(nested, p, out, path, marked);
        }
    }

    /** The schema paths that replace and those whose changes are left out. */
    private record Marks(Set<String> replaces, Set<String> hostNeutral) {}

    private static void walk(PropertyPath path, PropertyValue oldV, PropertyValue newV,
                             Map<String, PropertyDiff> out, Marks replaces, boolean input) {
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
                            Marks marks, boolean input) {
        if (under(path.schemaPath(), marks.hostNeutral())) {
            return;
        }
        PropertyDiff d = new PropertyDiff(kind, input);
        if (replacesUnder(path, marks.replaces())) {
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
