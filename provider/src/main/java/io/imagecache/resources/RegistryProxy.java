package io.imagecache.resources;

import io.imagecache.distribution.DistributionConfig;
import io.imagecache.distribution.ProxyConfig;
import io.imagecache.hosts.docker.ContainerInfo;
import io.imagecache.hosts.docker.DiskFree;
import io.imagecache.hosts.docker.Docker;
import io.imagecache.registry.Credentials;
import io.imagecache.registry.RegistryClient;
import io.imagecache.registry.RegistryException;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Context;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.Owner;
import io.imagecache.spi.DiffResult;
import io.imagecache.spi.PropertyDiff;
import io.imagecache.spi.PropertyPath;
import io.imagecache.spi.Prop;
import io.imagecache.spi.ResourceException;
import io.imagecache.spi.ResourceType;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.ssh.RemoteHostFactory;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

@ResourceType(token = "imagecache:index:RegistryProxy",
        description = "One pull-through cache (a distribution registry in proxy mode) for one upstream registry, as a "
                + "Docker container `registry-<name>` on an SSH-reachable Docker host (the registry VM). Its config, "
                + "with the upstream credentials, is written 0600 and mounted read-only; credentials never reach a "
                + "command line or `docker inspect`. Create waits until `GET /v2/` answers through an SSH tunnel from "
                + "the host itself. The container runs `--entrypoint registry serve /etc/imagecache/config.yml` whatever the "
                + "image's own ENTRYPOINT; healthy means it runs that, answers `GET /v2/` and refuses uploads (proxy mode). "
                + "`dataDir` and `configDir` get a marker `.imagecache-owner` naming the proxy and the stack (the container a "
                + "label `io.imagecache.owner`); a directory another proxy marks or mounts is refused, and so is a proxy "
                + "another stack manages, on create, update, import and delete. Update rewrites the config and recreates the container only when something "
                + "changed; `upstream.name`, `upstream.port`, `dataDir` and `connection.host` replace it. Delete keeps "
                + "the cached data unless `purgeDataOnDelete`, and purges only a `dataDir` whose marker names this proxy "
                + "and says it made the directory from nothing.\n\n"
                + "Import with the id `[user@]host[:port]/<container name>`, e.g. `root@10.0.20.10:22/registry-ghcr`, "
                + "also for a container made by hand the seed's way.")
public final class RegistryProxy implements CustomResource<RegistryProxy.Args, RegistryProxy.State> {

    /** The default image: distribution 3 (TTL-bounded cache, bounded descriptor cache). Pin by digest in production. */
    public static final String DEFAULT_IMAGE = "registry:3.0.0";

    public record Args(
            @Prop(description = "How to reach the Docker host.", required = true)
            ConnectionArgs connection,
            @Prop(description = "The upstream registry this proxy caches.", required = true)
            UpstreamArgs upstream,
            @Prop(description = "The distribution image to run (2.x or 3.x; `upstream.ttl` needs 3.x). The image must be "
                    + "on the host or pullable from it.", defaultValue = DEFAULT_IMAGE)
            String image,
            @Prop(description = "The host address the port is published on; `0.0.0.0` for all.", defaultValue = "0.0.0.0")
            String bindAddress,
            @Prop(description = "The cache's data directory on the host. Default: `/var/lib/imagecache/<name>`.",
                    replaceOnChanges = true)
            String dataDir,
            @Prop(description = "Where the config file goes on the host. Default: `/etc/imagecache/<name>`.")
            String configDir,
            @Prop(description = "Delete the cached data with the proxy. Off by default: the cache survives a destroy "
                    + "and a re-create. Only a `dataDir` whose marker `.imagecache-owner` names this proxy and says "
                    + "`created: true` is removed; any other is kept with a warning.",
                    hostNeutral = true, defaultValue = "false")
            Boolean purgeDataOnDelete,
            @Prop(description = "Seconds to wait for the proxy to answer `GET /v2/` after it starts.", hostNeutral = true,
                    defaultValue = "120")
            Integer healthTimeoutSeconds) {}

