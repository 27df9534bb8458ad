package io.imagecache.ssh.jsch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.imagecache.lab.LabHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.ssh.CommandLine;
import io.imagecache.ssh.RemoteException;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.ssh.SshTarget;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A server that takes passwords only through keyboard-interactive (PAM), as many distributions ship. */
class JschKeyboardInteractiveIT {
    static LabNetwork network;
    static LabHost host;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        host = LabHost.plain(network);
        host.start();
        // sshd takes the first value it reads; 00-* is read before the image's lab.conf
        host.writeFile("/etc/ssh/sshd_config.d/00-kbdint.conf", "KbdInteractiveAuthentication yes\nPasswordAuthentication no\n");
        host.sh("sshd -t && kill -HUP $(cat /run/sshd.pid)");
        host.sh("for i in $(seq 50); do sshd -T 2>/dev/null | grep -q '^passwordauthentication no' && exit 0; sleep 0.1; done; exit 1");
    }

    @AfterAll
    static void stop() {
        host.stop();
        network.close();
    }

    static SshTarget ops(String password) {
        return new SshTarget(host.ip(), 22, "ops", Optional.empty(), Optional.empty(), Optional.of(password),
                Optional.empty(), Optional.empty(), Duration.ofSeconds(10), 3, Duration.ofMillis(200), false);
    }

    @Test
    void passwordThroughKeyboardInteractive() throws Exception {
        awaitRestartedSshd();
        try (RemoteHost h = new JschRemoteHostFactory().connect(ops(host.opsPassword()), s -> {})) {
            assertEquals("ops\n", h.exec(CommandLine.of("id", "-un")).stdout());
        }
    }

    @Test
    void aWrongPasswordIsAnAuthFailure() {
        awaitRestartedSshd();
        RemoteException e = assertThrows(RemoteException.class,
                () -> new JschRemoteHostFactory().connect(ops("wrong"), s -> {}));
        assertEquals(RemoteException.Kind.AUTH_FAILED, e.kind(), e.getMessage());
    }

    /** After SIGHUP sshd re-executes itself; a dial during that moment is refused, so wait for the banner. */
    private static void awaitRestartedSshd() {
        host.sh("for i in $(seq 50); do timeout 1 bash -c 'exec 3<>/dev/tcp/127.0.0.1/22; head -c 4 <&3' | grep -q SSH && exit 0;"
                + " sleep 0.1; done; exit 1");
    }
}
