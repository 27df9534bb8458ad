package io.imagecache.resources;

import io.imagecache.distribution.DistributionConfig;
import io.imagecache.hosts.docker.ContainerInfo;
import io.imagecache.hosts.docker.DirState;
import io.imagecache.hosts.docker.Listener;
import io.imagecache.spi.Owner;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.CommandLine;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What applying a RegistryProxy does to a Docker host: {@code inputs + observed host state -> actions}. Pure: the
 * refusals (a foreign container of the same name, a port or a directory another one holds) come before anything is
 * changed, and {@link RegistryProxyExecutor} carries the actions out.
 */
final class RegistryProxyPlan {
    private RegistryProxyPlan() {}

    static final String LABEL = "io.imagecache.managed";
    static final String SHA_LABEL = "io.imagecache.config-sha256";
    /** The stack and resource that made the container: {@link Owner#line()}. */
    static final String OWNER_LABEL = "io.imagecache.owner";
    /**
     * The distribution version of the image the container was made from ({@code registry --version}, asked when it
     * was made): another proxy of the same image on the host need not start a throw-away container to learn it.
     */
    static final String VERSION_LABEL = "io.imagecache.distribution-version";
    private static final Pattern VERSION = Pattern.compile("\\d+\\.\\d+\\.\\d+");
    /** The only program our container runs, and its arguments: the image's own ENTRYPOINT and CMD never count. */
    static final List<String> ENTRYPOINT = List.of("registry");
    static final List<String> CMD = List.of("serve", DistributionConfig.CONTAINER_PATH);

    /** A directory the proxy uses, as found on the host. */
    record Dir(String path, DirState state, Optional<ProxyMarker> marker) {}

    /** What the host looks like before the apply. */
    record Observed(Optional<ContainerInfo> existing, List<ContainerInfo> others, List<Listener> listeners, Dir dataDir,
                    Dir configDir, Optional<String> currentConfig) {}

    /** A directory to create and/or mark; {@code marker} empty: leave it as it is. */
    record DirAction(String path, boolean mkdir, Optional<ProxyMarker> marker) {}

    /**
     * The config.yml found, saved before it is replaced: {@code path} (beside it, 0600 like the file: it can hold
     * credentials) and why, for the warning.
     */
    record ConfigBackup(String path, String why) {}

    /**
     * What to do, in order: directories, the config file (saved first when {@code configBackup} says so), the
     * container.
     */
    record Actions(List<DirAction> dirs, boolean writeConfig, boolean removeContainer, boolean runContainer,
                   boolean startContainer, Optional<ConfigBackup> configBackup) {
        Actions(List<DirAction> dirs, boolean writeConfig, boolean removeContainer, boolean runContainer,
                boolean startContainer) {
            this(dirs, writeConfig, removeContainer, runContainer, startContainer, Optional.empty());
        }

        boolean changesNothing() {
            return dirs.isEmpty() && !writeConfig && !removeContainer && !runContainer && !startContainer;
        }
    }

    /** As {@link #preflight(RegistryProxy.Args, String, boolean, Observed, String, Optional)} for a caller with no stack. */
    static void preflight(RegistryProxy.Args a, String name, boolean creating, Observed o, String where) throws ResourceException {
        preflight(a, name, creating, o, where, Optional.empty());
    }

