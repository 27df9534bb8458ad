package io.imagecache.ssh;

import java.util.Optional;

/**
 * One SSH-reachable host. Every operation may run as root through sudo when the target asks for it.
 * Implementations are not required to be thread-safe; open one per operation and close it.
 */
public interface RemoteHost extends AutoCloseable {

    /** Runs {@code command} through {@code sh -c}; never throws for a non-zero exit status. */
    ExecResult exec(CommandLine command) throws RemoteException;

    /** As {@link #exec(CommandLine)}, with {@code stdin} fed to the command (how secrets travel). */
    ExecResult exec(CommandLine command, byte[] stdin) throws RemoteException;

    /** The file's bytes, or empty when it does not exist. */
    Optional<byte[]> read(String path) throws RemoteException;

    /**
     * Writes {@code content} to {@code path} atomically: parent directories are created, the bytes
     * go to a temporary file in the same directory with {@code mode} (e.g. 0644, 0600) set before
     * any content is written, then the file is renamed over {@code path}. The content travels on
     * stdin, never on a command line.
     */
    void writeAtomically(String path, byte[] content, int mode) throws RemoteException;

    /**
     * Forwards a local loopback port to {@code host:port} as seen from the remote host (an SSH
     * direct-tcpip tunnel). Closing the tunnel stops the forwarding.
     */
    Tunnel tunnel(String host, int port) throws RemoteException;

    /** The host keys verified on the way to this host, the target's own key last. */
    java.util.List<ObservedHostKey> hostKeys();

    @Override
    void close();
}
