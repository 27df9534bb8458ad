package io.imagecache.containerd;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/** Parsed TOML as plain Java values, and plain Java values as inline TOML: pure functions. */
final class TomlValues {
    private TomlValues() {}

    /** A parsed table as plain Java values (LinkedHashMap, ArrayList, String, Long, Double, Boolean, java.time). */
    static Map<String, Object> toJava(TomlTable t) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : t.keySet()) {
            m.put(k, toJavaValue(t.get(List.of(k))));
        }
        return m;
    }

    private static Object toJavaValue(Object v) {
        if (v instanceof TomlTable t) {
            return toJava(t);
        }
        if (v instanceof TomlArray a) {
            List<Object> l = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                l.add(toJavaValue(a.get(i)));
            }
            return l;
        }
        return v;
    }

    /** A value as inline TOML. */
    static String inline(Object v) {
        if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                return "{}";
            }
            StringBuilder sb = new StringBuilder("{ ");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(first ? "" : ", ").append(TomlText.key((String) e.getKey(), '"')).append(" = ")
                        .append(inline(e.getValue()));
                first = false;
            }
            return sb.append(" }").toString();
        }
        if (v instanceof List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < l.size(); i++) {
                sb.append(i > 0 ? ", " : "").append(inline(l.get(i)));
            }
            return sb.append(']').toString();
        }
        if (v instanceof String s) {
            return TomlText.quote(s);
        }
        if (v instanceof Double d) {
            if (d.isNaN()) {
                return "nan";
            }
            if (d.isInfinite()) {
                return d > 0 ? "inf" : "-inf";
            }
            return d.toString();
        }
        if (v instanceof OffsetDateTime t) {
            return t.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        }
        if (v instanceof LocalDateTime t) {
            return t.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
        }
        if (v instanceof LocalDate t) {
            return t.format(DateTimeFormatter.ISO_LOCAL_DATE);
        }
        if (v instanceof LocalTime t) {
            return t.format(DateTimeFormatter.ISO_LOCAL_TIME);
        }
        return String.valueOf(v); // Long, Boolean
    }
}
