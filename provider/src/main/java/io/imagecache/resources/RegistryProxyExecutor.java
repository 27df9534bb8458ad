package io.imagecache.resources;

import io.imagecache.distribution.DistributionConfig;
import io.imagecache.hosts.docker.ContainerInfo;
import io.imagecache.hosts.docker.Docker;
import io.imagecache.spi.Context;
import io.imagecache.spi.Owner;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.CommandLine;
import java.util.List;
import java.util.Optional;

/** Carries out a {@link RegistryProxyPlan.Actions} on a Docker host, in order: directories, config, container. */
final class RegistryProxyExecutor {
    private RegistryProxyExecutor() {}

    /** The container made is labelled with {@code us} and the image's distribution {@code version}. */
    static void execute(Docker docker, RegistryProxyPlan.Actions actions, RegistryProxy.Args a, String name, String image,
                        String config, String sha, String version, Optional<Owner> us, Context ctx) throws ResourceException {
        for (RegistryProxyPlan.DirAction d : actions.dirs()) {
            if (d.mkdir()) {
                docker.run(CommandLine.of("mkdir", "-p", d.path()), "create " + d.path());
            }
            if (d.marker().isPresent()) {
                docker.write(ProxyMarker.path(d.path()), d.marker().get().render(), 0644);
            }
        }
        String file = RegistryProxy.configFile(a);
        if (actions.writeConfig()) {
            if (actions.configBackup().isPresent()) {
                RegistryProxyPlan.ConfigBackup b = actions.configBackup().get();
                docker.run(CommandLine.script("cp -p " + CommandLine.quote(file) + " " + CommandLine.quote(b.path())
                        + " && chmod 600 " + CommandLine.quote(b.path())), "back up " + file);
                ctx.warn(file + " on " + docker.where() + " " + b.why() + "; it was saved as " + b.path()
                        + " (0600) and written again");
            }
            ctx.status("Writing " + file + " (0600)");
            docker.write(file, config, 0600);
        }
        if (actions.removeContainer()) {
            ctx.status("Replacing container " + name);
            docker.remove(name);
        }
        if (actions.runContainer()) {
            ctx.status("Starting " + name + " (" + image + ", port " + a.upstream().port() + ")");
            docker.run(RegistryProxyPlan.runCommand(a, image, name, sha, us, version), "start " + name);
        } else if (actions.startContainer()) {
            ctx.status("Starting the stopped container " + name);
            docker.start(name);
        }
    }

    /**
     * Refresh: a marker of this proxy written by an older version (it names no stack) is rewritten naming {@code us},
     * so that from now on another stack is refused. Nothing else is written; markers that name a stack are left alone.
     */
    static void adoptLegacyMarkers(Docker docker, Docker.HostView view, String name, Optional<Owner> us, Context ctx)
            throws ResourceException {
        if (us.isEmpty()) {
            return;
        }
        for (Docker.DirLook d : view.dirs()) {
            Optional<ProxyMarker> m = d.marker().flatMap(ProxyMarker::parse);
            if (m.isPresent() && m.get().owner().equals(name) && m.get().claim(us) == Owner.Claim.LEGACY) {
                ctx.info(ProxyMarker.path(d.path()) + " now names the stack " + us.get().stackId() + " (adopted)");
                docker.write(ProxyMarker.path(d.path()), new ProxyMarker(name, m.get().upstream(), m.get().created(), us).render(), 0644);
            }
        }
    }

    /**
     * The host in one command ({@link Docker#probe}): the container (with {@code all}, every other one and the
     * listeners too), {@code dataDir} (its filesystem's free space) and {@code configDir} with their markers, the config
     * file, and {@code image}'s ID when it is not null.
     */
    static Docker.HostView probe(Docker docker, RegistryProxy.Args a, String name, boolean all, String image)
            throws ResourceException {
        return docker.probe(name, all, image, ProxyMarker.FILE, RegistryProxy.configFile(a), List.of(a.dataDir(), a.configDir()));
    }

