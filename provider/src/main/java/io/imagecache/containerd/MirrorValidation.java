package io.imagecache.containerd;

import io.imagecache.containerd.MirrorSpec.ClientCert;
import io.imagecache.containerd.MirrorSpec.Endpoint;
import io.imagecache.containerd.Problem.Rule;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validation of mirror specs, in two steps: {@link #check(List)} needs nothing but the inputs (Pulumi Check, before
 * any host is touched); {@link #checkForVersion(List, ContainerdVersion)} adds the rules that depend on the node's
 * containerd version (after detection). {@link #check(List, ContainerdVersion)} runs both. Property paths are
 * relative to the resource inputs: {@code mirrors[1].registry}, {@code mirrors[1].endpoints[0]} (the URL),
 * {@code mirrors[1].endpoints[0].capabilities[2]}, {@code mirrors[1].endpoints[0].dialTimeout}, ...
 */
public final class MirrorValidation {
    private MirrorValidation() {}

    public static final Set<String> CAPABILITIES = Set.of("pull", "resolve", "push", "referrers");

    private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    private static final String ENDPOINT_EXAMPLE = "e.g. http://10.0.20.10:5000 or https://mirror.example.com";

    /** Answers of {@link #check(List)}: each node of a fleet has the same mirrors. */
    private static final Memo<List<MirrorSpec>, List<Problem>> CHECKED = new Memo<>(64, m -> List.copyOf(checkNow(m)));

    /** The rules that need nothing but the inputs. */
    public static List<Problem> check(List<MirrorSpec> mirrors) {
        if (mirrors == null) {
            return new ArrayList<>();
        }
        // the specs are immutable records (MirrorSpec copies its lists), so a list of them is a key by value
        return new ArrayList<>(CHECKED.get(new ArrayList<>(mirrors)));
    }

    private static List<Problem> checkNow(List<MirrorSpec> mirrors) {
        List<Problem> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < mirrors.size(); i++) {
            MirrorSpec m = mirrors.get(i);
            String p = "mirrors[" + i + "]";
            if (m == null) {
                out.add(new Problem(p, Rule.REGISTRY_EMPTY, "is empty; give at least registry and endpoints"));
                continue;
            }
            boolean registryOk = checkRegistry(p + ".registry", m.registry(), out);
            if (registryOk) {
                Integer first = seen.putIfAbsent(m.registry().strip().toLowerCase(Locale.ROOT), i);
                if (first != null) {
                    out.add(new Problem(p + ".registry", Rule.REGISTRY_DUPLICATE, "\"" + m.registry()
                            + "\" is already configured by mirrors[" + first + "]; merge their endpoints into one mirror"
                            + " (they would write the same hosts.toml)"));
                }
            }
            if (m.server() != null && !m.server().isBlank()) {
                checkUrl(p + ".server", m.server(), Rule.SERVER_INVALID, out);
                if (m.isDefaultNamespace() && m.endpoints().stream().noneMatch(e -> MirrorSyntax.sameUrl(e.url(), m.server()))) {
                    out.add(new Problem(p + ".server", Rule.DEFAULT_SERVER, "_default applies to every registry, so"
                            + " server \"" + m.server() + "\" would be asked for ghcr.io, quay.io, ... images whenever the"
                            + " mirrors fail; leave server unset (each image's own registry is the fallback) or set it to"
                            + " one of this mirror's endpoints to use only the mirror"));
                }
            }
            if (m.endpoints().isEmpty()) {
                out.add(new Problem(p + ".endpoints", Rule.ENDPOINTS_EMPTY, "is empty; give at least one mirror URL, "
                        + ENDPOINT_EXAMPLE + " (containerd 1.7 cannot read a hosts.toml without a [host] table)"));
            }
            Map<String, Integer> seenUrls = new HashMap<>();
            for (int j = 0; j < m.endpoints().size(); j++) {
                checkEndpoint(p + ".endpoints[" + j + "]", m.endpoints().get(j), seenUrls, j, out);
            }
            if (m.serverSettings() != null) {
                // The server's settings follow the endpoint rules, checked against the server URL (its own problems are
                // reported on server).
                String sp = p + ".serverSettings";
                List<Problem> tmp = new ArrayList<>();
                checkEndpoint(sp, m.serverSettings().withUrl(m.effectiveServer().orElse("https://" + m.registry())),
                        new HashMap<>(), 0, tmp);
                tmp.stream().filter(x -> !x.property().equals(sp)).forEach(out::add);
            }
        }
        return out;
    }

    /** The rules that depend on the node's containerd version (run after {@link #check(List)} passed). */
    public static List<Problem> checkForVersion(List<MirrorSpec> mirrors, ContainerdVersion v) {
        List<Problem> out = new ArrayList<>();
        if (mirrors == null || v == null) {
            return out;
        }
        if (!v.supportsHostsDirectory()) {
            out.add(new Problem("mirrors", Rule.VERSION_TOO_OLD, "the node runs containerd " + v + ", which has no"
                    + " hosts directory (config_path arrived in 1.5); upgrade containerd to 1.6 or newer"));
            return out;
        }
        for (int i = 0; i < mirrors.size(); i++) {
            MirrorSpec m = mirrors.get(i);
            if (m == null) {
                continue;
            }
            String p = "mirrors[" + i + "]";
            if (m.isDefaultNamespace() && !v.supportsDefaultNamespace()) {
                out.add(new Problem(p + ".registry", Rule.DEFAULT_NAMESPACE_UNSUPPORTED, "_default needs containerd"
                        + " 1.7.0 or newer, and the node runs " + v + ", which would ignore it; list each registry"
                        + " (docker.io, ghcr.io, ...) as its own mirror instead"));
            }
            List<Endpoint> all = new ArrayList<>(m.endpoints());
            if (m.serverSettings() != null) {
                all.add(m.serverSettings());
            }
            for (int j = 0; j < all.size(); j++) {
                Endpoint e = all.get(j);
                if (e == null) {
                    continue;
                }
                String ep = j == m.endpoints().size() ? p + ".serverSettings" : p + ".endpoints[" + j + "]";
                if (e.overridePath() && !v.supportsOverridePath()) {
                    out.add(new Problem(ep + ".overridePath", Rule.OVERRIDE_PATH_UNSUPPORTED, "override_path needs"
                            + " containerd 1.6.0 or newer, and the node runs " + v + ", which would ignore it and append"
                            + " /v2 to the path; upgrade containerd or use an endpoint without a path"));
                }
                if (e.dialTimeout() != null && !v.supportsDialTimeout()) {
                    out.add(new Problem(ep + ".dialTimeout", Rule.DIAL_TIMEOUT_UNSUPPORTED, "dial_timeout needs"
                            + " containerd 2.0.7 (2.0.x) or 2.1.0 and newer, and the node runs " + v + ", which would"
                            + " silently ignore it (connections keep the 30s timeout); remove dialTimeout for this node"));
                }
                for (int k = 0; k < e.capabilities().size(); k++) {
                    String c = e.capabilities().get(k);
                    if (c != null && c.strip().equalsIgnoreCase("referrers") && !v.supportsReferrersCapability()) {
                        out.add(new Problem(ep + ".capabilities[" + k + "]", Rule.REFERRERS_UNSUPPORTED, "the referrers"
                                + " capability needs containerd 2.2.0 or newer, and the node runs " + v + ", which"
                                + " would reject the whole hosts.toml; remove \"referrers\""));
                    }
                }
            }
        }
        return out;
    }

    /** Every rule: {@link #check(List)} then {@link #checkForVersion(List, ContainerdVersion)}. */
    public static List<Problem> check(List<MirrorSpec> mirrors, ContainerdVersion v) {
        List<Problem> out = new ArrayList<>(check(mirrors));
        out.addAll(checkForVersion(mirrors, v));
        return out;
    }

    /** The hosts directory given to {@code config_path}: one absolute directory. Property {@code certsDir}. */
    public static List<Problem> checkCertsDir(String certsDir) {
        List<Problem> out = new ArrayList<>();
        String p = "certsDir";
        if (certsDir == null || certsDir.isBlank()) {
            out.add(new Problem(p, Rule.CERTS_DIR_EMPTY, "is empty; give one absolute directory, e.g. /etc/containerd/certs.d"));
            return out;
        }
        if (certsDir.indexOf(':') >= 0) {
            out.add(new Problem(p, Rule.CERTS_DIR_LIST, "\"" + certsDir + "\" is a colon-separated list; give one"
                    + " directory, e.g. /etc/containerd/certs.d (containerd 2.1+ ignores hosts.toml files under a list)"));
            return out;
        }
        if (!certsDir.startsWith("/")) {
            out.add(new Problem(p, Rule.CERTS_DIR_RELATIVE, "\"" + certsDir + "\" is relative; give an absolute"
                    + " directory, e.g. /etc/containerd/certs.d"));
            return out;
        }
        if (!certsDir.equals(certsDir.strip()) || certsDir.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f || ch == '"'
                || ch == '\\') || List.of(certsDir.split("/")).contains("..") || certsDir.equals("/")) {
            out.add(new Problem(p, Rule.CERTS_DIR_INVALID, "\"" + escape(certsDir) + "\" is not a usable directory;"
                    + " use a plain absolute path without quotes, backslashes, control characters, \"..\" or"
                    + " surrounding spaces, other than /, e.g. /etc/containerd/certs.d"));
        } else {
            // each registry gets <certsDir>/<registry>/hosts.toml: a name past 255 bytes, or a path past 4095 with
            // room for those, is a directory no node can create
            int bytes = certsDir.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            for (String part : certsDir.split("/")) {
                int n = part.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
                if (n > 255) {
                    out.add(new Problem(p, Rule.CERTS_DIR_INVALID, "has a part of " + n + " bytes (" + part.substring(0, 12)
                            + "...), and a directory name has at most 255; give a shorter directory, e.g. "
                            + "/etc/containerd/certs.d"));
                    return out;
                }
            }
            if (bytes > 3800) {
                out.add(new Problem(p, Rule.CERTS_DIR_INVALID, "is " + bytes + " bytes long; with <registry>/hosts.toml "
                        + "under it a path would pass the 4095 a node allows: give a shorter directory, e.g. "
                        + "/etc/containerd/certs.d"));
            }
        }
        return out;
    }

    private static boolean checkRegistry(String p, String registry, List<Problem> out) {
        if (registry == null || registry.isBlank()) {
            out.add(new Problem(p, Rule.REGISTRY_EMPTY, "is empty; give the registry namespace as it appears in image"
                    + " names, e.g. docker.io, ghcr.io or 10.0.20.10:5000"));
            return false;
        }
        String r = registry.strip();
        if (r.equals(MirrorSpec.DEFAULT_NAMESPACE)) {
            return true;
        }
        if (r.equals("*")) {
            out.add(new Problem(p, Rule.REGISTRY_WILDCARD, "\"*\" is the old CRI mirrors wildcard; write _default to"
                    + " configure every registry without its own mirror (containerd 1.7+), or better, one mirror per"
                    + " registry: a Docker Hub proxy cannot serve ghcr.io or quay.io images"));
            return false;
        }
        int scheme = r.indexOf("://");
        if (scheme >= 0) {
            String bare = r.substring(scheme + 3).replaceAll("/+$", "");
            out.add(new Problem(p, Rule.REGISTRY_SCHEME, "\"" + r + "\" has a URL scheme; write the bare registry"
                    + " name \"" + bare + "\" here and put URLs in endpoints"));
            return false;
        }
        if (r.indexOf('/') >= 0) {
            out.add(new Problem(p, Rule.REGISTRY_PATH, "\"" + r + "\" has a path; containerd picks hosts.toml by the"
                    + " registry host only, so write \"" + r.substring(0, r.indexOf('/')) + "\" (a path prefix on the"
                    + " mirror goes into the endpoint URL with overridePath)"));
            return false;
        }
        if (r.length() > 255 && MirrorSyntax.isHostPort(r)) {
            out.add(new Problem(p, Rule.REGISTRY_INVALID, "\"" + r.substring(0, 24) + "...\" is " + r.length()
                    + " characters: containerd looks for its hosts.toml in a directory of that name, and a directory name"
                    + " has at most 255, so no mirror could ever apply to it"));
            return false;
        }
        if (!MirrorSyntax.isHostPort(r)) {
            out.add(new Problem(p, Rule.REGISTRY_INVALID, "\"" + escape(r) + "\" is not a registry host name; write a"
                    + " host name or IP address with an optional port, e.g. docker.io, registry.k8s.io,"
                    + " 10.0.20.10:5000"));
            return false;
        }
        return true;
    }

    private static void checkEndpoint(String p, Endpoint e, Map<String, Integer> seenUrls, int index, List<Problem> out) {
        if (e == null || e.url() == null || e.url().isBlank()) {
            out.add(new Problem(p, Rule.ENDPOINT_INVALID_URL, "is empty; give the mirror's URL, " + ENDPOINT_EXAMPLE));
            return;
        }
        Optional<URI> uri = checkUrl(p, e.url(), null, out);
        if (uri.isPresent()) {
            Integer first = seenUrls.putIfAbsent(MirrorSyntax.normalizeUrl(e.url()), index);
            if (first != null) {
                out.add(new Problem(p, Rule.ENDPOINT_DUPLICATE, "\"" + e.url() + "\" is already endpoints[" + first
                        + "] of this mirror; list each endpoint once"));
            }
            boolean http = "http".equalsIgnoreCase(uri.get().getScheme());
            if (http && (e.skipVerify() || !e.ca().isEmpty() || !e.client().isEmpty())) {
                String which = e.skipVerify() ? "skipVerify" : !e.ca().isEmpty() ? "ca" : "client";
                out.add(new Problem(p + "." + which, Rule.TLS_ON_HTTP, "applies only to https endpoints, and \""
                        + e.url() + "\" is plain http; remove it or use https://"));
            }
            String path = uri.get().getRawPath();
            if (e.overridePath() && (path == null || path.isEmpty() || path.equals("/"))) {
                out.add(new Problem(p + ".overridePath", Rule.OVERRIDE_PATH_WITHOUT_PATH, "is true but \"" + e.url()
                        + "\" has no path; give the registry API root in the URL, e.g."
                        + " https://harbor.example.com/v2/dockerhub-proxy, or set overridePath to false"));
            }
        }
        Set<String> caps = new HashSet<>();
        for (int k = 0; k < e.capabilities().size(); k++) {
            String c = e.capabilities().get(k);
            String cp = p + ".capabilities[" + k + "]";
            String norm = c == null ? "" : c.strip().toLowerCase(Locale.ROOT);
            if (!CAPABILITIES.contains(norm)) {
                out.add(new Problem(cp, Rule.CAPABILITY_UNKNOWN, "\"" + (c == null ? "" : escape(c)) + "\" is not a"
                        + " capability; use pull, resolve, push or referrers (containerd rejects the whole hosts.toml"
                        + " for an unknown one)"));
            } else if (!caps.add(norm)) {
                out.add(new Problem(cp, Rule.CAPABILITY_DUPLICATE, "\"" + c + "\" is listed twice; list it once"));
            }
        }
        for (int k = 0; k < e.ca().size(); k++) {
            checkPath(p + ".ca[" + k + "]", e.ca().get(k), "/etc/containerd/certs.d/ca/registry-ca.crt", out);
        }
        for (int k = 0; k < e.client().size(); k++) {
            ClientCert c = e.client().get(k);
            String cp = p + ".client[" + k + "]";
            if (c == null) {
                out.add(new Problem(cp, Rule.PATH_EMPTY, "is empty; give the client certificate file"));
                continue;
            }
            checkPath(cp + ".cert", c.cert(), "/etc/containerd/certs.d/client/node.crt", out);
            if (c.key() != null) {
                checkPath(cp + ".key", c.key(), "/etc/containerd/certs.d/client/node.key", out);
            }
        }
        e.header().forEach((name, values) -> {
            String hp = p + ".header[" + quoteKey(name) + "]";
            if (name == null || !HEADER_NAME.matcher(name).matches()) {
                out.add(new Problem(hp, Rule.HEADER_INVALID, "\"" + (name == null ? "" : escape(name)) + "\" is not an"
                        + " HTTP header name; use letters, digits and - (e.g. X-Mirror-Token)"));
            } else if (values == null || values.isEmpty()) {
                out.add(new Problem(hp, Rule.HEADER_INVALID, "has no value; give one or more values, or remove the header"));
            } else {
                for (int k = 0; k < values.size(); k++) {
                    String v = values.get(k);
                    if (v == null || v.chars().anyMatch(ch -> (ch < 0x20 && ch != '\t') || ch == 0x7f)) {
                        out.add(new Problem(hp + "[" + k + "]", Rule.HEADER_INVALID, "is empty or holds a control"
                                + " character (a line break, ...), which would make every request to the mirror fail;"
                                + " give a single-line value"));
                    }
                }
            }
        });
        if (e.dialTimeout() != null) {
            Optional<BigDecimal> nanos = MirrorSyntax.goDurationNanos(e.dialTimeout());
            if (nanos.isEmpty()) {
                out.add(new Problem(p + ".dialTimeout", Rule.DIAL_TIMEOUT_FORMAT, "\"" + escape(e.dialTimeout())
                        + "\" is not a Go duration; write a number with a unit, e.g. 1s, 500ms or 1m30s"));
            } else if (nanos.get().signum() <= 0) {
                out.add(new Problem(p + ".dialTimeout", Rule.DIAL_TIMEOUT_NOT_POSITIVE, "\"" + e.dialTimeout()
                        + "\" is not positive; give a connect timeout such as 1s, or leave it unset for containerd's 30s"));
            }
        }
    }

    private static void checkPath(String p, String path, String example, List<Problem> out) {
        if (path == null || path.isBlank()) {
            out.add(new Problem(p, Rule.PATH_EMPTY, "is empty; give an absolute file path on the node, e.g. " + example));
        } else if (!path.startsWith("/")) {
            out.add(new Problem(p, Rule.PATH_RELATIVE, "\"" + escape(path) + "\" is relative (containerd would look in"
                    + " the hosts.toml directory, which imagecache manages); give an absolute path, e.g. " + example));
        }
    }

    /** Checks an http(s) URL; {@code serverRule} null means endpoint rules. */
    private static Optional<URI> checkUrl(String p, String url, Rule serverRule, List<Problem> out) {
        String u = url.strip();
        boolean server = serverRule != null;
        if (!u.contains("://")) {
            out.add(new Problem(p, server ? serverRule : Rule.ENDPOINT_NO_SCHEME, "\"" + escape(u) + "\" has no scheme;"
                    + " write http://" + u + " for a plain-HTTP registry (such as a local proxy) or https://" + u));
            return Optional.empty();
        }
        URI uri;
        try {
            if (u.chars().anyMatch(Character::isWhitespace)) {
                throw new URISyntaxException(u, "contains whitespace");
            }
            uri = new URI(u);
        } catch (URISyntaxException ex) {
            out.add(new Problem(p, server ? serverRule : Rule.ENDPOINT_INVALID_URL, "\"" + escape(u) + "\" is not a"
                    + " valid URL (" + ex.getReason() + "); " + ENDPOINT_EXAMPLE));
            return Optional.empty();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            out.add(new Problem(p, server ? serverRule : Rule.ENDPOINT_SCHEME, "\"" + u + "\" uses " + scheme + "://;"
                    + " containerd speaks only http:// and https:// to registries, " + ENDPOINT_EXAMPLE));
            return Optional.empty();
        }
        if (uri.getRawUserInfo() != null) {
            out.add(new Problem(p, server ? serverRule : Rule.ENDPOINT_CREDENTIALS, "has credentials in the URL;"
                    + " hosts.toml cannot carry credentials: remove them (give the proxy its upstream credentials"
                    + " instead)"));
            return Optional.empty();
        }
        if (uri.getHost() == null || uri.getAuthority() == null || !MirrorSyntax.isHostPort(uri.getRawAuthority())) {
            out.add(new Problem(p, server ? serverRule : Rule.ENDPOINT_INVALID_URL, "\"" + u + "\" has no valid host"
                    + " (host name or IP, optional port 1-65535); " + ENDPOINT_EXAMPLE));
            return Optional.empty();
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            out.add(new Problem(p, server ? serverRule : Rule.ENDPOINT_QUERY, "\"" + u + "\" has a query or fragment,"
                    + " which containerd drops; remove everything from ? or #"));
            return Optional.empty();
        }
        return Optional.of(uri);
    }

    /** A map key in a property path: {@code header["X-Token"]}. */
    static String quoteKey(String k) {
        return "\"" + (k == null ? "" : escape(k).replace("\\", "\\\\").replace("\"", "\\\"")) + "\"";
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
