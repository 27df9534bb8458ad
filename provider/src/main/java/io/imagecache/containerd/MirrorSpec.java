package io.imagecache.containerd;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;

/**
 * What containerd should do for one registry namespace: the content of one
 * {@code <certsDir>/<registry>/hosts.toml}. Validate with {@link MirrorValidation}, render with {@link HostsToml}.
 *
 * @param registry the namespace containerd sees in image names: {@code docker.io}, {@code ghcr.io},
 *                 {@code 10.0.20.10:5000}, or {@code _default} (every registry without its own directory; containerd 1.7+)
 * @param server   the upstream, tried after every endpoint; null for the default ({@link #effectiveServer()})
 * @param endpoints the mirrors, tried in this order
 * @param serverSettings settings for the server (the top-level fields of hosts.toml: ca, client, header, ...); its
 *                 {@code url} is unused and empty {@code capabilities} mean containerd's default (all); null for none
 */
public record MirrorSpec(String registry, String server, List<Endpoint> endpoints, Endpoint serverSettings) {

    /** The hosts directory that applies to every registry without its own (containerd 1.7.0+). */
    public static final String DEFAULT_NAMESPACE = "_default";
    public static final String DOCKER_HUB = "docker.io";
    public static final String DOCKER_HUB_SERVER = "https://registry-1.docker.io";

    public MirrorSpec {
        endpoints = endpoints == null ? List.of() : List.copyOf(endpoints);
        serverSettings = serverSettings == null || serverSettings.withUrl(null).equals(Endpoint.NONE) ? null
                : serverSettings.withUrl(null);
    }

    /** A mirror without settings for the server. */
    public MirrorSpec(String registry, String server, List<Endpoint> endpoints) {
        this(registry, server, endpoints, null);
    }

    public MirrorSpec withServerSettings(Endpoint serverSettings) {
        return new MirrorSpec(registry, server, endpoints, serverSettings);
    }

    /** A mirror with the default server. */
    public static MirrorSpec of(String registry, Endpoint... endpoints) {
        return new MirrorSpec(registry, null, List.of(endpoints));
    }

    /** A mirror that pulls and resolves through each of {@code urls}, in order, with the default server. */
    public static MirrorSpec pullThrough(String registry, String... urls) {
        List<Endpoint> e = new ArrayList<>();
        for (String u : urls) {
            e.add(Endpoint.of(u));
        }
        return new MirrorSpec(registry, null, e);
    }

    public MirrorSpec withServer(String server) {
        return new MirrorSpec(registry, server, endpoints, serverSettings);
    }

    public MirrorSpec withEndpoints(List<Endpoint> endpoints) {
        return new MirrorSpec(registry, server, endpoints, serverSettings);
    }

    /**
     * The {@code server} line to write: the given one, else {@code https://registry-1.docker.io} for docker.io,
     * none for {@code _default} (containerd then falls back to each image's own registry), else
     * {@code https://<registry>}.
     */
    public Optional<String> effectiveServer() {
        if (server != null && !server.isBlank()) {
            return Optional.of(server.strip());
        }
        if (registry == null || registry.isBlank() || registry.equals(DEFAULT_NAMESPACE)) {
            return Optional.empty();
        }
        String r = registry.strip().toLowerCase(Locale.ROOT);
        return Optional.of(r.equals(DOCKER_HUB) ? DOCKER_HUB_SERVER : "https://" + registry.strip());
    }

    /** True for {@code _default}. */
    public boolean isDefaultNamespace() {
        return DEFAULT_NAMESPACE.equals(registry);
    }

