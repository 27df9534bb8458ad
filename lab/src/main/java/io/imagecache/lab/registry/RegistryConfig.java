package io.imagecache.lab.registry;

import java.util.Optional;

/**
 * Renders distribution's config.yml for the {@link LocalRegistry} modes. Pure. The htpasswd file and the token
 * issuer's certificate live next to config.yml ({@link LocalRegistry.Distribution#configDir()}).
 */
final class RegistryConfig {
    static final String HTPASSWD = htpasswd(LocalRegistry.Distribution.V2_8.configDir());
    static final String ROOT_CERTS = rootCerts(LocalRegistry.Distribution.V2_8.configDir());

    private RegistryConfig() {}

    static String htpasswd(String configDir) {
        return configDir + "/htpasswd";
    }

    static String rootCerts(String configDir) {
        return configDir + "/token-issuer.pem";
    }

    /** The config for distribution 2.8's layout. */
    static String render(boolean htpasswd, Optional<String> tokenRealm, Optional<LocalRegistry.Proxy> proxy) {
        return render(LocalRegistry.Distribution.V2_8.configDir(), htpasswd, tokenRealm, proxy);
    }

    /**
     * The config with its auxiliary files under {@code configDir}. {@code version: 0.1} is what both 2.8 and 3.x
     * parse (3.x still has only that config version).
     */
    static String render(String configDir, boolean htpasswd, Optional<String> tokenRealm, Optional<LocalRegistry.Proxy> proxy) {
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
                    .append("    path: ").append(htpasswd(configDir)).append('\n');
        }
        tokenRealm.ifPresent(realm -> y.append("auth:\n")
                .append("  token:\n")
                .append("    realm: ").append(quote(realm)).append('\n')
                .append("    service: ").append(quote(TokenServer.SERVICE)).append('\n')
                .append("    issuer: ").append(quote(TokenServer.ISSUER)).append('\n')
                .append("    rootcertbundle: ").append(rootCerts(configDir)).append('\n'));
        proxy.ifPresent(p -> {
            y.append("proxy:\n").append("  remoteurl: ").append(quote(p.remoteUrl())).append('\n');
            p.credentials().ifPresent(c -> y
                    .append("  username: ").append(quote(c.username())).append('\n')
                    .append("  password: ").append(quote(c.password())).append('\n'));
            p.ttl().ifPresent(ttl -> y.append("  ttl: ").append(ttl).append('\n'));
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
