package io.imagecache.distribution;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.schema.FailsafeSchema;

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

    /**
     * A YAML double-quoted scalar that every YAML reader gives back unchanged, distribution's (Go's yaml, YAML 1.1)
     * included: only printable ASCII and printable non-ASCII stay as they are; control characters, DEL, the C1 range,
     * the line breaks of YAML 1.1 (NEL U+0085, LS U+2028, PS U+2029, which a reader of 1.1 would fold into a space),
     * the byte-order mark and the non-characters U+FFFE/U+FFFF are escaped ({@code \xHH}, {@code \\uHHHH}).
     */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (ch < 0x20 || (ch >= 0x7f && ch <= 0x9f)) {
                        sb.append(String.format("\\x%02x", (int) ch));
                    } else if (ch == '\u2028' || ch == '\u2029' || ch == '\ufeff' || ch == '\ufffe' || ch == '\uffff'
                            || (Character.isSurrogate(ch) && !(Character.isHighSurrogate(ch) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) && !(Character.isLowSurrogate(ch) && i > 0
                            && Character.isHighSurrogate(s.charAt(i - 1))))) {
                        sb.append(String.format("\\u%04x", (int) ch));
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

    /** The top-level mapping of a config.yml, parsed with a YAML library; every scalar stays text (the failsafe schema), as
     * distribution reads its string fields: a password {@code 0123} stays {@code 0123}. Empty when it is not a mapping. */
    private static Map<?, ?> load(String yaml) {
        try {
            Object doc = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).setSchema(new FailsafeSchema()).build()).loadFromString(yaml);
            return doc instanceof Map<?, ?> m ? m : Map.of();
        } catch (RuntimeException e) {
            // YamlEngineException and friends: a config distribution could not read either. Its text is not
            // repeated (it can hold credentials).
            return Map.of();
        }
    }

    /**
     * Why distribution could not read {@code yaml} as its config, worded to follow "is" ({@code not valid YAML: line 3,
     * column 9: ...}, {@code not a YAML mapping of settings}), with the line and column
     * where the YAML error is; empty when it is a YAML mapping. The file's text is never repeated (it can hold
     * credentials): only the parser's description of the problem.
     */
    public static Optional<String> yamlProblem(String yaml) {
        if (yaml.lines().allMatch(l -> l.isBlank() || l.strip().startsWith("#"))) {
            return Optional.of("without any setting"); // (the engine fails on a document with no node)
        }
        try {
            Object doc = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).setSchema(new FailsafeSchema()).build())
                    .loadFromString(yaml);
            if (doc instanceof Map<?, ?> m && !m.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(doc == null ? "without any setting" : "not a YAML mapping of settings");
        } catch (MarkedYamlEngineException e) {
            String at = e.getProblemMark().map(m -> "line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1) + ": ")
                    .orElse("");
            return Optional.of("not valid YAML: " + at + e.getProblem());
        } catch (RuntimeException e) {
            return Optional.of("not valid YAML (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** True when {@code yaml} is a YAML mapping (distribution's config file must be one). */
    public static boolean isYamlMapping(String yaml) {
        return !load(yaml).isEmpty();
    }

    /** The value of {@code key} directly under the top-level {@code proxy:} mapping, as a string. */
    public static Optional<String> proxyValue(String yaml, String key) {
        return value(load(yaml), "proxy", key);
    }

    /** The {@code http.secret}, if the config has one. */
    public static Optional<String> httpSecret(String yaml) {
        return value(load(yaml), "http", "secret");
    }

    private static Optional<String> value(Map<?, ?> doc, String section, String key) {
        Object s = doc.get(section);
        if (!(s instanceof Map<?, ?> m)) {
            return Optional.empty();
        }
        Object v = m.get(key);
        return v == null || v instanceof Map || v instanceof List ? Optional.empty() : Optional.of(String.valueOf(v));
    }
}
