package io.imagecache.containerd;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The syntax MirrorValidation checks values against: host[:port], URLs compared, Go durations. Pure. */
final class MirrorSyntax {
    private MirrorSyntax() {}

    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9A-Fa-f:.]+\\]");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final Pattern DURATION_PART = Pattern.compile("([0-9]*(?:\\.[0-9]*)?)(ns|us|\u00b5s|\u03bcs|ms|s|m|h)");

    /** {@code host[:port]}: DNS labels or a bracketed IPv6 literal, a port 1-65535. */
    static boolean isHostPort(String s) {
        String host = s;
        String port = null;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                return false;
            }
            host = s.substring(0, close + 1);
            if (close + 1 < s.length()) {
                if (s.charAt(close + 1) != ':') {
                    return false;
                }
                port = s.substring(close + 2);
            }
            if (!IPV6.matcher(host).matches()) {
                return false;
            }
        } else {
            int colon = s.lastIndexOf(':');
            if (colon >= 0) {
                host = s.substring(0, colon);
                port = s.substring(colon + 1);
            }
            if (host.isEmpty() || host.length() > 253) {
                return false;
            }
            for (String label : host.split("\\.", -1)) {
                if (!LABEL.matcher(label).matches()) {
                    return false;
                }
            }
        }
        if (port != null) {
            if (!PORT.matcher(port).matches()) {
                return false;
            }
            int n = Integer.parseInt(port);
            return n >= 1 && n <= 65535;
        }
        return true;
    }

    /** Scheme and authority lower-cased, trailing slashes dropped: what two URLs compare by. */
    static String normalizeUrl(String url) {
        String u = url.strip();
        try {
            URI uri = new URI(u);
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            int end = path.length();
            while (end > 0 && path.charAt(end - 1) == '/') {
                end--;
            }
            path = path.substring(0, end);
            return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority().toLowerCase(Locale.ROOT) + path;
        } catch (URISyntaxException | RuntimeException e) {
            return u;
        }
    }

    static boolean sameUrl(String a, String b) {
        return a != null && b != null && normalizeUrl(a).equals(normalizeUrl(b));
    }

    /**
     * Parses a Go duration ({@code time.ParseDuration}): a sequence of decimal numbers with units ns, us, µs, ms,
     * s, m, h, optionally signed; {@code 0} alone is allowed. Empty if it is not one.
     */
    static Optional<BigDecimal> goDurationNanos(String s) {
        if (s == null) {
            return Optional.empty();
        }
        String d = s;
        int sign = 1;
        if (d.startsWith("-") || d.startsWith("+")) {
            sign = d.startsWith("-") ? -1 : 1;
            d = d.substring(1);
        }
        if (d.equals("0")) {
            return Optional.of(BigDecimal.ZERO);
        }
        if (d.isEmpty()) {
            return Optional.empty();
        }
        Matcher m = DURATION_PART.matcher(d);
        int pos = 0;
        BigDecimal total = BigDecimal.ZERO;
        while (pos < d.length()) {
            if (!m.find(pos) || m.start() != pos) {
                return Optional.empty();
            }
            String num = m.group(1);
            if (num.isEmpty() || num.equals(".")) {
                return Optional.empty();
            }
            BigDecimal n = new BigDecimal(num.endsWith(".") ? num + "0" : num.startsWith(".") ? "0" + num : num);
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "\u00b5s", "\u03bcs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            total = total.add(n.multiply(BigDecimal.valueOf(unit)));
            pos = m.end();
        }
        return Optional.of(sign < 0 ? total.negate() : total);
    }
}
