package io.imagecache.ssh;

/** A failure talking to a remote host. {@link #kind()} tells callers how to report it. */
public class RemoteException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** The host (or a jump host) could not be reached within the dial attempts. */
        UNREACHABLE,
        /** The server refused every authentication method offered. */
        AUTH_FAILED,
        /** The host key does not match the pinned or recorded one: possible man-in-the-middle. */
        HOST_KEY_MISMATCH,
        /** sudo was asked for but is not allowed without a password. */
        SUDO_FAILED,
        /** Anything else on an established connection (channel, transfer). */
        IO,
        /** A command, read, write or dial outlived its bound; it was ended (see {@link Timeouts}). */
        TIMEOUT,
        /** The caller cancelled (the engine's Cancel); what was running was ended. */
        CANCELLED
    }

    private final Kind kind;

    public RemoteException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public RemoteException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
