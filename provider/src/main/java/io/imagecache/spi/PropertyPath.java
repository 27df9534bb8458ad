package io.imagecache.spi;

import java.util.ArrayList;
import java.util.List;

/**
 * A path into a property value in Pulumi's syntax: {@code mirrors[1].endpoints[0]},
 * {@code hostsFiles["docker.io"]}. Immutable; {@link #toString()} is what the engine and users see.
 */
public final class PropertyPath {
    private static final PropertyPath ROOT = new PropertyPath(List.of());
    private final List<Object> elements; // String keys and Integer indexes

    private PropertyPath(List<Object> elements) {
        this.elements = List.copyOf(elements);
    }

    public static PropertyPath root() {
        return ROOT;
    }

    public static PropertyPath of(String key) {
        return ROOT.key(key);
    }

    public PropertyPath key(String key) {
        List<Object> e = new ArrayList<>(elements);
        e.add(key);
        return new PropertyPath(e);
    }

    public PropertyPath index(int i) {
        List<Object> e = new ArrayList<>(elements);
        e.add(i);
        return new PropertyPath(e);
    }

    public boolean isRoot() {
        return elements.isEmpty();
    }

    /** The first key: the top-level property this path is in. */
    public String topLevel() {
        return elements.isEmpty() ? "" : String.valueOf(elements.get(0));
    }

    /** This path with list indexes dropped: {@code mirrors[1].endpoints[0]} -> {@code mirrors.endpoints}. */
    public String schemaPath() {
        StringBuilder sb = new StringBuilder();
        for (Object e : elements) {
            if (e instanceof String s) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(s);
            }
        }
        return sb.toString();
    }

    /** This path without its first key, when that key is {@code key}: {@code cloudInit.address} -> {@code address}. */
    public java.util.Optional<PropertyPath> relativeTo(String key) {
        if (elements.isEmpty() || !key.equals(elements.get(0))) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new PropertyPath(elements.subList(1, elements.size())));
    }

    public List<Object> elements() {
        return elements;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Object e : elements) {
            if (e instanceof Integer i) {
                sb.append('[').append(i).append(']');
            } else {
                String k = (String) e;
                if (isIdentifier(k)) {
                    if (sb.length() > 0) {
                        sb.append('.');
                    }
                    sb.append(k);
                } else {
                    sb.append("[\"").append(k.replace("\\", "\\\\").replace("\"", "\\\"")).append("\"]");
                }
            }
        }
        return sb.toString();
    }

    /** {@code [A-Za-z_$][A-Za-z0-9_$]*}: a key written as {@code .key} rather than {@code ["key"]}. */
    private static boolean isIdentifier(String k) {
        if (k.isEmpty()) {
            return false;
        }
        for (int i = 0; i < k.length(); i++) {
            char c = k.charAt(i);
            boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == '$';
            if (!letter && (i == 0 || c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PropertyPath p && p.elements.equals(elements);
    }

    @Override
    public int hashCode() {
        return elements.hashCode();
    }
}
