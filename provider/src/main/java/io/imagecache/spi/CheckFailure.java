package io.imagecache.spi;

/**
 * One invalid input: the property path (e.g. {@code mirrors[0].endpoints[1]}) and a sentence a person
 * can act on ("must start with http:// or https://, e.g. http://10.0.20.10:5000").
 */
public record CheckFailure(String property, String reason) {
    /** One message for a list of failures: {@code what}, then one line per failure. */
    public static String describe(String what, java.util.List<CheckFailure> failures) {
        StringBuilder sb = new StringBuilder(what);
        for (CheckFailure f : failures) {
            sb.append("\n  ").append(f.property().isEmpty() ? "(inputs)" : f.property()).append(": ").append(f.reason());
        }
        return sb.toString();
    }

    public static CheckFailure of(PropertyPath path, String reason) {
        return new CheckFailure(path.toString(), reason);
    }
}
