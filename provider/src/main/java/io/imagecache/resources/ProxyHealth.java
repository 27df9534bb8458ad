package io.imagecache.resources;

import io.imagecache.distribution.DistributionConfig;
import io.imagecache.hosts.docker.ContainerInfo;
import io.imagecache.hosts.docker.Docker;
import io.imagecache.registry.RegistryClient;
import io.imagecache.resources.RegistryProxy.Args;
import io.imagecache.spi.Context;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.RemoteException;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.ssh.Tunnel;
import java.time.Duration;
import java.util.Optional;

/**
 * A proxy's health, asked through an SSH tunnel from the Docker host itself: it runs our config, answers
 * {@code GET /v2/}, and is in proxy mode (refuses an upload: a registry that accepts one is not a proxy).
 */
final class ProxyHealth {
    static final String PROBE_REPOSITORY = "imagecache/proxy-mode-probe";
    private final RegistryClient registry;

    ProxyHealth(RegistryClient registry) {
        this.registry = registry;
    }

    /**
     * Healthy means: the container runs our config (our entrypoint and arguments), answers {@code GET /v2/}, and
     * is in proxy mode (refuses an upload). Waits for {@code /v2/} up to the health timeout.
     */
    Optional<String> await(RemoteHost host, Docker docker, Args a, String name, Context ctx)
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
                // a registry answers a fraction of a second after its start: look again soon, then every second
                sleep(Math.min(1000, 100L << Math.min(attempt - 1, 4)));
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
                    + String.join(" ", RegistryProxyPlan.CMD) + " with " + RegistryProxy.configFile(a) + " (docker inspect shows "
                    + c.map(x -> x.entrypoint() + " " + x.cmd()).orElse("no container") + ")");
        }
        if (registry.acceptsUploads(url, PROBE_REPOSITORY)) {
            return Optional.of(name + " on " + docker.where()
                    + " answers GET /v2/ but accepts uploads: it runs as a plain registry, not a pull-through proxy. Is "
                    + (a.image() == null ? RegistryProxy.DEFAULT_IMAGE : a.image()) + " a distribution image that reads the config given to "
                    + "`registry serve`?");
        }
        return Optional.empty();
    }

    static boolean runsOurConfig(ContainerInfo c, Args a) {
        return c.entrypoint().equals(RegistryProxyPlan.ENTRYPOINT) && c.cmd().equals(RegistryProxyPlan.CMD)
                && c.mountSource(DistributionConfig.CONTAINER_PATH).map(RegistryProxy.configFile(a)::equals).orElse(false);
    }

    static String target(Args a) {
        String bind = a.bindAddress() == null ? "0.0.0.0" : a.bindAddress();
        return bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
    }

    static Duration timeout(Args a) {
        return Duration.ofSeconds(a.healthTimeoutSeconds() == null ? 120 : a.healthTimeoutSeconds());
    }

    /** For refresh: answers {@code /v2/} and refuses uploads, without waiting. */
    boolean quick(RemoteHost host, Args a) {
        try (Tunnel t = host.tunnel(target(a), a.upstream().port())) {
            String url = "http://127.0.0.1:" + t.localPort();
            return registry.ping(url) && !registry.acceptsUploads(url, PROBE_REPOSITORY);
        } catch (RemoteException e) {
            return false;
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
