package io.imagecache.ssh.jsch;

import com.jcraft.jsch.ChannelExec;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.Session;
import io.imagecache.ssh.CommandLine;
import io.imagecache.ssh.ExecResult;
import io.imagecache.ssh.ObservedHostKey;
import io.imagecache.ssh.RemoteException;
import io.imagecache.ssh.RemoteException.Kind;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.ssh.SshTarget;
import io.imagecache.ssh.Tunnel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * A connected host: the target's session plus the jump-host sessions it runs through. Every
 * command is {@code sh -c '<script>'}, prefixed with {@code sudo -n} when the target asks for sudo
 * and the user is not root. File reads and writes are scripts too, so they work through sudo.
 */
final class JschRemoteHost implements RemoteHost {
    /** Exit status of {@link #read}'s script when the file does not exist. */
    private static final int MISSING = 44;

    private final SshTarget target;
    private final Session session;
    private final List<Session> sessions;
    private final List<ObservedHostKey> hostKeys;
    private final boolean sudo;

    private JschRemoteHost(SshTarget target, Session session, List<Session> sessions, List<ObservedHostKey> hostKeys) {
        this.target = target;
        this.session = session;
        this.sessions = List.copyOf(sessions);
        this.hostKeys = List.copyOf(hostKeys);
        this.sudo = target.sudo() && !"root".equals(target.user());
    }

    /** Wraps connected sessions (jump hosts first); checks up front that sudo works without a password. */
    static JschRemoteHost start(SshTarget target, Session session, List<Session> sessions,
            List<ObservedHostKey> hostKeys) throws RemoteException {
        JschRemoteHost host = new JschRemoteHost(target, session, sessions, hostKeys);
        if (host.sudo) {
            Raw r = host.run("sudo -n true", new byte[0]);
            if (r.exitCode() != 0) {
                throw new RemoteException(Kind.SUDO_FAILED, "sudo as " + target.user() + " on " + target.hostAndPort()
                        + " needs a password or is not allowed (" + text(r.stderr()).strip()
                        + "); imagecache runs sudo -n, so give the user NOPASSWD sudo or connect as root");
            }
        }
        return host;
    }

    @Override
    public ExecResult exec(CommandLine command, byte[] stdin) throws RemoteException {
        Raw r = script(command.render(), stdin);
        return new ExecResult(r.exitCode(), text(r.stdout()), text(r.stderr()));
    }

    @Override
    public Optional<byte[]> read(String path) throws RemoteException {
        String p = CommandLine.quote(checkPath(path));
        Raw r = script("if [ ! -e " + p + " ] && [ ! -L " + p + " ]; then exit " + MISSING + "; fi; exec cat -- " + p,
                new byte[0]);
        if (r.exitCode() == MISSING) {
            return Optional.empty();
        }
        if (r.exitCode() != 0) {
            throw new RemoteException(Kind.IO, "cannot read " + path + " on " + target.hostAndPort() + ": "
                    + text(r.stderr()).strip());
        }
        return Optional.of(r.stdout());
    }

    @Override
    public void writeAtomically(String path, byte[] content, int mode) throws RemoteException {
        if (mode < 0 || mode > 07777) {
            throw new IllegalArgumentException("mode " + Integer.toOctalString(mode) + " is not a file mode");
        }
        String file = checkPath(path);
        int slash = file.lastIndexOf('/');
        String dir = slash < 0 ? "." : slash == 0 ? "/" : file.substring(0, slash);
        String name = file.substring(slash + 1);
        String script = "set -e; umask 077; mkdir -p -- " + CommandLine.quote(dir)
                + "; t=$(mktemp " + CommandLine.quote(dir + "/." + name + ".imagecache-XXXXXX") + ")"
                + "; trap 'rm -f -- \"$t\"' EXIT"
                + "; chmod " + String.format("%04o", mode) + " \"$t\""
                + "; cat > \"$t\""
                + "; mv -f -- \"$t\" " + CommandLine.quote(file)
                + "; trap - EXIT";
        Raw r = script(script, content);
        if (r.exitCode() != 0) {
            throw new RemoteException(Kind.IO, "cannot write " + path + " on " + target.hostAndPort() + ": "
                    + text(r.stderr()).strip());
        }
    }