    /**
     * One mirror endpoint: a {@code [host."<url>"]} table.
     *
     * @param url          {@code http://10.0.20.10:5000}, {@code https://harbor.example/v2/dockerhub-proxy}
     * @param capabilities {@code pull}, {@code resolve}, {@code push}, {@code referrers} (2.2+); empty means
     *                     {@code pull} and {@code resolve}, what a mirror needs
     * @param ca           CA certificate files on the node (absolute paths)
     * @param skipVerify   skip TLS verification of the endpoint's certificate
     * @param overridePath the URL path is the API root as is ({@code /v2} is not appended); containerd 1.6+
     * @param dialTimeout  TCP connect timeout as a Go duration ({@code 1s}, {@code 500ms}); null for containerd's
     *                     30s; containerd 2.0.7+/2.1+
     * @param client       TLS client certificates
     * @param header       HTTP headers sent to this endpoint (name -> values, in order); the {@code [host."..".header]}
     *                     table
     */
    public record Endpoint(String url, List<String> capabilities, List<String> ca, boolean skipVerify,
                           boolean overridePath, String dialTimeout, List<ClientCert> client,
                           Map<String, List<String>> header) {

        public static final List<String> DEFAULT_CAPABILITIES = List.of("pull", "resolve");
        /** No settings at all (for server settings: none given). */
        static final Endpoint NONE = new Endpoint(null, List.of(), List.of(), false, false, null, List.of(), Map.of());

        public Endpoint {
            capabilities = capabilities == null ? List.of() : List.copyOf(capabilities);
            ca = ca == null ? List.of() : List.copyOf(ca);
            client = client == null ? List.of() : List.copyOf(client);
            dialTimeout = dialTimeout == null || dialTimeout.isBlank() ? null : dialTimeout;
            Map<String, List<String>> h = new LinkedHashMap<>();
            if (header != null) {
                header.forEach((k, v) -> h.put(k, v == null ? List.of() : List.copyOf(v)));
            }
            header = Collections.unmodifiableMap(h);
        }

        /** An endpoint without headers. */
        public Endpoint(String url, List<String> capabilities, List<String> ca, boolean skipVerify,
                        boolean overridePath, String dialTimeout, List<ClientCert> client) {
            this(url, capabilities, ca, skipVerify, overridePath, dialTimeout, client, Map.of());
        }

        /** An endpoint that pulls and resolves, with containerd's defaults for everything else. */
        public static Endpoint of(String url) {
            return new Endpoint(url, List.of(), List.of(), false, false, null, List.of());
        }

        /** The capabilities to write: the given ones, or {@code pull} and {@code resolve}. */
        public List<String> effectiveCapabilities() {
            return capabilities.isEmpty() ? DEFAULT_CAPABILITIES : capabilities;
        }

        public Endpoint withCapabilities(String... capabilities) {
            return new Endpoint(url, List.of(capabilities), ca, skipVerify, overridePath, dialTimeout, client, header);
        }

        public Endpoint withCa(String... ca) {
            return new Endpoint(url, capabilities, List.of(ca), skipVerify, overridePath, dialTimeout, client, header);
        }

        public Endpoint withSkipVerify(boolean skipVerify) {
            return new Endpoint(url, capabilities, ca, skipVerify, overridePath, dialTimeout, client, header);
        }

        public Endpoint withOverridePath(boolean overridePath) {
            return new Endpoint(url, capabilities, ca, skipVerify, overridePath, dialTimeout, client, header);
        }

        public Endpoint withDialTimeout(String dialTimeout) {
            return new Endpoint(url, capabilities, ca, skipVerify, overridePath, dialTimeout, client, header);
        }

        public Endpoint withClient(ClientCert... client) {
            return new Endpoint(url, capabilities, ca, skipVerify, overridePath, dialTimeout, List.of(client), header);
        }

        /** Adds header {@code name} with {@code values} (replacing one of that name). */
        public Endpoint withHeader(String name, String... values) {
            Map<String, List<String>> h = new LinkedHashMap<>(header);
            h.put(name, List.of(values));
            return new Endpoint(url, capabilities, ca, skipVerify, overridePath, dialTimeout, client, h);
        }

        /**
         * What containerd makes of this endpoint, for comparing meanings: the URL stripped, capabilities as the
         * sorted lower-case set actually written, everything else as is.
         */
        public Endpoint canonical() {
            List<String> caps = effectiveCapabilities().stream().map(c -> c == null ? "" : c.strip().toLowerCase(Locale.ROOT))
                    .distinct().sorted().toList();
            return new Endpoint(url == null ? null : url.strip(), caps, ca, skipVerify, overridePath,
                    dialTimeout == null ? null : dialTimeout.strip(), client, header);
        }

        /** These settings for another URL. */
        public Endpoint withUrl(String url) {
            return new Endpoint(url, capabilities, ca, skipVerify, overridePath, dialTimeout, client, header);
        }
    }

    /** What containerd makes of this spec (effective server, canonical endpoints), for comparing meanings. */
    public MirrorSpec canonical() {
        Endpoint ss = serverSettings == null ? null : new Endpoint(null, serverSettings.capabilities().stream()
                .map(c -> c == null ? "" : c.strip().toLowerCase(Locale.ROOT)).distinct().sorted().toList(),
                serverSettings.ca(), serverSettings.skipVerify(), serverSettings.overridePath(),
                serverSettings.dialTimeout() == null ? null : serverSettings.dialTimeout().strip(), serverSettings.client(),
                serverSettings.header());
        return new MirrorSpec(registry == null ? null : registry.strip(), effectiveServer().orElse(null),
                endpoints.stream().map(e -> e == null ? null : e.canonical()).toList(), ss);
    }

    /**
     * A TLS client certificate: {@code cert} holds the certificate (and the key if {@code key} is null).
     */
    public record ClientCert(String cert, String key) {
        public static ClientCert of(String cert, String key) {
            return new ClientCert(cert, key == null || key.isBlank() ? null : key);
        }
    }
}
