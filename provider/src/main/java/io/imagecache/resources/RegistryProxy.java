package io.imagecache.resources;

import io.imagecache.distribution.DistributionConfig;
import io.imagecache.distribution.ProxyConfig;
import io.imagecache.hosts.docker.ContainerInfo;
import io.imagecache.hosts.docker.Docker;
import io.imagecache.registry.Credentials;
import io.imagecache.registry.RegistryClient;
import io.imagecache.registry.RegistryException;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Context;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.DiffResult;
import io.imagecache.spi.PropertyDiff;
import io.imagecache.spi.PropertyPath;
import io.imagecache.spi.Prop;
import io.imagecache.spi.ResourceException;
import io.imagecache.spi.ResourceType;
import io.imagecache.ssh.CommandLine;
import io.imagecache.ssh.ExecResult;
import io.imagecache.ssh.RemoteException;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.ssh.RemoteHostFactory;
import io.imagecache.ssh.Tunnel;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
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
                + "`dataDir` and `configDir` get a marker `.imagecache-owner` naming the proxy; a directory another proxy "
                + "marks or mounts is refused. Update rewrites the config and recreates the container only when something "
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
                    + "`created: true` is removed; any other is kept with a warning. Changing it never touches the host.",
                    defaultValue = "false")
            Boolean purgeDataOnDelete,
            @Prop(description = "Seconds to wait for the proxy to answer `GET /v2/` after it starts.", defaultValue = "120")
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
            Map<String, String> hostKeys) {}

    private final RemoteHostFactory hosts;
    private final DefaultCredentials defaultCredentials;
    private final RegistryClient registry;
    private final SecureRandom random = new SecureRandom();

    public RegistryProxy(RemoteHostFactory hosts, DefaultCredentials defaultCredentials, RegistryClient registry) {
        this.hosts = hosts;
        this.defaultCredentials = defaultCredentials;
        this.registry = registry;
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
        Args a = news.value();
        List<CheckFailure> out = new ArrayList<>(Connections.check(a.connection(), PropertyPath.of("connection"), news));
        UpstreamArgs u = a.upstream();
        if (u != null) {
            if (u.name() != null && !u.name().matches("[a-z0-9][a-z0-9_.-]{0,62}")) {
                out.add(new CheckFailure("upstream.name", "must be a short lower-case name usable in a container name "
                        + "(letters, digits, _ . -), e.g. ghcr"));
            }
            if (u.registry() != null && !u.registry().matches("[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
                out.add(new CheckFailure("upstream.registry", "must be a registry host name as it appears in image names, "
                        + "without scheme or path, e.g. ghcr.io"));
            }
            if (u.remoteUrl() != null && !news.isUnknown(PropertyPath.of("upstream").key("remoteUrl"))) {
                if (!Validation.isHttpUrl(u.remoteUrl())) {
                    out.add(new CheckFailure("upstream.remoteUrl", "must be an http(s) URL of the registry root, e.g. "
                            + "https://ghcr.io (distribution can only mirror a registry at a domain root)"));
                } else if (java.net.URI.create(u.remoteUrl()).getPath() != null
                        && !java.net.URI.create(u.remoteUrl()).getPath().matches("/?")) {
                    out.add(new CheckFailure("upstream.remoteUrl", "must not have a path: distribution mirrors only a "
                            + "registry at a domain root"));
                }
            }
            if (u.port() != null && (u.port() < 1 || u.port() > 65535)) {
                out.add(new CheckFailure("upstream.port", "must be between 1 and 65535, e.g. 5010"));
            }
            boolean userUnknown = news.isUnknown(PropertyPath.of("upstream").key("username"));
            boolean passUnknown = news.isUnknown(PropertyPath.of("upstream").key("password"));
            if (!userUnknown && !passUnknown && (u.username() == null) != (u.password() == null)) {
                out.add(new CheckFailure(u.username() == null ? "upstream.username" : "upstream.password",
                        "give both username and password, or neither"));
            }
            if (u.username() != null && !userUnknown && (u.username().contains(":") || u.username().chars().anyMatch(ch -> ch < 0x20))) {
                out.add(new CheckFailure("upstream.username", "must not contain ':' or control characters (Basic "
                        + "authentication puts a ':' between user name and password); use the registry's user name or a "
                        + "token name"));
            }
            if (u.ttl() != null && !DistributionConfig.isDuration(u.ttl())) {
                out.add(new CheckFailure("upstream.ttl", "must be a Go duration such as 168h or 30m (or 0: keep forever)"));
            }
            if (u.ttl() != null && a.image() != null && imageTagMajor(a.image()).map(m -> m < 3).orElse(false)) {
                out.add(new CheckFailure("upstream.ttl", "needs distribution 3.x; " + a.image() + " is 2.x: remove ttl or "
                        + "use a 3.x image"));
            }
        }
        if (a.image() != null && !a.image().matches("[a-z0-9][A-Za-z0-9._/:@-]*")) {
            out.add(new CheckFailure("image", "must be an image reference such as registry:3.0.0"));
        }
        if (a.bindAddress() != null && !a.bindAddress().matches("[0-9.]+|[0-9a-fA-F:]+")) {
            out.add(new CheckFailure("bindAddress", "must be an IP address of the host, or 0.0.0.0 for all"));
        }
        if (a.dataDir() != null && a.configDir() != null && !news.isUnknown(PropertyPath.of("dataDir"))
                && !news.isUnknown(PropertyPath.of("configDir")) && (RegistryProxyPlan.inside(a.dataDir(), a.configDir())
                || RegistryProxyPlan.inside(a.configDir(), a.dataDir()))) {
            out.add(new CheckFailure("configDir", "must be apart from dataDir (neither inside the other), e.g. "
                    + "/etc/imagecache/<name> and /var/lib/imagecache/<name>"));
        }
        for (String p : List.of("dataDir", "configDir")) {
            String v = p.equals("dataDir") ? a.dataDir() : a.configDir();
            if (v != null && !news.isUnknown(PropertyPath.of(p)) && (!Validation.isAbsolutePath(v) || v.equals("/")
                    || v.matches("/(etc|var|usr|bin|sbin|lib|boot|root|home|proc|sys|dev)/?"))) {
                out.add(new CheckFailure(p, "must be an absolute directory of its own, e.g. /var/lib/imagecache/ghcr"));
            }
        }
        if (a.healthTimeoutSeconds() != null && (a.healthTimeoutSeconds() < 5 || a.healthTimeoutSeconds() > 3600)) {
            out.add(new CheckFailure("healthTimeoutSeconds", "must be between 5 and 3600 seconds"));
        }
        return out;
    }

    /** The major version a tag says, when it says one: {@code registry:2.8.3} -> 2. */
    static Optional<Integer> imageTagMajor(String image) {
        Matcher m = Pattern.compile(":v?(\\d+)(\\.\\d+)*(@.*)?$").matcher(image);
        return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    // --- diff -------------------------------------------------------------------------------------

    @Override
    public DiffResult diff(DiffRequest<Args, State> req) {
        DiffResult d = ignoreTimeouts(Resources.ignoreConnectionDetails(req.inputDiff()));
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

    private static DiffResult ignoreTimeouts(DiffResult d) {
        Map<String, PropertyDiff> kept = new java.util.LinkedHashMap<>();
        d.detailed().forEach((p, x) -> {
            if (!p.equals("healthTimeoutSeconds") && !p.equals("purgeDataOnDelete")) {
                kept.put(p, x);
            }
        });
        return new DiffResult(kept, d.deleteBeforeReplace());
    }

    // --- create / update --------------------------------------------------------------------------

    @Override
    public CreateResult<State> create(CreateRequest<Args> req) throws ResourceException {
        Args a = req.args();
        if (req.preview()) {
            return new CreateResult<>(null, previewState(a, null, null, req.news()));
        }
        String id = ImportId.format(a.connection(), "/" + containerName(a));
        return new CreateResult<>(id, apply(id, a, null, req.context(), true));
    }

    @Override
    public State update(UpdateRequest<Args, State> req) throws ResourceException {
        if (req.preview()) {
            return previewState(req.args(), req.olds(), req.oldState(), req.news());
        }
        return apply(req.id(), req.args(), req.oldState(), req.context(), false);
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
                old == null ? null : old.httpSecret(), old == null ? null : old.hostKeys());
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
    private State apply(String id, Args a, State old, Context ctx, boolean creating) throws ResourceException {
        Map<String, String> recorded = old == null || old.hostKeys() == null ? Map.of() : old.hostKeys();
        String where = a.connection().describe();
        String name = containerName(a);
        try (RemoteHost host = Connections.open(hosts, a.connection(), recorded, defaultCredentials, ctx)) {
            Docker docker = new Docker(host, where);
            docker.requireDocker();
            RegistryProxyPlan.Observed seen = observe(docker, a, name);
            RegistryProxyPlan.preflight(a, name, creating, seen, where);
            RegistryClient.AuthScheme scheme = a.upstream().username() != null ? checkCredentials(a, ctx)
                    : RegistryClient.AuthScheme.NONE;
            String image = a.image() == null ? DEFAULT_IMAGE : a.image();
            docker.ensureImage(image, ctx);
            String version = old != null && old.distributionVersion() != null
                    && seen.existing().map(c -> c.image().equals(image)).orElse(false)
                    ? old.distributionVersion() : docker.distributionVersion(image);
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
            RegistryProxyPlan.Actions actions = RegistryProxyPlan.plan(a, name, image, config, sha, seen);
            RegistryProxyExecutor.execute(docker, actions, a, name, image, config, sha, ctx);
            Optional<String> problem = awaitHealthy(host, docker, a, name, ctx);
            State state = new State(name, endpoint(a), configFile(a), sha, problem.isEmpty(), true, version, secret,
                    Connections.hostKeys(host, recorded));
            if (problem.isPresent()) {
                throw ResourceException.partial(ResourceException.Kind.UNAVAILABLE, id, a, state, problem.get());
            }
            return state;
        }
    }

    private static final String PROBE_REPOSITORY = "imagecache/proxy-mode-probe";

    private static RegistryProxyPlan.Observed observe(Docker docker, Args a, String name) throws ResourceException {
        List<ContainerInfo> others = docker.inspectAll().stream().filter(c -> !c.name().equals(name)).toList();
        return new RegistryProxyPlan.Observed(docker.inspect(name), others, docker.listeners(), dir(docker, a.dataDir()),
                dir(docker, a.configDir()), docker.read(configFile(a)));
    }

    private static RegistryProxyPlan.Dir dir(Docker docker, String path) throws ResourceException {
        return new RegistryProxyPlan.Dir(path, docker.dirState(path, ProxyMarker.FILE),
                docker.read(ProxyMarker.path(path)).flatMap(ProxyMarker::parse));
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

    /**
     * Healthy means: the container runs our config (our entrypoint and arguments), answers {@code GET /v2/}, and
     * is in proxy mode (refuses an upload). Waits for {@code /v2/} up to the health timeout.
     */
    private Optional<String> awaitHealthy(RemoteHost host, Docker docker, Args a, String name, Context ctx)
            throws ResourceException {
        long deadline = System.nanoTime() + timeout(a).toNanos();
        int attempt = 0;
        try (Tunnel t = host.tunnel(target(a), a.upstream().port())) {
            String url = "http://127.0.0.1:" + t.localPort();
            while (!registry.ping(url)) {
                attempt++;
                if (System.nanoTime() > deadline) {
                    return Optional.of(name + " on " + docker.where() + " did not answer GET /v2/ within "
                            + timeout(a).toSeconds() + " s. " + docker.logsTail(name));
                }
                if (attempt % 5 == 0) {
                    ctx.status("Waiting for " + name + " to answer GET /v2/ (" + docker.state(name) + ")");
                }
                if (ctx.cancelled()) {
                    throw new ResourceException(ResourceException.Kind.CANCELLED, "cancelled while waiting for " + name);
                }
                sleep(1000);
            }
            return notAProxy(docker, a, name, url);
        } catch (RemoteException e) {
            throw Connections.translate(e, a.connection().describe());
        }
    }

    /** Why a container that answers {@code /v2/} is not our proxy, if it is not. */
    private Optional<String> notAProxy(Docker docker, Args a, String name, String url) throws ResourceException {
        Optional<ContainerInfo> c = docker.inspect(name);
        if (c.isEmpty() || !runsOurConfig(c.get(), a)) {
            return Optional.of(name + " on " + docker.where()
                    + " does not run " + String.join(" ", RegistryProxyPlan.ENTRYPOINT) + " "
                    + String.join(" ", RegistryProxyPlan.CMD) + " with " + configFile(a) + " (docker inspect shows "
                    + c.map(x -> x.entrypoint() + " " + x.cmd()).orElse("no container") + ")");
        }
        if (registry.acceptsUploads(url, PROBE_REPOSITORY)) {
            return Optional.of(name + " on " + docker.where()
                    + " answers GET /v2/ but accepts uploads: it runs as a plain registry, not a pull-through proxy. Is "
                    + (a.image() == null ? DEFAULT_IMAGE : a.image()) + " a distribution image that reads the config given to "
                    + "`registry serve`?");
        }
        return Optional.empty();
    }

    static boolean runsOurConfig(ContainerInfo c, Args a) {
        return c.entrypoint().equals(RegistryProxyPlan.ENTRYPOINT) && c.cmd().equals(RegistryProxyPlan.CMD)
                && c.mountSource(DistributionConfig.CONTAINER_PATH).map(configFile(a)::equals).orElse(false);
    }

    private static String target(Args a) {
        String bind = a.bindAddress() == null ? "0.0.0.0" : a.bindAddress();
        return bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
    }

    private static Duration timeout(Args a) {
        return Duration.ofSeconds(a.healthTimeoutSeconds() == null ? 120 : a.healthTimeoutSeconds());
    }

    private String newSecret() {
        byte[] b = new byte[32];
        random.nextBytes(b);
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

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
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
            Optional<ContainerInfo> c = docker.inspect(name);
            Map<String, String> keys = Connections.hostKeys(host, recorded);
            if (req.isImport()) {
                return importFrom(req.id(), a.connection(), name, c, docker, keys);
            }
            String file = configFile(a);
            Optional<String> config = docker.read(file);
            if (c.isEmpty() && config.isEmpty()) {
                return ReadResult.gone();
            }
            boolean running = c.map(ContainerInfo::running).orElse(false);
            boolean healthy = running && runsOurConfig(c.get(), a) && quickHealth(host, a);
            State s = new State(name, endpoint(a), file, config.map(RegistryProxy::sha256).orElse(null), healthy, running,
                    old == null ? null : old.distributionVersion(), old == null ? null : old.httpSecret(), keys);
            return ReadResult.of(req.id(), a, s);
        }
    }

    private boolean quickHealth(RemoteHost host, Args a) {
        try (Tunnel t = host.tunnel(target(a), a.upstream().port())) {
            String url = "http://127.0.0.1:" + t.localPort();
            return registry.ping(url) && !registry.acceptsUploads(url, PROBE_REPOSITORY);
        } catch (RemoteException e) {
            return false;
        }
    }

    /** Adopts a container (made by imagecache, or by hand the seed's way) as it is. */
    private ReadResult<Args, State> importFrom(String id, ConnectionArgs conn, String name, Optional<ContainerInfo> found,
                                                  Docker docker, Map<String, String> keys) throws ResourceException {
        ContainerInfo c = found.orElseThrow(() -> new ResourceException(ResourceException.Kind.NOT_FOUND,
                "no container named " + name + " on " + conn.describe()));
        String configHostPath = c.mountSource(DistributionConfig.CONTAINER_PATH)
                .or(() -> c.mountSource("/etc/docker/registry/config.yml"))
                .or(() -> c.mountSource("/etc/distribution/config.yml"))
                .orElseThrow(() -> new ResourceException(ResourceException.Kind.INVALID, name + " has no config file mounted "
                        + "from the host; imagecache can only adopt a proxy whose config.yml is a file on the host"));
        String config = docker.read(configHostPath).orElseThrow(() -> new ResourceException(ResourceException.Kind.INVALID,
                configHostPath + " (mounted into " + name + ") cannot be read"));
        String remote = DistributionConfig.proxyValue(config, "remoteurl").orElseThrow(() -> new ResourceException(
                ResourceException.Kind.INVALID, name + " is not a pull-through cache: " + configHostPath + " has no proxy.remoteurl"));
        String upstreamName = name.startsWith("registry-") ? name.substring("registry-".length()) : name;
        java.net.URI uri = java.net.URI.create(remote);
        String host = uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
        String registryName = host.equals("registry-1.docker.io") ? "docker.io" : host;
        UpstreamArgs u = new UpstreamArgs(upstreamName, registryName, remote, c.published("5000/tcp").map(ContainerInfo.PortBinding::hostPort).orElse(5000),
                DistributionConfig.proxyValue(config, "username").orElse(null),
                DistributionConfig.proxyValue(config, "password").orElse(null),
                DistributionConfig.proxyValue(config, "ttl").orElse(null));
        String dataDir = c.mountSource(DistributionConfig.DATA_PATH).orElse("/var/lib/imagecache/" + upstreamName);
        String configDir = configHostPath.substring(0, configHostPath.lastIndexOf('/'));
        Args a = new Args(conn, u, c.image(), c.published("5000/tcp").map(ContainerInfo.PortBinding::address).orElse("0.0.0.0"), dataDir, configDir, false, 120);
        if (!name.equals(containerName(a))) {
            throw new ResourceException(ResourceException.Kind.INVALID, "imagecache names proxy containers registry-<name>; "
                    + name + " would need renaming first: docker rename " + name + " registry-" + upstreamName);
        }
        String version = docker.distributionVersion(c.image());
        State s = new State(name, endpoint(a), configFile(a), sha256(config), c.running(), c.running(), version,
                DistributionConfig.httpSecret(config).orElse(null), keys);
        return ReadResult.of(ImportId.format(conn, "/" + name), a, s);
    }

    @Override
    public void delete(DeleteRequest<Args, State> req) throws ResourceException {
        Args a = req.inputs();
        State s = req.state();
        Map<String, String> recorded = s == null || s.hostKeys() == null ? Map.of() : s.hostKeys();
        String name = containerName(a);
        try (RemoteHost host = Connections.open(hosts, a.connection(), recorded, defaultCredentials, req.context())) {
            Docker docker = new Docker(host, a.connection().describe());
            if (docker.inspect(name).isPresent()) {
                docker.remove(name);
            }
            String file = configFile(a);
            Optional<String> config = docker.read(file);
            if (config.isPresent() && config.get().startsWith(DistributionConfig.HEADER)) {
                docker.run(CommandLine.of("rm", "-f", file), "remove " + file);
            } else if (config.isPresent()) {
                req.context().warn(file + " was not written by imagecache; it was left in place");
            }
            RegistryProxyPlan.Dir conf = dir(docker, a.configDir());
            if (conf.marker().map(m -> m.owner().equals(name)).orElse(false)) {
                docker.run(CommandLine.script("rm -f " + CommandLine.quote(ProxyMarker.path(a.configDir())) + " && (rmdir "
                        + CommandLine.quote(a.configDir()) + " 2>/dev/null; true)"), "remove " + ProxyMarker.path(a.configDir()));
            }
            RegistryProxyPlan.Dir data = dir(docker, a.dataDir());
            if (!Boolean.TRUE.equals(a.purgeDataOnDelete())) {
                req.context().info("the cached data stays in " + a.dataDir() + " on " + a.connection().describe()
                        + " (set purgeDataOnDelete to remove it)");
                return;
            }
            Optional<String> refusal = RegistryProxyPlan.purgeRefusal(data, name);
            if (refusal.isPresent()) {
                req.context().warn("purgeDataOnDelete: " + refusal.get() + "; the data was kept (delete it by hand if it "
                        + "is no longer needed)");
                return;
            }
            req.context().status("Deleting the cached data in " + a.dataDir());
            docker.run(CommandLine.of("rm", "-rf", "--one-file-system", a.dataDir()), "delete " + a.dataDir());
        }
    }
}
