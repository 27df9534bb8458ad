package io.imagecache.containerd;

import java.util.List;
import java.util.regex.Pattern;

/** Small helpers to write TOML text by hand. */
final class TomlText {
    private TomlText() {}

    private static final Pattern BARE_KEY = Pattern.compile("[A-Za-z0-9_-]+");

    /** A TOML basic string, quotes included. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format("\\u%04X", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** A string value: a literal {@code 'string'} when {@code literal} is asked for and possible, else a basic one. */
    static String string(String s, boolean literal) {
        if (literal && s.indexOf('\'') < 0 && s.chars().noneMatch(c -> c < 0x20 || c == 0x7f)) {
            return "'" + s + "'";
        }
        return quote(s);
    }

    /** A key part: bare if it can be, else quoted with {@code quoteChar} ({@code "} or {@code '}) when possible. */
    static String key(String k, char quoteChar) {
        if (BARE_KEY.matcher(k).matches()) {
            return k;
        }
        if (quoteChar == '\'' && k.indexOf('\'') < 0 && k.chars().noneMatch(c -> c < 0x20 || c == 0x7f)) {
            return "'" + k + "'";
        }
        return quote(k);
    }

    /** A dotted key. */
    static String dotted(List<String> path, char quoteChar) {
        StringBuilder sb = new StringBuilder();
        for (String k : path) {
            if (sb.length() > 0) {
                sb.append('.');
            }
            sb.append(key(k, quoteChar));
        }
        return sb.toString();
    }

    /** A one-line array of basic strings: {@code ["a", "b"]}. */
    static String stringArray(List<String> values) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(quote(values.get(i)));
        }
        return sb.append(']').toString();
    }
}
