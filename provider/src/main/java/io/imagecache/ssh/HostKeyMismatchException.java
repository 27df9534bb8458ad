package io.imagecache.ssh;

import java.util.Optional;

/**
 * The server of one hop offered a host key other than the pinned one (or none of the pinned key's type):
 * the connection was refused during key exchange, before authentication, so nothing ran on that host.
 * Callers that know where the pin came from (a configured key, or one recorded on first use) add what to do.
 */
public final class HostKeyMismatchException extends RemoteException {
    private static final long serialVersionUID = 1L;

    private final String hostAndPort;
    private final transient HostKey expected;
    private final transient Optional<HostKey> offered;

    public HostKeyMismatchException(String hostAndPort, HostKey expected, Optional<HostKey> offered, String message,
                                    Throwable cause) {
        super(Kind.HOST_KEY_MISMATCH, message, cause);
        this.hostAndPort = hostAndPort;
        this.expected = expected;
        this.offered = offered;
    }

    /** The hop whose key did not match, {@code host:port} as in {@link SshTarget#hostAndPort()}. */
    public String hostAndPort() {
        return hostAndPort;
    }

    public HostKey expected() {
        return expected;
    }

    /** The key the server offered; empty when it had none of the expected key's type. */
    public Optional<HostKey> offered() {
        return offered;
    }
}
