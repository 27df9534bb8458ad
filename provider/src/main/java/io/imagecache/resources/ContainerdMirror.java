package io.imagecache.resources;

import io.imagecache.hosts.HostOps;

import io.imagecache.containerd.ConfigEdit;
import io.imagecache.containerd.ConfigToml;
import io.imagecache.containerd.ConfigTomlException;
import io.imagecache.containerd.ContainerdVersion;
import io.imagecache.containerd.HostsToml;
import io.imagecache.containerd.MirrorSpec;
import io.imagecache.containerd.MirrorValidation;
import io.imagecache.containerd.Problem;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Context;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.DiffResult;
import io.imagecache.spi.ObjectType;
import io.imagecache.spi.PropertyDiff;
import io.imagecache.spi.PropertyPath;
import io.imagecache.spi.Prop;
import io.imagecache.spi.ResourceException;
import io.imagecache.spi.ResourceType;
import io.imagecache.ssh.CommandLine;
import io.imagecache.ssh.ExecResult;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.ssh.RemoteHostFactory;
import java.time.Clock;
import java.time.Duration;
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

@ResourceType(token = "imagecache:index:ContainerdMirror",
        description = "One node's containerd mirror configuration: a `hosts.toml` per registry under `certsDir`, and "
                + "`config.toml` pointed at that one directory (`config_path`) for the containerd version found on the "
                + "node (1.6, 1.7, 2.x). Only files whose content changes are written; `config.toml` is backed up and "
                + "edited only if it must change (its `mirrors` are removed and turned into hosts.toml files, so "
                + "nothing the operator had is lost), and only then is containerd restarted and its CRI plugin "
                + "verified; if the plugin does not load, the backup is restored, containerd restarted again, and the "
                + "resource fails with containerd's own message.\n\n"
                + "Import with the id `[user@]host[:port]` (or `[user@]host[:port]/<certsDir>`): the existing "
                + "`certs.d` is adopted as it is.")
public final class ContainerdMirror implements CustomResource<ContainerdMirror.Args, ContainerdMirror.State> {

    @ObjectType(token = "imagecache:index:Mirror",
            description = "The mirrors of one registry namespace: a hosts.toml in `<certsDir>/<registry>/`. Give the "
                    + "mirrors either as `endpoints` (URLs sharing the settings given here) or as `hosts` (one object per "
                    + "mirror with its own settings), not both.")
    public record MirrorArgs(
            @Prop(description = "The registry namespace as containerd sees it in image names: `docker.io`, `ghcr.io`, "
                    + "`registry.example.com:5000`, or `_default` (every registry without its own entry; containerd 1.7+).",
                    required = true)
            String registry,
            @Prop(description = "Mirror URLs, tried in order, e.g. `http://10.0.20.10:5000`; the settings of this mirror "
                    + "(capabilities, ca, client, ...) apply to each. Give this or `hosts`.")
            List<String> endpoints,
            @Prop(description = "Where to pull when every mirror fails (the `server` line). Default: the registry "
                    + "itself (`https://registry-1.docker.io` for docker.io).")
            String server,
            @Prop(description = "What the mirrors may be used for: `pull`, `resolve`, `push`, and `referrers` "
                    + "(containerd 2.2+). Default: `[\"pull\", \"resolve\"]`. With `endpoints` only.")
            List<String> capabilities,
            @Prop(description = "Skip TLS verification of https mirrors. With `endpoints` only.")
            Boolean skipVerify,
            @Prop(description = "CA certificate files (absolute paths on the node) for https mirrors. With `endpoints` only.")
            List<String> ca,
            @Prop(description = "Use the mirror URL's path as the API root (for registries that serve under a path, "
                    + "e.g. Harbor proxy projects). With `endpoints` only.")
            Boolean overridePath,
            @Prop(description = "TCP connect timeout per mirror, a Go duration such as `1s` (containerd 2.0.7/2.1+; "
                    + "older versions would ignore it, so it is an error there). A short one makes a dead mirror cost "
                    + "seconds instead of 30 s per blob. With `endpoints` only.")
            String dialTimeout,
            @Prop(description = "TLS client certificates (mTLS) for https mirrors (the `client` field). With `endpoints` only.")
            List<ClientCertificate> client,
            @Prop(description = "HTTP headers sent to the mirrors: name -> values (the `[host.\"...\".header]` table). "
                    + "With `endpoints` only.")
            Map<String, List<String>> header,
            @Prop(description = "The mirrors, tried in order, each with its own settings (one `[host.\"<url>\"]` table "
                    + "each). Use this instead of `endpoints` when mirrors differ, e.g. one mTLS mirror and one plain one.")
            List<MirrorHost> hosts,
            @Prop(description = "Settings for the `server` (the top-level fields of hosts.toml: `ca`, `client`, `header`, "
                    + "...), used when pulls fall back to it, e.g. a CA for a private registry.")
            ServerSettings serverSettings) {

        /** The contract before per-host settings: endpoints sharing the mirror's settings. */
        public MirrorArgs(String registry, List<String> endpoints, String server, List<String> capabilities,
                          Boolean skipVerify, List<String> ca, Boolean overridePath, String dialTimeout) {
            this(registry, endpoints, server, capabilities, skipVerify, ca, overridePath, dialTimeout, null, null, null);
        }

        /** Without server settings. */
        public MirrorArgs(String registry, List<String> endpoints, String server, List<String> capabilities,
                          Boolean skipVerify, List<String> ca, Boolean overridePath, String dialTimeout,
                          List<ClientCertificate> client, Map<String, List<String>> header, List<MirrorHost> hosts) {
            this(registry, endpoints, server, capabilities, skipVerify, ca, overridePath, dialTimeout, client, header, hosts,
                    null);
        }
    }