    public record State(
            @Prop(description = "The container's name, `registry-<name>`.", required = true)
            String containerName,
            @Prop(description = "The URL nodes use, e.g. `http://10.0.20.10:5010`.", required = true)
            String endpoint,
            @Prop(description = "The config file on the host.", required = true)
            String configFile,
            @Prop(description = "SHA-256 of the config file's content (it holds credentials, so it is not shown).")
            String configSha256,
            @Prop(description = "When last checked, the container ran our config (`--entrypoint registry`, "
                    + "`serve /etc/imagecache/config.yml`), answered `GET /v2/`, and refused an upload (proxy mode).",
                    required = true)
            Boolean healthy,
            @Prop(description = "The container is running (false: stopped or missing; the next up starts it).",
                    required = true)
            Boolean running,
            @Prop(description = "The distribution version of `image`, e.g. `2.8.2` or `3.1.2`.")
            String distributionVersion,
            @Prop(description = "The `http.secret` of the config, kept across updates.", secret = true)
            String httpSecret,
            @Prop(description = "Host keys recorded on first contact (`host:port` -> key), enforced afterwards.",
                    required = true)
            Map<String, String> hostKeys,
            @Prop(description = "Bytes free on the filesystem that holds `dataDir` on the host (`df` Available), when "
                    + "last checked (create, update, refresh). Create, update and refresh warn when it is below 5% of "
                    + "that filesystem or below 1 GiB, whichever is smaller. An output only: its changes never make a "
                    + "diff. Unknown in preview.")
            Long diskFreeBytes) {}

    private final RemoteHostFactory hosts;
    private final DefaultCredentials defaultCredentials;
    private final RegistryClient registry;
    private final ProxyHealth health;
    /** Made on first use: seeding a SecureRandom loads the JDK's security providers, which a preview does not need. */
    private static final class Random {
        static final SecureRandom INSTANCE = new SecureRandom();
    }

