package io.imagecache.resources;

import java.net.URI;
import java.net.URISyntaxException;

/** Small input rules shared by resources. They also keep inputs safe to put in shell commands. */
final class Validation {
    private Validation() {}

    /** An http(s) URL with a host, no user info, query, fragment, spaces, quotes or shell characters. */
    static boolean isHttpUrl(String s) {
        if (s == null || !s.matches("https?://[A-Za-z0-9._~:/\\[\\]-]+")) {
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
        return s != null && s.matches("/[A-Za-z0-9._/+@-]*") && !s.contains("/../") && !s.endsWith("/..");
    }
}
