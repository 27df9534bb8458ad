package io.imagecache.ssh.jsch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.LabHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.SshKeys;
import io.imagecache.ssh.CommandLine;
import io.imagecache.ssh.ExecResult;
import io.imagecache.ssh.HostKey;
import io.imagecache.ssh.ObservedHostKey;
import io.imagecache.ssh.RemoteException;
import io.imagecache.ssh.RemoteException.Kind;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.ssh.SshTarget;
import io.imagecache.ssh.Timeouts;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The jsch implementation against real OpenSSH servers in lab containers: {@code target} is the host
 * the tests talk to; {@code jump1} and {@code jump2} are jump hosts on the same lab network.
 */
class JschRemoteHostIT {
    static final SshKeys ENCRYPTED = SshKeys.ed25519("correct horse battery staple");
    static final SshKeys RSA = SshKeys.rsa();

    static final int SILENT_PORT = 2223;
    static final String SSHD_LOG = "/var/log/sshd-it.log";

    static LabNetwork network;
    static LabHost target;
    static LabHost jump1;
    static LabHost jump2;

    final JschRemoteHostFactory factory = new JschRemoteHostFactory();
    final List<String> progress = new ArrayList<>();

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        target = LabHost.plain(network).withAuthorizedKey(ENCRYPTED).withAuthorizedKey(RSA);
        jump1 = LabHost.plain(network);
        jump2 = LabHost.plain(network);
        List.of(target, jump1, jump2).parallelStream().forEach(LabHost::start);
        // sshd logs nowhere in the lab image; restart the target's with a log file, to see who logged in
        target.sh("pid=$(cat /run/sshd.pid) && kill $pid && while kill -0 $pid 2>/dev/null; do sleep 0.05; done"
                + " && setsid /usr/sbin/sshd -E " + SSHD_LOG + " </dev/null >/dev/null 2>&1");
        // a port that accepts TCP connections and then says nothing (an SSH dial to it can only time out)
        target.sh("setsid perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(LocalPort => " + SILENT_PORT
                + ", Listen => 16, ReuseAddr => 1) or die $!; while (my $c = $s->accept) { push @keep, $c }'"
                + " </dev/null >/dev/null 2>&1 &");
        // a user whose sudo wants a password
        target.sh("useradd -m -s /bin/bash pwsudo && echo 'pwsudo:pwsudo-pass' | chpasswd"
                + " && echo 'pwsudo ALL=(ALL) ALL' > /etc/sudoers.d/pwsudo && chmod 440 /etc/sudoers.d/pwsudo");
    }

    @AfterAll
    static void stop() {
        List.of(target, jump1, jump2).forEach(LabHost::stop);
        network.close();
    }

    /** root with the host's key, one quick attempt. */
    static SshTarget root(LabHost host) {
        return SshTarget.withKey(host.ip(), 22, "root", host.rootKey().privateKey())
                .withRetries(1, Duration.ofMillis(100), Duration.ofSeconds(10));
    }

    /** ops with the password only. */
    static SshTarget opsWithPassword(LabHost host) {
        return new SshTarget(host.ip(), 22, "ops", Optional.empty(), Optional.empty(), Optional.of(host.opsPassword()),
                Optional.empty(), Optional.empty(), Duration.ofSeconds(10), 1, Duration.ofMillis(100), false);
    }

    RemoteHost connect(SshTarget t) throws RemoteException {
        return factory.connect(t, progress::add);
    }

    String run(RemoteHost host, String script) throws RemoteException {
        ExecResult r = host.exec(CommandLine.script(script));
        assertEquals(0, r.exitCode(), r.stderr());
        return r.stdout().strip();
    }

    // --- authentication ---------------------------------------------------------------------------

    @Test
    void rootWithAnEd25519Key() throws Exception {
        try (RemoteHost h = connect(root(target))) {
            assertEquals("root 0", run(h, "echo $(id -un) $(id -u)"));
        }
        assertEquals(List.of(), progress);
    }

    @Test
    void encryptedKeyWithItsPassphrase() throws Exception {
        SshTarget t = root(target).withPrivateKey(ENCRYPTED.privateKey(), ENCRYPTED.passphrase().orElseThrow());
        try (RemoteHost h = connect(t)) {
            assertEquals("root", run(h, "id -un"));
        }
    }

    @Test
    void encryptedKeyWithAWrongOrMissingPassphraseIsAnAuthFailure() {
        RemoteException wrong = assertThrows(RemoteException.class,
                () -> connect(root(target).withPrivateKey(ENCRYPTED.privateKey(), "wrong passphrase")));
        assertEquals(Kind.AUTH_FAILED, wrong.kind(), wrong.getMessage());
        assertTrue(wrong.getMessage().contains("does not decrypt"), wrong.getMessage());
        assertFalse(wrong.getMessage().contains("wrong passphrase"), wrong.getMessage());

        RemoteException missing = assertThrows(RemoteException.class,
                () -> connect(root(target).withPrivateKey(ENCRYPTED.privateKey(), null)));
        assertEquals(Kind.AUTH_FAILED, missing.kind(), missing.getMessage());
        assertTrue(missing.getMessage().contains("encrypted"), missing.getMessage());
    }

    @Test
    void rsaKey() throws Exception {
        try (RemoteHost h = connect(root(target).withPrivateKey(RSA.privateKey(), null))) {
            assertEquals("root", run(h, "id -un"));
        }
    }

    @Test
    void opsWithAPassword() throws Exception {
        try (RemoteHost h = connect(opsWithPassword(target))) {
            assertEquals("ops 1000", run(h, "echo $(id -un) $(id -u)"));
        }
    }

    @Test
    void keyFirstThenPassword() throws Exception {
        // a key the server does not know, then the right password: the password gets ops in
        SshTarget t = opsWithPassword(target).withPrivateKey(SshKeys.ed25519().privateKey(), null);
        try (RemoteHost h = connect(t)) {
            assertEquals("ops", run(h, "id -un"));
        }
    }

    @Test
    void aWrongKeyFailsAtOnceWithoutRetries() {
        SshKeys stranger = SshKeys.ed25519();
        SshTarget t = SshTarget.withKey(target.ip(), 22, "root", stranger.privateKey())
                .withRetries(5, Duration.ofSeconds(1), Duration.ofSeconds(10));
        RemoteException e = assertThrows(RemoteException.class, () -> connect(t));
        assertEquals(Kind.AUTH_FAILED, e.kind(), e.getMessage());
        assertEquals(List.of(), progress, "an auth failure is not retried");
        assertTrue(e.getMessage().contains("root") && e.getMessage().contains(target.ip() + ":22"), e.getMessage());
        assertFalse(e.getMessage().contains("PRIVATE KEY"), e.getMessage());
    }

    @Test
    void aWrongPasswordFailsWithoutShowingIt() {
        SshTarget t = opsWithPassword(target).withPassword("not-the-password-42")
                .withRetries(3, Duration.ofSeconds(1), Duration.ofSeconds(10));
        RemoteException e = assertThrows(RemoteException.class, () -> connect(t));
        assertEquals(Kind.AUTH_FAILED, e.kind(), e.getMessage());
        assertEquals(List.of(), progress);
        assertFalse(e.getMessage().contains("not-the-password-42"), e.getMessage());
        assertFalse(t.toString().contains("not-the-password-42"), t.toString());
    }

    // --- host keys ----------------------------------------------------------------------------------

    @Test
    void trustOnFirstUseReportsTheRealHostKey() throws Exception {
        try (RemoteHost h = connect(root(target))) {
            assertEquals(List.of(new ObservedHostKey(target.ip() + ":22", HostKey.parse(target.hostKeyLine()))),
                    h.hostKeys());
        }
    }

    @Test
    void thePinnedKeyIsAccepted() throws Exception {
        try (RemoteHost h = connect(root(target).withHostKey(HostKey.parse(target.hostKeyLine())))) {
            assertEquals("root", run(h, "id -un"));
        }
    }

    @Test
    void aPinnedRsaKeyMakesTheServerShowItsRsaKey() throws Exception {
        HostKey rsa = HostKey.parse(target.hostKeyLine("rsa"));
        try (RemoteHost h = connect(root(target).withHostKey(rsa))) {
            assertEquals(rsa, h.hostKeys().get(0).key());
            assertEquals("root", run(h, "id -un"));
        }
    }

    @Test
    void aWrongPinIsAMismatchBeforeAnyLogin() throws Exception {
        HostKey other = HostKey.parse(jump1.hostKeyLine());
        HostKey real = HostKey.parse(target.hostKeyLine());
        long logins = logins();
        SshTarget t = root(target).withHostKey(other).withRetries(5, Duration.ofSeconds(1), Duration.ofSeconds(10));
        RemoteException e = assertThrows(RemoteException.class, () -> connect(t));
        assertEquals(Kind.HOST_KEY_MISMATCH, e.kind(), e.getMessage());
        assertEquals(List.of(), progress, "a host key mismatch is not retried");
        assertTrue(e.getMessage().contains(target.ip() + ":22"), e.getMessage());
        assertTrue(e.getMessage().contains(other.fingerprint()), "names the expected key: " + e.getMessage());
        assertTrue(e.getMessage().contains(real.fingerprint()), "names the offered key: " + e.getMessage());
        // jsch checks the key right after key exchange, before authentication: nobody logged in
        assertEquals(logins, logins());
    }

    @Test
    void aPinIsComparedWithTheServersKeyOfThatType() {
        // another host's ecdsa key: the target offers its own ecdsa key, which differs
        HostKey ecdsa = HostKey.parse(jump1.hostKeyLine("ecdsa"));
        RemoteException e = assertThrows(RemoteException.class, () -> connect(root(target).withHostKey(ecdsa)));
        assertEquals(Kind.HOST_KEY_MISMATCH, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(HostKey.parse(target.hostKeyLine("ecdsa")).fingerprint()), e.getMessage());
    }

    @Test
    void aPinOfATypeTheServerLacksIsAMismatch() {
        // a pinned ssh-dss key: OpenSSH 9 has no DSA host key to offer
        byte[] blob = {0, 0, 0, 7, 's', 's', 'h', '-', 'd', 's', 's', 0, 0, 0, 1, 1};
        RemoteException e = assertThrows(RemoteException.class,
                () -> connect(root(target).withHostKey(HostKey.fromBlob(blob))));
        assertEquals(Kind.HOST_KEY_MISMATCH, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("no ssh-dss host key"), e.getMessage());
    }

    // --- jump hosts ---------------------------------------------------------------------------------

    @Test
    void throughAJumpHost() throws Exception {
        try (RemoteHost h = connect(root(target).withProxy(root(jump1)))) {
            assertEquals(jump1.ip(), run(h, "echo $SSH_CLIENT").split(" ")[0],
                    "the target sees the jump host as the client");
            assertTrue(target.readFile(SSHD_LOG).contains("Accepted publickey for root from " + jump1.ip() + " "),
                    "sshd logged the login from the jump host");
            assertEquals(List.of(jump1.ip() + ":22", target.ip() + ":22"),
                    h.hostKeys().stream().map(ObservedHostKey::hostAndPort).toList());
            assertEquals(HostKey.parse(jump1.hostKeyLine()), h.hostKeys().get(0).key());
            assertEquals(HostKey.parse(target.hostKeyLine()), h.hostKeys().get(1).key());
        }
    }

    @Test
    void throughTwoNestedJumpHosts() throws Exception {
        SshTarget chain = root(target).withProxy(root(jump1).withProxy(root(jump2)));
        try (RemoteHost h = connect(chain)) {
            assertEquals(jump1.ip(), run(h, "echo $SSH_CLIENT").split(" ")[0]);
            assertTrue(jump1.sh("ss -Htn state established '( sport = :22 )'").contains(jump2.ip() + ":"),
                    "jump1's SSH client is jump2");
            assertEquals(List.of(HostKey.parse(jump2.hostKeyLine()), HostKey.parse(jump1.hostKeyLine()),
                    HostKey.parse(target.hostKeyLine())), h.hostKeys().stream().map(ObservedHostKey::key).toList());
        }
    }

    @Test
    void eachHopHasItsOwnPin() {
        SshTarget t = root(target).withHostKey(HostKey.parse(target.hostKeyLine()))
                .withProxy(root(jump1).withHostKey(HostKey.parse(jump2.hostKeyLine())));
        RemoteException e = assertThrows(RemoteException.class, () -> connect(t));
        assertEquals(Kind.HOST_KEY_MISMATCH, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains(jump1.ip() + ":22"), e.getMessage());
    }

    @Test
    void aTargetPortTheJumpHostCannotReachIsRetriedThenUnreachable() {
        SshTarget t = new SshTarget(target.ip(), 2222, "root", Optional.of(target.rootKey().privateKey()),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(root(jump1)),
                Duration.ofSeconds(5), 2, Duration.ofMillis(100), false);
        RemoteException e = assertThrows(RemoteException.class, () -> connect(t));
        assertEquals(Kind.UNREACHABLE, e.kind(), e.getMessage());
        assertEquals(2, progress.size(), progress.toString());
        assertTrue(progress.get(0).startsWith("Dial 1/2 to " + target.ip() + ":2222 failed: jump host " + jump1.ip()
                + ":22 could not open a connection"), progress.get(0));
    }

    // --- retries ------------------------------------------------------------------------------------

    @Test
    void aClosedPortIsRetriedThenUnreachable() {
        SshTarget t = SshTarget.withKey(target.ip(), 2222, "root", target.rootKey().privateKey())
                .withRetries(3, Duration.ofMillis(200), Duration.ofSeconds(5));
        RemoteException e = assertThrows(RemoteException.class, () -> connect(t));
        assertEquals(Kind.UNREACHABLE, e.kind(), e.getMessage());
        assertEquals("cannot reach " + target.ip() + ":2222 after 3 attempts: Connection refused", e.getMessage());
        assertEquals(List.of(
                "Dial 1/3 to " + target.ip() + ":2222 failed: Connection refused; retrying in 200ms",
                "Dial 2/3 to " + target.ip() + ":2222 failed: Connection refused; retrying in 200ms",
                "Dial 3/3 to " + target.ip() + ":2222 failed: Connection refused; giving up"), progress);
    }

    @Test
    void aSilentPortTimesOutOnEveryAttempt() {
        SshTarget t = SshTarget.withKey(target.ip(), SILENT_PORT, "root", target.rootKey().privateKey())
                .withRetries(2, Duration.ofMillis(100), Duration.ofSeconds(1));
        RemoteException e = assertThrows(RemoteException.class, () -> connect(t));
        assertEquals(Kind.UNREACHABLE, e.kind(), e.getMessage());
        assertEquals(2, progress.size(), progress.toString());
        assertTrue(progress.get(0).contains("failed: timed out; retrying in 100ms"), progress.get(0));
    }

    @Test
    void aSilentPortBehindAJumpHostTimesOutToo() {
        SshTarget t = new SshTarget(target.ip(), SILENT_PORT, "root", Optional.of(target.rootKey().privateKey()),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(root(jump1)),
                Duration.ofSeconds(1), 2, Duration.ofMillis(100), false);
        RemoteException e = assertThrows(RemoteException.class, () -> connect(t));
        assertEquals(Kind.UNREACHABLE, e.kind(), e.getMessage());
        assertEquals(2, progress.size(), progress.toString());
        assertTrue(progress.get(1).contains("failed: timeout: no SSH handshake within 1s; giving up"), progress.get(1));
    }

    // --- sudo ---------------------------------------------------------------------------------------

    @Test
    void sudoAsOps() throws Exception {
        SshTarget ops = SshTarget.withKey(target.ip(), 22, "ops", target.rootKey().privateKey())
                .withRetries(1, Duration.ofMillis(100), Duration.ofSeconds(10));
        try (RemoteHost h = connect(ops)) {
            assertEquals("1000", run(h, "id -u"));
        }
        try (RemoteHost h = connect(ops.withSudo(true))) {
            assertEquals("0", run(h, "id -u"));
            h.writeAtomically("/etc/imagecache-it/sudo/secret.conf", "token=abc\n".getBytes(StandardCharsets.UTF_8), 0600);
            assertEquals("600 root root", target.sh("stat -c '%a %U %G' /etc/imagecache-it/sudo/secret.conf").strip());
            assertEquals("700", target.sh("stat -c '%a' /etc/imagecache-it/sudo").strip(), "umask 077 for new dirs");
            assertEquals("token=abc\n", new String(h.read("/etc/imagecache-it/sudo/secret.conf").orElseThrow(),
                    StandardCharsets.UTF_8));
        }
    }

    @Test
    void sudoThatWantsAPasswordFailsClearly() {
        SshTarget t = new SshTarget(target.ip(), 22, "pwsudo", Optional.empty(), Optional.empty(),
                Optional.of("pwsudo-pass"), Optional.empty(), Optional.empty(), Duration.ofSeconds(10), 1,
                Duration.ofMillis(100), true);
        RemoteException e = assertThrows(RemoteException.class, () -> connect(t));
        assertEquals(Kind.SUDO_FAILED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("password"), e.getMessage());
        assertTrue(e.getMessage().contains("pwsudo"), e.getMessage());
    }

    @Test
    void sudoAsRootIsJustRoot() throws Exception {
        try (RemoteHost h = connect(root(target).withSudo(true))) {
            assertEquals("0", run(h, "id -u"));
        }
    }

    // --- exec, read, write --------------------------------------------------------------------------

    @Test
    void execReturnsExitCodeStdoutAndStderr() throws Exception {
        try (RemoteHost h = connect(root(target))) {
            ExecResult r = h.exec(CommandLine.script("echo out; echo 'ünï err' >&2; exit 3"));
            assertEquals(new ExecResult(3, "out\n", "ünï err\n"), r);
            assertFalse(r.ok());
            assertEquals("ünï err", r.message());
            assertEquals(new ExecResult(0, "a b\n", ""), h.exec(CommandLine.of("echo", "a b")));
            assertEquals(127, h.exec(CommandLine.of("no-such-command")).exitCode());
            assertEquals("sh", run(h, "echo $0"), "commands run under sh -c");
        }
    }

    @Test
    void manyCommandsOnOneConnection() throws Exception {
        try (RemoteHost h = connect(root(target))) {
            for (int i = 0; i < 30; i++) {
                assertEquals(String.valueOf(i), run(h, "echo " + i));
            }
        }
    }

    @Test
    void stdinReachesTheCommand() throws Exception {
        byte[] big = new byte[3 * 1024 * 1024 + 17];
        new Random(42).nextBytes(big);
        try (RemoteHost h = connect(root(target))) {
            ExecResult r = h.exec(CommandLine.of("sha256sum"), big);
            assertEquals(sha256(big) + "  -", r.stdout().strip());
            assertEquals("hello", h.exec(CommandLine.of("cat"), "hello".getBytes(StandardCharsets.UTF_8)).stdout());
            assertEquals("0", run(h, "wc -c"), "no stdin means an empty one, not a hang");
        }
    }

    @Test
    void readReturnsBytesOrEmptyWhenMissing() throws Exception {
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i;
        }
        try (RemoteHost h = connect(root(target))) {
            assertEquals(Optional.empty(), h.read("/etc/imagecache-it/does/not/exist"));
            h.writeAtomically("/tmp/imagecache-it/binary", binary, 0644);
            assertArrayEquals(binary, h.read("/tmp/imagecache-it/binary").orElseThrow());
            assertArrayEquals(new byte[0], h.read("/dev/null").orElseThrow());
            RemoteException e = assertThrows(RemoteException.class, () -> h.read("/etc"));
            assertEquals(Kind.IO, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("Is a directory"), e.getMessage());
        }
        SshTarget ops = SshTarget.withKey(target.ip(), 22, "ops", target.rootKey().privateKey());
        try (RemoteHost h = connect(ops)) {
            RemoteException e = assertThrows(RemoteException.class, () -> h.read("/etc/shadow"));
            assertTrue(e.getMessage().contains("Permission denied"), e.getMessage());
        }
        try (RemoteHost h = connect(ops.withSudo(true))) {
            assertTrue(new String(h.read("/etc/shadow").orElseThrow(), StandardCharsets.UTF_8).contains("ops:"));
        }
    }

    @Test
    void writeAtomicallyReplacesTheFileAndLeavesNoTempFile() throws Exception {
        String dir = "/tmp/imagecache-it/atomic dir";
        String file = dir + "/it's.toml";
        try (RemoteHost h = connect(root(target))) {
            h.writeAtomically(file, "one\n".getBytes(StandardCharsets.UTF_8), 0644);
            String inodeBefore = target.sh("stat -c %i \"" + file + "\"").strip();
            assertEquals("644", target.sh("stat -c %a \"" + file + "\"").strip());
            h.writeAtomically(file, "two\n".getBytes(StandardCharsets.UTF_8), 0640);
            assertEquals("two\n", target.readFile(file));
            assertEquals("640", target.sh("stat -c %a \"" + file + "\"").strip());
            String inodeAfter = target.sh("stat -c %i \"" + file + "\"").strip();
            assertFalse(inodeBefore.equals(inodeAfter), "a new file was renamed over the old one");
            assertEquals("it's.toml", target.sh("ls -A \"" + dir + "\"").strip(), "no temp file left behind");

            h.writeAtomically(file, new byte[0], 0600);
            assertEquals("0", target.sh("stat -c %s \"" + file + "\"").strip());

            RemoteException e = assertThrows(RemoteException.class,
                    () -> h.writeAtomically("/proc/version/x", "x".getBytes(StandardCharsets.UTF_8), 0644));
            assertEquals(Kind.IO, e.kind(), e.getMessage());
        }
    }

    // --- bounded and cancellable -------------------------------------------------------------------

    /** The processes on the target whose command line contains {@code marker}, as "pid cmd" lines. */
    static String processes(String marker) {
        // "[s]leep" matches "sleep" but not pgrep's own sh -c, whose command line holds "[s]leep"
        return target.sh("pgrep -af '[" + marker.charAt(0) + "]" + marker.substring(1) + "' || true").strip();
    }

    @Test
    void aHangingCommandEndsAtItsTimeoutWithItsProcesses() throws Exception {
        try (RemoteHost h = connect(root(target))) {
            long start = System.nanoTime();
            CommandLine hang = CommandLine.script("sleep 100001; echo never").withTimeout(Duration.ofSeconds(2));
            RemoteException e = assertThrows(RemoteException.class, () -> h.exec(hang));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Kind.TIMEOUT, e.kind(), e.getMessage());
            assertEquals("`sleep 100001; echo never` on root@" + target.ip() + ":22 did not finish within 2s and was ended",
                    e.getMessage());
            assertTrue(ms < 10_000, "ended after " + ms + " ms");
            assertEquals("", processes("sleep 100001"), "the remote sleep is gone");
            assertEquals("still here", run(h, "echo still here"), "the connection goes on working");
        }
    }

    @Test
    void aHangingCommandThroughSudoEndsWithItsRootProcesses() throws Exception {
        SshTarget ops = SshTarget.withKey(target.ip(), 22, "ops", target.rootKey().privateKey())
                .withRetries(1, Duration.ofMillis(100), Duration.ofSeconds(10)).withSudo(true);
        try (RemoteHost h = connect(ops)) {
            RemoteException e = assertThrows(RemoteException.class,
                    () -> h.exec(CommandLine.script("sleep 100002; echo never").withTimeout(Duration.ofSeconds(2))));
            assertEquals(Kind.TIMEOUT, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("ops@" + target.ip() + ":22"), e.getMessage());
            assertEquals("", processes("sleep 100002"));
        }
    }

    @Test
    void aCommandWithoutItsOwnTimeoutHasTheDefaultOne() throws Exception {
        Timeouts shortOnes = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2));
        try (RemoteHost h = new JschRemoteHostFactory(shortOnes).connect(root(target), progress::add)) {
            RemoteException e = assertThrows(RemoteException.class, () -> h.exec(CommandLine.of("sleep", "100003")));
            assertEquals(Kind.TIMEOUT, e.kind(), e.getMessage());
            assertTrue(e.getMessage().startsWith("`sleep 100003` on root@"), e.getMessage());
            assertEquals("", processes("sleep 100003"));
            // a read of a FIFO nobody writes blocks in cat: the transfer bound ends it
            target.sh("rm -f /tmp/imagecache-it-fifo && mkfifo /tmp/imagecache-it-fifo");
            RemoteException r = assertThrows(RemoteException.class, () -> h.read("/tmp/imagecache-it-fifo"));
            assertEquals(Kind.TIMEOUT, r.kind(), r.getMessage());
            assertEquals("reading /tmp/imagecache-it-fifo on root@" + target.ip() + ":22 did not finish within 2s"
                    + " and was ended", r.getMessage());
            assertEquals("", processes("cat -- /tmp/imagecache-it-fifo"));
            assertEquals("ok", run(h, "echo ok"));
        }
    }

    @Test
    void aCancelEndsTheRunningCommandPromptly() throws Exception {
        AtomicBoolean cancel = new AtomicBoolean();
        try (RemoteHost h = factory.connect(root(target), progress::add, cancel::get)) {
            Thread canceller = new Thread(() -> {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                cancel.set(true);
            });
            long start = System.nanoTime();
            canceller.start();
            RemoteException e = assertThrows(RemoteException.class, () -> h.exec(CommandLine.script("sleep 100004")));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals(Kind.CANCELLED, e.kind(), e.getMessage());
            assertEquals("`sleep 100004` on root@" + target.ip() + ":22 was cancelled and ended", e.getMessage());
            assertTrue(ms >= 1000 && ms < 8_000, "ended after " + ms + " ms");
            assertEquals("", processes("sleep 100004"));
            RemoteException next = assertThrows(RemoteException.class, () -> h.read("/etc/hostname"));
            assertEquals(Kind.CANCELLED, next.kind(), "nothing starts after a cancel");
        }
    }

    @Test
    void aCancelStopsTheDialRetries() {
        AtomicBoolean cancel = new AtomicBoolean();
        SshTarget silent = root(target).withRetries(100, Duration.ofSeconds(1), Duration.ofSeconds(1));
        SshTarget t = new SshTarget(silent.host(), SILENT_PORT, silent.user(), silent.privateKey(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), silent.dialTimeout(), silent.dialAttempts(),
                silent.retryDelay(), false);
        new Thread(() -> {
            try {
                Thread.sleep(2500);
            } catch (InterruptedException e) {
                return;
            }
            cancel.set(true);
        }).start();
        long start = System.nanoTime();
        RemoteException e = assertThrows(RemoteException.class, () -> factory.connect(t, progress::add, cancel::get));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(Kind.CANCELLED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith("cancelled while connecting to " + target.ip() + ":" + SILENT_PORT),
                e.getMessage());
        assertTrue(ms < 6_000, "ended after " + ms + " ms of a dial that could take 200 s");
    }

    /** How many logins the target's sshd accepted so far. */
    static long logins() {
        return target.readFile(SSHD_LOG).lines().filter(l -> l.contains("Accepted ")).count();
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