    public RegistryProxy(RemoteHostFactory hosts, DefaultCredentials defaultCredentials, RegistryClient registry) {
        this.hosts = hosts;
        this.defaultCredentials = defaultCredentials;
        this.registry = registry;
        this.health = new ProxyHealth(registry);
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public Class<State> stateType() {
        return State.class;
    }

    // --- defaults and check -----------------------------------------------------------------------

    @Override
    public Args withDefaults(Decoded<Args> d) {
        Args a = d.value();
        UpstreamArgs u = a.upstream();
        if (u == null || d.hasUnknownsUnder(PropertyPath.of("upstream"))) {
            return a;
        }
        // Empty strings count as unset, so programs can pass optional values straight from config.
        String user = blankToNull(u.username());
        String password = blankToNull(u.password());
        String remote = blankToNull(u.remoteUrl());
        UpstreamArgs up = new UpstreamArgs(u.name(), u.registry(),
                remote != null || u.registry() == null ? remote : UpstreamArgs.defaultRemoteUrl(u.registry()), u.port(),
                user, password, blankToNull(u.ttl()));
        String name = up.name();
        return new Args(a.connection(), up, a.image(), a.bindAddress(),
                a.dataDir() != null || name == null ? a.dataDir() : "/var/lib/imagecache/" + name,
                a.configDir() != null || name == null ? a.configDir() : "/etc/imagecache/" + name,
                a.purgeDataOnDelete(), a.healthTimeoutSeconds());
    }

    private static String blankToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    @Override
    public List<CheckFailure> check(Decoded<Args> news) {
        return RegistryProxyCheck.check(news);
    }

    // --- diff -------------------------------------------------------------------------------------

    @Override
    public DiffResult diff(DiffRequest<Args, State> req) {
        // Connection details, healthTimeoutSeconds and purgeDataOnDelete are @Prop(hostNeutral): not in the default diff.
        DiffResult d = req.inputDiff();
        // The registry namespace only names the upstream; with the same remoteUrl nothing on the host changes
        // (an imported hand-made proxy knows its URL, not the namespace it stands for).
        UpstreamArgs oldUp = req.olds() == null ? null : req.olds().upstream();
        UpstreamArgs newUp = req.news().value().upstream();
        if (oldUp != null && newUp != null && oldUp.effectiveRemoteUrl() != null
                && oldUp.effectiveRemoteUrl().equals(newUp.effectiveRemoteUrl())) {
            Map<String, PropertyDiff> kept = new java.util.LinkedHashMap<>(d.detailed());
            kept.remove("upstream.registry");
            d = new DiffResult(kept, d.deleteBeforeReplace());
        }
        State old = req.oldState();
        if (!d.hasChanges() && old != null) {
            // drift found by refresh: a stopped or missing container, an unhealthy proxy, an edited config
            if (Boolean.FALSE.equals(old.running())) {
                d = d.with("running", new PropertyDiff(PropertyDiff.Kind.UPDATE, false));
            } else if (Boolean.FALSE.equals(old.healthy())) {
                d = d.with("healthy", new PropertyDiff(PropertyDiff.Kind.UPDATE, false));
            }
            Args news = req.news().value();
            if (old.httpSecret() != null && old.configSha256() != null && !req.news().hasUnknownsUnder(PropertyPath.of("upstream"))
                    && old.distributionVersion() != null) {
                String wanted = sha256(DistributionConfig.render(config(news, old.httpSecret(), major(old.distributionVersion()))));
                if (!wanted.equals(old.configSha256())) {
                    d = d.with("configSha256", new PropertyDiff(PropertyDiff.Kind.UPDATE, false));
                }
            }
        }
        // A new proxy on the same host needs the old one's name and port: remove it first.
        return d.withDeleteBeforeReplace(true);
    }

    // --- create / update --------------------------------------------------------------------------

    @Override
    public CreateResult<State> create(CreateRequest<Args> req) throws ResourceException {
        Args a = req.args();
        if (req.preview()) {
            return new CreateResult<>(null, previewState(a, null, null, req.news()));
        }
        String id = ImportId.format(a.connection(), "/" + containerName(a));
        return new CreateResult<>(id, apply(id, a, null, null, req.context(), true, Owner.fromUrn(req.urn())));
    }

    @Override
    public State update(UpdateRequest<Args, State> req) throws ResourceException {
        if (req.preview()) {
            return previewState(req.args(), req.olds(), req.oldState(), req.news());
        }
        return apply(req.id(), req.args(), req.olds(), req.oldState(), req.context(), false, Owner.fromUrn(req.urn()));
    }

    /** Preview: every output that follows from the inputs (and the old state), the rest unknown (null). */
    private static State previewState(Args a, Args olds, State old, Decoded<Args> news) {
        boolean named = a.upstream() != null && a.upstream().name() != null;
        boolean sameImage = old != null && olds != null && java.util.Objects.equals(olds.image(), a.image());
        String version = sameImage ? old.distributionVersion() : null;
        String sha = null;
        if (version != null && old.httpSecret() != null && !news.hasUnknownsUnder(PropertyPath.of("upstream"))) {
            sha = sha256(DistributionConfig.render(config(a, old.httpSecret(), major(version))));
        }
        return new State(named ? containerName(a) : null, endpoint(a), configFile(a), sha, null, null, version,
                old == null ? null : old.httpSecret(), old == null ? null : old.hostKeys(), null);
    }

    static String containerName(Args a) {
        return "registry-" + a.upstream().name();
    }

    static String endpoint(Args a) {
        if (a.connection() == null || a.connection().host() == null || a.upstream() == null || a.upstream().port() == null) {
            return null;
        }
        String bind = a.bindAddress() == null ? "0.0.0.0" : a.bindAddress();
        String host = bind.equals("0.0.0.0") || bind.equals("::") ? a.connection().host() : bind;
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + a.upstream().port();
    }

    static String configFile(Args a) {
        return a.configDir() == null ? null : a.configDir() + "/config.yml";
    }

    static ProxyConfig config(Args a, String httpSecret, int major) {
        UpstreamArgs u = a.upstream();
        return new ProxyConfig(u.name(), u.effectiveRemoteUrl(), Optional.ofNullable(u.username()),
                Optional.ofNullable(u.password()), Optional.ofNullable(u.ttl()), httpSecret, major);
    }

    /** Observe the host, refuse what cannot work, plan, carry out the plan, wait until it proxies. */
    private State apply(String id, Args a, Args olds, State old, Context ctx, boolean creating, Optional<Owner> us)
            throws ResourceException {
        Map<String, String> recorded = old == null || old.hostKeys() == null ? Map.of() : old.hostKeys();
        String where = a.connection().describe();
        String name = containerName(a);
        try (RemoteHost host = Connections.open(hosts, a.connection(), recorded, defaultCredentials, ctx)) {
            Docker docker = new Docker(host, where);
            String image = a.image() == null ? DEFAULT_IMAGE : a.image();
            Docker.HostView view = RegistryProxyExecutor.probe(docker, a, name, true, image);
            RegistryProxyPlan.Observed seen = RegistryProxyExecutor.observe(view, a, name);
            RegistryProxyPlan.preflight(a, name, creating, seen, where, us);
            RegistryClient.AuthScheme scheme = a.upstream().username() != null ? checkCredentials(a, ctx)
                    : RegistryClient.AuthScheme.NONE;
            String imageId = docker.ensureImage(image, view.imageId(), ctx);
            String version = old != null && old.distributionVersion() != null
                    && seen.existing().map(c -> c.image().equals(image)).orElse(false)
                    ? old.distributionVersion() : knownVersion(seen, imageId).orElse(null);
            if (version == null) {
                version = docker.distributionVersion(image);
            }
            int major = major(version);
            if (a.upstream().ttl() != null && major < 3) {
                throw new ResourceException(ResourceException.Kind.INVALID, "upstream.ttl needs distribution 3.x, but " + image
                        + " on " + where + " is distribution " + version + ": remove ttl or use a 3.x image (nothing was changed)");
            }
            if (major < 3 && scheme == RegistryClient.AuthScheme.BASIC) {
                throw new ResourceException(ResourceException.Kind.INVALID, "image: " + image + " is distribution " + version
                        + ", whose proxy answers only Bearer challenges, but " + a.upstream().effectiveRemoteUrl()
                        + " challenges Basic: this proxy could not pull a single image. Use a distribution 3 image (e.g. "
                        + DEFAULT_IMAGE + "), which logs in with Basic (nothing was changed)");
            }
            String secret = old != null && old.httpSecret() != null ? old.httpSecret() : newSecret();
            String config = DistributionConfig.render(config(a, secret, major));
            String sha = sha256(config);
            RegistryProxyPlan.Actions actions = RegistryProxyPlan.plan(a, name, image, config, sha, seen, us,
                    lastWritten(olds, old), java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
                            .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now()));
            RegistryProxyExecutor.execute(docker, actions, a, name, image, config, sha, version, us, ctx);
            Optional<String> problem = health.await(host, docker, a, name, ctx);
            State state = new State(name, endpoint(a), configFile(a), sha, problem.isEmpty(), true, version, secret,
                    Connections.hostKeys(host, recorded), view.disk().map(DiskFree::freeBytes).orElse(null));
            warnIfLow(view.disk(), a, name, where, ctx);
            if (problem.isPresent()) {
                throw ResourceException.partial(ResourceException.Kind.UNAVAILABLE, id, a, state, problem.get());
            }
            return state;
        }
    }