    /**
     * The refusals that need no image: each names what holds the thing and says nothing was changed. {@code us} is the
     * stack applying; a container or a directory another stack marks is refused first ({@link #ownerRefusal}).
     */
    static void preflight(RegistryProxy.Args a, String name, boolean creating, Observed o, String where,
                          Optional<Owner> us) throws ResourceException {
        Optional<String> foreign = ownerRefusal(o, name, where, us, creating ? Owner.Op.CREATE : Owner.Op.UPDATE);
        if (foreign.isPresent()) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, foreign.get());
        }
        if (creating && o.currentConfig().isPresent() && !o.currentConfig().get().startsWith(DistributionConfig.HEADER)) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, RegistryProxy.configFile(a) + " on "
                    + where + " exists and was not written by imagecache (it lacks the header \"" + DistributionConfig.HEADER
                    + "\"): it may be another registry's config, and is not overwritten. Move it away, give this proxy "
                    + "another configDir, or import the proxy that uses it (pulumi import imagecache:index:RegistryProxy "
                    + "<name> " + ImportId.format(a.connection(), "/<container>") + ") (nothing was changed)");
        }
        if (creating && o.existing().isPresent() && !isManaged(o.existing().get())) {
            throw new ResourceException(ResourceException.Kind.INVALID, "a container named " + name + " already exists on "
                    + where + " and was not made by imagecache: import it (pulumi import imagecache:index:RegistryProxy <name> "
                    + ImportId.format(a.connection(), "/" + name) + ") or remove it");
        }
        for (Dir d : List.of(o.dataDir(), o.configDir())) {
            String prop = d == o.dataDir() ? "dataDir" : "configDir";
            if (d.marker().isPresent() && !d.marker().get().owner().equals(name)) {
                throw new ResourceException(ResourceException.Kind.INVALID, prop + " " + d.path() + " on " + where
                        + " belongs to the proxy " + d.marker().get().owner()
                        + d.marker().get().stack().map(st -> " of " + st.describe()).orElse("") + " (see " + ProxyMarker.path(d.path())
                        + "): two proxies sharing a directory corrupt each other; give this proxy its own (nothing was changed)");
            }
            if (d.state() == DirState.NOT_A_DIRECTORY) {
                throw new ResourceException(ResourceException.Kind.INVALID, prop + " " + d.path() + " on " + where
                        + " is a file or a symbolic link, not a directory: give a directory path (nothing was changed)");
            }
            for (ContainerInfo c : o.others()) {
                for (String source : c.mounts().values()) {
                    if (inside(source, d.path())) {
                        throw new ResourceException(ResourceException.Kind.INVALID, prop + " " + d.path() + " on " + where
                                + " is in use by the container " + c.name() + " (it mounts " + source + "): give this proxy "
                                + "a directory of its own (nothing was changed)");
                    }
                }
            }
        }
        if (creating && Boolean.TRUE.equals(a.purgeDataOnDelete()) && o.dataDir().state() == DirState.NONEMPTY
                && o.dataDir().marker().isEmpty()) {
            throw new ResourceException(ResourceException.Kind.INVALID, "dataDir " + a.dataDir() + " on " + where
                    + " already holds files that this proxy did not make, and purgeDataOnDelete would delete them: choose a "
                    + "new or empty directory, or leave purgeDataOnDelete off (nothing was changed)");
        }
        requirePortFree(a, o, where);
    }

    /**
     * Why stack {@code us} must not {@code op} the proxy {@code name} as observed: its container's owner label or a
     * directory's marker names another stack (or, on create, another resource of this stack). Empty: go ahead.
     */
    static Optional<String> ownerRefusal(Observed o, String name, String where, Optional<Owner> us, Owner.Op op) {
        if (o.existing().isPresent() && isManaged(o.existing().get())) {
            Optional<Owner> found = owner(o.existing().get());
            Optional<String> r = Owner.refusal(Owner.claim(true, found, us), found, us, op, "the container " + name + " on " + where);
            if (r.isPresent()) {
                return r;
            }
        }
        for (Dir d : List.of(o.configDir(), o.dataDir())) {
            if (d.marker().isPresent() && d.marker().get().owner().equals(name)) {
                ProxyMarker m = d.marker().get();
                Optional<String> r = Owner.refusal(m.claim(us), m.stack(), us, op, (d == o.dataDir() ? "dataDir " : "configDir ")
                        + d.path() + " on " + where + " (see " + ProxyMarker.path(d.path()) + ")");
                if (r.isPresent()) {
                    return r;
                }
            }
        }
        return Optional.empty();
    }

    /** The stack a container's {@link #OWNER_LABEL} names; empty for a container of an older version. */
    static Optional<Owner> owner(ContainerInfo c) {
        return c.label(OWNER_LABEL).flatMap(Owner::find);
    }

    /** The port must not be published or listened on by anything else on an overlapping address. */
    static void requirePortFree(RegistryProxy.Args a, Observed o, String where) throws ResourceException {
        int port = a.upstream().port();
        String bind = bind(a);
        for (ContainerInfo c : o.others()) {
            for (ContainerInfo.PortBinding p : c.ports()) {
                if (p.hostPort() == port && Listener.overlaps(p.address(), bind)) {
                    throw portInUse(port, bind, where, "the container " + c.name() + " (" + p.address() + ":" + port + ")");
                }
            }
        }
        boolean ours = o.existing().map(c -> c.ports().stream().anyMatch(p -> p.hostPort() == port)).orElse(false);
        if (ours) {
            return; // what listens is our own container's docker-proxy: it goes when the container is replaced
        }
        for (Listener l : o.listeners()) {
            if (l.port() == port && Listener.overlaps(l.address(), bind)) {
                throw portInUse(port, bind, where, l.process().map(p -> "the process " + p + l.pid().map(x -> " (pid " + x + ")")
                        .orElse("")).orElse("another program") + " on " + l.address());
            }
        }
    }

    private static ResourceException portInUse(int port, String bind, String where, String holder) {
        return new ResourceException(ResourceException.Kind.INVALID, "port " + port + " on " + where + " (address " + bind
                + ") is already in use by " + holder + ": choose another upstream.port or bindAddress, or stop it (nothing "
                + "was changed)");
    }

    /** The actions that bring the host to {@code config} (whose SHA-256 is {@code sha}) running {@code image}. */
    static Actions plan(RegistryProxy.Args a, String name, String image, String config, String sha, Observed o) {
        return plan(a, name, image, config, sha, o, Optional.empty());
    }

    /**
     * As {@link #plan(RegistryProxy.Args, String, String, String, String, Observed)}, with the markers naming {@code us}
     * (a marker that names no stack, an older version's, is rewritten naming it: adopted).
     */
    static Actions plan(RegistryProxy.Args a, String name, String image, String config, String sha, Observed o,
                        Optional<Owner> us) {
        return plan(a, name, image, config, sha, o, us, null, "0");
    }

    /**
     * As above, for a proxy whose last apply wrote a config of SHA-256 {@code lastSha} (null: unknown, e.g. on create):
     * a config.yml that is about to be replaced and is not what imagecache last wrote (edited by hand, invalid YAML, or
     * hand-made) is first saved as {@code config.yml.imagecache-<stamp>.bak}, so no edit is lost.
     */
    static Actions plan(RegistryProxy.Args a, String name, String image, String config, String sha, Observed o,
                        Optional<Owner> us, String lastSha, String stamp) {
        List<DirAction> dirs = new ArrayList<>();
        String upstream = a.upstream().effectiveRemoteUrl();
        for (Dir d : List.of(o.dataDir(), o.configDir())) {
            boolean mkdir = d.state() == DirState.MISSING;
            ProxyMarker wanted = d.marker().map(m -> new ProxyMarker(name, upstream, m.created(), us.or(m::stack)))
                    .orElse(new ProxyMarker(name, upstream, d.state() != DirState.NONEMPTY, us));
            if (mkdir || d.marker().map(m -> !m.equals(wanted)).orElse(true)) {
                dirs.add(new DirAction(d.path(), mkdir, Optional.of(wanted)));
            }
        }
        boolean writeConfig = o.currentConfig().map(c -> !c.equals(config)).orElse(true);
        Optional<ContainerInfo> c = o.existing();
        boolean recreate = c.isEmpty() || writeConfig || !runsOurs(c.get(), a, image, sha);
        Optional<ConfigBackup> backup = writeConfig ? configBackupReason(o.currentConfig(), lastSha)
                .map(why -> new ConfigBackup(RegistryProxy.configFile(a) + ".imagecache-" + stamp + ".bak", why))
                : Optional.empty();
        return new Actions(dirs, writeConfig, recreate && c.isPresent(), recreate,
                !recreate && !c.get().running(), backup);
    }

    /**
     * Why the config.yml {@code current}, about to be replaced, must be saved first; empty when it is what imagecache
     * last wrote ({@code lastSha}) or there is none. Never its text (it can hold credentials).
     */
    static Optional<String> configBackupReason(Optional<String> current, String lastSha) {
        if (current.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> yaml = DistributionConfig.yamlProblem(current.get());
        if (yaml.isPresent()) {
            return Optional.of("is " + yaml.get() + " (distribution cannot start with it)");
        }
        if (!current.get().startsWith(DistributionConfig.HEADER)) {
            return Optional.of("was not written by imagecache (an adopted proxy's own config)");
        }
        if (lastSha == null || !lastSha.equals(RegistryProxy.sha256(current.get()))) {
            return Optional.of("was edited since imagecache wrote it");
        }
        return Optional.empty();
    }

    /** The container is the one {@link #runCommand} makes: our entrypoint, our config, our image, ports and mounts. */
    static boolean runsOurs(ContainerInfo c, RegistryProxy.Args a, String image, String sha) {
        return c.image().equals(image) && c.entrypoint().equals(ENTRYPOINT) && c.cmd().equals(CMD)
                && c.label(SHA_LABEL).map(sha::equals).orElse(false)
                && c.mountSource(DistributionConfig.CONTAINER_PATH).map(RegistryProxy.configFile(a)::equals).orElse(false)
                && c.mountSource(DistributionConfig.DATA_PATH).map(a.dataDir()::equals).orElse(false)
                && c.published("5000/tcp").map(p -> p.hostPort() == a.upstream().port() && p.address().equals(bind(a)))
                .orElse(false);
    }

    /**
     * The distribution version of the image {@code imageId} as one of our containers made from it says
     * ({@link #VERSION_LABEL}); empty when none does (the image is then asked). By the image's ID, not its tag: a tag
     * pulled again may name another image.
     */
    static Optional<String> knownVersion(Collection<ContainerInfo> containers, String imageId) {
        if (imageId == null || imageId.isBlank()) {
            return Optional.empty();
        }
        return containers.stream()
                .filter(c -> isManaged(c) && imageId.equals(c.imageId()))
                .flatMap(c -> c.label(VERSION_LABEL).stream())
                .filter(v -> VERSION.matcher(v).matches())
                .findFirst();
    }

    static boolean isManaged(ContainerInfo c) {
        return c.label(LABEL).map("true"::equals).orElse(false);
    }

    /** The proxy container's {@code net.ipv4.tcp_retries2} (the kernel's default is 15). */
    static final int TCP_RETRIES2 = 8;

    static CommandLine runCommand(RegistryProxy.Args a, String image, String name, String sha) {
        return runCommand(a, image, name, sha, Optional.empty(), null);
    }

    /**
     * {@code docker run} of the proxy; the container is labelled {@link #OWNER_LABEL} with {@code us} when known, and
     * {@link #VERSION_LABEL} with the image's distribution {@code version} when known.
     */
    static CommandLine runCommand(RegistryProxy.Args a, String image, String name, String sha, Optional<Owner> us,
                                  String version) {
        String bind = bind(a);
        String publish = (bind.contains(":") ? "[" + bind + "]" : bind) + ":" + a.upstream().port() + ":5000";
        List<String> cmd = new ArrayList<>(List.of("docker", "run", "-d", "--name", name, "--restart", "always",
                "-p", publish,
                "-v", RegistryProxy.configFile(a) + ":" + DistributionConfig.CONTAINER_PATH + ":ro",
                "-v", a.dataDir() + ":" + DistributionConfig.DATA_PATH,
                "--label", LABEL + "=true",
                "--label", SHA_LABEL + "=" + sha,
                "--label", "io.imagecache.upstream=" + a.upstream().effectiveRemoteUrl()));
        us.ifPresent(o -> cmd.addAll(List.of("--label", OWNER_LABEL + "=" + o.line())));
        if (version != null && VERSION.matcher(version).matches()) {
            cmd.addAll(List.of("--label", VERSION_LABEL + "=" + version));
        }
        // An upstream that vanishes without a reset (a partition, a dropped route) leaves the proxy's kept-alive
        // connection to it waiting for acknowledgements: with the kernel's 15 retransmissions a pull by tag then hangs
        // for about 15 minutes before the proxy serves what it holds (RegistryHostFaultsIT measured 962 s). Eight give
        // up after about 100 s, under the kubelet's 2-minute runtime request timeout. Per container (its own network
        // namespace); not part of runsOurs, so a proxy started without it is not replaced for it.
        cmd.addAll(List.of("--sysctl", "net.ipv4.tcp_retries2=" + TCP_RETRIES2));
        cmd.addAll(List.of("--log-opt", "max-size=10m", "--log-opt", "max-file=3",
                "--entrypoint", String.join(" ", ENTRYPOINT), image));
        cmd.addAll(CMD);
        return CommandLine.of(cmd.toArray(String[]::new));
    }

    static String bind(RegistryProxy.Args a) {
        return a.bindAddress() == null ? "0.0.0.0" : a.bindAddress();
    }

    /** {@code path} is {@code dir} or lies inside it (so a purge of {@code dir} would reach it). */
    static boolean inside(String path, String dir) {
        String x = path.endsWith("/") ? path : path + "/";
        String y = dir.endsWith("/") ? dir : dir + "/";
        return x.startsWith(y);
    }

    /** Why purge must not remove {@code data}, if it must not: it is not marked as made from nothing by this proxy. */
    static Optional<String> purgeRefusal(Dir data, String name) {
        if (data.state() == DirState.MISSING) {
            return Optional.of(data.path() + " does not exist");
        }
        if (data.state() == DirState.NOT_A_DIRECTORY) {
            return Optional.of(data.path() + " is not a directory");
        }
        if (data.marker().isEmpty()) {
            return Optional.of(data.path() + " has no marker " + ProxyMarker.FILE + " naming this proxy, so imagecache did "
                    + "not make it (a directory of a proxy made by hand, or by an older imagecache) and will not delete it");
        }
        ProxyMarker m = data.marker().get();
        if (!m.owner().equals(name)) {
            return Optional.of(data.path() + " belongs to the proxy " + m.owner() + " (see " + ProxyMarker.path(data.path()) + ")");
        }
        if (!m.created()) {
            return Optional.of(data.path() + " already held files when " + name + " took it (its marker says created: false)");
        }
        return Optional.empty();
    }
}
