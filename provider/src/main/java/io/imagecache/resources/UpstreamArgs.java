package io.imagecache.resources;

import io.imagecache.spi.ObjectType;
import java.util.List;
import io.imagecache.spi.Prop;

/** One upstream registry and the local port its pull-through cache listens on. */
@ObjectType(token = "imagecache:index:Upstream",
        description = "An upstream registry to cache: `ghcr.io` on port 5010, say. One distribution proxy serves one upstream.")
public record UpstreamArgs(
        @Prop(description = "A short name, e.g. `ghcr`: the proxy's container is `registry-<name>`.", required = true,
                replaceOnChanges = true)
        String name,
        @Prop(description = "The registry namespace containerd sees in image names, e.g. `ghcr.io` or `docker.io`.",
                required = true)
        String registry,
        @Prop(description = "The upstream's URL. Default: `https://<registry>`, and `https://registry-1.docker.io` for "
                + "docker.io.")
        String remoteUrl,
        @Prop(description = "The port the proxy is published on, e.g. 5010.", required = true, replaceOnChanges = true)
        Integer port,
        @Prop(description = "Upstream user name (with `password`), e.g. for Docker Hub's higher pull limits.")
        String username,
        @Prop(description = "Upstream password or token.", secret = true)
        String password,
        @Prop(description = "How long cached content lives, a Go duration such as `168h` (distribution 3.x only; "
                + "`0` keeps it forever).")
        String ttl) {

    /** The runbook's five upstreams, each with its real URL (tests and users on a lab give their own): the
     * default of every `upstreams` input. */
    public static final List<UpstreamArgs> RUNBOOK = List.of(
            new UpstreamArgs("docker", "docker.io", "https://registry-1.docker.io", 5000, null, null, null),
            new UpstreamArgs("ghcr", "ghcr.io", "https://ghcr.io", 5010, null, null, null),
            new UpstreamArgs("quay", "quay.io", "https://quay.io", 5020, null, null, null),
            new UpstreamArgs("k8s", "registry.k8s.io", "https://registry.k8s.io", 5030, null, null, null),
            new UpstreamArgs("kyverno", "reg.kyverno.io", "https://reg.kyverno.io", 5040, null, null, null));

    /** {@code https://registry-1.docker.io} for docker.io, else {@code https://<registry>}. */
    public static String defaultRemoteUrl(String registry) {
        return registry == null ? null
                : registry.equals("docker.io") || registry.equals("index.docker.io") ? "https://registry-1.docker.io"
                : "https://" + registry;
    }

    public String effectiveRemoteUrl() {
        return remoteUrl != null ? remoteUrl : defaultRemoteUrl(registry);
    }
}
