package io.imagecache.ssh.jsch;

import com.jcraft.jsch.JSch;
import com.jcraft.jsch.JSchAlgoNegoFailException;
import com.jcraft.jsch.JSchChangedHostKeyException;
import com.jcraft.jsch.JSchException;
import com.jcraft.jsch.JSchUnknownHostKeyException;
import com.jcraft.jsch.KeyPair;
import com.jcraft.jsch.Session;
import com.jcraft.jsch.UIKeyboardInteractive;
import com.jcraft.jsch.UserInfo;
import io.imagecache.ssh.HostKey;
import io.imagecache.ssh.HostKeyMismatchException;
import io.imagecache.ssh.ObservedHostKey;
import io.imagecache.ssh.RemoteException;
import io.imagecache.ssh.RemoteException.Kind;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.ssh.RemoteHostFactory;
import io.imagecache.ssh.SshTarget;
import io.imagecache.ssh.Timeouts;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Opens SSH connections with jsch: key then password authentication, pinned or trust-on-first-use
 * host keys, nested jump hosts and dial retries. Hops are dialled from the outermost jump host
 * inwards, each with its own credentials, pin and retry settings. The hosts it opens bound every
 * command, transfer and tunnel by {@link Timeouts} (the defaults unless a test says otherwise), and a
 * cancel ends a dial, its retries and every later operation.
 */
public final class JschRemoteHostFactory implements RemoteHostFactory {
    /** Keep-alive on idle connections, so a dead peer ends a session instead of hanging it. */
    private static final int SERVER_ALIVE_MILLIS = 15_000;
    private static final int SERVER_ALIVE_COUNT = 4;