    @ObjectType(token = "imagecache:index:ServerSettings",
            description = "Settings for a mirror's `server`: the top-level fields of hosts.toml.")
    public record ServerSettings(
            @Prop(description = "What the server may be used for. Default: everything containerd allows (pull, resolve, "
                    + "push, and referrers on 2.2+), as in hosts.toml without a capabilities line.")
            List<String> capabilities,
            @Prop(description = "Skip TLS verification of the server (https only).")
            Boolean skipVerify,
            @Prop(description = "CA certificate files for the server, absolute paths on the node.")
            List<String> ca,
            @Prop(description = "TLS client certificates for the server.")
            List<ClientCertificate> client,
            @Prop(description = "Use the server URL's path as the API root.")
            Boolean overridePath,
            @Prop(description = "TCP connect timeout for the server, a Go duration (containerd 2.0.7/2.1+).")
            String dialTimeout,
            @Prop(description = "HTTP headers sent to the server: name -> values.")
            Map<String, List<String>> header) {}

    @ObjectType(token = "imagecache:index:MirrorHost",
            description = "One mirror of a registry with its own settings: a `[host.\"<url>\"]` table in hosts.toml.")
    public record MirrorHost(
            @Prop(description = "The mirror's URL, e.g. `https://mirror.example.com` or `http://10.0.20.10:5000`.",
                    required = true)
            String url,
            @Prop(description = "`pull`, `resolve`, `push`, `referrers` (containerd 2.2+). Default: `[\"pull\", \"resolve\"]`.")
            List<String> capabilities,
            @Prop(description = "Skip TLS verification (https only).")
            Boolean skipVerify,
            @Prop(description = "CA certificate files, absolute paths on the node (https only).")
            List<String> ca,
            @Prop(description = "TLS client certificates (https only).")
            List<ClientCertificate> client,
            @Prop(description = "Use the URL's path as the API root (`/v2` is not appended).")
            Boolean overridePath,
            @Prop(description = "TCP connect timeout, a Go duration such as `1s` (containerd 2.0.7/2.1+).")
            String dialTimeout,
            @Prop(description = "HTTP headers sent to this mirror: name -> values.")
            Map<String, List<String>> header) {}

    @ObjectType(token = "imagecache:index:ClientCertificate",
            description = "A TLS client certificate on the node for mutual TLS with a mirror.")
    public record ClientCertificate(
            @Prop(description = "The certificate file (absolute path); it holds the private key too when `key` is unset.",
                    required = true)
            String cert,
            @Prop(description = "The private key file (absolute path).")
            String key) {}

    public record Args(
            @Prop(description = "How to reach the node.", required = true)
            ConnectionArgs connection,
            @Prop(description = "One entry per registry namespace.", required = true)
            List<MirrorArgs> mirrors,
            @Prop(description = "The hosts directory (`config_path`): one absolute directory.",
                    defaultValue = "/etc/containerd/certs.d")
            String certsDir,
            @Prop(description = "containerd's configuration file.", defaultValue = "/etc/containerd/config.toml")
            String configFile,
            @Prop(description = "How to restart containerd on this node (run through `sh -c`, as root).",
                    defaultValue = "systemctl restart containerd")
            String restartCommand,
            @Prop(description = "Seconds to wait for containerd's CRI plugin after a restart.", defaultValue = "60")
            Integer criTimeoutSeconds) {}

