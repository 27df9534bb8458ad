package io.imagecache.ssh.jsch;

import com.jcraft.jsch.Channel;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Proxy;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * Carries a session to the next hop inside a {@code direct-tcpip} channel of the jump host's
 * session, like OpenSSH's {@code ProxyJump}: the next hop's TCP connection is made by the jump host.
 */
final class JumpProxy implements Proxy {
    private final Session jump;
    private final String jumpName;
    private Channel channel;
    private InputStream in;
    private OutputStream out;
    private boolean established;
    private boolean aborted;

    JumpProxy(Session jump, String jumpName) {
        this.jump = jump;
        this.jumpName = jumpName;
    }

    @Override
    public void connect(SocketFactory socketFactory, String host, int port, int timeout) throws Exception {
        channel = jump.getStreamForwarder(host, port);
        in = channel.getInputStream();
        out = channel.getOutputStream();
        try {
            channel.connect(timeout);
        } catch (JSchException e) {
            if (!jump.isConnected()) {
                throw new JSchException("the connection to jump host " + jumpName + " was lost", e);
            }
            // OpenSSH answers "connect failed" (reason 2) when it cannot reach host:port itself.
            throw new JSchException("jump host " + jumpName + " could not open a connection to "
                    + host + ":" + port + openFailure(channel.getExitStatus()), e);
        }
    }

    private static String openFailure(int reason) {
        return switch (reason) {
            case 1 -> " (administratively prohibited: is AllowTcpForwarding off?)";
            case 2 -> " (connect failed)";
            case 4 -> " (resource shortage)";
            default -> " (no answer)";
        };
    }

    /**
     * Ends a dial that has not finished: closing the channel makes jsch's blocked read see the end of
     * the stream. A proxied session has no socket, so jsch's own read timeout never applies to it.
     */
    synchronized void abortUnlessEstablished() {
        if (!established) {
            aborted = true;
            close();
        }
    }

    synchronized boolean aborted() {
        return aborted;
    }

    /** Marks the session carried by this proxy as set up; false if the dial was aborted already. */
    synchronized boolean markEstablished() {
        established = true;
        return !aborted;
    }

    @Override
    public InputStream getInputStream() {
        return in;
    }

    @Override
    public OutputStream getOutputStream() {
        return out;
    }

    @Override
    public Socket getSocket() {
        return null;
    }

    @Override
    public void close() {
        if (channel != null) {
            channel.disconnect();
        }
        try {
            if (in != null) {
                in.close();
            }
        } catch (IOException ignored) {
            // closing a pipe
        }
    }
}
