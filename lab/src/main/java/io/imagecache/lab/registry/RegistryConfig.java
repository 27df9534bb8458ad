package io.imagecache.lab.registry;

import java.util.Optional;

/** Renders distribution's config.yml for the {@link LocalRegistry} modes. Pure. */
final class RegistryConfig {
    static final String HTPASSWD = "/etc/docker/registry/htpasswd";
    static final String ROOT_CERTS = "/etc/docker/registry/token-issuer.pem";

    private RegistryConfig() {}

    static String render(boolean htpasswd, Optional<String> tokenRealm, Optional<LocalRegistry.Proxy> proxy) {
        if (htpasswd && tokenRealm.isPresent()) {
            throw new IllegalArgumentException("a registry uses either htpasswd or token authentication, not both");
        }
        StringBuilder y = new StringBuilder();
        y.append("version: 0.1\n")
                .append("log:\n")
                .append("  level: info\n")
                .append("  fields:\n")
                .append("    service: registry\n")
                .append("storage:\n")
                .append("  cache:\n")
                .append("    blobdescriptor: inmemory\n")
                .append("  filesystem:\n")
                .append("    rootdirectory: /var/lib/registry\n")
                .append("  delete:\n")
                .append("    enabled: true\n")
                .append("http:\n")
                .append("  addr: :5000\n")
                .append("  headers:\n")
                .append("    X-Content-Type-Options: [nosniff]\n");
        if (htpasswd) {
            y.append("auth:\n")
                    .append("  htpasswd:\n")
                    .append("    realm: imagecache-lab\n")
                    .append("    path: ").append(HTPASSWD).append('\n');
        }
        tokenRealm.ifPresent(realm -> y.append("auth:\n")
                .append("  token:\n")
                .append("    realm: ").append(quote(realm)).append('\n')
                .append("    service: ").append(quote(TokenServer.SERVICE)).append('\n')
                .append("    issuer: ").append(quote(TokenServer.ISSUER)).append('\n')
                .append("    rootcertbundle: ").append(ROOT_CERTS).append('\n'));
        proxy.ifPresent(p -> {
            y.append("proxy:\n").append("  remoteurl: ").append(quote(p.remoteUrl())).append('\n');
            p.credentials().ifPresent(c -> y
                    .append("  username: ").append(quote(c.username())).append('\n')
                    .append("  password: ").append(quote(c.password())).append('\n'));
        });
        return y.toString();
    }

    /** A YAML double-quoted scalar. */
    static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\t' -> q.append("\\t");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format("\\x%02x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }
}
