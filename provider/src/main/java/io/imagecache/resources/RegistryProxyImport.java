package io.imagecache.resources;

import io.imagecache.distribution.DistributionConfig;
import io.imagecache.hosts.docker.ContainerInfo;
import io.imagecache.hosts.docker.Docker;
import io.imagecache.resources.RegistryProxy.Args;
import io.imagecache.resources.RegistryProxy.State;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.ResourceException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Import of a RegistryProxy: reads what is on the host (container, mounted config.yml) into inputs and state. */
final class RegistryProxyImport {
    private RegistryProxyImport() {}

    /** Adopts a container (made by imagecache, or by hand the seed's way) as it is. */
    static CustomResource.ReadResult<Args, State> adopt(String id, ConnectionArgs conn, String name, Optional<ContainerInfo> found,
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
        java.net.URI uri;
        try {
            uri = new java.net.URI(remote);
        } catch (java.net.URISyntaxException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null) {
            throw new ResourceException(ResourceException.Kind.INVALID, name + ": proxy.remoteurl in " + configHostPath
                    + " is not a URL with a host, e.g. https://ghcr.io; fix it there and import again");
        }
        String host = uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort());
        String registryName = host.equals("registry-1.docker.io") ? "docker.io" : host;
        UpstreamArgs u = new UpstreamArgs(upstreamName, registryName, remote, c.published("5000/tcp").map(ContainerInfo.PortBinding::hostPort).orElse(5000),
                DistributionConfig.proxyValue(config, "username").orElse(null),
                DistributionConfig.proxyValue(config, "password").orElse(null),
                DistributionConfig.proxyValue(config, "ttl").orElse(null));
        String dataDir = c.mountSource(DistributionConfig.DATA_PATH).orElse("/var/lib/imagecache/" + upstreamName);
        String configDir = configHostPath.substring(0, configHostPath.lastIndexOf('/'));
        Args a = new Args(conn, u, c.image(), c.published("5000/tcp").map(ContainerInfo.PortBinding::address).orElse("0.0.0.0"), dataDir, configDir, false, 120);
        if (!name.equals(RegistryProxy.containerName(a))) {
            throw new ResourceException(ResourceException.Kind.INVALID, "imagecache names proxy containers registry-<name>; "
                    + name + " would need renaming first: docker rename " + name + " registry-" + upstreamName);
        }
        String version = RegistryProxyPlan.knownVersion(List.of(c), c.imageId()).orElse(null);
        if (version == null) {
            version = docker.distributionVersion(c.image());
        }
        State s = new State(name, RegistryProxy.endpoint(a), RegistryProxy.configFile(a), RegistryProxy.sha256(config), c.running(), c.running(), version,
                DistributionConfig.httpSecret(config).orElse(null), keys, null);
        return CustomResource.ReadResult.of(ImportId.format(conn, "/" + name), a, s);
    }
}
