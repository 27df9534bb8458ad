package io.imagecache.spi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A resource's answer to Diff: the changed paths ({@code mirrors[1].endpoints[0]}), which of them
 * force a replacement, and whether the old resource must go before the new one is made.
 */
public record DiffResult(Map<String, PropertyDiff> detailed, boolean deleteBeforeReplace) {

    public DiffResult {
        detailed = Collections.unmodifiableMap(new LinkedHashMap<>(detailed));
    }

    public static DiffResult none() {
        return new DiffResult(Map.of(), false);
    }

    public boolean hasChanges() {
        return !detailed.isEmpty();
    }

    public boolean replaces() {
        return detailed.values().stream().anyMatch(PropertyDiff::replaces);
    }

    /** Top-level properties that changed (the engine's {@code diffs}). */
    public List<String> changedKeys() {
        Set<String> keys = new LinkedHashSet<>();
        detailed.keySet().forEach(p -> keys.add(topLevel(p)));
        return new ArrayList<>(keys);
    }

    /** Top-level properties whose change forces a replacement (the engine's {@code replaces}). */
    public List<String> replaceKeys() {
        Set<String> keys = new LinkedHashSet<>();
        detailed.forEach((p, d) -> {
            if (d.replaces()) {
                keys.add(topLevel(p));
            }
        });
        return new ArrayList<>(keys);
    }

    public DiffResult with(String path, PropertyDiff diff) {
        Map<String, PropertyDiff> m = new LinkedHashMap<>(detailed);
        m.put(path, diff);
        return new DiffResult(m, deleteBeforeReplace);
    }

    /** Without the paths {@code ignored} accepts (e.g. a change that means nothing on the host). */
    public DiffResult without(java.util.function.Predicate<String> ignored) {
        Map<String, PropertyDiff> kept = new LinkedHashMap<>();
        detailed.forEach((path, diff) -> {
            if (!ignored.test(path)) {
                kept.put(path, diff);
            }
        });
        return new DiffResult(kept, deleteBeforeReplace);
    }

    public DiffResult withDeleteBeforeReplace(boolean dbr) {
        return new DiffResult(detailed, dbr);
    }

    static String topLevel(String path) {
        int i = 0;
        while (i < path.length() && path.charAt(i) != '.' && path.charAt(i) != '[') {
            i++;
        }
        if (i == 0 && path.startsWith("[\"")) {
            int end = path.indexOf("\"]");
            return path.substring(2, end);
        }
        return path.substring(0, i);
    }
}
