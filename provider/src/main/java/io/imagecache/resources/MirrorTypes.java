package io.imagecache.resources;

import io.imagecache.spi.ObjectType;
import io.imagecache.spi.Prop;
import java.util.List;
import java.util.Map;

/** The object types of a mirror's per-host settings (see {@link ContainerdMirror.MirrorArgs}). */
public final class MirrorTypes {
    private MirrorTypes() {}

    @ObjectType(token = "imagecache:index:ServerSettings",
            description = "Settings for a mirror's `server`: the top-level fields of hosts.toml.")
    public record ServerSettings(
            @Prop(description = "What the server may be used for. Default: everything containerd allows (pull, resolve, "
                    + "push, and referrers on 2.2+), as in hosts.toml without a capabilities line.")
            List<String> capabilities,
            @Prop(description = "Skip TLS verification of the server (https only).")
            Boolean skipVerify,
            @Prop(description = "CA certificate files for the server, absolute paths on the node.")
            List<String> ca,
            @Prop(description = "TLS client certificates for the server.")
            List<ClientCertificate> client,
            @Prop(description = "Use the server URL's path as the API root.")
            Boolean overridePath,
            @Prop(description = "TCP connect timeout for the server, a Go duration (containerd 2.0.7/2.1+).")
            String dialTimeout,
            @Prop(description = "HTTP headers sent to the server: name -> values.")
            Map<String, List<String>> header) {}

    @ObjectType(token = "imagecache:index:MirrorHost",
            description = "One mirror of a registry with its own settings: a `[host.\"<url>\"]` table in hosts.toml.")
    public record MirrorHost(
            @Prop(description = "The mirror's URL, e.g. `https://mirror.example.com` or `http://10.0.20.10:5000`.",
                    required = true)
            String url,
            @Prop(description = "`pull`, `resolve`, `push`, `referrers` (containerd 2.2+). Default: `[\"pull\", \"resolve\"]`.")
            List<String> capabilities,
            @Prop(description = "Skip TLS verification (https only).")
            Boolean skipVerify,
            @Prop(description = "CA certificate files, absolute paths on the node (https only).")
            List<String> ca,
            @Prop(description = "TLS client certificates (https only).")
            List<ClientCertificate> client,
            @Prop(description = "Use the URL's path as the API root (`/v2` is not appended).")
            Boolean overridePath,
            @Prop(description = "TCP connect timeout, a Go duration such as `1s` (containerd 2.0.7/2.1+).")
            String dialTimeout,
            @Prop(description = "HTTP headers sent to this mirror: name -> values.")
            Map<String, List<String>> header) {}

    @ObjectType(token = "imagecache:index:ClientCertificate",
            description = "A TLS client certificate on the node for mutual TLS with a mirror.")
    public record ClientCertificate(
            @Prop(description = "The certificate file (absolute path); it holds the private key too when `key` is unset.",
                    required = true)
            String cert,
            @Prop(description = "The private key file (absolute path).")
            String key) {}
}
