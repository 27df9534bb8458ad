package io.imagecache.ssh;

import java.util.List;
import java.util.Optional;

/**
 * One SSH-reachable host. Every operation may run as root through sudo when the target asks for it.
 * Every operation is bounded: a command by its own {@link CommandLine#timeout()} or the host's
 * default ({@link Timeouts}), reads and writes by the transfer bound; one that outlives its bound, or
 * is cancelled, is ended together with its remote processes and fails with
 * {@link RemoteException.Kind#TIMEOUT} or {@link RemoteException.Kind#CANCELLED}, in a message that
 * names the host and the command. Implementations are not required to be thread-safe; open one per
 * operation and close it.
 */
public interface RemoteHost extends AutoCloseable {

    /**
     * Runs {@code command} through {@code sh -c} (as root through {@code sudo -n} when the target
     * asks for sudo), with empty stdin; never throws for a non-zero exit status.
     */
    default ExecResult exec(CommandLine command) throws RemoteException {
        return exec(command, new byte[0]);
    }

    /** As {@link #exec(CommandLine)}, with {@code stdin} fed to the command (how secrets travel). */
    ExecResult exec(CommandLine command, byte[] stdin) throws RemoteException;

    /** The file's bytes, or empty when it does not exist. */
    Optional<byte[]> read(String path) throws RemoteException;

    /**
     * Writes {@code content} to {@code path} atomically: missing parent directories are created
     * (mode 0700, as with {@code umask 077}), the bytes go to a temporary file in the same directory
     * with {@code mode} (e.g. 0644, 0600) set before any content is written, then the file is
     * renamed over {@code path}. The content travels on stdin, never on a command line. With sudo
     * the file is owned by root.
     */
    void writeAtomically(String path, byte[] content, int mode) throws RemoteException;

    /**
     * Forwards a local loopback port to {@code host:port} as seen from the remote host (an SSH
     * direct-tcpip tunnel). Closing the tunnel stops the forwarding.
     */
    Tunnel tunnel(String host, int port) throws RemoteException;

    /**
     * This host as seen by a step that must finish once begun (putting a node back after a failed or
     * cancelled change): the same connection, every operation still bounded by its timeout, but none
     * refused or ended because the engine cancelled. Closing the view leaves this host open.
     */
    RemoteHost uncancellable();

    /**
     * False once the connection is known to be gone (the server closed it, or it broke): nothing more can be done
     * over it, and every further operation would fail at once. True while it is up, or when this host cannot tell.
     */
    default boolean connected() {
        return true;
    }

    /** The host keys verified on the way to this host, the target's own key last. */
    List<ObservedHostKey> hostKeys();

    @Override
    void close();
}
