package io.imagecache.vm;

/**
 * An IPv4 address, parsed by hand from dotted-quad text (never through a resolver, so no text is
 * taken for a host name and looked up).
 */
public record Ipv4(int bits) {

    /** Parses {@code a.b.c.d}; throws {@link IllegalArgumentException} with a readable reason. */
    public static Ipv4 parse(String s) {
        if (s == null || !s.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            throw new IllegalArgumentException("\"" + Text.shown(s) + "\" is not an IPv4 address such as 10.0.20.10");
        }
        int bits = 0;
        for (String octet : s.split("\\.")) {
            int v = Integer.parseInt(octet);
            if (v > 255 || (octet.length() > 1 && octet.startsWith("0"))) {
                throw new IllegalArgumentException("\"" + s + "\" is not an IPv4 address: each part is 0-255, without leading zeros");
            }
            bits = (bits << 8) | v;
        }
        return new Ipv4(bits);
    }

    public static boolean isValid(String s) {
        try {
            parse(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @Override
    public String toString() {
        return ((bits >>> 24) & 255) + "." + ((bits >>> 16) & 255) + "." + ((bits >>> 8) & 255) + "." + (bits & 255);
    }
}
