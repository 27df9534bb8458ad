package io.imagecache.distribution;

import java.util.Optional;

/**
 * What one pull-through proxy's distribution config says.
 *
 * @param name       the proxy's short name (for the log field), e.g. {@code ghcr}
 * @param remoteUrl  the upstream, e.g. {@code https://ghcr.io} or {@code https://registry-1.docker.io}
 * @param username   upstream credentials (with {@code password}); distribution holds one set per instance
 * @param ttl        how long cached content lives ({@code 168h}); distribution 3.x only
 * @param httpSecret the {@code http.secret} that signs upload state; stable across restarts
 * @param major      the distribution major version the config is for (2 or 3)
 */
public record ProxyConfig(String name, String remoteUrl, Optional<String> username, Optional<String> password,
                          Optional<String> ttl, String httpSecret, int major) {

    @Override
    public String toString() {
        return "ProxyConfig[name=" + name + ", remoteUrl=" + remoteUrl + ", username=" + username.orElse("-")
                + ", password=" + (password.isPresent() ? "****" : "-") + ", ttl=" + ttl.orElse("-") + ", major=" + major + "]";
    }
}
