package io.imagecache.registry;

import java.util.Objects;

/** A registry username and password (or token). {@link #toString()} never shows the password. */
public record Credentials(String username, String password) {
    public Credentials {
        Objects.requireNonNull(username, "username");
        Objects.requireNonNull(password, "password");
        if (username.isEmpty()) {
            throw new IllegalArgumentException("a registry username is empty; give both username and password, or neither");
        }
        if (username.contains(":")) {
            throw new IllegalArgumentException("a registry username cannot contain ':' (Basic authentication splits on it)");
        }
    }

    @Override
    public String toString() {
        return "Credentials[username=" + username + ", password=****]";
    }
}