    /** What the host looks like before an apply: the container, every other one, listeners, directories, config. */
    static RegistryProxyPlan.Observed observe(Docker.HostView view, RegistryProxy.Args a, String name) {
        return new RegistryProxyPlan.Observed(view.container(name), view.others(name), view.listeners(), dir(view.dirs().get(0)),
                dir(view.dirs().get(1)), view.config());
    }

    static RegistryProxyPlan.Dir dir(Docker.DirLook d) {
        return new RegistryProxyPlan.Dir(d.path(), d.state(), d.marker().flatMap(ProxyMarker::parse));
    }

    /**
     * Delete: the container, our config file and the config directory's marker; the data only with
     * {@code purgeDataOnDelete} and only when its marker says this proxy made it from nothing (else a warning). Kept
     * data is released: its marker no longer names a stack, so the next proxy of this name adopts it.
     */
    static void remove(Docker docker, RegistryProxy.Args a, String name, Context ctx) throws ResourceException {
        remove(docker, a, name, Optional.empty(), ctx);
    }

    /**
     * As above for the stack {@code us}: when the container or a directory is another stack's (its owner label or
     * marker says so), nothing is touched and the delete fails naming that stack.
     */
    static void remove(Docker docker, RegistryProxy.Args a, String name, Optional<Owner> us, Context ctx)
            throws ResourceException {
        Docker.HostView view = probe(docker, a, name, false, null);
        Optional<ContainerInfo> existing = view.container(name);
        RegistryProxyPlan.Dir data = dir(view.dirs().get(0));
        RegistryProxyPlan.Dir conf = dir(view.dirs().get(1));
        RegistryProxyPlan.Observed seen = new RegistryProxyPlan.Observed(existing, List.of(), List.of(), data, conf,
                Optional.empty());
        Optional<String> foreign = RegistryProxyPlan.ownerRefusal(seen, name, docker.where(), us, Owner.Op.DELETE);
        if (foreign.isPresent()) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, foreign.get());
        }
        if (existing.isPresent()) {
            docker.remove(name);
        }
        String file = RegistryProxy.configFile(a);
        Optional<String> config = view.config();
        if (config.isPresent() && config.get().startsWith(DistributionConfig.HEADER)) {
            docker.run(CommandLine.of("rm", "-f", file), "remove " + file);
        } else if (config.isPresent()) {
            ctx.warn(file + " was not written by imagecache; it was left in place");
        }
        if (conf.marker().map(m -> m.owner().equals(name)).orElse(false)) {
            docker.run(CommandLine.script("rm -f " + CommandLine.quote(ProxyMarker.path(a.configDir())) + " && (rmdir "
                    + CommandLine.quote(a.configDir()) + " 2>/dev/null; true)"), "remove " + ProxyMarker.path(a.configDir()));
        }
        if (!Boolean.TRUE.equals(a.purgeDataOnDelete())) {
            ctx.info("the cached data stays in " + a.dataDir() + " on " + a.connection().describe()
                    + " (set purgeDataOnDelete to remove it)");
            if (data.marker().isPresent() && data.marker().get().owner().equals(name) && data.marker().get().stack().isPresent()) {
                // released: the next proxy of this name, in whichever stack, adopts the cache it left
                ProxyMarker m = data.marker().get();
                docker.write(ProxyMarker.path(a.dataDir()), new ProxyMarker(name, m.upstream(), m.created()).render(), 0644);
            }
            return;
        }
        Optional<String> refusal = RegistryProxyPlan.purgeRefusal(data, name);
        if (refusal.isPresent()) {
            ctx.warn("purgeDataOnDelete: " + refusal.get() + "; the data was kept (delete it by hand if it "
                    + "is no longer needed)");
            return;
        }
        ctx.status("Deleting the cached data in " + a.dataDir());
        docker.run(CommandLine.of("rm", "-rf", "--one-file-system", a.dataDir()), "delete " + a.dataDir());
    }
}
