package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.ssh.HostKey;
import io.imagecache.ssh.HostKeyMismatchException;
import io.imagecache.ssh.SshTarget;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a refused host key tells the operator, by where the expected key came from. */
class ConnectionsTest {
    static final String A = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJwrdz0c/EjcFHB0e9XKXGi6dChsTK47NKqXecEU8ITo";
    static final String B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP3iU6+2Ic4CG9bLEQ1Nmy9oAtkjp1Ql//SXuO0LWDxe";
    static final DefaultCredentials KEY = () -> Optional.of(new DefaultCredentials.Found(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----", null));

    static ConnectionArgs conn(String host, String hostKey, ConnectionArgs proxy) {
        return new ConnectionArgs(host, 22, "root", null, null, null, hostKey, proxy, null, null, null, false);
    }

    static HostKeyMismatchException mismatch(String hp, String expected) {
        return new HostKeyMismatchException(hp, HostKey.parse(expected), Optional.of(HostKey.parse(B)),
                "host key mismatch for " + hp + ": expected x but the server offered y", null);
    }

    @Test
    void aRecordedKeyIsNamedAsSuchWithBothWaysOut() throws Exception {
        ConnectionArgs c = conn("10.1.2.3", null, null);
        SshTarget t = Connections.target(c, Map.of("10.1.2.3:22", A), KEY);
        assertTrue(t.hostKey().isPresent(), "the recorded key pins the hop");
        assertFalse(Connections.pinnedByHostKey(c, t, "10.1.2.3:22"));
        String m = Connections.mismatchMessage(mismatch("10.1.2.3:22", A), false);
        assertTrue(m.startsWith("host key mismatch for 10.1.2.3:22: expected x but the server offered y."), m);
        assertTrue(m.contains("nothing was read or changed on 10.1.2.3:22"), m);
        assertTrue(m.contains("recorded in this resource's `hostKeys` on first contact"), m);
        assertTrue(m.contains("set the connection's `hostKey`"), m);
        assertTrue(m.contains("remove \"10.1.2.3:22\" from this resource's `hostKeys`"), m);
        assertTrue(m.contains("ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub"), m);
    }

    @Test
    void aConfiguredKeyPointsAtHostKeyOnly() throws Exception {
        ConnectionArgs c = conn("10.1.2.3", A, null);
        SshTarget t = Connections.target(c, Map.of("10.1.2.3:22", B), KEY);
        assertTrue(t.hostKey().orElseThrow().equals(HostKey.parse(A)), "the configured key wins over the recorded one");
        assertTrue(Connections.pinnedByHostKey(c, t, "10.1.2.3:22"));
        String m = Connections.mismatchMessage(mismatch("10.1.2.3:22", A), true);
        assertTrue(m.contains("The expected key is the connection's `hostKey`"), m);
        assertFalse(m.contains("pulumi stack import"), m);
    }

    @Test
    void theHopThatFailedDecides() throws Exception {
        ConnectionArgs jump = conn("10.9.9.9", A, null);
        ConnectionArgs c = conn("10.1.2.3", null, jump);
        SshTarget t = Connections.target(c, Map.of("10.1.2.3:22", B), KEY);
        assertTrue(Connections.pinnedByHostKey(c, t, "10.9.9.9:22"), "the jump host's own hostKey");
        assertFalse(Connections.pinnedByHostKey(c, t, "10.1.2.3:22"), "the target's recorded key");
    }
}
