package io.imagecache.resources;

import io.imagecache.spi.DiffResult;
import io.imagecache.spi.PropertyDiff;
import java.util.LinkedHashMap;
import java.util.Map;

/** Diff rules every resource with a {@code connection} shares. */
final class Resources {
    private Resources() {}

    /**
     * Drops connection changes other than {@code connection.host}: new credentials, ports, timeouts
     * or jump hosts reach the same managed object, so they are no reason to touch it (the engine
     * still stores the new inputs). {@code connection.host} stays and replaces.
     */
    static DiffResult ignoreConnectionDetails(DiffResult d) {
        Map<String, PropertyDiff> kept = new LinkedHashMap<>();
        d.detailed().forEach((path, diff) -> {
            if (!path.startsWith("connection") || path.equals("connection.host") || path.equals("connection")) {
                kept.put(path, diff);
            }
        });
        return new DiffResult(kept, d.deleteBeforeReplace());
    }
}