    public record State(
            @Prop(description = "The containerd version found on the node, e.g. `1.7.27`.")
            String containerdVersion,
            @Prop(description = "The `version` of the node's config.toml.")
            Integer configVersion,
            @Prop(description = "Registry -> the hosts.toml on the node.", required = true)
            Map<String, String> hostsFiles,
            @Prop(description = "Whether the last apply changed config.toml (and so restarted containerd).")
            Boolean configChanged,
            @Prop(description = "config.toml points at `certsDir` and has no `mirrors` (false: drift to repair).")
            Boolean configUpToDate,
            @Prop(description = "The backup of config.toml made before imagecache last changed it.")
            String backupFile,
            @Prop(description = "hosts.toml files made from config.toml's old `mirrors` (registry -> path). They are "
                    + "left to the operator: imagecache never overwrites or deletes them.")
            Map<String, String> migratedFiles,
            @Prop(description = "Host keys recorded on first contact (`host:port` -> key), enforced afterwards.")
            Map<String, String> hostKeys) {}

    /** The first line of a hosts.toml migrated from config.toml: not ours to delete. */
    static final String MIGRATED_HEADER = "# Migrated by imagecache from the mirrors in config.toml; imagecache does not manage this file.";

    private final RemoteHostFactory hosts;
    private final DefaultCredentials defaultCredentials;
    private final Clock clock;

