package io.imagecache.resources;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * SSH credentials for a connection that names neither {@code privateKey} nor {@code password}, the way
 * {@code ssh} falls back to the user's keys: this is also what {@code pulumi import} uses, because the
 * engine hands the provider only the resource id.
 */
@FunctionalInterface
public interface DefaultCredentials {

    /** A private key (contents) and/or a password; at least one is present. */
    record Found(String privateKey, String password) {
        @Override
        public String toString() {
            return "DefaultCredentials.Found[****]";
        }
    }

    Optional<Found> find();

    /**
     * The key file named by {@code IMAGECACHE_SSH_KEY_FILE}, else {@code ~/.ssh/id_ed25519},
     * {@code id_ecdsa} or {@code id_rsa}; the password in {@code IMAGECACHE_SSH_PASSWORD}.
     */
    static DefaultCredentials fromEnvironment() {
        return () -> {
            String keyEnv = System.getenv("IMAGECACHE_SSH_KEY_FILE");
            Path home = Path.of(System.getProperty("user.home"), ".ssh");
            List<Path> candidates = keyEnv != null && !keyEnv.isBlank() ? List.of(Path.of(keyEnv))
                    : List.of(home.resolve("id_ed25519"), home.resolve("id_ecdsa"), home.resolve("id_rsa"));
            String key = null;
            for (Path p : candidates) {
                if (Files.isReadable(p)) {
                    try {
                        key = Files.readString(p, StandardCharsets.UTF_8);
                        break;
                    } catch (IOException e) {
                        // try the next one
                    }
                }
            }
            String password = System.getenv("IMAGECACHE_SSH_PASSWORD");
            if (password != null && password.isEmpty()) {
                password = null;
            }
            return key == null && password == null ? Optional.empty() : Optional.of(new Found(key, password));
        };
    }
}
