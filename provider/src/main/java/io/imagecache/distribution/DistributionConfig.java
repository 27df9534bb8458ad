package io.imagecache.distribution;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders distribution's {@code config.yml} for a pull-through proxy, and reads back the parts an
 * import needs. Pure.
 *
 * <p>Choices: storage deletes are enabled (the proxy's TTL scheduler can only remove expired content
 * with them, and offline garbage collection needs them); the blob-descriptor cache is in memory; a
 * debug listener inside the container serves Prometheus metrics on :5001 (not published); the
 * storage-driver health check makes {@code /debug/health} fail when the disk does. Credentials and
 * the secret live only in this file, which is written 0600.
 */
public final class DistributionConfig {
    private DistributionConfig() {}

    public static final String HEADER = "# Managed by imagecache. Do not edit.";
    /** Where the config is mounted in the container: outside both images' default paths, so the image's own default is never used by mistake. */
    public static final String CONTAINER_PATH = "/etc/imagecache/config.yml";
    public static final String DATA_PATH = "/var/lib/registry";

    public static String render(ProxyConfig c) {
        StringBuilder sb = new StringBuilder();
        sb.append(HEADER).append('\n');
        sb.append("# Pull-through cache of ").append(c.remoteUrl()).append(" (distribution ").append(c.major())
                .append(".x).\n");
        sb.append("version: 0.1\n");
        sb.append("log:\n  level: info\n  fields:\n    service: registry-").append(c.name()).append('\n');
        sb.append("storage:\n");
        sb.append("  filesystem:\n    rootdirectory: ").append(DATA_PATH).append('\n');
        sb.append("  delete:\n    enabled: true\n");
        sb.append("  cache:\n    blobdescriptor: inmemory\n");
        sb.append("  maintenance:\n    uploadpurging:\n      enabled: true\n      age: 168h\n      interval: 24h\n      dryrun: false\n");
        sb.append("http:\n");
        sb.append("  addr: :5000\n");
        sb.append("  secret: ").append(quote(c.httpSecret())).append('\n');
        sb.append("  headers:\n    X-Content-Type-Options: [nosniff]\n");
        sb.append("  debug:\n    addr: :5001\n    prometheus:\n      enabled: true\n      path: /metrics\n");
        sb.append("health:\n  storagedriver:\n    enabled: true\n    interval: 10s\n    threshold: 3\n");
        sb.append("proxy:\n");
        sb.append("  remoteurl: ").append(quote(c.remoteUrl())).append('\n');
        c.username().ifPresent(u -> sb.append("  username: ").append(quote(u)).append('\n'));
        c.password().ifPresent(p -> sb.append("  password: ").append(quote(p)).append('\n'));
        if (c.major() >= 3) {
            c.ttl().ifPresent(t -> sb.append("  ttl: ").append(t).append('\n'));
        }
        return sb.toString();
    }

    /** A YAML double-quoted scalar. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\x%02x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** A Go duration as distribution reads it: {@code 168h}, {@code 30m}, {@code 1h30m}, {@code 0} (no expiry). */
    public static boolean isDuration(String s) {
        return s != null && (s.equals("0") || s.matches("([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+"));
    }

    // --- reading a config back (import, drift) ----------------------------------------------------

    private static final Pattern PROXY_BLOCK = Pattern.compile("(?m)^proxy:\\s*\\n((?:[ \\t]+.*\\n?)*)");

    /** The value of {@code key} directly under the top-level {@code proxy:} block, unquoted. */
    public static Optional<String> proxyValue(String yaml, String key) {
        Matcher m = PROXY_BLOCK.matcher(yaml);
        if (!m.find()) {
            return Optional.empty();
        }
        Matcher v = Pattern.compile("(?m)^[ \\t]+" + Pattern.quote(key) + ":[ \\t]*(.*?)[ \\t]*$").matcher(m.group(1));
        if (!v.find()) {
            return Optional.empty();
        }
        return Optional.of(unquote(v.group(1)));
    }

    /** The {@code http.secret}, if the config has one. */
    public static Optional<String> httpSecret(String yaml) {
        Matcher m = Pattern.compile("(?m)^http:\\s*\\n((?:[ \\t]+.*\\n?)*)").matcher(yaml);
        if (!m.find()) {
            return Optional.empty();
        }
        Matcher v = Pattern.compile("(?m)^[ \\t]+secret:[ \\t]*(.*?)[ \\t]*$").matcher(m.group(1));
        return v.find() ? Optional.of(unquote(v.group(1))) : Optional.empty();
    }

    static String unquote(String v) {
        String s = v.strip();
        int hash = s.startsWith("\"") || s.startsWith("'") ? -1 : s.indexOf(" #");
        if (hash >= 0) {
            s = s.substring(0, hash).strip();
        }
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            return s.substring(1, s.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\").replace("\\n", "\n");
        }
        if (s.length() >= 2 && s.startsWith("'") && s.endsWith("'")) {
            return s.substring(1, s.length() - 1).replace("''", "'");
        }
        return s;
    }
}
