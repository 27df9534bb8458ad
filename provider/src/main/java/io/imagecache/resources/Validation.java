package io.imagecache.resources;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Pattern;

/** Small input rules shared by resources. They also keep inputs safe to put in shell commands. */
final class Validation {
    private Validation() {}

    private static final Pattern HTTP_URL = Pattern.compile("https?://[A-Za-z0-9._~:/\\[\\]-]+");
    private static final Pattern ABSOLUTE_PATH = Pattern.compile("/[A-Za-z0-9._/+@-]*");

    /** An http(s) URL with a host, no user info, query, fragment, spaces, quotes or shell characters. */
    static boolean isHttpUrl(String s) {
        if (s == null || !HTTP_URL.matcher(s).matches()) {
            return false;
        }
        try {
            URI u = new URI(s);
            return u.getHost() != null && u.getUserInfo() == null && u.getQuery() == null && u.getFragment() == null
                    && (u.getPort() == -1 || (u.getPort() > 0 && u.getPort() < 65536));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    /** An absolute path of safe characters (no spaces, quotes or shell metacharacters, no "..") */
    static boolean isAbsolutePath(String s) {
        return s != null && ABSOLUTE_PATH.matcher(s).matches() && !s.contains("/../") && !s.endsWith("/..");
    }

    /** Why no host could create {@code path} (a name longer than 255 bytes, or the path longer than 4095), if so. */
    static java.util.Optional<String> lengthProblem(String path) {
        if (path == null) {
            return java.util.Optional.empty();
        }
        int bytes = path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > 4095) {
            return java.util.Optional.of("is " + bytes + " bytes long, and a path has at most 4095");
        }
        for (String part : path.split("/")) {
            int n = part.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (n > 255) {
                return java.util.Optional.of("has a part of " + n + " bytes (" + part.substring(0, 12) + "...), and a file or "
                        + "directory name has at most 255");
            }
        }
        return java.util.Optional.empty();
    }

    /** Whether {@code path} is written plainly: no empty or "." parts ({@code //}, {@code /./}) and no trailing slash. */
    static boolean isPlainPath(String path) {
        return path != null && (path.equals("/") || (!path.endsWith("/") && !path.contains("//") && !path.contains("/./")
                && !path.endsWith("/.")));
    }
}
