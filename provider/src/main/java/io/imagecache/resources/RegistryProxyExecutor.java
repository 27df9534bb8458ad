package io.imagecache.resources;

import io.imagecache.hosts.docker.Docker;
import io.imagecache.spi.Context;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.CommandLine;

/** Carries out a {@link RegistryProxyPlan.Actions} on a Docker host, in order: directories, config, container. */
final class RegistryProxyExecutor {
    private RegistryProxyExecutor() {}

    static void execute(Docker docker, RegistryProxyPlan.Actions actions, RegistryProxy.Args a, String name, String image,
                        String config, String sha, Context ctx) throws ResourceException {
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
            ctx.status("Writing " + file + " (0600)");
            docker.write(file, config, 0600);
        }
        if (actions.removeContainer()) {
            ctx.status("Replacing container " + name);
            docker.remove(name);
        }
        if (actions.runContainer()) {
            ctx.status("Starting " + name + " (" + image + ", port " + a.upstream().port() + ")");
            docker.run(RegistryProxyPlan.runCommand(a, image, name, sha), "start " + name);
        } else if (actions.startContainer()) {
            ctx.status("Starting the stopped container " + name);
            docker.start(name);
        }
    }
}