    /** The version the host's own proxies of {@code imageId} carry (this one's and the others'), if one does. */
    private static Optional<String> knownVersion(RegistryProxyPlan.Observed seen, String imageId) {
        List<ContainerInfo> all = new ArrayList<>(seen.others());
        seen.existing().ifPresent(all::add);
        return RegistryProxyPlan.knownVersion(all, imageId);
    }

    /**
     * The SHA-256 of the config the last apply wrote: what the previous inputs render with the kept secret (the state's
     * {@code configSha256} follows the host after a refresh, so it cannot tell a hand edit); null when unknown.
     */
    static String lastWritten(Args olds, State old) {
        if (olds == null || old == null || old.httpSecret() == null || old.distributionVersion() == null
                || olds.upstream() == null || olds.upstream().effectiveRemoteUrl() == null) {
            return null;
        }
        return sha256(DistributionConfig.render(config(olds, old.httpSecret(), major(old.distributionVersion()))));
    }

    private RegistryClient.AuthScheme checkCredentials(Args a, Context ctx) throws ResourceException {
        UpstreamArgs u = a.upstream();
        ctx.status("Checking the credentials of " + u.username() + " at " + u.effectiveRemoteUrl());
        try {
            return registry.login(u.effectiveRemoteUrl(), new Credentials(u.username(), u.password()));
        } catch (RegistryException e) {
            if (e.kind() == RegistryException.Kind.UNAUTHORIZED) {
                throw new ResourceException(ResourceException.Kind.INVALID, "upstream.password: " + e.getMessage()
                        + " (nothing was changed on the host)");
            }
            ctx.warn("could not check the credentials for " + u.effectiveRemoteUrl() + " from here (" + e.getMessage()
                    + "); the proxy will find out when it pulls");
            return RegistryClient.AuthScheme.NONE;
        }
    }

