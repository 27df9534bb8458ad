package io.imagecache.resources;

import io.imagecache.containerd.ConfigEdit;
import io.imagecache.containerd.ContainerdVersion;
import io.imagecache.containerd.HostsToml;
import io.imagecache.containerd.MirrorSpec;
import io.imagecache.containerd.MirrorValidation;
import io.imagecache.containerd.Problem;
import io.imagecache.hosts.containerd.ContainerdNode;
import io.imagecache.resources.MirrorTypes.ClientCertificate;
import io.imagecache.resources.ContainerdMirror.MirrorArgs;
import io.imagecache.resources.MirrorTypes.MirrorHost;
import io.imagecache.resources.MirrorTypes.ServerSettings;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Context;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.DiffResult;
import io.imagecache.spi.ObjectType;
import io.imagecache.spi.Prop;
import io.imagecache.spi.PropertyDiff;
import io.imagecache.spi.PropertyPath;
import io.imagecache.spi.ResourceException;
import io.imagecache.spi.ResourceType;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.ssh.RemoteHostFactory;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Between the schema's mirrors ({@link MirrorArgs}) and containerd's ({@link MirrorSpec}): Check failures with the
 * schema's property paths, the specs to render, the inputs that say what a hand-made hosts.toml says (import), and
 * drift by meaning. Pure.
 */
final class Mirrors {
    private Mirrors() {}

    private static final Pattern ENDPOINT_SETTING = Pattern.compile(
            "mirrors\\[(\\d+)]\\.endpoints\\[(\\d+)](\\.(capabilities|ca|client|skipVerify|overridePath|dialTimeout|header)(.*))?");

    /** Problems of the containerd package as Check failures, with per-endpoint settings mapped to the mirror's. */
    static List<CheckFailure> failures(List<Problem> problems) {
        return failures(problems, null);
    }

    /**
     * Problems of the containerd package as Check failures, at the property the user wrote: for a mirror given with
     * {@code endpoints}, {@code mirrors[i].endpoints[j].ca[0]} is {@code mirrors[i].ca[0]}; for one given with
     * {@code hosts}, {@code mirrors[i].hosts[j].ca[0]} (and the URL {@code mirrors[i].hosts[j].url}). With
     * {@code mirrors} given, also the rules on the shape of each mirror (endpoints or hosts, client certificates).
     */
    static List<CheckFailure> failures(List<Problem> problems, List<MirrorArgs> mirrors) {
        Set<CheckFailure> out = new LinkedHashSet<>(shapeFailures(mirrors));
        for (Problem p : problems) {
            Matcher m = ENDPOINT_SETTING.matcher(p.property());
            String property = p.property();
            if (m.matches()) {
                int i = Integer.parseInt(m.group(1));
                boolean perHost = mirrors != null && i < mirrors.size() && mirrors.get(i) != null
                        && mirrors.get(i).hosts() != null;
                if (perHost) {
                    property = "mirrors[" + i + "].hosts[" + m.group(2) + "]" + (m.group(3) == null ? ".url" : m.group(3));
                } else if (m.group(3) != null) {
                    property = "mirrors[" + i + "]." + m.group(4) + m.group(5);
                }
            } else if (mirrors != null && p.property().matches("mirrors\\[\\d+]\\.endpoints")) {
                continue; // said by shapeFailures, naming both forms
            }
            out.add(new CheckFailure(property, p.reason()));
        }
        return new ArrayList<>(out);
    }

    private static List<CheckFailure> shapeFailures(List<MirrorArgs> mirrors) {
        List<CheckFailure> out = new ArrayList<>();
        if (mirrors == null) {
            return out;
        }
        for (int i = 0; i < mirrors.size(); i++) {
            MirrorArgs m = mirrors.get(i);
            String p = "mirrors[" + i + "]";
            if (m == null) {
                continue;
            }
            boolean hasEndpoints = m.endpoints() != null && !m.endpoints().isEmpty();
            boolean hasHosts = m.hosts() != null && !m.hosts().isEmpty();
            if (m.endpoints() != null && m.hosts() != null) {
                out.add(new CheckFailure(p + ".hosts", "is given together with endpoints; give the mirrors once: as "
                        + "endpoints (URLs sharing this mirror's settings) or as hosts (each with its own settings)"));
            } else if (!hasEndpoints && !hasHosts) {
                out.add(new CheckFailure(p + (m.hosts() != null ? ".hosts" : ".endpoints"), "is empty; give at least one"
                        + " mirror URL in endpoints, e.g. [\"http://10.0.20.10:5000\"], or one object in hosts, e.g."
                        + " [{url: \"https://mirror.example.com\"}] (containerd 1.7 cannot read a hosts.toml without a"
                        + " [host] table)"));
            }
            if (m.hosts() != null) {
                for (String setting : List.of("capabilities", "skipVerify", "ca", "client", "overridePath", "dialTimeout",
                        "header")) {
                    if (mirrorLevel(m, setting) != null) {
                        out.add(new CheckFailure(p + "." + setting, "applies to endpoints, and this mirror lists hosts;"
                                + " move it into each object of hosts that needs it"));
                    }
                }
                for (int j = 0; j < m.hosts().size(); j++) {
                    if (m.hosts().get(j) == null) {
                        out.add(new CheckFailure(p + ".hosts[" + j + "]", "is empty; give at least url"));
                    }
                }
            }
        }
        return out;
    }

