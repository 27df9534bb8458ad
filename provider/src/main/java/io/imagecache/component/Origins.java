package io.imagecache.component;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a child's properties came from among the component's inputs: {@code connection} from
 * {@code registryHost}, {@code mirrors[2]} from {@code nodes[0].mirrors[0]}. A child's property path is
 * mapped by its longest known prefix; what has none maps to the fallback.
 */
record Origins(String fallback, Map<String, String> prefixes) {
    Origins {
        prefixes = Map.copyOf(prefixes);
    }

    static Origins of(String fallback, String... childThenComponent) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < childThenComponent.length; i += 2) {
            m.put(childThenComponent[i], childThenComponent[i + 1]);
        }
        return new Origins(fallback, m);
    }

    Origins with(String child, String component) {
        Map<String, String> m = new LinkedHashMap<>(prefixes);
        m.put(child, component);
        return new Origins(fallback, m);
    }

    /** The component's property path for the child's {@code path}, e.g. {@code upstreams[1].port}. */
    String componentPath(String path) {
        String best = null;
        for (String p : prefixes.keySet()) {
            boolean matches = path.equals(p) || path.startsWith(p + ".") || path.startsWith(p + "[");
            if (matches && (best == null || p.length() > best.length())) {
                best = p;
            }
        }
        return best == null ? fallback : prefixes.get(best) + path.substring(best.length());
    }

    /** For each top-level property of {@code inputs}, the component's top-level inputs it comes from. */
    Map<String, java.util.Set<String>> sources(java.util.Collection<String> childProperties) {
        Map<String, java.util.Set<String>> out = new LinkedHashMap<>();
        for (String key : childProperties) {
            java.util.Set<String> from = new java.util.TreeSet<>();
            for (Map.Entry<String, String> e : prefixes.entrySet()) {
                String p = e.getKey();
                if (p.equals(key) || p.startsWith(key + ".") || p.startsWith(key + "[")) {
                    from.add(topLevel(e.getValue()));
                }
            }
            if (!prefixes.containsKey(key)) {
                from.add(topLevel(componentPath(key)));
            }
            out.put(key, from);
        }
        return out;
    }

    private static String topLevel(String path) {
        int cut = path.length();
        for (char c : new char[] {'.', '['}) {
            int i = path.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        return path.substring(0, cut);
    }
}