    private String newSecret() {
        byte[] b = new byte[32];
        Random.INSTANCE.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static int major(String version) {
        Matcher m = Pattern.compile("(\\d+)\\.").matcher(version == null ? "" : version);
        return m.find() ? Integer.parseInt(m.group(1)) : 3;
    }

    // --- read / delete ----------------------------------------------------------------------------

    @Override
    public ReadResult<Args, State> read(ReadRequest<Args, State> req) throws ResourceException {
        State old = req.state().orElse(null);
        Args a;
        String name;
        Map<String, String> recorded;
        if (req.isImport()) {
            ImportId id = ImportId.parse(req.id(), true);
            name = id.path().substring(1);
            a = new Args(id.connection(), null, null, null, null, null, null, null);
            recorded = Map.of();
        } else {
            a = req.inputs().orElseThrow();
            name = containerName(a);
            recorded = old == null || old.hostKeys() == null ? Map.of() : old.hostKeys();
        }
        try (RemoteHost host = Connections.open(hosts, a.connection(), recorded, defaultCredentials, req.context())) {
            Docker docker = new Docker(host, a.connection().describe());
            Map<String, String> keys = Connections.hostKeys(host, recorded);
            if (req.isImport()) {
                Optional<ContainerInfo> c = docker.inspect(name);
                Optional<Owner> us = Owner.fromUrn(req.urn());
                Optional<Owner> found = c.flatMap(RegistryProxyPlan::owner);
                Optional<String> foreign = Owner.refusal(Owner.claim(true, found, us), found, us, Owner.Op.UPDATE,
                        "the container " + name + " on " + a.connection().describe());
                if (foreign.isPresent()) {
                    throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, foreign.get());
                }
                return RegistryProxyImport.adopt(req.id(), a.connection(), name, c, docker, keys);
            }
            Docker.HostView view = RegistryProxyExecutor.probe(docker, a, name, false, null);
            Optional<ContainerInfo> c = view.container(name);
            RegistryProxyExecutor.adoptLegacyMarkers(docker, view, name, Owner.fromUrn(req.urn()), req.context());
            String file = configFile(a);
            Optional<String> config = view.config();
            if (c.isEmpty() && config.isEmpty()) {
                return ReadResult.gone();
            }
            config.flatMap(DistributionConfig::yamlProblem).ifPresent(p -> req.context().warn(file + " on "
                    + a.connection().describe() + " is " + p + ": distribution cannot start with it"
                    + " (the proxy fails at its next restart); the next update saves it beside it as "
                    + "config.yml.imagecache-<time>.bak (0600) and writes it again"));
            boolean running = c.map(ContainerInfo::running).orElse(false);
            boolean healthy = running && ProxyHealth.runsOurConfig(c.get(), a) && health.quick(host, a);
            State s = new State(name, endpoint(a), file, config.map(RegistryProxy::sha256).orElse(null), healthy, running,
                    old == null ? null : old.distributionVersion(), old == null ? null : old.httpSecret(), keys,
                    view.disk().map(DiskFree::freeBytes).orElse(null));
            warnIfLow(view.disk(), a, name, a.connection().describe(), req.context());
            return ReadResult.of(req.id(), a, s);
        }
    }

    /** The warning of create, update and refresh when the data directory's filesystem is nearly full. */
    static void warnIfLow(Optional<DiskFree> disk, Args a, String name, String where, Context ctx) {
        disk.filter(DiskFree::low).ifPresent(d -> ctx.warn(diskWarning(d, a, name, where)));
    }

    static String diskWarning(DiskFree d, Args a, String name, String where) {
        return "the cache of " + name + " on " + where + " is nearly out of disk: " + d.describe() + ", which holds dataDir "
                + a.dataDir() + " (the warning starts below " + DiskFree.LOW_PERCENT + "% or "
                + DiskFree.bytes(d.lowThresholdBytes()) + "). " + DISK_FULL_EFFECT
                + " Free space there (garbage collection, a larger disk, or purge the cache).";
    }

    /** What a proxy whose disk is full does, as ProxyDiskFullIT observes it. */
    static final String DISK_FULL_EFFECT = "Once it is full the proxy still serves the images it holds, but cannot "
            + "cache new ones: it answers their pulls 500 (no space left on device), and nodes then fetch them from their "
            + "mirror's `server`, the upstream itself (containerd 1.6 and 2.x fall back so), every time until there is room.";

    @Override
    public void delete(DeleteRequest<Args, State> req) throws ResourceException {
        Args a = req.inputs();
        State s = req.state();
        Map<String, String> recorded = s == null || s.hostKeys() == null ? Map.of() : s.hostKeys();
        String name = containerName(a);
        try (RemoteHost host = Connections.open(hosts, a.connection(), recorded, defaultCredentials, req.context())) {
            RegistryProxyExecutor.remove(new Docker(host, a.connection().describe()), a, name, Owner.fromUrn(req.urn()),
                    req.context());
        }
    }
}