    private static Object mirrorLevel(MirrorArgs m, String setting) {
        return switch (setting) {
            case "capabilities" -> m.capabilities();
            case "skipVerify" -> m.skipVerify();
            case "ca" -> m.ca();
            case "client" -> m.client();
            case "overridePath" -> m.overridePath();
            case "dialTimeout" -> m.dialTimeout();
            default -> m.header();
        };
    }

    static List<MirrorSpec> specs(List<MirrorArgs> mirrors) {
        List<MirrorSpec> out = new ArrayList<>();
        for (MirrorArgs m : mirrors) {
            out.add(spec(m));
        }
        return out;
    }

    /**
     * {@code spec} with {@code timeout} on every mirror host that has no dial timeout of its own, when the
     * containerd {@code version} (as recorded, e.g. "2.1.4") has {@code dial_timeout}; else {@code spec}.
     */
    static MirrorSpec withDefaultDialTimeout(MirrorSpec spec, String timeout, String version) {
        if (timeout == null || timeout.isBlank() || version == null) {
            return spec;
        }
        Optional<ContainerdVersion> v = ContainerdVersion.tryParse(version);
        if (v.isEmpty() || !v.get().supportsDialTimeout()) {
            return spec;
        }
        List<MirrorSpec.Endpoint> eps = spec.endpoints().stream()
                .map(e -> e == null || e.dialTimeout() != null ? e : e.withDialTimeout(timeout.strip())).toList();
        return new MirrorSpec(spec.registry(), spec.server(), eps, spec.serverSettings());
    }

    /** The spec of one mirror: its hosts, or its endpoints each with the mirror's settings. */
    static MirrorSpec spec(MirrorArgs m) {
        List<MirrorSpec.Endpoint> eps = new ArrayList<>();
        if (m.hosts() != null) {
            for (MirrorHost h : m.hosts()) {
                eps.add(h == null ? MirrorSpec.Endpoint.of(null) : endpoint(h.url(), h.capabilities(), h.skipVerify(), h.ca(),
                        h.client(), h.overridePath(), h.dialTimeout(), h.header()));
            }
        }
        for (String url : m.endpoints() == null ? List.<String>of() : m.endpoints()) {
            eps.add(endpoint(url, m.capabilities(), m.skipVerify(), m.ca(), m.client(), m.overridePath(), m.dialTimeout(),
                    m.header()));
        }
        ServerSettings ss = m.serverSettings();
        return new MirrorSpec(m.registry(), m.server(), eps, ss == null ? null : endpoint(null, ss.capabilities(),
                ss.skipVerify(), ss.ca(), ss.client(), ss.overridePath(), ss.dialTimeout(), ss.header()));
    }

    private static MirrorSpec.Endpoint endpoint(String url, List<String> capabilities, Boolean skipVerify, List<String> ca,
                                                List<ClientCertificate> client, Boolean overridePath, String dialTimeout,
                                                Map<String, List<String>> header) {
        List<MirrorSpec.ClientCert> certs = new ArrayList<>();
        for (ClientCertificate c : client == null ? List.<ClientCertificate>of() : client) {
            certs.add(c == null ? new MirrorSpec.ClientCert(null, null) : MirrorSpec.ClientCert.of(c.cert(), c.key()));
        }
        return new MirrorSpec.Endpoint(url, capabilities == null ? List.of() : capabilities, ca == null ? List.of() : ca,
                skipVerify != null && skipVerify, overridePath != null && overridePath, dialTimeout, certs,
                header == null ? Map.of() : header);
    }

