package io.imagecache.containerd;

import io.imagecache.containerd.MirrorSpec.ClientCert;
import io.imagecache.containerd.MirrorSpec.Endpoint;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.tomlj.TomlArray;
import org.tomlj.TomlTable;

/**
 * The CRI plugin's old registry settings carried over into hosts.toml specs when {@link ConfigToml#edit} removes
 * them: {@code registry.mirrors."<registry>".endpoint} lists and {@code registry.configs."<host>".tls}. Pure: what
 * cannot be carried over is a warning naming the table, never a value of it.
 */
final class LegacyMirrors {
    private LegacyMirrors() {}

    static void migrateMirrors(TomlTable mirrors, Map<String, TomlTable> tls, Set<String> tlsUsed,
                                       ContainerdVersion version, String regName, List<MirrorSpec> migrated,
                                       List<String> notes, List<String> warnings) {
        for (String name : mirrors.keySet()) {
            String where = regName + ".mirrors." + TomlText.key(name, '"');
            if (!mirrors.isTable(List.of(name))) {
                warnings.add(where + " is not a table; it was removed and could not be carried over.");
                continue;
            }
            TomlTable m = mirrors.getTable(List.of(name));
            for (String k : m.keySet()) {
                if (!k.equals("endpoint")) {
                    warnings.add(where + "." + k + " is not something hosts.toml can express (upstream containerd"
                            + " knows only endpoint); it was removed.");
                }
            }
            List<String> urls = new ArrayList<>();
            if (m.isArray(List.of("endpoint"))) {
                TomlArray a = m.getArray(List.of("endpoint"));
                for (int i = 0; i < a.size(); i++) {
                    if (a.get(i) instanceof String s && !s.isBlank()) {
                        urls.add(s.strip());
                    }
                }
            }
            String registry = name.strip();
            if (registry.equals("*")) {
                if (!version.supportsDefaultNamespace()) {
                    warnings.add(where + " (endpoints " + urls + ") was removed and NOT carried over: it sent every"
                            + " registry's pulls to the same mirror, and containerd " + version + " has no _default hosts"
                            + " directory (1.7+). A proxy of one registry cannot serve the others (a Docker Hub proxy"
                            + " answers ghcr.io pulls with errors), so add one mirror per registry instead.");
                    continue;
                }
                registry = MirrorSpec.DEFAULT_NAMESPACE;
                warnings.add(where + " becomes the _default hosts directory: it still sends every registry without"
                        + " its own hosts.toml to " + urls + ". A proxy of one registry cannot serve the others; prefer"
                        + " one mirror per registry.");
            }
            if (urls.isEmpty()) {
                notes.add(where + " had no endpoints; there was nothing to carry over.");
                continue;
            }
            List<Endpoint> endpoints = new ArrayList<>();
            for (String u : urls) {
                endpoints.add(legacyEndpoint(u, where, tls, tlsUsed, notes, warnings));
            }
            addMigrated(new MirrorSpec(registry, null, endpoints), where, migrated, notes, warnings);
        }
    }

    /**
     * An endpoint of the old CRI mirrors as hosts.toml sees it: a missing scheme is http for localhost and loopback
     * addresses and https otherwise; a path other than empty or ending in /v2 was the API root as is (override_path);
     * {@code configs."<host:port>".tls} of its host applies.
     */
    private static Endpoint legacyEndpoint(String url, String where, Map<String, TomlTable> tls, Set<String> tlsUsed,
                                           List<String> notes, List<String> warnings) {
        String u = url;
        if (!u.contains("://")) {
            String host = u.contains("/") ? u.substring(0, u.indexOf('/')) : u;
            u = (isLocalhost(host) ? "http://" : "https://") + u;
            notes.add(where + ": endpoint \"" + url + "\" had no scheme; containerd used " + u + ", which hosts.toml"
                    + " now says explicitly.");
        }
        u = u.replaceAll("/+$", "");
        boolean overridePath = false;
        String host = null;
        boolean https = u.toLowerCase(Locale.ROOT).startsWith("https://");
        try {
            URI uri = new URI(u);
            host = uri.getRawAuthority();
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            if (!path.isEmpty() && !path.endsWith("/v2")) {
                overridePath = true;
                notes.add(where + ": endpoint \"" + u + "\" has a path, which the old mirrors used as the API root;"
                        + " hosts.toml says override_path = true to keep that.");
            }
        } catch (java.net.URISyntaxException e) {
            // kept as is; validation of the migrated spec reports it
        }
        Endpoint e = new Endpoint(u, List.of(), List.of(), false, overridePath, null, List.of());
        TomlTable t = host == null ? null : tls.get(host);
        if (t != null) {
            tlsUsed.add(host);
            if (!https) {
                notes.add(where + ": configs.\"" + host + "\".tls does not apply to the plain-http endpoint " + u
                        + " and was not carried over.");
            } else {
                e = withTls(e, t);
                notes.add(where + ": the TLS settings of configs.\"" + host + "\" apply to endpoint " + u + " in"
                        + " hosts.toml.");
            }
        }
        return e;
    }