    /** Ends dials through jump hosts that outlive their timeout (see {@link JumpProxy#abortUnlessEstablished}). */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "imagecache-ssh-dial-watchdog");
        t.setDaemon(true);
        return t;
    });

    /** Phases of one dial, for the race between a finished handshake and a cancel. */
    private static final int DIALING = 0;
    private static final int DIALED = 1;
    private static final int CANCELLED = 2;

    private final Dialer dialer;
    private final Timeouts timeouts;

    public JschRemoteHostFactory() {
        this(Dialer.REAL, Timeouts.DEFAULT);
    }

    JschRemoteHostFactory(Dialer.Sleeper sleeper) {
        this(sleeper, Timeouts.DEFAULT);
    }

    JschRemoteHostFactory(Timeouts timeouts) {
        this(Dialer.REAL, timeouts);
    }

    JschRemoteHostFactory(Dialer.Sleeper sleeper, Timeouts timeouts) {
        this.dialer = new Dialer(sleeper);
        this.timeouts = timeouts;
    }

    @Override
    public RemoteHost connect(SshTarget target, Consumer<String> progress) throws RemoteException {
        return connect(target, progress, () -> false);
    }

    @Override
    public RemoteHost connect(SshTarget target, Consumer<String> progress, BooleanSupplier cancelled)
            throws RemoteException {
        List<Session> sessions = new ArrayList<>();
        List<ObservedHostKey> keys = new ArrayList<>();
        try {
            Session session = open(target, progress, cancelled, sessions, keys);
            return JschRemoteHost.start(target, session, sessions, keys, timeouts, cancelled);
        } catch (RemoteException | RuntimeException e) {
            JschRemoteHost.disconnectAll(sessions);
            throw e;
        }
    }

    /** Opens {@code target}'s session, first opening its jump hosts (outermost first). */
    private Session open(SshTarget target, Consumer<String> progress, BooleanSupplier cancelled,
            List<Session> sessions, List<ObservedHostKey> keys) throws RemoteException {
        Optional<Session> via = Optional.empty();
        if (target.proxy().isPresent()) {
            via = Optional.of(open(target.proxy().get(), progress, cancelled, sessions, keys));
        }
        Optional<Session> jump = via;
        Dialed dialed = dialer.dial(target, progress, cancelled, attempt -> dialOnce(target, jump, cancelled));
        sessions.add(dialed.session());
        keys.add(new ObservedHostKey(target.hostAndPort(), dialed.key()));
        return dialed.session();
    }

    private record Dialed(Session session, HostKey key) {}

    private Dialed dialOnce(SshTarget target, Optional<Session> jump, BooleanSupplier cancelled)
            throws RemoteException {
        JSch jsch = new JSch();
        PinnedHostKeyRepository hostKeys = new PinnedHostKeyRepository(target.hostKey());
        Session session;
        try {
            List<String> methods = addCredentials(jsch, target);
            session = jsch.getSession(target.user(), target.host(), target.port());
            session.setConfig("PreferredAuthentications", String.join(",", methods));
            session.setConfig("StrictHostKeyChecking", "yes");
            session.setHostKeyRepository(hostKeys);
            PinnedHostKeyRepository.algorithmsFor(target.hostKey())
                    .ifPresent(algorithms -> session.setConfig("server_host_key", algorithms));
            target.password().ifPresent(p -> session.setPassword(p.getBytes(StandardCharsets.UTF_8)));
            session.setUserInfo(new PasswordPrompts(target.password()));
            session.setDaemonThread(true);
            session.setServerAliveInterval(SERVER_ALIVE_MILLIS);
            session.setServerAliveCountMax(SERVER_ALIVE_COUNT);
        } catch (JSchException e) {
            throw new RemoteException(Kind.IO, "cannot set up an SSH session to " + target + ": " + e.getMessage(), e);
        }
        Optional<JumpProxy> proxy = jump.map(j -> new JumpProxy(j, target.proxy().orElseThrow().hostAndPort()));
        proxy.ifPresent(session::setProxy);
        // jsch bounds each read of a direct dial by the timeout; through a jump host nothing does
        Optional<ScheduledFuture<?>> watchdog = proxy.map(p -> WATCHDOG.schedule(p::abortUnlessEstablished,
                timeoutMillis(target), TimeUnit.MILLISECONDS));
        // a cancel ends the handshake under way: closing the transport makes jsch's blocked read fail
        AtomicInteger phase = new AtomicInteger(DIALING);
        ScheduledFuture<?> cancelWatch = WATCHDOG.scheduleWithFixedDelay(() -> {
            if (cancelled.getAsBoolean() && phase.compareAndSet(DIALING, CANCELLED)) {
                proxy.ifPresentOrElse(JumpProxy::abortUnlessEstablished, session::disconnect);
            }
        }, Dialer.POLL_MILLIS, Dialer.POLL_MILLIS, TimeUnit.MILLISECONDS);
        try {
            session.connect(timeoutMillis(target));
            if (proxy.isPresent() && !proxy.get().markEstablished()) {
                throw new JSchException("timeout: no SSH handshake within " + Dialer.human(target.dialTimeout()));
            }
            if (!phase.compareAndSet(DIALING, DIALED)) {
                session.disconnect();
                throw new RemoteException(Kind.CANCELLED, "cancelled while connecting to " + target.hostAndPort());
            }
        } catch (JSchException e) {
            session.disconnect();
            if (phase.get() == CANCELLED || cancelled.getAsBoolean()) {
                throw new RemoteException(Kind.CANCELLED, "cancelled while connecting to " + target.hostAndPort(), e);
            }
            boolean timedOut = proxy.map(JumpProxy::aborted).orElse(false);
            throw classify(target, hostKeys, timedOut
                    ? new JSchException("timeout: no SSH handshake within " + Dialer.human(target.dialTimeout()))
                    : e);
        } finally {
            watchdog.ifPresent(w -> w.cancel(false));
            cancelWatch.cancel(false);
        }
        return new Dialed(session, hostKeys.offered().orElseThrow());
    }

    private static int timeoutMillis(SshTarget target) {
        long ms = target.dialTimeout().toMillis();
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, ms));
    }

    /** Loads the private key (never echoed in messages) and returns the auth methods to try, key first. */
    private static List<String> addCredentials(JSch jsch, SshTarget target) throws RemoteException, JSchException {
        List<String> methods = new ArrayList<>();
        if (target.privateKey().isPresent()) {
            byte[] key = target.privateKey().get().strip().concat("\n").getBytes(StandardCharsets.UTF_8);
            byte[] pass = target.privateKeyPassword().filter(p -> !p.isEmpty())
                    .map(p -> p.getBytes(StandardCharsets.UTF_8)).orElse(null);
            KeyPair pair;
            try {
                pair = KeyPair.load(jsch, key, null);
            } catch (JSchException e) {
                throw new RemoteException(Kind.AUTH_FAILED, "the private key for " + target
                        + " is not an OpenSSH or PEM private key jsch can read (ed25519, ecdsa, rsa)");
            }
            boolean encrypted = pair.isEncrypted();
            if (encrypted && pass == null) {
                throw new RemoteException(Kind.AUTH_FAILED, "the private key for " + target
                        + " is encrypted and no privateKeyPassword is given");
            }
            if (encrypted && !pair.decrypt(pass.clone())) {
                throw new RemoteException(Kind.AUTH_FAILED, "the privateKeyPassword for " + target
                        + " does not decrypt its private key");
            }
            jsch.addIdentity("imagecache:" + target.hostAndPort(), key, null, encrypted ? pass : null);
            methods.add("publickey");
        }
        if (target.password().isPresent()) {
            methods.add("keyboard-interactive");
            methods.add("password");
        }
        if (methods.isEmpty()) {
            throw new RemoteException(Kind.AUTH_FAILED, "no privateKey or password is given for " + target);
        }
        return methods;
    }

    /** Maps a failed {@code Session.connect} to the kind callers act on; only UNREACHABLE is retried. */
    private static RemoteException classify(SshTarget target, PinnedHostKeyRepository hostKeys, JSchException e) {
        if (target.hostKey().isPresent() && (hostKeys.mismatched() || e instanceof JSchChangedHostKeyException
                || e instanceof JSchUnknownHostKeyException)) {
            String offered = hostKeys.offered().map(HostKey::describe).orElse("an unreadable key");
            return new HostKeyMismatchException(target.hostAndPort(), target.hostKey().get(), hostKeys.offered(),
                    "host key mismatch for " + target.hostAndPort() + ": expected " + target.hostKey().get().describe()
                    + " but the server offered " + offered, e);
        }
        if (hostKeys.mismatched() || e instanceof JSchChangedHostKeyException || e instanceof JSchUnknownHostKeyException) {
            return new RemoteException(Kind.HOST_KEY_MISMATCH, "the host key of " + target.hostAndPort()
                    + " was refused: the server offered " + hostKeys.offered().map(HostKey::describe)
                    .orElse("an unreadable key"), e);
        }
        if (e instanceof JSchAlgoNegoFailException nego) {
            if ("server_host_key".equals(nego.getAlgorithmName()) && target.hostKey().isPresent()) {
                return new HostKeyMismatchException(target.hostAndPort(), target.hostKey().get(), Optional.empty(),
                        "host key mismatch for " + target.hostAndPort() + ": expected "
                        + target.hostKey().get().describe() + " but the server has no " + target.hostKey().get().type()
                        + " host key (it offers " + nego.getServerProposal() + ")", e);
            }
            return new RemoteException(Kind.IO, "no common SSH algorithm with " + target.hostAndPort() + ": "
                    + nego.getMessage(), e);
        }
        String msg = String.valueOf(e.getMessage());
        if (msg.startsWith("Auth fail") || msg.startsWith("Auth cancel")) {
            return new RemoteException(Kind.AUTH_FAILED, "authentication as " + target.user() + " on "
                    + target.hostAndPort() + " failed: the server refused the " + describeMethods(target), e);
        }
        return new RemoteException(Kind.UNREACHABLE, reason(e), e);
    }

    private static String describeMethods(SshTarget target) {
        if (target.privateKey().isPresent() && target.password().isPresent()) {
            return "private key and the password";
        }
        return target.privateKey().isPresent() ? "private key" : "password";
    }

    /** The cause in a few words: "Connection refused", "timed out", or what a jump host reported. */
    private static String reason(Throwable e) {
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("jump host")) {
                return t.getMessage();
            }
            root = t;
        }
        if (root instanceof java.net.SocketTimeoutException) {
            return "timed out";
        }
        String msg = root.getMessage();
        if (msg == null || msg.isBlank()) {
            return root.getClass().getSimpleName();
        }
        if (root instanceof java.net.UnknownHostException) {
            return "unknown host " + msg;
        }
        return msg;
    }

    /**
     * Answers the password prompt of keyboard-interactive once. jsch itself sends the session password
     * first (to the password method and to a "Password:" prompt); after a failure it asks again, and
     * answering again would only repeat a wrong password until the server's MaxAuthTries. Every
     * other prompt is refused, which ends that method.
     */
    private static final class PasswordPrompts implements UserInfo, UIKeyboardInteractive {
        private final Optional<String> password;
        private boolean answered;

        PasswordPrompts(Optional<String> password) {
            this.password = password;
        }

        @Override
        public String[] promptKeyboardInteractive(String destination, String name, String instruction,
                String[] prompt, boolean[] echo) {
            if (password.isEmpty() || answered || prompt.length != 1 || echo[0]
                    || !prompt[0].toLowerCase(java.util.Locale.ROOT).contains("password")) {
                return null;
            }
            answered = true;
            return new String[] {password.get()};
        }

        @Override
        public String getPassphrase() {
            return null;
        }

        @Override
        public String getPassword() {
            return password.orElse(null);
        }

        @Override
        public boolean promptPassword(String message) {
            return false;
        }

        @Override
        public boolean promptPassphrase(String message) {
            return false;
        }

        @Override
        public boolean promptYesNo(String message) {
            return false;
        }

        @Override
        public void showMessage(String message) {}

        @Override
        public String toString() {
            return "PasswordPrompts";
        }
    }
}
