package io.imagecache.resources;

import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.CommandLine;
import io.imagecache.ssh.ExecResult;
import io.imagecache.ssh.RemoteException;
import io.imagecache.ssh.RemoteHost;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** File and command operations on a host, each failure turned into a ResourceException that names the host. */
class HostOps {
    protected final RemoteHost host;
    protected final String where;

    HostOps(RemoteHost host, String where) {
        this.host = host;
        this.where = where;
    }

    /** The file as UTF-8 text, or empty when it does not exist. */
    Optional<String> read(String path) throws ResourceException {
        try {
            return host.read(path).map(b -> new String(b, StandardCharsets.UTF_8));
        } catch (RemoteException e) {
            throw Connections.translate(e, where);
        }
    }

    /** Writes the file atomically with {@code mode}. */
    void write(String path, String content, int mode) throws ResourceException {
        try {
            host.writeAtomically(path, content.getBytes(StandardCharsets.UTF_8), mode);
        } catch (RemoteException e) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "could not write " + path + " on "
                    + where + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code cmd}; when {@code mustSucceed} names the action, a non-zero exit fails with that action and the output. */
    ExecResult run(CommandLine cmd, String mustSucceed) throws ResourceException {
        ExecResult r;
        try {
            r = host.exec(cmd);
        } catch (RemoteException e) {
            throw Connections.translate(e, where);
        }
        if (mustSucceed != null && !r.ok()) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "could not " + mustSucceed + " on "
                    + where + ": " + r.message());
        }
        return r;
    }
}
