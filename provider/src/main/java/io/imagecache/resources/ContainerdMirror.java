package io.imagecache.resources;

import io.imagecache.resources.MirrorTypes.ClientCertificate;
import io.imagecache.resources.MirrorTypes.MirrorHost;
import io.imagecache.resources.MirrorTypes.ServerSettings;
import io.imagecache.hosts.containerd.ContainerdNode;
import io.imagecache.hosts.containerd.NodeProbe;
import io.imagecache.containerd.ConfigEdit;
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
import io.imagecache.spi.Owner;
import io.imagecache.spi.PropertyDiff;
import io.imagecache.spi.PropertyPath;
import io.imagecache.spi.Prop;
import io.imagecache.spi.ResourceException;
import io.imagecache.spi.ResourceType;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.ssh.RemoteHostFactory;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

@ResourceType(token = "imagecache:index:ContainerdMirror",
        description = "One node's containerd mirror configuration: a `hosts.toml` per registry under `certsDir`, and "
                + "`config.toml` pointed at that one directory (`config_path`) for the containerd version found on the "
                + "node (1.6, 1.7, 2.x). Only files whose content changes are written; `config.toml` is backed up and "
                + "edited only if it must change (its `mirrors` are removed and turned into hosts.toml files, so "
                + "nothing the operator had is lost), and only then is containerd restarted and its CRI plugin "
                + "verified at the socket the config names (`[grpc] address`); if the plugin does not load (or the "
                + "restart fails or outlasts `restartTimeoutSeconds`), every file this apply wrote is restored, "
                + "containerd restarted again, and the resource fails with containerd's own message. Managed files no "
                + "longer wanted are removed only after that verification. A symlinked `configFile` is edited at its "
                + "target, keeping the link and the target's owner and mode (never group- or world-writable). k3s and "
                + "RKE2 nodes are refused (configure their `registries.yaml`). Each hosts.toml names the stack that manages "
                + "it (`# imagecache:owner ...`): one another stack manages is neither overwritten nor deleted.\n\n"
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
                    hostNeutral = true, defaultValue = "systemctl restart containerd")
            String restartCommand,
            @Prop(description = "Seconds to wait for containerd's CRI plugin after a restart.", hostNeutral = true,
                    defaultValue = "60")
            Integer criTimeoutSeconds,
            @Prop(description = "Seconds `restartCommand` may run (under coreutils `timeout` on the node). A restart "
                    + "that takes longer is stopped, the files written are restored, and the resource fails naming the "
                    + "node and the command.", hostNeutral = true, defaultValue = "120")
            Integer restartTimeoutSeconds,
            @Prop(description = "A TCP connect timeout (a Go duration such as `1s`) for every mirror host that sets no "
                    + "`dialTimeout` of its own, written only where the node's containerd has `dial_timeout` (2.0.7/2.1+) "
                    + "and left out on older ones (where a mirror's own `dialTimeout` is an error). The preview's "
                    + "`hostsFiles` are rendered without it, as for any version.")
            String defaultDialTimeout) {

        /** The inputs without {@code defaultDialTimeout}. */
        public Args(ConnectionArgs connection, List<MirrorArgs> mirrors, String certsDir, String configFile,
                    String restartCommand, Integer criTimeoutSeconds, Integer restartTimeoutSeconds) {
            this(connection, mirrors, certsDir, configFile, restartCommand, criTimeoutSeconds, restartTimeoutSeconds, null);
        }

        /** The inputs without {@code restartTimeoutSeconds} (its default then applies). */
        public Args(ConnectionArgs connection, List<MirrorArgs> mirrors, String certsDir, String configFile,
                    String restartCommand, Integer criTimeoutSeconds) {
            this(connection, mirrors, certsDir, configFile, restartCommand, criTimeoutSeconds, null, null);
        }
    }

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
            Map<String, String> hostKeys,
            @Prop(description = "Whether this apply restarts (restarted) containerd on the node: only a change of "
                    + "config.toml does. Preview knows it is false when the last apply left config.toml up to date and "
                    + "neither `certsDir` nor `configFile` changes; otherwise it is unknown until the node is read.")
            Boolean restartsContainerd,
            @Prop(description = "Which file `containerd` on the node's PATH was when `containerdVersion` was read: "
                    + "`<path> <inode> <size> <change time>`. While it is the same file, the node is not asked again "
                    + "(`containerd --version` is most of the CPU a look at a node costs); a new containerd is read.")
            String containerdBinary) {}

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
                out.addAll(Mirrors.failures(MirrorValidation.check(Mirrors.specs(a.mirrors())), a.mirrors()));
            }
        }
        if (a.defaultDialTimeout() != null && !news.isUnknown(PropertyPath.of("defaultDialTimeout"))) {
            List<MirrorSpec> probe = List.of(MirrorSpec.of("docker.io",
                    MirrorSpec.Endpoint.of("http://127.0.0.1:5000").withDialTimeout(a.defaultDialTimeout())));
            MirrorValidation.check(probe).stream().filter(p -> p.property().endsWith(".dialTimeout"))
                    .forEach(p -> out.add(new CheckFailure("defaultDialTimeout", p.reason())));
        }
        if (a.certsDir() != null && !news.isUnknown(PropertyPath.of("certsDir"))) {
            out.addAll(Mirrors.failures(MirrorValidation.checkCertsDir(a.certsDir())));
        }
        if (a.configFile() != null && !news.isUnknown(PropertyPath.of("configFile")) && !Validation.isAbsolutePath(a.configFile())) {
            out.add(new CheckFailure("configFile", "must be an absolute path such as /etc/containerd/config.toml"));
        } else if (a.configFile() != null && !news.isUnknown(PropertyPath.of("configFile"))) {
            Validation.lengthProblem(a.configFile()).ifPresent(why -> out.add(new CheckFailure("configFile", why
                    + ": give a shorter path, e.g. /etc/containerd/config.toml")));
        }
        if (a.restartCommand() != null && a.restartCommand().isBlank()) {
            out.add(new CheckFailure("restartCommand", "is empty; give the command that restarts containerd, e.g. "
                    + "\"systemctl restart containerd\""));
        }
        Map.of("criTimeoutSeconds", Optional.ofNullable(a.criTimeoutSeconds()),
                "restartTimeoutSeconds", Optional.ofNullable(a.restartTimeoutSeconds())).forEach((name, value) -> {
                    if (value.isPresent() && (value.get() < 5 || value.get() > 3600)) {
                        out.add(new CheckFailure(name, "must be between 5 and 3600 seconds"));
                    }
                });
        return out;
    }

    // --- diff -------------------------------------------------------------------------------------

    @Override
    public DiffResult diff(DiffRequest<Args, State> req) {
        // Connection details, restartCommand and the timeouts are @Prop(hostNeutral): the default diff leaves them out.
        DiffResult d = req.inputDiff();
        // Each registry is its own file: a new order of the same mirrors changes nothing on the node.
        if (req.olds() != null && req.olds().mirrors() != null && req.news().value().mirrors() != null
                && !req.news().hasUnknownsUnder(PropertyPath.of("mirrors"))
                && byRegistry(req.olds().mirrors()).equals(byRegistry(req.news().value().mirrors()))) {
            d = d.without(path -> path.startsWith("mirrors["));
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
            MirrorSpec wanted = Mirrors.withDefaultDialTimeout(Mirrors.spec(m), news.defaultDialTimeout(),
                    old.containerdVersion());
            if (actual == null || !Mirrors.sameMeaning(m.registry(), actual, wanted)) {
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

    // --- create / update --------------------------------------------------------------------------

    @Override
    public CreateResult<State> create(CreateRequest<Args> req) throws ResourceException {
        Args a = req.args();
        if (req.preview()) {
            return new CreateResult<>(null, MirrorPlan.preview(req.news(), null, null, Owner.fromUrn(req.urn())));
        }
        String id = ImportId.format(a.connection(), trimSlash(a.certsDir()));
        return new CreateResult<>(id, apply(id, a, null, null, req.context(), Owner.fromUrn(req.urn())));
    }

    @Override
    public State update(UpdateRequest<Args, State> req) throws ResourceException {
        if (req.preview()) {
            return MirrorPlan.preview(req.news(), req.olds(), req.oldState(), Owner.fromUrn(req.urn()));
        }
        return apply(req.id(), req.args(), req.olds(), req.oldState(), req.context(), Owner.fromUrn(req.urn()));
    }

    /**
     * Makes the node match {@code a}; {@code olds}/{@code old} describe what an earlier apply made (null on create).
     * The runbook: observe the node, plan (nothing is written when the plan refuses), carry the plan out with rollback.
     */
    private State apply(String id, Args a, Args olds, State old, Context ctx, Optional<Owner> us) throws ResourceException {
        Map<String, String> recorded = old == null || old.hostKeys() == null ? Map.of() : old.hostKeys();
        String where = a.connection().describe();
        try (RemoteHost host = Connections.open(hosts, a.connection(), recorded, defaultCredentials, ctx)) {
            ContainerdNode node = new ContainerdNode(host, where, ctx);
            MirrorPlan.Observed observed = MirrorApply.observe(node, a, olds, old);
            MirrorPlan plan = MirrorPlan.of(a, olds, old, observed, stamp(), where, us);
            ctx.status("containerd " + plan.version() + " on " + where);
            String backup = old == null ? null : old.backupFile();
            Map<String, String> migrated = plan.migrated().isEmpty() ? null : plan.migrated();
            try {
                MirrorApply.execute(plan, node, MirrorApply.Restart.of(a));
            } catch (ResourceException e) {
                throw ResourceException.partial(e.kind(), id, olds != null ? olds : a,
                        MirrorPlan.afterFailure(plan, a, olds, old, List.of(), Connections.hostKeys(host, recorded)), e.getMessage());
            } catch (MirrorApply.Failed f) {
                throw ResourceException.partial(f.error().kind(), id, olds != null ? olds : a, MirrorPlan.afterFailure(plan,
                        a, olds, old, f.stillWritten(), Connections.hostKeys(host, recorded)), f.error().getMessage());
            }
            if (plan.config().isPresent()) {
                backup = plan.config().get().backup();
            }
            return new State(plan.version().toString(), plan.configVersion(), plan.hostsFiles(), plan.restartsContainerd(),
                    true, backup, migrated, Connections.hostKeys(host, recorded), plan.restartsContainerd(),
                    observed.containerdBinary().orElse(null));
        }
    }

    private String stamp() {
        return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(clock.instant());
    }

    static String trimSlash(String dir) {
        String d = dir == null ? "/etc/containerd/certs.d" : dir;
        return d.length() > 1 && d.endsWith("/") ? d.substring(0, d.length() - 1) : d;
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
            ContainerdNode node = new ContainerdNode(host, where, req.context());
            // one command for all of it (the version, config.toml, the hosts.toml files) where the node allows
            NodeProbe probe = node.probe(a.configFile(), trimSlash(a.certsDir()), MirrorApply.recorded(old));
            ContainerdVersion version = node.version(probe);
            Optional<String> config = node.config(probe);
            String certsDir = trimSlash(a.certsDir());
            if (req.isImport() && a.certsDir() == null) {
                // the one directory config.toml already points at (its config_path, read by the TOML parser)
                certsDir = MirrorPlan.configEdit(config, version, "/etc/containerd/certs.d").map(ConfigEdit::previousConfigPath)
                        .filter(p -> !p.isBlank() && !p.contains(":")).map(ContainerdMirror::trimSlash)
                        .orElse("/etc/containerd/certs.d");
            }
            Map<String, String> present = node.hostsFilesIn(probe, certsDir);
            List<String> registries;
            if (req.isImport()) {
                registries = List.copyOf(new TreeMap<>(present).keySet());
                if (registries.isEmpty()) {
                    throw new ResourceException(ResourceException.Kind.NOT_FOUND, "no hosts.toml under " + certsDir
                            + " on " + where + ": nothing to import");
                }
            } else {
                registries = a.mirrors().stream().map(MirrorArgs::registry).toList();
            }
            Map<String, String> files = new TreeMap<>();
            List<MirrorArgs> found = new ArrayList<>();
            Optional<Owner> us = Owner.fromUrn(req.urn());
            for (String r : registries) {
                String path = HostsToml.path(certsDir, r);
                Optional<String> content = Optional.ofNullable(present.get(r.strip()));
                if (req.isImport()) {
                    Optional<String> refusal = MirrorOwnership.ownerRefusal(content, us, Owner.Op.UPDATE, path, where);
                    if (refusal.isPresent()) {
                        throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, refusal.get());
                    }
                } else if (content.isPresent() && us.isPresent() && HostsToml.isManaged(content.get())
                        && Owner.claim(true, Owner.find(content.get()), us) == Owner.Claim.LEGACY) {
                    // written by a version that recorded no stack: this stack, the first to manage it, adopts it
                    content = Optional.of(Owner.stamp(content.get(), us));
                    node.write(path, content.get(), 0644);
                    req.context().info(where + ": " + path + " now names the stack " + us.get().stackId() + " (adopted)");
                }
                if (content.isPresent()) {
                    files.put(r, content.get());
                    if (req.isImport()) {
                        found.add(Mirrors.imported(HostsToml.path(certsDir, r), r, content.get(), version, where));
                    }
                }
            }
            Optional<ConfigEdit> edit = MirrorPlan.configEdit(config, version, certsDir);
            if (edit.isEmpty() && !req.isImport()) {
                MirrorPlan.configProblem(config, version, certsDir).ifPresent(p -> req.context().warn(where + ": "
                        + a.configFile() + " cannot be edited: " + p + " (the next update refuses until it is fixed)"));
            }
            boolean upToDate = edit.isPresent() && !edit.get().changed();
            Integer configVersion = edit.map(ConfigEdit::configVersion).orElse(null);
            Args inputs = req.isImport() ? new Args(a.connection(), found, certsDir, a.configFile(), a.restartCommand(),
                    a.criTimeoutSeconds()) : a;
            String id = req.isImport() ? ImportId.format(a.connection(), certsDir) : req.id();
            State s = new State(version.toString(), configVersion, files, old == null ? Boolean.FALSE : old.configChanged(),
                    upToDate, old == null ? null : old.backupFile(), old == null ? null : old.migratedFiles(),
                    Connections.hostKeys(host, recorded), old == null ? null : old.restartsContainerd(),
                    probe.binary().orElse(null));
            return ReadResult.of(id, inputs, s);
        }
    }

    @Override
    public void delete(DeleteRequest<Args, State> req) throws ResourceException {
        Args a = req.inputs();
        State s = req.state();
        Map<String, String> recorded = s == null || s.hostKeys() == null ? Map.of() : s.hostKeys();
        String where = a.connection().describe();
        try (RemoteHost host = Connections.open(hosts, a.connection(), recorded, defaultCredentials, req.context())) {
            MirrorApply.removeAll(new ContainerdNode(host, where, req.context()), a, s, Owner.fromUrn(req.urn()));
            req.context().info(where + ": config.toml keeps config_path (containerd reads no hosts.toml for registries "
                    + "without one, so pulls go straight upstream again)");
        }
    }
}
