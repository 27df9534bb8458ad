package io.imagecache.registry;

/** One entry of a registry's error body: {@code {"errors": [{"code": ..., "message": ...}]}}. */
public record RegistryError(ErrorCode code, String rawCode, String message) {
    @Override
    public String toString() {
        return rawCode + (message == null || message.isEmpty() ? "" : ": " + message);
    }
}
