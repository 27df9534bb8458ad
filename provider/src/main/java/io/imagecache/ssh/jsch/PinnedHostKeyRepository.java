package io.imagecache.ssh.jsch;

import com.jcraft.jsch.HostKeyRepository;
import com.jcraft.jsch.UserInfo;
import io.imagecache.ssh.HostKey;
import java.util.Optional;

/**
 * The host-key check of one hop. With a pin, only that exact key is {@link #OK}; any other key is
 * {@link #CHANGED}, which jsch (with {@code StrictHostKeyChecking=yes}) turns into a failed
 * connection before authentication. Without a pin the first key is accepted (trust on first use).
 * Either way the key the server offered is kept so the caller can report or record it.
 */
final class PinnedHostKeyRepository implements HostKeyRepository {
    private final Optional<HostKey> pin;
    private HostKey offered;

    PinnedHostKeyRepository(Optional<HostKey> pin) {
        this.pin = pin;
    }

    @Override
    public int check(String host, byte[] key) {
        HostKey seen;
        try {
            seen = HostKey.fromBlob(key);
        } catch (IllegalArgumentException e) {
            return CHANGED;
        }
        offered = seen;
        return pin.map(p -> p.equals(seen) ? OK : CHANGED).orElse(OK);
    }

    /** The key the server offered during key exchange, if it got that far. */
    Optional<HostKey> offered() {
        return Optional.ofNullable(offered);
    }

    /** True when the server offered a key and it is not the pinned one. */
    boolean mismatched() {
        return pin.isPresent() && offered != null && !pin.get().equals(offered);
    }

    /**
     * The {@code server_host_key} algorithms to propose: with a pin only those that make the server
     * sign with the pinned key's type (so it offers that key, not another one it also has).
     */
    static Optional<String> algorithmsFor(Optional<HostKey> pin) {
        return pin.map(k -> switch (k.type()) {
            case "ssh-rsa" -> "rsa-sha2-512,rsa-sha2-256,ssh-rsa";
            default -> k.type();
        });
    }

    @Override
    public void add(com.jcraft.jsch.HostKey hostkey, UserInfo ui) {
        // Nothing is persisted here: the caller records keys through RemoteHost.hostKeys().
    }

    @Override
    public void remove(String host, String type) {}

    @Override
    public void remove(String host, String type, byte[] key) {}

    @Override
    public String getKnownHostsRepositoryID() {
        return "imagecache pinned host key";
    }

    @Override
    public com.jcraft.jsch.HostKey[] getHostKey() {
        return new com.jcraft.jsch.HostKey[0];
    }

    @Override
    public com.jcraft.jsch.HostKey[] getHostKey(String host, String type) {
        return new com.jcraft.jsch.HostKey[0];
    }
}
