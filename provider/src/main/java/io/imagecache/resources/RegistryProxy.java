package io.imagecache.resources;

import io.imagecache.hosts.HostOps;

import io.imagecache.distribution.DistributionConfig;
import io.imagecache.distribution.ProxyConfig;
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
                + "the host itself. Update rewrites the config and recreates the container only when something "
                + "changed; `upstream.name`, `upstream.port`, `dataDir` and `connection.host` replace it. Delete keeps "
                + "the cached data unless `purgeDataOnDelete`.\n\n"
                + "Import with the id `[user@]host[:port]/<container name>`, e.g. `root@10.0.20.10:22/registry-ghcr`, "
                + "also for a container made by hand the seed's way.")
public final class RegistryProxy implements CustomResource<RegistryProxy.Args, RegistryProxy.State> {

    /** The default image: distribution 3 (TTL-bounded cache, bounded descriptor cache). Pin by digest in production. */
    public static final String DEFAULT_IMAGE = "registry:3.0.0";
    static final String LABEL = "io.imagecache.managed";

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
                    + "and a re-create.", defaultValue = "false")
            Boolean purgeDataOnDelete,
            @Prop(description = "Seconds to wait for the proxy to answer `GET /v2/` after it starts.", defaultValue = "120")
            Integer healthTimeoutSeconds) {}

    public record State(
            @Prop(description = "The container's name, `registry-<name>`.", required = true)
            String containerName,
            @Prop(description = "The URL nodes use, e.g. `http://10.0.20.10:5010`.", required = true)
            String endpoint,
            @Prop(description = "The config file on the host.")
            String configFile,
            @Prop(description = "SHA-256 of the config file's content (it holds credentials, so it is not shown).")
            String configSha256,
            @Prop(description = "The proxy answered `GET /v2/` when last checked.")
            Boolean healthy,
            @Prop(description = "The container is running (false: stopped or missing; the next up starts it).")
            Boolean running,
            @Prop(description = "The distribution version of `image`, e.g. `2.8.2` or `3.1.2`.")
            String distributionVersion,
            @Prop(description = "The `http.secret` of the config, kept across updates.", secret = true)
            String httpSecret,
            @Prop(description = "Host keys recorded on first contact (`host:port` -> key), enforced afterwards.")
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
            return new CreateResult<>(null, previewState(a, null));
        }
        String id = ImportId.format(a.connection(), "/" + containerName(a));
        return new CreateResult<>(id, apply(id, a, null, req.context(), true));
    }

    @Override
    public State update(UpdateRequest<Args, State> req) throws ResourceException {
        if (req.preview()) {
            return previewState(req.args(), req.oldState());
        }
        return apply(req.id(), req.args(), req.oldState(), req.context(), false);
    }

    private static State previewState(Args a, State old) {
        String name = a.upstream() == null || a.upstream().name() == null ? null : containerName(a);
        return new State(name, endpoint(a), configFile(a), null, null, null,
                old == null ? null : old.distributionVersion(), old == null ? null : old.httpSecret(),
                old == null ? null : old.hostKeys());
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

    private State apply(String id, Args a, State old, Context ctx, boolean creating) throws ResourceException {
        Map<String, String> recorded = old == null || old.hostKeys() == null ? Map.of() : old.hostKeys();
        String where = a.connection().describe();
        String name = containerName(a);
        try (RemoteHost host = Connections.open(hosts, a.connection(), recorded, defaultCredentials, ctx)) {
            Docker docker = new Docker(host, where);
            docker.requireDocker();
            Optional<Docker.Container> existing = docker.inspect(name);
            if (creating && existing.isPresent() && !existing.get().managed()) {
                throw new ResourceException(ResourceException.Kind.INVALID, "a container named " + name + " already exists on "
                        + where + " and was not made by imagecache: import it (pulumi import imagecache:index:RegistryProxy <name> "
                        + ImportId.format(a.connection(), "/" + name) + ") or remove it");
            }
            boolean ownsPort = existing.isPresent() && existing.get().publishes(a.upstream().port());
            if (!ownsPort) {
                docker.requirePortFree(a.upstream().port(), a.bindAddress());
            }
            if (a.upstream().username() != null) {
                checkCredentials(a, ctx);
            }
            String image = a.image() == null ? DEFAULT_IMAGE : a.image();
            docker.ensureImage(image, ctx);
            String version = old != null && old.distributionVersion() != null && existing.map(c -> c.image().equals(image)).orElse(false)
                    ? old.distributionVersion() : docker.distributionVersion(image);
            int major = major(version);
            if (a.upstream().ttl() != null && major < 3) {
                throw new ResourceException(ResourceException.Kind.INVALID, "upstream.ttl needs distribution 3.x, but " + image
                        + " on " + where + " is distribution " + version + ": remove ttl or use a 3.x image (nothing was changed)");
            }
            String secret = old != null && old.httpSecret() != null ? old.httpSecret() : newSecret();
            String config = DistributionConfig.render(config(a, secret, major));
            String sha = sha256(config);
            String file = configFile(a);

            Optional<String> current = docker.read(file);
            boolean configChanged = current.isEmpty() || !current.get().equals(config);
            if (configChanged) {
                ctx.status("Writing " + file + " (0600)");
                docker.write(file, config, 0600);
            }
            boolean recreate = existing.isEmpty() || configChanged || !existing.get().image().equals(image)
                    || !sha.equals(existing.get().configSha()) || !existing.get().publishes(a.upstream().port())
                    || !existing.get().bindMatches(a.bindAddress());
            if (recreate) {
                existing.ifPresent(c -> ctx.status("Replacing container " + name));
                if (existing.isPresent()) {
                    docker.run(CommandLine.of("docker", "rm", "-f", name), "remove the old container " + name);
                }
                docker.run(CommandLine.of("mkdir", "-p", a.dataDir()), "create " + a.dataDir());
                ctx.status("Starting " + name + " (" + image + ", port " + a.upstream().port() + ")");
                docker.run(runCommand(a, image, name, file, sha), "start " + name);
            } else if (!existing.get().running()) {
                ctx.status("Starting the stopped container " + name);
                docker.run(CommandLine.of("docker", "start", name), "start " + name);
            }
            boolean healthy = awaitHealthy(host, docker, a, name, ctx);
            State state = new State(name, endpoint(a), file, sha, healthy, true, version, secret,
                    Connections.hostKeys(host, recorded));
            if (!healthy) {
                throw ResourceException.partial(ResourceException.Kind.UNAVAILABLE, id, a, state, name + " on " + where
                        + " did not answer GET /v2/ within " + timeout(a).toSeconds() + " s. " + docker.logsTail(name));
            }
            return state;
        }
    }

    static CommandLine runCommand(Args a, String image, String name, String configFile, String sha) {
        String bind = a.bindAddress() == null ? "0.0.0.0" : a.bindAddress();
        String publish = (bind.contains(":") ? "[" + bind + "]" : bind) + ":" + a.upstream().port() + ":5000";
        return CommandLine.of("docker", "run", "-d", "--name", name, "--restart", "always",
                "-p", publish,
                "-v", configFile + ":" + DistributionConfig.CONTAINER_PATH + ":ro",
                "-v", a.dataDir() + ":" + DistributionConfig.DATA_PATH,
                "--label", LABEL + "=true",
                "--label", "io.imagecache.config-sha256=" + sha,
                "--label", "io.imagecache.upstream=" + a.upstream().effectiveRemoteUrl(),
                "--log-opt", "max-size=10m", "--log-opt", "max-file=3",
                image, "serve", DistributionConfig.CONTAINER_PATH);
    }

    private void checkCredentials(Args a, Context ctx) throws ResourceException {
        UpstreamArgs u = a.upstream();
        ctx.status("Checking the credentials of " + u.username() + " at " + u.effectiveRemoteUrl());
        try {
            registry.login(u.effectiveRemoteUrl(), new Credentials(u.username(), u.password()));
        } catch (RegistryException e) {
            if (e.kind() == RegistryException.Kind.UNAUTHORIZED) {
                throw new ResourceException(ResourceException.Kind.INVALID, "upstream.password: " + e.getMessage()
                        + " (nothing was changed on the host)");
            }
            ctx.warn("could not check the credentials for " + u.effectiveRemoteUrl() + " from here (" + e.getMessage()
                    + "); the proxy will find out when it pulls");
        }
    }

    private boolean awaitHealthy(RemoteHost host, Docker docker, Args a, String name, Context ctx) throws ResourceException {
        String bind = a.bindAddress() == null ? "0.0.0.0" : a.bindAddress();
        String target = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
        long deadline = System.nanoTime() + timeout(a).toNanos();
        int attempt = 0;
        try (Tunnel t = host.tunnel(target, a.upstream().port())) {
            String url = "http://127.0.0.1:" + t.localPort();
            while (true) {
                attempt++;
                if (registry.ping(url)) {
                    return true;
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
                if (attempt % 5 == 0) {
                    ctx.status("Waiting for " + name + " to answer GET /v2/ (" + docker.state(name) + ")");
                }
                if (ctx.cancelled()) {
                    throw new ResourceException(ResourceException.Kind.CANCELLED, "cancelled while waiting for " + name);
                }
                sleep(1000);
            }
        } catch (RemoteException e) {
            throw Connections.translate(e, a.connection().describe());
        }
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
            Optional<Docker.Container> c = docker.inspect(name);
            Map<String, String> keys = Connections.hostKeys(host, recorded);
            if (req.isImport()) {
                return importFrom(req.id(), a.connection(), name, c, docker, keys);
            }
            String file = configFile(a);
            Optional<String> config = docker.read(file);
            if (c.isEmpty() && config.isEmpty()) {
                return ReadResult.gone();
            }
            boolean running = c.map(Docker.Container::running).orElse(false);
            boolean healthy = running && quickHealth(host, a);
            State s = new State(name, endpoint(a), file, config.map(RegistryProxy::sha256).orElse(null), healthy, running,
                    old == null ? null : old.distributionVersion(), old == null ? null : old.httpSecret(), keys);
            return ReadResult.of(req.id(), a, s);
        }
    }

    private boolean quickHealth(RemoteHost host, Args a) {
        String bind = a.bindAddress() == null ? "0.0.0.0" : a.bindAddress();
        String target = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
        try (Tunnel t = host.tunnel(target, a.upstream().port())) {
            return registry.ping("http://127.0.0.1:" + t.localPort());
        } catch (RemoteException e) {
            return false;
        }
    }

    /** Adopts a container (made by imagecache, or by hand the seed's way) as it is. */
    private ReadResult<Args, State> importFrom(String id, ConnectionArgs conn, String name, Optional<Docker.Container> found,
                                                  Docker docker, Map<String, String> keys) throws ResourceException {
        Docker.Container c = found.orElseThrow(() -> new ResourceException(ResourceException.Kind.NOT_FOUND,
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
        UpstreamArgs u = new UpstreamArgs(upstreamName, registryName, remote, c.publishedPort().orElse(5000),
                DistributionConfig.proxyValue(config, "username").orElse(null),
                DistributionConfig.proxyValue(config, "password").orElse(null),
                DistributionConfig.proxyValue(config, "ttl").orElse(null));
        String dataDir = c.mountSource(DistributionConfig.DATA_PATH).orElse("/var/lib/imagecache/" + upstreamName);
        String configDir = configHostPath.substring(0, configHostPath.lastIndexOf('/'));
        Args a = new Args(conn, u, c.image(), c.bindAddress(), dataDir, configDir, false, 120);
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
                docker.run(CommandLine.of("docker", "rm", "-f", name), "remove " + name);
            }
            String file = configFile(a);
            Optional<String> config = docker.read(file);
            if (config.isPresent() && config.get().startsWith(DistributionConfig.HEADER)) {
                docker.run(CommandLine.script("rm -f " + CommandLine.quote(file) + " && (rmdir "
                        + CommandLine.quote(a.configDir()) + " 2>/dev/null; true)"), "remove " + file);
            } else if (config.isPresent()) {
                req.context().warn(file + " was not written by imagecache; it was left in place");
            }
            if (Boolean.TRUE.equals(a.purgeDataOnDelete())) {
                req.context().status("Deleting the cached data in " + a.dataDir());
                docker.run(CommandLine.of("rm", "-rf", "--one-file-system", a.dataDir()), "delete " + a.dataDir());
            } else {
                req.context().info("the cached data stays in " + a.dataDir() + " on " + a.connection().describe()
                        + " (set purgeDataOnDelete to remove it)");
            }
        }
    }

    // --- Docker over SSH --------------------------------------------------------------------------

    /** The docker CLI on the host, with failures that name the host. */
    static final class Docker extends HostOps {
        Docker(RemoteHost host, String where) {
            super(host, where);
        }

        /** What {@code docker inspect} says of a container. */
        record Container(String image, boolean running, String status, Map<String, String> labels, Map<String, String> mounts,
                         String ports) {
            boolean managed() {
                return "true".equals(labels.get(LABEL));
            }

            String configSha() {
                return labels.getOrDefault("io.imagecache.config-sha256", "");
            }

            boolean publishes(Integer port) {
                return port != null && publishedPort().map(port::equals).orElse(false);
            }

            Optional<Integer> publishedPort() {
                Matcher m = Pattern.compile("5000/tcp=[^;]*?:(\\d+)").matcher(ports);
                return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
            }

            String bindAddress() {
                Matcher m = Pattern.compile("5000/tcp=([^;]*?):\\d+").matcher(ports);
                String b = m.find() ? m.group(1) : "0.0.0.0";
                return b.isEmpty() ? "0.0.0.0" : b;
            }

            boolean bindMatches(String bind) {
                return bindAddress().equals(bind == null ? "0.0.0.0" : bind);
            }

            Optional<String> mountSource(String destination) {
                return Optional.ofNullable(mounts.get(destination));
            }
        }

        void requireDocker() throws ResourceException {
            ExecResult r = run(CommandLine.script("docker version --format '{{.Server.Version}}'"), null);
            if (!r.ok()) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "Docker does not answer on " + where
                        + " (`docker version`: " + r.message() + "); install Docker (Debian: apt-get install docker.io) "
                        + "and start it");
            }
        }

        Optional<Container> inspect(String name) throws ResourceException {
            String format = "{{.Config.Image}}|{{.State.Running}}|{{.State.Status}}|"
                    + "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}|"
                    + "{{range .Mounts}}{{.Destination}}={{.Source}};{{end}}|"
                    + "{{range $p, $b := .HostConfig.PortBindings}}{{range $b}}{{$p}}={{.HostIp}}:{{.HostPort}};{{end}}{{end}}";
            ExecResult r = run(CommandLine.of("docker", "inspect", "--type", "container", "-f", format, name), null);
            if (!r.ok()) {
                if (r.message().contains("No such")) {
                    return Optional.empty();
                }
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "docker inspect " + name + " on "
                        + where + " failed: " + r.message());
            }
            String[] f = r.stdout().strip().split("\\|", -1);
            return Optional.of(new Container(f[0], f[1].equals("true"), f[2], pairs(f[3]), pairs(f[4]), f[5]));
        }

        private static Map<String, String> pairs(String s) {
            Map<String, String> m = new java.util.TreeMap<>();
            for (String kv : s.split(";")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    m.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
            }
            return m;
        }

        String state(String name) throws ResourceException {
            ExecResult r = run(CommandLine.of("docker", "inspect", "-f", "{{.State.Status}}, restarted {{.RestartCount}} times",
                    name), null);
            return r.ok() ? r.stdout().strip() : "no container";
        }

        String logsTail(String name) throws ResourceException {
            ExecResult r = run(CommandLine.script("docker logs --tail 15 " + CommandLine.quote(name) + " 2>&1"), null);
            String logs = r.stdout().strip();
            String hint = logs.contains("panic") || logs.contains("dial tcp") || logs.contains("no such host")
                    ? " A distribution proxy cannot start while its upstream does not answer: check remoteUrl and that the "
                    + "host reaches it." : "";
            return "Its last log lines:\n" + logs + hint;
        }

        /** Fails with what holds {@code port} if something listens on it already. */
        void requirePortFree(int port, String bind) throws ResourceException {
            ExecResult ss = run(CommandLine.script("ss -Hltn 'sport = :" + port + "'"), null);
            if (!ss.ok() || ss.stdout().isBlank()) {
                return;
            }
            ExecResult byDocker = run(CommandLine.of("docker", "ps", "--filter", "publish=" + port, "--format", "{{.Names}}"), null);
            String holder;
            if (byDocker.ok() && !byDocker.stdout().isBlank()) {
                holder = "the container " + byDocker.stdout().strip().replace('\n', ',');
            } else {
                ExecResult p = run(CommandLine.script("ss -Hltnp 'sport = :" + port + "'"), null);
                Matcher m = Pattern.compile("users:\\(\\(\"([^\"]+)\",pid=(\\d+)").matcher(p.stdout());
                holder = m.find() ? "the process " + m.group(1) + " (pid " + m.group(2) + ")" : "another program";
            }
            throw new ResourceException(ResourceException.Kind.INVALID, "port " + port + " on " + where + " is already in use by "
                    + holder + ": choose another upstream.port or stop it (nothing was changed)");
        }

        void ensureImage(String image, Context ctx) throws ResourceException {
            if (run(CommandLine.of("docker", "image", "inspect", image), null).ok()) {
                return;
            }
            ctx.status("Pulling " + image + " on " + where);
            run(CommandLine.of("docker", "pull", "-q", image), "pull " + image + " (the host must reach its registry, "
                    + "or load the image there first)");
        }

        /** The distribution version of {@code image}: {@code registry --version} in a throw-away container. */
        String distributionVersion(String image) throws ResourceException {
            ExecResult r = run(CommandLine.of("docker", "run", "--rm", "--entrypoint", "registry", image, "--version"), null);
            Matcher m = Pattern.compile("\\bv?(\\d+\\.\\d+\\.\\d+)").matcher(r.stdout());
            if (!r.ok() || !m.find()) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, image + " on " + where
                        + " does not look like a distribution registry image (`registry --version`: " + r.message() + ")");
            }
            return m.group(1);
        }

    }
}