    public ContainerdMirror(RemoteHostFactory hosts, DefaultCredentials defaultCredentials, Clock clock) {
        this.hosts = hosts;
        this.defaultCredentials = defaultCredentials;
        this.clock = clock;
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public Class<State> stateType() {
        return State.class;
    }

    // --- check ------------------------------------------------------------------------------------

    @Override
    public List<CheckFailure> check(Decoded<Args> news) {
        Args a = news.value();
        List<CheckFailure> out = new ArrayList<>(Connections.check(a.connection(), PropertyPath.of("connection"), news));
        if (a.mirrors() != null && !news.hasUnknownsUnder(PropertyPath.of("mirrors"))) {
            if (a.mirrors().isEmpty()) {
                out.add(new CheckFailure("mirrors", "lists no registry; give at least one, e.g. "
                        + "{registry: docker.io, endpoints: [\"http://10.0.20.10:5000\"]}"));
            }
            for (int i = 0; i < a.mirrors().size(); i++) {
                if (a.mirrors().get(i) == null) {
                    out.add(new CheckFailure("mirrors[" + i + "]", "is empty"));
                }
            }
            if (out.stream().noneMatch(f -> f.property().startsWith("mirrors"))) {
                out.addAll(failures(MirrorValidation.check(specs(a.mirrors())), a.mirrors()));
            }
        }
        if (a.certsDir() != null && !news.isUnknown(PropertyPath.of("certsDir"))) {
            out.addAll(failures(MirrorValidation.checkCertsDir(a.certsDir())));
        }
        if (a.configFile() != null && !news.isUnknown(PropertyPath.of("configFile")) && !Validation.isAbsolutePath(a.configFile())) {
            out.add(new CheckFailure("configFile", "must be an absolute path such as /etc/containerd/config.toml"));
        }
        if (a.restartCommand() != null && a.restartCommand().isBlank()) {
            out.add(new CheckFailure("restartCommand", "is empty; give the command that restarts containerd, e.g. "
                    + "\"systemctl restart containerd\""));
        }
        if (a.criTimeoutSeconds() != null && (a.criTimeoutSeconds() < 5 || a.criTimeoutSeconds() > 3600)) {
            out.add(new CheckFailure("criTimeoutSeconds", "must be between 5 and 3600 seconds"));
        }
        return out;
    }

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

    // --- diff -------------------------------------------------------------------------------------

    @Override
    public DiffResult diff(DiffRequest<Args, State> req) {
        DiffResult d = ignoreOperationalSettings(Resources.ignoreConnectionDetails(req.inputDiff()));
        // Each registry is its own file: a new order of the same mirrors changes nothing on the node.
        if (req.olds() != null && req.olds().mirrors() != null && req.news().value().mirrors() != null
                && !req.news().hasUnknownsUnder(PropertyPath.of("mirrors"))
                && byRegistry(req.olds().mirrors()).equals(byRegistry(req.news().value().mirrors()))) {
            Map<String, PropertyDiff> kept = new LinkedHashMap<>();
            d.detailed().forEach((path, diff) -> {
                if (!path.startsWith("mirrors[")) {
                    kept.put(path, diff);
                }
            });
            d = new DiffResult(kept, d.deleteBeforeReplace());
        }
        // Drift on the node (a hand edit, a deleted file, config.toml reverted) with no input change to explain it:
        // report what differs so the next up repairs it. Files are compared by what they mean, not byte for byte, so
        // an adopted hand-made file that says the same as the inputs is not drift.
        State old = req.oldState();
        Args news = req.news().value();
        if (d.hasChanges() || old == null || news.mirrors() == null || req.news().hasUnknownsUnder(PropertyPath.of("mirrors"))) {
            return d;
        }
        if (Boolean.FALSE.equals(old.configUpToDate())) {
            d = d.with("configUpToDate", new PropertyDiff(PropertyDiff.Kind.UPDATE, false));
        }
        Map<String, String> files = old.hostsFiles() == null ? Map.of() : old.hostsFiles();
        for (MirrorArgs m : news.mirrors()) {
            String actual = files.get(m.registry());
            if (actual == null || !sameMeaning(m.registry(), actual, spec(m))) {
                d = d.with(PropertyPath.of("hostsFiles").key(m.registry()).toString(),
                        new PropertyDiff(actual == null ? PropertyDiff.Kind.ADD : PropertyDiff.Kind.UPDATE, false));
            }
        }
        return d;
    }

    private static Map<String, MirrorArgs> byRegistry(List<MirrorArgs> mirrors) {
        Map<String, MirrorArgs> m = new TreeMap<>();
        for (MirrorArgs a : mirrors) {
            if (a != null && a.registry() != null) {
                m.put(a.registry(), a);
            }
        }
        return m;
    }

    /** How to restart containerd and how long to wait change nothing on the node by themselves. */
    static DiffResult ignoreOperationalSettings(DiffResult d) {
        Map<String, io.imagecache.spi.PropertyDiff> kept = new LinkedHashMap<>();
        d.detailed().forEach((path, diff) -> {
            if (!path.equals("restartCommand") && !path.equals("criTimeoutSeconds")) {
                kept.put(path, diff);
            }
        });
        return new DiffResult(kept, d.deleteBeforeReplace());
    }

    /** True if the hosts.toml {@code content} means to containerd what {@code wanted} says (see HostsToml.sameMeaning). */
    static boolean sameMeaning(String registry, String content, MirrorSpec wanted) {
        return HostsToml.sameMeaning(registry, content, wanted);
    }

    // --- create / update --------------------------------------------------------------------------

    @Override
    public CreateResult<State> create(CreateRequest<Args> req) throws ResourceException {
        Args a = req.args();
        if (req.preview()) {
            return new CreateResult<>(null, previewState(req.news(), null));
        }
        String id = ImportId.format(a.connection(), trimSlash(a.certsDir()));
        return new CreateResult<>(id, apply(id, a, null, null, req.context()));
    }

    @Override
    public State update(UpdateRequest<Args, State> req) throws ResourceException {
        if (req.preview()) {
            return previewState(req.news(), req.oldState());
        }
        return apply(req.id(), req.args(), req.olds(), req.oldState(), req.context());
    }

    /** What can be known without the node: the hosts files as rendered for any version that accepts them. */
    private static State previewState(Decoded<Args> d, State old) {
        Map<String, String> files = null;
        Args a = d.value();
        if (a.mirrors() != null && !d.hasUnknownsUnder(PropertyPath.of("mirrors"))) {
            files = new TreeMap<>();
            for (MirrorArgs m : a.mirrors()) {
                try {
                    files.put(m.registry(), HostsToml.render(spec(m)));
                } catch (IllegalArgumentException e) {
                    files = null;
                    break;
                }
            }
        }
        return old == null ? new State(null, null, files, null, null, null, null, null)
                : new State(old.containerdVersion(), old.configVersion(), files, null, null, null, old.migratedFiles(),
                old.hostKeys());
    }

    /** Makes the node match {@code a}; {@code olds}/{@code old} describe what an earlier apply made (null on create). */
    private State apply(String id, Args a, Args olds, State old, Context ctx) throws ResourceException {
        Map<String, String> recorded = old == null || old.hostKeys() == null ? Map.of() : old.hostKeys();
        String where = a.connection().describe();
        try (RemoteHost host = Connections.open(hosts, a.connection(), recorded, defaultCredentials, ctx)) {
            Node node = new Node(host, where, ctx);
            ContainerdVersion version = node.version();
            ctx.status("containerd " + version + " on " + where);
            List<MirrorSpec> specs = specs(a.mirrors());
            List<CheckFailure> versionProblems = failures(MirrorValidation.checkForVersion(specs, version));
            if (!versionProblems.isEmpty()) {
                throw new ResourceException(ResourceException.Kind.INVALID, "the mirrors do not suit containerd " + version
                        + " on " + where + ": " + describe(versionProblems) + " (nothing on the node was changed)");
            }
            String certsDir = trimSlash(a.certsDir());
            String configFile = a.configFile();
            Optional<String> original = node.read(configFile);
            ConfigEdit edit = node.edit(original.orElse(minimalConfig(version)), version, certsDir, configFile);
            edit.warnings().forEach(w -> ctx.warn(where + ": " + w));

            // 1. hosts.toml files: the managed ones, written only where the content changes.
            Map<String, String> files = new TreeMap<>();
            Set<String> wanted = new LinkedHashSet<>();
            for (MirrorSpec s : specs) {
                String content = HostsToml.render(s, version);
                String path = HostsToml.path(certsDir, s.registry());
                wanted.add(s.registry());
                Optional<String> current = node.read(path);
                if (current.isPresent() && current.get().equals(content)) {
                    files.put(s.registry(), content);
                    continue;
                }
                if (current.isPresent() && !HostsToml.isManaged(current.get())) {
                    String backup = path + ".imagecache-" + stamp() + ".bak";
                    node.run(CommandLine.of("cp", "-p", path, backup), "back up " + path);
                    ctx.warn(where + ": " + path + " was not made by imagecache; it was saved as " + backup
                            + " and replaced");
                }
                ctx.status("Writing " + path);
                node.write(path, content, 0644);
                files.put(s.registry(), content);
            }
            // 2. mirrors that were in config.toml: their own hosts.toml, unless one exists already.
            Map<String, String> migrated = new TreeMap<>(old == null || old.migratedFiles() == null ? Map.of() : old.migratedFiles());
            for (MirrorSpec m : edit.migrated()) {
                String path = HostsToml.path(certsDir, m.registry());
                if (wanted.contains(m.registry())) {
                    ctx.warn(where + ": config.toml had mirrors for " + m.registry() + "; the mirrors given to imagecache "
                            + "replace them (" + m.endpoints().stream().map(MirrorSpec.Endpoint::url).toList() + " dropped)");
                    continue;
                }
                if (node.read(path).isPresent()) {
                    ctx.warn(where + ": config.toml had mirrors for " + m.registry() + ", and " + path
                            + " exists; it was kept as it is");
                    continue;
                }
                String content;
                try {
                    content = migratedContent(m, version);
                } catch (IllegalArgumentException e) {
                    ctx.warn(where + ": the mirrors for " + m.registry() + " in config.toml cannot be kept: " + e.getMessage());
                    continue;
                }
                ctx.status("Writing " + path + " (from config.toml's mirrors)");
                node.write(path, content, 0644);
                migrated.put(m.registry(), path);
            }
            // 3. registries no longer wanted: their managed files go (hand-made ones stay).
            Set<String> before = new LinkedHashSet<>();
            if (old != null && old.hostsFiles() != null) {
                before.addAll(old.hostsFiles().keySet());
            }
            String oldDir = olds == null ? certsDir : trimSlash(olds.certsDir());
            for (String registry : before) {
                if (wanted.contains(registry) && oldDir.equals(certsDir)) {
                    continue;
                }
                node.removeManaged(HostsToml.path(oldDir, registry));
            }
            // 4. config.toml: only if it must change; then restart once and make sure CRI came back.
            String backup = old == null ? null : old.backupFile();
            boolean changed = false;
            if (edit.changed()) {
                edit.notes().forEach(n -> ctx.info(where + ": " + n));
                try {
                    backup = node.replaceConfig(configFile, original, edit.text(), a.restartCommand(), version,
                            Duration.ofSeconds(a.criTimeoutSeconds() == null ? 60 : a.criTimeoutSeconds()), stamp(),
                            certsDir);
                } catch (ResourceException e) {
                    // The hosts files are in place (harmless without config_path); record them so a later up or
                    // destroy knows about them.
                    State partial = new State(version.toString(), edit.configVersion(), files, false, false, backup,
                            migrated.isEmpty() ? null : migrated, Connections.hostKeys(host, recorded));
                    throw ResourceException.partial(e.kind(), id, a, partial, e.getMessage());
                }
                changed = true;
            }
            return new State(version.toString(), edit.configVersion(), files, changed, true, backup,
                    migrated.isEmpty() ? null : migrated, Connections.hostKeys(host, recorded));
        }
    }

    static String migratedContent(MirrorSpec m, ContainerdVersion version) {
        String rendered = HostsToml.render(m, version);
        return MIGRATED_HEADER + rendered.substring(rendered.indexOf('\n'));
    }

    private static String minimalConfig(ContainerdVersion v) {
        return "version = " + (v.major() >= 2 ? 3 : 2) + "\n";
    }

    private String stamp() {
        return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(clock.instant());
    }

    static String trimSlash(String dir) {
        String d = dir == null ? "/etc/containerd/certs.d" : dir;
        return d.length() > 1 && d.endsWith("/") ? d.substring(0, d.length() - 1) : d;
    }

    static String describe(List<CheckFailure> failures) {
        StringBuilder sb = new StringBuilder();
        for (CheckFailure f : failures) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(f.property()).append(": ").append(f.reason());
        }
        return sb.toString();
    }

