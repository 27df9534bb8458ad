package io.imagecache.registry.json;

import java.util.List;

/** A registry error body: {@code {"errors": [{"code": "MANIFEST_UNKNOWN", "message": "...", "detail": ...}]}}. */
public record ErrorBody(List<Entry> errors) {
    public record Entry(String code, String message) {}
}
