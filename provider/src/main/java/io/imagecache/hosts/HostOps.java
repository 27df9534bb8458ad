package io.imagecache.hosts;

import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.CommandLine;
import io.imagecache.ssh.ExecResult;
import io.imagecache.ssh.RemoteException;
import io.imagecache.ssh.RemoteHost;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * File and command operations on a host, each failure turned into a ResourceException that names the host.
 * Host adapters (one per kind of host, in {@code hosts.*}) extend it.
 */
public class HostOps {
    protected final RemoteHost host;
    protected final String where;

    public HostOps(RemoteHost host, String where) {
        this.host = host;
        this.where = where;
    }

    /** False once the connection to the host is known to be gone: nothing more can be done there (see {@link RemoteHost#connected()}). */
    public boolean connected() {
        return host.connected();
    }

    /** The file as UTF-8 text, or empty when it does not exist. */
    public Optional<String> read(String path) throws ResourceException {
        try {
            return host.read(path).map(b -> new String(b, StandardCharsets.UTF_8));
        } catch (RemoteException e) {
            throw translate(e, where);
        }
    }

    /** Writes the file atomically with {@code mode}. */
    public void write(String path, String content, int mode) throws ResourceException {
        try {
            host.writeAtomically(path, content.getBytes(StandardCharsets.UTF_8), mode);
        } catch (RemoteException e) {
            if (e.kind() == RemoteException.Kind.TIMEOUT || e.kind() == RemoteException.Kind.CANCELLED) {
                throw translate(e, where);
            }
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "could not write " + path + " on "
                    + where + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code cmd}; when {@code mustSucceed} names the action, a non-zero exit fails with that action and the output. */
    public ExecResult run(CommandLine cmd, String mustSucceed) throws ResourceException {
        ExecResult r;
        try {
            r = host.exec(cmd);
        } catch (RemoteException e) {
            throw translate(e, where);
        }
        if (mustSucceed != null && !r.ok()) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "could not " + mustSucceed + " on "
                    + where + ": " + r.message());
        }
        return r;
    }

    /** The ResourceException for a failed remote operation: its kind by cause, its message naming {@code where}. */
    public static ResourceException translate(RemoteException e, String where) {
        ResourceException.Kind kind = switch (e.kind()) {
            case UNREACHABLE, AUTH_FAILED -> ResourceException.Kind.UNAVAILABLE;
            case HOST_KEY_MISMATCH -> ResourceException.Kind.PERMISSION_DENIED;
            case SUDO_FAILED -> ResourceException.Kind.FAILED_PRECONDITION;
            case IO -> ResourceException.Kind.UNAVAILABLE;
            case TIMEOUT -> ResourceException.Kind.DEADLINE_EXCEEDED;
            case CANCELLED -> ResourceException.Kind.CANCELLED;
        };
        String msg = e.getMessage();
        if (msg == null || !msg.contains(where)) {
            msg = where + ": " + msg;
        }
        return new ResourceException(kind, msg, e);
    }
}
