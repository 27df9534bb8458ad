package io.imagecache.spi;

import java.util.List;
import java.util.Set;

/**
 * The result of turning a property object into a record.
 *
 * @param value    the record; components that were absent, null or unknown are null (or their default)
 * @param unknowns paths whose value is unknown (preview): resources validate them weakly and compute
 *                 around them
 * @param secrets  paths that arrived as secrets; outputs at the same paths are kept secret
 * @param failures what could not be decoded (wrong type, unknown property, missing required property)
 */
public record Decoded<T>(T value, Set<PropertyPath> unknowns, Set<PropertyPath> secrets, List<CheckFailure> failures) {
    public Decoded {
        unknowns = Set.copyOf(unknowns);
        secrets = Set.copyOf(secrets);
        failures = List.copyOf(failures);
    }

    public boolean isUnknown(PropertyPath path) {
        for (PropertyPath u : unknowns) {
            if (isPrefix(u, path)) {
                return true;
            }
        }
        return false;
    }

    /** True if any unknown lies at or below {@code path}. */
    public boolean hasUnknownsUnder(PropertyPath path) {
        for (PropertyPath u : unknowns) {
            if (isPrefix(path, u)) {
                return true;
            }
        }
        return false;
    }

    static boolean isPrefix(PropertyPath prefix, PropertyPath path) {
        List<Object> a = prefix.elements();
        List<Object> b = path.elements();
        return a.size() <= b.size() && b.subList(0, a.size()).equals(a);
    }
}
