package io.imagecache.vm;

/** How a refused value is quoted back in a message: printable, and short. */
public final class Text {
    private Text() {}

    public static String shown(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(64).forEach(cp -> {
            if (cp < 0x20 || cp == 0x7f) {
                b.append(String.format("\\x%02x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return s.codePointCount(0, s.length()) > 64 ? b + "..." : b.toString();
    }
}