    // --- read / delete ----------------------------------------------------------------------------

    @Override
    public ReadResult<Args, State> read(ReadRequest<Args, State> req) throws ResourceException {
        Args a;
        Map<String, String> recorded;
        State old = req.state().orElse(null);
        if (req.isImport()) {
            ImportId id = ImportId.parse(req.id(), false);
            a = new Args(id.connection(), null, id.path(), "/etc/containerd/config.toml", "systemctl restart containerd", 60);
            recorded = Map.of();
        } else {
            a = req.inputs().orElseThrow();
            recorded = old == null || old.hostKeys() == null ? Map.of() : old.hostKeys();
        }
        String where = a.connection().describe();
        try (RemoteHost host = Connections.open(hosts, a.connection(), recorded, defaultCredentials, req.context())) {
            Node node = new Node(host, where, req.context());
            ContainerdVersion version = node.version();
            Optional<String> config = node.read(a.configFile());
            String certsDir = trimSlash(a.certsDir());
            List<String> registries;
            if (req.isImport()) {
                if (a.certsDir() == null) {
                    certsDir = configuredCertsDir(config.orElse(""), version).orElse("/etc/containerd/certs.d");
                }
                registries = node.registriesIn(certsDir);
                if (registries.isEmpty()) {
                    throw new ResourceException(ResourceException.Kind.NOT_FOUND, "no hosts.toml under " + certsDir
                            + " on " + where + ": nothing to import");
                }
            } else {
                registries = a.mirrors().stream().map(MirrorArgs::registry).toList();
            }
            Map<String, String> files = new TreeMap<>();
            List<MirrorArgs> found = new ArrayList<>();
            for (String r : registries) {
                Optional<String> content = node.read(HostsToml.path(certsDir, r));
                if (content.isPresent()) {
                    files.put(r, content.get());
                    if (req.isImport()) {
                        found.add(imported(HostsToml.path(certsDir, r), r, content.get(), version, where));
                    }
                }
            }
            boolean upToDate;
            Integer configVersion = null;
            try {
                ConfigEdit e = ConfigToml.edit(config.orElse(minimalConfig(version)), version, certsDir);
                upToDate = !e.changed();
                configVersion = e.configVersion();
            } catch (ConfigTomlException e) {
                upToDate = false;
            }
            Args inputs = req.isImport() ? new Args(a.connection(), found, certsDir, a.configFile(), a.restartCommand(),
                    a.criTimeoutSeconds()) : a;
            String id = req.isImport() ? ImportId.format(a.connection(), certsDir) : req.id();
            State s = new State(version.toString(), configVersion, files, old == null ? Boolean.FALSE : old.configChanged(),
                    upToDate, old == null ? null : old.backupFile(), old == null ? null : old.migratedFiles(),
                    Connections.hostKeys(host, recorded));
            return ReadResult.of(id, inputs, s);
        }
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
                    + describe(problems).replace("mirrors[0]", "its mirror") + "; fix the file, then import again"
                    + " (nothing was adopted)");
        }
        if (!HostsToml.sameMeaning(registry, HostsToml.render(spec(args)), parsed.mirror())) {
            throw new IllegalStateException("import of " + path + " on " + where
                    + " would change its meaning; this is a provider bug (nothing was adopted)");
        }
        return args;
    }

    /** The single directory config.toml already points at, if it does. */
    static Optional<String> configuredCertsDir(String config, ContainerdVersion version) {
        Matcher m = Pattern.compile("(?m)^\\s*config_path\\s*=\\s*[\"']([^\"':]+)[\"']").matcher(config);
        return m.find() ? Optional.of(trimSlash(m.group(1))) : Optional.empty();
    }

    @Override
    public void delete(DeleteRequest<Args, State> req) throws ResourceException {
        Args a = req.inputs();
        State s = req.state();
        Map<String, String> recorded = s == null || s.hostKeys() == null ? Map.of() : s.hostKeys();
        String where = a.connection().describe();
        try (RemoteHost host = Connections.open(hosts, a.connection(), recorded, defaultCredentials, req.context())) {
            Node node = new Node(host, where, req.context());
            Set<String> registries = new LinkedHashSet<>();
            if (s != null && s.hostsFiles() != null) {
                registries.addAll(s.hostsFiles().keySet());
            }
            if (a.mirrors() != null) {
                a.mirrors().forEach(m -> registries.add(m.registry()));
            }
            for (String r : registries) {
                node.removeManaged(HostsToml.path(trimSlash(a.certsDir()), r));
            }
            req.context().info(where + ": config.toml keeps config_path (containerd reads no hosts.toml for registries "
                    + "without one, so pulls go straight upstream again)");
        }
    }

    // --- the node, over SSH -----------------------------------------------------------------------

    /** The remote operations, each mapped to a readable failure naming the node. */
    private static final class Node extends HostOps {
        private final Context ctx;

        Node(RemoteHost host, String where, Context ctx) {
            super(host, where);
            this.ctx = ctx;
        }

        ContainerdVersion version() throws ResourceException {
            ExecResult r = run(CommandLine.script("containerd --version"), null);
            if (!r.ok()) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "cannot find containerd on "
                        + where + " (`containerd --version` failed: " + r.message() + "); is this a containerd node?");
            }
            try {
                return ContainerdVersion.parse(r.stdout());
            } catch (IllegalArgumentException e) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, where + ": " + e.getMessage());
            }
        }

        ConfigEdit edit(String text, ContainerdVersion version, String certsDir, String configFile) throws ResourceException {
            try {
                return ConfigToml.edit(text, version, certsDir);
            } catch (ConfigTomlException e) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "cannot edit " + configFile
                        + " on " + where + ": " + e.getMessage() + " (nothing on the node was changed)");
            }
        }

        /** Deletes {@code path} if it carries the imagecache header, and its directory if that is then empty. */
        void removeManaged(String path) throws ResourceException {
            Optional<String> content = read(path);
            if (content.isEmpty()) {
                return;
            }
            if (!HostsToml.isManaged(content.get())) {
                ctx.warn(where + ": " + path + " was not made by imagecache (or lost its header); it was left in place");
                return;
            }
            String dir = path.substring(0, path.lastIndexOf('/'));
            run(CommandLine.script("rm -f " + CommandLine.quote(path) + " && (rmdir " + CommandLine.quote(dir)
                    + " 2>/dev/null; true)"), "remove " + path);
        }

        /** The registry directories under {@code certsDir} that hold a hosts.toml. */
        List<String> registriesIn(String certsDir) throws ResourceException {
            ExecResult r = run(CommandLine.script("cd " + CommandLine.quote(certsDir)
                    + " 2>/dev/null && for d in */hosts.toml; do [ -f \"$d\" ] && echo \"${d%/hosts.toml}\"; done; true"), null);
            return r.stdout().lines().map(String::strip).filter(l -> !l.isEmpty()).sorted().toList();
        }

        /**
         * Backs config.toml up, writes the new text, restarts containerd and waits for its CRI plugin. If the plugin
         * does not load, restores the backup, restarts again and fails with containerd's own message.
         *
         * @return the backup's path
         */
        String replaceConfig(String configFile, Optional<String> original, String text, String restartCommand,
                             ContainerdVersion version, Duration timeout, String stamp, String certsDir)
                throws ResourceException {
            String backup = configFile + ".imagecache-" + stamp + ".bak";
            int mode = 0644;
            if (original.isPresent()) {
                run(CommandLine.of("cp", "-p", configFile, backup), "back up " + configFile);
                ExecResult st = run(CommandLine.of("stat", "-c", "%a", configFile), null);
                if (st.ok()) {
                    try {
                        mode = Integer.parseInt(st.stdout().strip(), 8);
                    } catch (NumberFormatException e) {
                        mode = 0644;
                    }
                }
            }
            ctx.status("Writing " + configFile + " (backup " + (original.isPresent() ? backup : "none: it did not exist") + ")");
            write(configFile, text, mode);
            ctx.status("Restarting containerd: " + restartCommand);
            Optional<String> failure = restartAndVerify(restartCommand, version, timeout);
            if (failure.isEmpty()) {
                failure = effectiveConfigPathProblem(configFile, certsDir, version);
            }
            if (failure.isEmpty()) {
                return original.isPresent() ? backup : null;
            }
            ctx.warn(where + ": containerd did not come back with its CRI plugin (" + failure.get()
                    + "); restoring " + configFile);
            if (original.isPresent()) {
                run(CommandLine.of("cp", "-p", backup, configFile), "restore " + configFile + " from " + backup);
            } else {
                run(CommandLine.of("rm", "-f", configFile), "remove the new " + configFile);
            }
            Optional<String> again = restartAndVerify(restartCommand, version, timeout);
            String restored = again.isEmpty() ? "the original config.toml is back and the CRI plugin is loaded"
                    : "AFTER RESTORING THE ORIGINAL config.toml THE CRI PLUGIN STILL DOES NOT LOAD (" + again.get()
                    + "): the node cannot run pods; look at containerd's log";
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "containerd on " + where
                    + " rejected the new config.toml: " + failure.get() + "; " + restored
                    + (original.isPresent() ? " (the edited file was not kept; the original is also in " + backup + ")" : ""));
        }

        /** Empty when containerd restarted and its CRI plugin(s) are loaded; else containerd's reason. */
        private Optional<String> restartAndVerify(String restartCommand, ContainerdVersion version, Duration timeout)
                throws ResourceException {
            ExecResult r = run(CommandLine.script(restartCommand), null);
            if (!r.ok()) {
                return Optional.of("`" + restartCommand + "` failed: " + r.message());
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            String last = "containerd did not answer";
            while (true) {
                ExecResult ls = run(CommandLine.script("ctr plugins ls"), null);
                if (ls.ok()) {
                    Map<String, String> states = criPlugins(ls.stdout(), version);
                    if (!states.isEmpty() && states.values().stream().allMatch("ok"::equals)) {
                        return Optional.empty();
                    }
                    Optional<String> failed = states.entrySet().stream().filter(e -> e.getValue().equals("error"))
                            .map(Map.Entry::getKey).findFirst();
                    if (failed.isPresent()) {
                        return Optional.of(pluginError(failed.get()));
                    }
                    last = "CRI plugin states " + states;
                } else {
                    last = ls.message();
                }
                if (System.nanoTime() > deadline) {
                    return Optional.of("after " + timeout.toSeconds() + " s: " + last);
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return Optional.of("interrupted");
                }
            }
        }

        /**
         * Empty when the config containerd runs with (its file merged with {@code imports}) has
         * {@code config_path = certsDir}; else why not. A file in {@code imports} that sets the CRI plugin's
         * settings replaces the main file's on containerd 1.6, silently dropping {@code config_path}.
         */
        private Optional<String> effectiveConfigPathProblem(String configFile, String certsDir, ContainerdVersion version)
                throws ResourceException {
            ExecResult dump = run(CommandLine.script("containerd --config " + CommandLine.quote(configFile)
                    + " config dump 2>/dev/null"), null);
            if (!dump.ok()) {
                return Optional.of("`containerd config dump` failed: " + dump.message());
            }
            Optional<String> effective = ConfigToml.effectiveConfigPath(dump.stdout(), version);
            if (effective.isPresent() && effective.get().equals(certsDir)) {
                return Optional.empty();
            }
            Matcher imports = Pattern.compile("(?m)^imports\\s*=\\s*(\\[.*])").matcher(dump.stdout());
            return Optional.of("containerd runs with config_path \"" + effective.orElse("") + "\", not \"" + certsDir
                    + "\": another file overrides the CRI registry settings of " + configFile
                    + (imports.find() ? " (imports = " + imports.group(1) + ")" : "")
                    + "; move its registry settings into " + configFile + " or remove them");
        }

        /** containerd's own error for a plugin ({@code ctr plugins ls -d id==cri}: the Message line). */
        private String pluginError(String typeAndId) throws ResourceException {
            String type = typeAndId.substring(0, typeAndId.indexOf(' '));
            String id = typeAndId.substring(typeAndId.lastIndexOf(' ') + 1);
            ExecResult d = run(CommandLine.script("ctr plugins ls -d " + CommandLine.quote("type==" + type + ",id==" + id)), null);
            Matcher m = Pattern.compile("(?m)^\\s*Message:\\s*(.+)$").matcher(d.stdout());
            String msg = m.find() ? m.group(1).strip() : "no message";
            return "plugin " + typeAndId + " failed to load: " + msg;
        }
    }

    /** The CRI plugins' states from {@code ctr plugins ls} ("type id" -> ok/error/skip). */
    static Map<String, String> criPlugins(String ctrOutput, ContainerdVersion version) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : ctrOutput.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4) {
                continue;
            }
            String key = f[0] + " " + f[1];
            boolean cri = (f[0].equals("io.containerd.grpc.v1") && f[1].equals("cri"))
                    || (f[0].equals("io.containerd.cri.v1") && (f[1].equals("images") || f[1].equals("runtime")));
            if (cri) {
                out.put(key, f[f.length - 1]);
            }
        }
        return out;
    }
}
