package io.imagecache.containerd;

import io.imagecache.containerd.MirrorSpec.ClientCert;
import io.imagecache.containerd.MirrorSpec.Endpoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.stream.Collectors;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Renders the hosts.toml of one registry namespace and reads one back. Pure.
 *
 * <p>Output is deterministic: the ownership header, {@code server} (when there is one), then one
 * {@code [host."<url>"]} per endpoint in order with {@code capabilities}, {@code ca}, {@code client},
 * {@code skip_verify}, {@code override_path}, {@code dial_timeout}, each only when set, then the host's
 * {@code [host."<url>".header]} table when it has headers (one value as a string, more as an array). Rendering never drops a
 * setting: a spec that uses something the given containerd version does not know is refused. containerd rejects
 * the whole file for an unknown capability ({@code referrers} before 2.2: "unknown capability", then pulls go
 * straight upstream), ignores an unknown field without a word ({@code dial_timeout} before 2.0.7, so the 30 s connect
 * timeout stays; {@code override_path} before 1.6, so {@code /v2} is appended to the path) and never looks at a
 * {@code _default} directory before 1.7. So the text for a spec is the same for every version that accepts it, and
 * {@link #render(MirrorSpec)} can run before the version is known (preview).
 */
public final class HostsToml {
    private HostsToml() {}

    /** First line of every file imagecache writes; only files that start with it are ever deleted. */
    public static final String HEADER = "# Managed by imagecache. Do not edit.";
    public static final String FILE_NAME = "hosts.toml";

    /** {@code <certsDir>/<registry>/hosts.toml}. */
    public static String path(String certsDir, String registry) {
        String dir = certsDir.endsWith("/") && certsDir.length() > 1 ? certsDir.substring(0, certsDir.length() - 1) : certsDir;
        return dir + "/" + registry.strip() + "/" + FILE_NAME;
    }

    /** True if {@code content} is a file imagecache wrote (starts with {@link #HEADER}). */
    public static boolean isManaged(String content) {
        return content != null && (content.startsWith(HEADER + "\n") || content.equals(HEADER)
                || content.startsWith(HEADER + "\r\n"));
    }

    /**
     * The hosts.toml for {@code mirror} on containerd {@code version}. Throws {@link IllegalArgumentException}
     * listing the problems if the spec is invalid or uses something this version does not know; validate with
     * {@link MirrorValidation#check(List, ContainerdVersion)} first to report them per property.
     */
    public static String render(MirrorSpec mirror, ContainerdVersion version) {
        List<Problem> problems = MirrorValidation.check(List.of(mirror), version);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(describe(mirror, problems, "containerd " + version));
        }
        return write(mirror);
    }

    /**
     * The hosts.toml for {@code mirror} before the node's version is known (e.g. at preview). The text equals what
     * {@link #render(MirrorSpec, ContainerdVersion)} gives for every version that accepts the spec.
     */
    public static String render(MirrorSpec mirror) {
        List<Problem> problems = MirrorValidation.check(List.of(mirror));
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(describe(mirror, problems, "any containerd"));
        }
        return WRITTEN.get(mirror);
    }

    /** Answers of {@link #write}: each node of a fleet has the same mirrors. */
    private static final Memo<MirrorSpec, String> WRITTEN = new Memo<>(64, HostsToml::write);

    private static String describe(MirrorSpec mirror, List<Problem> problems, String target) {
        return "cannot render hosts.toml for " + (mirror == null ? "a null mirror" : "\"" + mirror.registry() + "\"")
                + " for " + target + ": " + problems.stream().map(p -> p.toString().replace("mirrors[0]", "mirror"))
                .collect(Collectors.joining("; "));
    }

    private static String write(MirrorSpec m) {
        StringBuilder sb = new StringBuilder();
        sb.append(HEADER).append('\n');
        m.effectiveServer().ifPresent(s -> sb.append("server = ").append(TomlText.quote(s)).append('\n'));
        Endpoint root = m.serverSettings();
        if (root != null) {
            fields(sb, "", root, root.capabilities().stream().map(c -> c.strip().toLowerCase(java.util.Locale.ROOT)).toList());
            if (!root.header().isEmpty()) {
                sb.append("\n[header]\n");
                headerLines(sb, root);
            }
        }
        for (Endpoint e : m.endpoints()) {
            sb.append('\n');
            sb.append("[host.").append(TomlText.quote(e.url().strip())).append("]\n");
            List<String> caps = e.effectiveCapabilities().stream().map(c -> c.strip().toLowerCase(java.util.Locale.ROOT))
                    .toList();
            fields(sb, "  ", e, caps);
            if (!e.header().isEmpty()) {
                sb.append("\n  [host.").append(TomlText.quote(e.url().strip())).append(".header]\n");
                headerLines(sb, e);
            }
        }
        return sb.toString();
    }

    private static void headerLines(StringBuilder sb, Endpoint e) {
        String indent = e.url() == null ? "  " : "    ";
        e.header().forEach((name, values) -> sb.append(indent).append(TomlText.key(name, '"')).append(" = ")
                .append(values.size() == 1 ? TomlText.quote(values.get(0)) : TomlText.stringArray(values)).append('\n'));
    }

    /** The settings of a host (or of the server, at the top level), each only when set; capabilities when non-empty. */
    private static void fields(StringBuilder sb, String indent, Endpoint e, List<String> caps) {
        if (!caps.isEmpty()) {
            sb.append(indent).append("capabilities = ").append(TomlText.stringArray(caps)).append('\n');
        }
        if (!e.ca().isEmpty()) {
            sb.append(indent).append("ca = ").append(TomlText.stringArray(e.ca())).append('\n');
        }
        if (!e.client().isEmpty()) {
            sb.append(indent).append("client = [");
            for (int i = 0; i < e.client().size(); i++) {
                ClientCert c = e.client().get(i);
                sb.append(i > 0 ? ", " : "");
                sb.append(c.key() == null ? TomlText.quote(c.cert()) : TomlText.stringArray(List.of(c.cert(), c.key())));
            }
            sb.append("]\n");
        }
        if (e.skipVerify()) {
            sb.append(indent).append("skip_verify = true\n");
        }
        if (e.overridePath()) {
            sb.append(indent).append("override_path = true\n");
        }
        if (e.dialTimeout() != null) {
            sb.append(indent).append("dial_timeout = ").append(TomlText.quote(e.dialTimeout().strip())).append('\n');
        }
    }

    /** The fields containerd reads in a {@code [host."..."]} table (and at the top level, for {@code server}). */
    public static final List<String> HOST_FIELDS =
            List.of("capabilities", "ca", "client", "skip_verify", "override_path", "dial_timeout", "header");

    /**
     * Why {@code content} is not TOML at all (with line and column, never its text); empty when it parses. A file that
     * parses but has a shape containerd refuses is {@link #parse}'s business.
     */
    public static Optional<String> syntaxError(String registry, String content) {
        return syntaxError(registry, Toml.parse(content));
    }

    private static Optional<String> syntaxError(String registry, TomlParseResult r) {
        if (!r.hasErrors()) {
            return Optional.empty();
        }
        TomlParseError e = r.errors().get(0);
        return Optional.of("hosts.toml for " + registry + " is not valid TOML: line " + e.position().line() + ", column "
                + e.position().column() + ": " + ConfigToml.withoutText(e));
    }

    /** Like {@link #parse(String, String, ContainerdVersion)} for a containerd before 2.2. */
    public static Parsed parse(String registry, String content) {
        return parse(registry, content, null);
    }

    /**
     * Reads a hosts.toml (one imagecache wrote, or a hand-made one being imported) back into a spec for
     * {@code registry}, keeping every per-host setting containerd reads ({@link #HOST_FIELDS}). {@code server} is kept
     * only if it differs from the default for the registry. A {@code [host]} without {@code capabilities} means what
     * it means to containerd: every capability, i.e. pull, resolve and push, and referrers from 2.2 ({@code version}
     * null: before 2.2). What a {@link MirrorSpec} cannot hold is listed in the result's {@code ignored}: top-level
     * settings for the server (capabilities, ca, client, ...) and fields containerd does not know. Throws
     * {@link IllegalArgumentException} with line and column if the text is not valid TOML or a field has a type
     * containerd refuses (containerd then drops the whole file).
     */
    public static Parsed parse(String registry, String content, ContainerdVersion version) {
        TomlParseResult r = Toml.parse(content);
        if (r.hasErrors()) {
            throw new IllegalArgumentException(syntaxError(registry, r).orElseThrow());
        }
        List<String> ignored = new ArrayList<>();
        for (String k : r.keySet()) {
            boolean capsWithoutServer = k.equals("capabilities") && !r.contains("server");
            if (!k.equals("server") && !k.equals("host") && (!HOST_FIELDS.contains(k) || capsWithoutServer)) {
                ignored.add(k);
            }
        }
        Endpoint root = new Endpoint(null, r.contains("server") && r.contains("capabilities") ? strings(r, "capabilities", registry)
                : List.of(), stringOrStrings(r, "ca", registry), bool(r, "skip_verify", registry),
                bool(r, "override_path", registry), string(r, "dial_timeout", registry), clients(r, registry),
                headers(r, registry, ""));
        if (r.contains("server") && !r.isString("server")) {
            throw typeError(r, "server", registry, "a string");
        }
        String server = r.isString("server") ? r.getString("server") : null;
        MirrorSpec defaults = new MirrorSpec(registry, null, List.of());
        if (server != null && defaults.effectiveServer().map(server::equals).orElse(false)) {
            server = null;
        }
        List<String> allCapabilities = version != null && version.supportsReferrersCapability()
                ? List.of("pull", "resolve", "push", "referrers") : List.of("pull", "resolve", "push");
        List<Endpoint> endpoints = new ArrayList<>();
        if (r.contains("host") && !r.isTable("host")) {
            throw typeError(r, "host", registry, "a table of [host.\"<url>\"] tables");
        }
        TomlTable hosts = r.isTable("host") ? r.getTable("host") : null;
        if (hosts != null) {
            for (String url : hosts.keySet()) {
                if (!hosts.isTable(List.of(url))) {
                    throw new IllegalArgumentException("hosts.toml for " + registry + ": host." + url + " is not a table");
                }
                var pos = hosts.inputPositionOf(List.of(url));
                List<String> lines = content.lines().toList();
                if (pos != null && pos.line() >= 1 && pos.line() <= lines.size()
                        && !lines.get(pos.line() - 1).strip().startsWith("[")) {
                    throw new IllegalArgumentException("hosts.toml for " + registry + ": host \"" + url + "\" (line "
                            + pos.line() + ") must be declared as a [host.\"" + url + "\"] table: containerd 2.x sees only"
                            + " hosts declared that way, not as dotted keys or inline tables");
                }
                TomlTable h = hosts.getTable(List.of(url));
                String where = "host.\"" + url + "\".";
                for (String k : h.keySet()) {
                    if (!HOST_FIELDS.contains(k)) {
                        ignored.add(where + k);
                    }
                }
                List<String> caps = h.contains(List.of("capabilities")) ? strings(h, "capabilities", registry) : allCapabilities;
                endpoints.add(new Endpoint(url, caps, stringOrStrings(h, "ca", registry),
                        bool(h, "skip_verify", registry), bool(h, "override_path", registry),
                        string(h, "dial_timeout", registry), clients(h, registry), headers(h, registry, where)));
            }
        }
        return new Parsed(new MirrorSpec(registry, server, endpoints, root), isManaged(content), List.copyOf(ignored));
    }

    /**
     * A hosts.toml read back.
     *
     * @param managed it carries the imagecache header
     * @param ignored keys present in the file that a {@link MirrorSpec} does not hold, as TOML paths
     *                ({@code ca}, {@code host."https://m.example".proxy})
     */
    public record Parsed(MirrorSpec mirror, boolean managed, List<String> ignored) {}

    /**
     * True if {@code content} means the same to containerd as {@code wanted}: same server, same hosts in the same order
     * with the same settings (capability order and case, a default server line and string-vs-list forms do not
     * matter). A file without {@code capabilities} on a host matches both containerd defaults (with and without
     * referrers), as the version is not known here. A file that cannot be read, or holds settings a spec cannot
     * hold, never matches.
     */
    public static boolean sameMeaning(String registry, String content, MirrorSpec wanted) {
        if (wanted == null) {
            return false;
        }
        try {
            MirrorSpec w = wanted.canonical();
            for (ContainerdVersion v : List.of(ContainerdVersion.of(2, 1, 0), ContainerdVersion.of(2, 2, 0))) {
                Parsed p = parse(registry, content, v);
                if (p.ignored().isEmpty() && p.mirror().canonical().equals(w)) {
                    return true;
                }
            }
            return false;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean bool(TomlTable t, String key, String registry) {
        if (!t.contains(List.of(key))) {
            return false;
        }
        if (!t.isBoolean(List.of(key))) {
            throw typeError(t, key, registry, "true or false");
        }
        return t.getBoolean(List.of(key));
    }

    private static String string(TomlTable t, String key, String registry) {
        if (!t.contains(List.of(key))) {
            return null;
        }
        if (!t.isString(List.of(key))) {
            throw typeError(t, key, registry, "a string");
        }
        return t.getString(List.of(key));
    }

    private static Map<String, List<String>> headers(TomlTable t, String registry, String where) {
        if (!t.contains(List.of("header"))) {
            return Map.of();
        }
        if (!t.isTable(List.of("header"))) {
            throw typeError(t, "header", registry, "a table of header names to a string or an array of strings");
        }
        TomlTable h = t.getTable(List.of("header"));
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String name : h.keySet()) {
            Object v = h.get(List.of(name));
            if (v instanceof String s) {
                out.put(name, List.of(s));
            } else if (v instanceof TomlArray a) {
                List<String> values = new ArrayList<>();
                for (int i = 0; i < a.size(); i++) {
                    if (!(a.get(i) instanceof String s)) {
                        throw typeError(h, name, registry, "a string or an array of strings (in " + where + "header)");
                    }
                    values.add(s);
                }
                out.put(name, List.copyOf(values));
            } else {
                throw typeError(h, name, registry, "a string or an array of strings (in " + where + "header)");
            }
        }
        return out;
    }

    private static List<String> strings(TomlTable t, String key, String registry) {
        if (!t.contains(List.of(key))) {
            return List.of();
        }
        if (!t.isArray(List.of(key))) {
            throw typeError(t, key, registry, "an array of strings");
        }
        TomlArray a = t.getArray(List.of(key));
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            if (!(a.get(i) instanceof String s)) {
                throw typeError(t, key, registry, "an array of strings");
            }
            out.add(s);
        }
        return out;
    }

    private static List<String> stringOrStrings(TomlTable t, String key, String registry) {
        if (t.isString(List.of(key))) {
            return List.of(t.getString(List.of(key)));
        }
        return strings(t, key, registry);
    }

    private static List<ClientCert> clients(TomlTable t, String registry) {
        if (!t.contains(List.of("client"))) {
            return List.of();
        }
        if (t.isString(List.of("client"))) {
            return List.of(ClientCert.of(t.getString(List.of("client")), null));
        }
        if (!t.isArray(List.of("client"))) {
            throw typeError(t, "client", registry, "a path, an array of paths or an array of [cert, key] pairs");
        }
        TomlArray a = t.getArray(List.of("client"));
        List<ClientCert> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            Object o = a.get(i);
            if (o instanceof String s) {
                out.add(ClientCert.of(s, null));
            } else if (o instanceof TomlArray pair && pair.size() == 2 && pair.get(0) instanceof String c
                    && pair.get(1) instanceof String k) {
                out.add(ClientCert.of(c, k));
            } else {
                throw typeError(t, "client", registry, "a path, an array of paths or an array of [cert, key] pairs");
            }
        }
        return out;
    }

    private static IllegalArgumentException typeError(TomlTable t, String key, String registry, String expected) {
        var pos = t.inputPositionOf(List.of(key));
        return new IllegalArgumentException("hosts.toml for " + registry + ": " + key + " must be " + expected
                + (pos == null ? "" : " (line " + pos.line() + ", column " + pos.column() + ")"));
    }
}