    private static Endpoint withTls(Endpoint e, TomlTable t) {
        List<String> ca = t.isString(List.of("ca_file")) && !t.getString(List.of("ca_file")).isBlank()
                ? List.of(t.getString(List.of("ca_file"))) : List.of();
        String cert = t.isString(List.of("cert_file")) ? t.getString(List.of("cert_file")) : "";
        String key = t.isString(List.of("key_file")) ? t.getString(List.of("key_file")) : "";
        List<ClientCert> client = cert.isBlank() ? List.of() : List.of(ClientCert.of(cert, key));
        boolean skip = t.isBoolean(List.of("insecure_skip_verify")) && t.getBoolean(List.of("insecure_skip_verify"));
        return new Endpoint(e.url(), e.capabilities(), ca, skip, e.overridePath(), e.dialTimeout(), client);
    }

    /** TLS settings of hosts that are no mirror endpoint: they were used for the registry itself. */
    static void migrateTlsOnly(Map<String, TomlTable> tls, Set<String> tlsUsed, String regName,
                                       List<MirrorSpec> migrated, List<String> notes, List<String> warnings) {
        for (Map.Entry<String, TomlTable> en : tls.entrySet()) {
            String host = en.getKey();
            if (tlsUsed.contains(host) || en.getValue().isEmpty()) {
                continue;
            }
            String registry = host.replaceFirst("^[A-Za-z]+://", "").replaceAll("/+$", "");
            String where = regName + ".configs." + TomlText.key(host, '"') + ".tls";
            Endpoint e = withTls(Endpoint.of("https://" + registry), en.getValue());
            int existing = -1;
            for (int i = 0; i < migrated.size(); i++) {
                if (migrated.get(i).registry().equalsIgnoreCase(registry)) {
                    existing = i;
                }
            }
            if (existing >= 0) {
                MirrorSpec m = migrated.get(existing);
                List<Endpoint> eps = new ArrayList<>(m.endpoints());
                eps.add(e);
                migrated.set(existing, m.withEndpoints(eps));
                notes.add(where + " applied to " + registry + " itself, tried after its mirrors; hosts.toml lists it as"
                        + " the last endpoint with those settings.");
            } else {
                addMigrated(new MirrorSpec(registry, null, List.of(e)), where, migrated, notes, warnings);
            }
        }
    }

    private static void addMigrated(MirrorSpec spec, String where, List<MirrorSpec> migrated, List<String> notes,
                                    List<String> warnings) {
        List<Problem> problems = MirrorValidation.check(List.of(spec));
        if (!problems.isEmpty()) {
            warnings.add(where + " could not be carried over into a hosts.toml: " + problems.stream()
                    .map(p -> p.reason()).collect(Collectors.joining("; ")) + ". Configure it again as a mirror.");
            return;
        }
        migrated.add(spec);
        notes.add(where + " -> hosts.toml for " + spec.registry() + " with endpoints " + spec.endpoints().stream()
                .map(Endpoint::url).toList() + ".");
    }

    private static boolean isLocalhost(String hostPort) {
        String h = hostPort;
        if (h.startsWith("[")) {
            h = h.substring(1, Math.max(1, h.indexOf(']')));
        } else if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
            h = h.substring(0, h.indexOf(':'));
        }
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
    }
}
