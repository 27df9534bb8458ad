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
import java.io.ByteArrayOutputStream;
import io.imagecache.ssh.Timeouts;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A connected host: the target's session plus the jump-host sessions it runs through. Every
 * command is {@code sh -c '<script>'}, prefixed with {@code sudo -n} when the target asks for sudo
 * and the user is not root. File reads and writes are scripts too, so they work through sudo.
 *
 * <p>Every script is bounded ({@link Timeouts}, or the command's own timeout) and watches the cancel
 * flag. sshd runs each exec channel in a session of its own, so the process group of the script is
 * exactly the command and everything it started; the script first reports that group on stderr
 * (a line this class removes again), and a script that has to be ended is ended with its group:
 * TERM, then KILL, sent from a second channel.
 */
final class JschRemoteHost implements RemoteHost {
    /** Exit status of {@link #read}'s script when the file does not exist. */
    private static final int MISSING = 44;
    /** The first stderr line of every script: its process group. */
    private static final String GROUP_MARK = "imagecache-pgid=";
    /** Builtins only: {@code /proc/$$/stat}'s fifth field is the process group. */
    private static final String REPORT_GROUP = "{ read -r _ic_p _ic_c _ic_s _ic_pp _ic_g _ic_r </proc/$$/stat; } 2>/dev/null;"
            + " echo \"" + GROUP_MARK + "${_ic_g:-}\" >&2; unset _ic_p _ic_c _ic_s _ic_pp _ic_g _ic_r; ";
    /** How long ending a timed-out or cancelled command may take. */
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    /** Longest part of a command quoted in a message. */
    private static final int MAX_COMMAND_IN_MESSAGE = 160;

    private final SshTarget target;
    private final Session session;
    private final List<Session> sessions;
    private final List<ObservedHostKey> hostKeys;
    private final boolean sudo;
    private final Timeouts timeouts;
    private final BooleanSupplier cancelled;
    /** False for a view ({@link #uncancellable()}): closing it leaves the sessions to the host it came from. */
    private final boolean ownsSessions;

    private JschRemoteHost(SshTarget target, Session session, List<Session> sessions, List<ObservedHostKey> hostKeys,
            Timeouts timeouts, BooleanSupplier cancelled) {
        this(target, session, sessions, hostKeys, timeouts, cancelled, true);
    }

    private JschRemoteHost(SshTarget target, Session session, List<Session> sessions, List<ObservedHostKey> hostKeys,
            Timeouts timeouts, BooleanSupplier cancelled, boolean ownsSessions) {
        this.target = target;
        this.session = session;
        this.sessions = List.copyOf(sessions);
        this.hostKeys = List.copyOf(hostKeys);
        this.sudo = target.sudo() && !"root".equals(target.user());
        this.timeouts = timeouts;
        this.cancelled = cancelled;
        this.ownsSessions = ownsSessions;
    }

    /** Wraps connected sessions (jump hosts first); checks up front that sudo works without a password. */
    static JschRemoteHost start(SshTarget target, Session session, List<Session> sessions,
            List<ObservedHostKey> hostKeys, Timeouts timeouts, BooleanSupplier cancelled) throws RemoteException {
        JschRemoteHost host = new JschRemoteHost(target, session, sessions, hostKeys, timeouts, cancelled);
        if (host.sudo) {
            Raw r = host.run("sudo -n true", new byte[0], new Bound(timeouts.exec(), "`sudo -n true`", true), false);
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
        Raw r = script(command.render(), stdin,
                new Bound(command.timeout().orElse(timeouts.exec()), "`" + abbreviate(command.toString()) + "`", true));
        return new ExecResult(r.exitCode(), text(r.stdout()), text(r.stderr()));
    }

    @Override
    public Optional<byte[]> read(String path) throws RemoteException {
        String p = CommandLine.quote(checkPath(path));
        Raw r = script("if [ ! -e " + p + " ] && [ ! -L " + p + " ]; then exit " + MISSING + "; fi; exec cat -- " + p,
                new byte[0], new Bound(timeouts.transfer(), "reading " + path, true));
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
        Raw r = script(script, content, new Bound(timeouts.transfer(), "writing " + path, true));
        if (r.exitCode() != 0) {
            throw new RemoteException(Kind.IO, "cannot write " + path + " on " + target.hostAndPort() + ": "
                    + text(r.stderr()).strip());
        }
    }

    @Override
    public Tunnel tunnel(String host, int port) throws RemoteException {
        if (cancelled.getAsBoolean()) {
            throw new RemoteException(Kind.CANCELLED, "cancelled before forwarding a port to " + host + ":" + port
                    + " through " + name());
        }
        try {
            // each connection through the tunnel opens a direct-tcpip channel, bounded by tunnelOpen
            int local = session.setPortForwardingL("127.0.0.1", 0, host, port, null, millis(timeouts.tunnelOpen()));
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
    public RemoteHost uncancellable() {
        return new JschRemoteHost(target, session, sessions, hostKeys, timeouts, () -> false, false);
    }

    /** Every session on the way (the jump hosts' and the target's) is still connected. */
    @Override
    public boolean connected() {
        return sessions.stream().allMatch(Session::isConnected);
    }

    @Override
    public void close() {
        if (ownsSessions) {
            disconnectAll(sessions);
        }
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

    /** {@code user@host:port}: how the messages of this class name the host. */
    private String name() {
        return target.user() + "@" + target.hostAndPort();
    }

    static String abbreviate(String command) {
        String oneLine = command.replace('\n', ' ');
        return oneLine.length() <= MAX_COMMAND_IN_MESSAGE ? oneLine
                : oneLine.substring(0, MAX_COMMAND_IN_MESSAGE - 3) + "...";
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    /**
     * How long a script may run and how messages name it ("`systemctl restart containerd`",
     * "reading /etc/containerd/config.toml"); {@code cancellable} is false only for the clean-up of
     * a command that was already ended.
     */
    private record Bound(Duration limit, String what, boolean cancellable) {}

    /** Runs a shell script as the target says (sudo or not); a refused sudo is a {@link Kind#SUDO_FAILED}. */
    private Raw script(String script, byte[] stdin, Bound bound) throws RemoteException {
        String q = CommandLine.quote(REPORT_GROUP + script);
        Raw r = run(sudo ? "sudo -n sh -c " + q : "sh -c " + q, stdin, bound, true);
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
     * caller waits for that close, looking at the deadline and the cancel flag every
     * {@link Dialer#POLL_MILLIS}. {@code grouped}: the command reports its process group first (see
     * {@link #REPORT_GROUP}); that line is removed from stderr and used to end the command.
     */
    private Raw run(String command, byte[] stdin, Bound bound, boolean grouped) throws RemoteException {
        long deadline = System.nanoTime() + bound.limit().toNanos();
        if (bound.cancellable() && cancelled.getAsBoolean()) {
            throw new RemoteException(Kind.CANCELLED, "cancelled before " + bound.what() + " on " + name());
        }
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
            // stdin is written here and closed (EOF), not handed to jsch: jsch's stdin pump thread races a
            // command that ends at once (the channel's close nulls the thread jsch is still starting: an NPE)
            java.io.OutputStream in = channel.getOutputStream();
            channel.setOutputStream(out);
            channel.setErrStream(err);
            channel.connect(millis(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))));
            sendStdin(in, stdin);
            while (!err.await(Dialer.POLL_MILLIS)) {
                if (bound.cancellable() && cancelled.getAsBoolean()) {
                    end(channel, err, grouped);
                    throw new RemoteException(Kind.CANCELLED, bound.what() + " on " + name()
                            + " was cancelled and ended");
                }
                if (System.nanoTime() - deadline > 0) {
                    end(channel, err, grouped);
                    throw new RemoteException(Kind.TIMEOUT, bound.what() + " on " + name() + " did not finish within "
                            + Dialer.human(bound.limit()) + " and was ended");
                }
            }
            int status = channel.getExitStatus();
            if (status < 0) {
                String signal = channel.getExitSignal();
                if (signal == null) {
                    awaitSessionDown();
                }
                throw new RemoteException(Kind.IO, signal != null
                        ? bound.what() + " on " + name() + " was killed by signal " + signal
                        : "the connection to " + target.hostAndPort() + " was lost while " + bound.what() + " ran");
            }
            byte[] stderr = err.toByteArray();
            return new Raw(status, out.toByteArray(), grouped ? withoutGroupLine(stderr) : stderr);
        } catch (java.io.IOException e) {
            throw new RemoteException(Kind.IO, "cannot send input to " + bound.what() + " on " + name() + ": "
                    + e.getMessage(), e);
        } catch (JSchException e) {
            if (System.nanoTime() - deadline > 0) {
                throw new RemoteException(Kind.TIMEOUT, bound.what() + " on " + name() + " could not start within "
                        + Dialer.human(bound.limit()) + ": " + e.getMessage(), e);
            }
            throw new RemoteException(Kind.IO, "cannot run " + bound.what() + " on " + name() + ": "
                    + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            end(channel, err, grouped);
            throw new RemoteException(Kind.CANCELLED, "interrupted while " + bound.what() + " ran on " + name(), e);
        } finally {
            channel.disconnect();
        }
    }

    /**
     * A channel that closed with no exit status went down with its session: jsch closes a dropped session's channels
     * first and marks the session disconnected just after, so {@link #connected()} is made true to that before the
     * failure reaches the caller (who asks it to decide whether anything more can be done on this host).
     */
    private void awaitSessionDown() {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (connected() && System.nanoTime() - until < 0) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Writes {@code stdin} and closes the stream (EOF); a command that has already ended wants no more input. */
    private static void sendStdin(java.io.OutputStream in, byte[] stdin) {
        try (in) {
            if (stdin != null && stdin.length > 0) {
                in.write(stdin);
                in.flush();
            }
        } catch (java.io.IOException e) {
            // the channel closed: the command ended without reading (all of) its input; its status tells
        }
    }

    /**
     * Ends a command that is still running: a TERM signal on its channel (OpenSSH passes it to the
     * command's shell), then TERM and KILL to its whole process group from a second channel, then the
     * channel is closed. Best effort: a lost connection leaves nothing to send them over.
     */
    private void end(ChannelExec channel, ClosedSignal err, boolean grouped) {
        try {
            channel.sendSignal("TERM");
        } catch (Exception e) {
            // the group kill below does it anyway
        }
        OptionalLong group = grouped ? groupOf(err.toByteArray()) : OptionalLong.empty();
        if (group.isPresent()) {
            String g = Long.toString(group.getAsLong());
            // dash's kill takes "--" only after -s; a killed child left to an init that does not reap
            // stays a zombie, so "alive" is a member of the group whose state is not Z
            String kill = "alive() { for f in /proc/[0-9]*/stat; do { read -r _p _c st _pp pg _r <\"$f\"; } 2>/dev/null"
                    + " || continue; [ \"$pg\" = " + g + " ] && [ \"$st\" != Z ] && return 0; done; return 1; };"
                    + " kill -s TERM -- -" + g + " 2>/dev/null || exit 0; i=0;"
                    + " while alive && [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done;"
                    + " kill -s KILL -- -" + g + " 2>/dev/null; exit 0";
            try {
                run(sudo ? "sudo -n sh -c " + CommandLine.quote(kill) : "sh -c " + CommandLine.quote(kill),
                        new byte[0], new Bound(KILL_TIMEOUT, "ending process group " + g, false), false);
            } catch (RemoteException e) {
                // the connection is gone: so is the channel, and sshd closed the command's pipes
            }
        }
        channel.disconnect();
    }

    /** The process group a script reported on its first stderr line; never 0 or 1 (that would be everything). */
    static OptionalLong groupOf(byte[] stderr) {
        String s = new String(stderr, StandardCharsets.UTF_8);
        if (!s.startsWith(GROUP_MARK)) {
            return OptionalLong.empty();
        }
        int nl = s.indexOf('\n');
        String g = (nl < 0 ? s.substring(GROUP_MARK.length()) : s.substring(GROUP_MARK.length(), nl)).strip();
        if (!g.matches("[0-9]{1,10}")) {
            return OptionalLong.empty();
        }
        long v = Long.parseLong(g);
        return v > 1 ? OptionalLong.of(v) : OptionalLong.empty();
    }

    /** stderr without the group line the script printed first. */
    static byte[] withoutGroupLine(byte[] stderr) {
        byte[] mark = GROUP_MARK.getBytes(StandardCharsets.US_ASCII);
        if (stderr.length < mark.length || !Arrays.equals(stderr, 0, mark.length, mark, 0, mark.length)) {
            return stderr;
        }
        for (int i = mark.length; i < stderr.length; i++) {
            if (stderr[i] == '\n') {
                return Arrays.copyOfRange(stderr, i + 1, stderr.length);
            }
        }
        return new byte[0];
    }

    /** A stderr sink that tells when jsch closed it (the channel is closed). */
    private static final class ClosedSignal extends ByteArrayOutputStream {
        private final CountDownLatch closed = new CountDownLatch(1);

        @Override
        public void close() {
            closed.countDown();
        }

        boolean await(long millis) throws InterruptedException {
            return closed.await(millis, TimeUnit.MILLISECONDS);
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