    @Override
    public Tunnel tunnel(String host, int port) throws RemoteException {
        try {
            int local = session.setPortForwardingL("127.0.0.1", 0, host, port);
            return new JschTunnel(session, local);
        } catch (JSchException e) {
            throw new RemoteException(Kind.IO, "cannot forward a local port to " + host + ":" + port + " through "
                    + target.hostAndPort() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<ObservedHostKey> hostKeys() {
        return hostKeys;
    }

    @Override
    public void close() {
        disconnectAll(sessions);
    }

    @Override
    public String toString() {
        return "JschRemoteHost[" + target + "]";
    }

    /** Disconnects the innermost session first, then its jump hosts. */
    static void disconnectAll(List<Session> sessions) {
        List<Session> reversed = new ArrayList<>(sessions);
        Collections.reverse(reversed);
        for (Session s : reversed) {
            s.disconnect();
        }
    }

    private static String checkPath(String path) {
        if (path == null || path.isEmpty() || path.endsWith("/") || path.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("\"" + path + "\" is not a file path");
        }
        return path;
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Runs a shell script as the target says (sudo or not); a refused sudo is a {@link Kind#SUDO_FAILED}. */
    private Raw script(String script, byte[] stdin) throws RemoteException {
        String q = CommandLine.quote(script);
        Raw r = run(sudo ? "sudo -n sh -c " + q : "sh -c " + q, stdin);
        if (sudo && r.exitCode() == 1 && r.stdout().length == 0 && refusedBySudo(text(r.stderr()))) {
            throw new RemoteException(Kind.SUDO_FAILED, "sudo as " + target.user() + " on " + target.hostAndPort()
                    + " failed: " + text(r.stderr()).strip());
        }
        return r;
    }

    /** sudo's own refusals (as opposed to a failing command that sudo ran). */
    private static boolean refusedBySudo(String stderr) {
        return stderr.startsWith("sudo: ") && (stderr.contains("password is required")
                || stderr.contains("terminal is required") || stderr.contains("not in the sudoers")
                || stderr.contains("is not allowed to"));
    }

    private record Raw(int exitCode, byte[] stdout, byte[] stderr) {}

    /**
     * One exec channel. stdout and stderr are collected by jsch's session thread; stderr's sink is
     * closed only when the channel closes, which happens after the exit status has arrived, so the
     * caller just waits for that close: no polling.
     */
    private Raw run(String command, byte[] stdin) throws RemoteException {
        ChannelExec channel;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ClosedSignal err = new ClosedSignal();
        try {
            channel = (ChannelExec) session.openChannel("exec");
        } catch (JSchException e) {
            throw new RemoteException(Kind.IO, "cannot open a channel on " + target.hostAndPort() + ": "
                    + e.getMessage(), e);
        }
        try {
            channel.setCommand(command);
            channel.setInputStream(new ByteArrayInputStream(stdin == null ? new byte[0] : stdin));
            channel.setOutputStream(out);
            channel.setErrStream(err);
            channel.connect();
            err.await();
            int status = channel.getExitStatus();
            if (status < 0) {
                String signal = channel.getExitSignal();
                throw new RemoteException(Kind.IO, signal != null
                        ? "a command on " + target.hostAndPort() + " was killed by signal " + signal
                        : "the connection to " + target.hostAndPort() + " was lost while a command ran");
            }
            return new Raw(status, out.toByteArray(), err.toByteArray());
        } catch (JSchException e) {
            throw new RemoteException(Kind.IO, "cannot run a command on " + target.hostAndPort() + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteException(Kind.IO, "interrupted while a command ran on " + target.hostAndPort(), e);
        } finally {
            channel.disconnect();
        }
    }

    /** A stderr sink that tells when jsch closed it (the channel is closed). */
    private static final class ClosedSignal extends ByteArrayOutputStream {
        private final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void close() {
            closed.countDown();
        }

        void await() throws InterruptedException {
            closed.await();
        }
    }

    private static final class JschTunnel implements Tunnel {
        private final Session session;
        private final int port;

        JschTunnel(Session session, int port) {
            this.session = session;
            this.port = port;
        }

        @Override
        public int localPort() {
            return port;
        }

        @Override
        public void close() {
            try {
                session.delPortForwardingL("127.0.0.1", port);
            } catch (JSchException e) {
                // the session is gone already, and with it the forwarding
            }
        }

        @Override
        public String toString() {
            return "Tunnel[127.0.0.1:" + port + "]";
        }
    }
}
