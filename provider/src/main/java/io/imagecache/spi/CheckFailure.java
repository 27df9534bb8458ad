package io.imagecache.spi;

/**
 * One invalid input: the property path (e.g. {@code mirrors[0].endpoints[1]}) and a sentence a person
 * can act on ("must start with http:// or https://, e.g. http://10.0.20.10:5000").
 */
public record CheckFailure(String property, String reason) {
    public static CheckFailure of(PropertyPath path, String reason) {
        return new CheckFailure(path.toString(), reason);
    }
}