    /**
     * The inputs that render back to {@code s}, in the simplest form: {@code endpoints} with the settings at the mirror
     * level when every endpoint has the same settings, else {@code hosts}. Settings at their default are left unset.
     */
    static MirrorArgs args(MirrorSpec s) {
        List<MirrorSpec.Endpoint> eps = s.endpoints();
        boolean shared = eps.stream().map(e -> e.withUrl(null).canonical()).distinct().count() <= 1;
        if (!shared) {
            List<MirrorHost> hosts = new ArrayList<>();
            for (MirrorSpec.Endpoint e : eps) {
                hosts.add(new MirrorHost(e.url(), capabilities(e), e.skipVerify() ? Boolean.TRUE : null,
                        e.ca().isEmpty() ? null : e.ca(), clients(e), e.overridePath() ? Boolean.TRUE : null,
                        e.dialTimeout(), e.header().isEmpty() ? null : e.header()));
            }
            return new MirrorArgs(s.registry(), null, s.server(), null, null, null, null, null, null, null, hosts,
                    serverSettings(s));
        }
        List<String> urls = eps.stream().map(MirrorSpec.Endpoint::url).toList();
        MirrorSpec.Endpoint first = eps.isEmpty() ? null : eps.get(0);
        return new MirrorArgs(s.registry(), urls, s.server(), first == null ? null : capabilities(first),
                first != null && first.skipVerify() ? Boolean.TRUE : null,
                first == null || first.ca().isEmpty() ? null : first.ca(),
                first != null && first.overridePath() ? Boolean.TRUE : null,
                first == null ? null : first.dialTimeout(), first == null ? null : clients(first),
                first == null || first.header().isEmpty() ? null : first.header(), null, serverSettings(s));
    }

    private static ServerSettings serverSettings(MirrorSpec s) {
        MirrorSpec.Endpoint e = s.serverSettings();
        return e == null ? null : new ServerSettings(e.capabilities().isEmpty() ? null : e.capabilities(),
                e.skipVerify() ? Boolean.TRUE : null, e.ca().isEmpty() ? null : e.ca(), clients(e),
                e.overridePath() ? Boolean.TRUE : null, e.dialTimeout(), e.header().isEmpty() ? null : e.header());
    }

    private static List<String> capabilities(MirrorSpec.Endpoint e) {
        return e.capabilities().isEmpty() || e.canonical().capabilities().equals(List.of("pull", "resolve"))
                ? null : e.capabilities();
    }

    private static List<ClientCertificate> clients(MirrorSpec.Endpoint e) {
        return e.client().isEmpty() ? null
                : e.client().stream().map(c -> new ClientCertificate(c.cert(), c.key())).toList();
    }

    /**
     * The inputs that say exactly what the hand-made hosts.toml at {@code path} says. Refused (nothing is adopted) when
     * the file holds something the inputs cannot say, so that the next up would not silently rewrite it without that.
     */
    static MirrorArgs imported(String path, String registry, String content, ContainerdVersion version, String where)
            throws ResourceException {
        HostsToml.Parsed parsed;
        try {
            parsed = HostsToml.parse(registry, content, version);
        } catch (IllegalArgumentException e) {
            throw new ResourceException(ResourceException.Kind.INVALID, "cannot import " + path + " on " + where + ": "
                    + e.getMessage() + " (containerd drops a file like this entirely); fix the file, then import again");
        }
        if (!parsed.ignored().isEmpty()) {
            List<String> top = parsed.ignored().stream().filter(k -> HostsToml.HOST_FIELDS.contains(k)).toList();
            List<String> unknown = parsed.ignored().stream().filter(k -> !top.contains(k)).toList();
            StringBuilder why = new StringBuilder();
            if (!top.isEmpty()) {
                why.append("top-level ").append(top).append(" without a server line, which containerd ignores there"
                        + " (the default server always gets every capability): remove them, or add the server line");
            }
            if (!unknown.isEmpty()) {
                why.append(why.length() > 0 ? "; and " : "").append(unknown).append(", which containerd ")
                        .append(version).append(" does not read: remove ").append(unknown.size() == 1 ? "it" : "them");
            }
            throw new ResourceException(ResourceException.Kind.INVALID, "cannot import " + path + " on " + where
                    + " without losing settings: it has " + why + "; then import again (nothing was adopted)");
        }
        MirrorArgs args = args(parsed.mirror());
        List<CheckFailure> problems = failures(MirrorValidation.check(List.of(spec(args)), version), List.of(args));
        if (!problems.isEmpty()) {
            throw new ResourceException(ResourceException.Kind.INVALID, "cannot import " + path + " on " + where + ": "
                    + MirrorPlan.describe(problems).replace("mirrors[0]", "its mirror") + "; fix the file, then import again"
                    + " (nothing was adopted)");
        }
        if (!HostsToml.sameMeaning(registry, HostsToml.render(spec(args)), parsed.mirror())) {
            throw new IllegalStateException("import of " + path + " on " + where
                    + " would change its meaning; this is a provider bug (nothing was adopted)");
        }
        return args;
    }

    /** True if the hosts.toml {@code content} means to containerd what {@code wanted} says (see HostsToml.sameMeaning). */
    static boolean sameMeaning(String registry, String content, MirrorSpec wanted) {
        return HostsToml.sameMeaning(registry, content, wanted);
    }
}
