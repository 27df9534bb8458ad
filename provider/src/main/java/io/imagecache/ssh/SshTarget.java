package io.imagecache.ssh;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how to connect: one hop, optionally reached through {@link #proxy()} (a jump host,
 * which may itself have a proxy). Secrets ({@code privateKey}, {@code privateKeyPassword},
 * {@code password}) are never part of {@link #toString()}.
 *
 * @param hostKey the pinned key of this hop; when empty the key first seen is accepted and reported
 *                through {@link RemoteHost#hostKeys()} so the caller can pin it next time
 * @param sudo    run commands and file writes as root through {@code sudo -n} when {@code user} is not root
 */
public record SshTarget(
        String host,
        int port,
        String user,
        Optional<String> privateKey,
        Optional<String> privateKeyPassword,
        Optional<String> password,
        Optional<HostKey> hostKey,
        Optional<SshTarget> proxy,
        Duration dialTimeout,
        int dialAttempts,
        Duration retryDelay,
        boolean sudo) {

    public static final Duration DEFAULT_DIAL_TIMEOUT = Duration.ofSeconds(15);
    public static final int DEFAULT_DIAL_ATTEMPTS = 10;
    public static final Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(2);

    public SshTarget {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(user, "user");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 1-65535");
        }
        if (dialAttempts < 1) {
            throw new IllegalArgumentException("dialAttempts must be at least 1");
        }
    }

    /** A root connection with a private key and the default timeouts; a starting point for tests. */
    public static SshTarget withKey(String host, int port, String user, String privateKey) {
        return new SshTarget(host, port, user, Optional.of(privateKey), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), DEFAULT_DIAL_TIMEOUT, DEFAULT_DIAL_ATTEMPTS,
                DEFAULT_RETRY_DELAY, false);
    }

    public SshTarget withHostKey(HostKey key) {
        return new SshTarget(host, port, user, privateKey, privateKeyPassword, password, Optional.ofNullable(key),
                proxy, dialTimeout, dialAttempts, retryDelay, sudo);
    }

    public SshTarget withProxy(SshTarget jump) {
        return new SshTarget(host, port, user, privateKey, privateKeyPassword, password, hostKey,
                Optional.ofNullable(jump), dialTimeout, dialAttempts, retryDelay, sudo);
    }

    public SshTarget withSudo(boolean sudo) {
        return new SshTarget(host, port, user, privateKey, privateKeyPassword, password, hostKey, proxy,
                dialTimeout, dialAttempts, retryDelay, sudo);
    }

    public SshTarget withRetries(int attempts, Duration delay, Duration timeout) {
        return new SshTarget(host, port, user, privateKey, privateKeyPassword, password, hostKey, proxy,
                timeout, attempts, delay, sudo);
    }

    public SshTarget withPassword(String password) {
        return new SshTarget(host, port, user, privateKey, privateKeyPassword, Optional.ofNullable(password), hostKey,
                proxy, dialTimeout, dialAttempts, retryDelay, sudo);
    }

    public SshTarget withPrivateKey(String key, String keyPassword) {
        return new SshTarget(host, port, user, Optional.ofNullable(key), Optional.ofNullable(keyPassword), password,
                hostKey, proxy, dialTimeout, dialAttempts, retryDelay, sudo);
    }

    /** {@code host:port}, the name of this hop in messages and in recorded host keys. */
    public String hostAndPort() {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }

    @Override
    public String toString() {
        return user + "@" + hostAndPort() + proxy.map(p -> " via " + p).orElse("");
    }
}
