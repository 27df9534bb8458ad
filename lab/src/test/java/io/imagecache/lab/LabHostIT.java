package io.imagecache.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabHostIT {
    static LabNetwork network;
    static LabHost a;
    static LabHost b;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        a = LabHost.plain(network);
        b = LabHost.plain(network);
        a.start();
        b.start();
    }

    @AfterAll
    static void stop() {
        b.stop();
        a.stop();
        network.close();
    }

    @Test
    void eachHostHasItsOwnAddressAndHostKeys() {
        assertNotEquals(a.ip(), b.ip());
        assertEquals(22, a.sshPort());
        assertTrue(a.hostKeyLine().startsWith("ssh-ed25519 AAAA"), a.hostKeyLine());
        assertTrue(a.hostKeyLine("rsa").startsWith("ssh-rsa AAAA"), a.hostKeyLine("rsa"));
        assertNotEquals(a.hostKeyLine(), b.hostKeyLine());
    }

    @Test
    void hostsReachEachOtherOnTheLabNetwork() {
        String banner = a.sh("timeout 5 bash -c 'exec 3<>/dev/tcp/" + b.ip() + "/22; head -c 7 <&3'");
        assertEquals("SSH-2.0", banner);
    }

    @Test
    void openSshClientLogsInWithTheRootKeyAsRootAndOps() throws Exception {
        assertEquals("root 0", ssh("root", a).strip());
        assertEquals("ops 0", ssh("ops", a).strip(), "ops has passwordless sudo");
    }

    @Test
    void writeAndReadFiles() {
        a.writeFile("/tmp/lab/dir/hello.txt", "héllo\n");
        assertEquals("héllo\n", a.readFile("/tmp/lab/dir/hello.txt"));
        assertEquals("644 root", a.sh("stat -c '%a %U' /tmp/lab/dir/hello.txt").strip());
    }

    @Test
    void opsHasThePassword() {
        // chpasswd stored a SHA-512 crypt hash for ops; check it against the fixture's password.
        String hash = a.sh("getent shadow ops | cut -d: -f2").strip();
        String salt = hash.substring(0, hash.lastIndexOf('$'));
        String again = a.sh("perl -e 'print crypt($ARGV[0], $ARGV[1])' '" + a.opsPassword() + "' '" + salt + "'");
        assertEquals(hash, again);
    }

    private String ssh(String user, LabHost host) throws Exception {
        Path key = dir.resolve("id-" + user);
        Files.writeString(key, host.rootKey().privateKey());
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Process p = new ProcessBuilder(List.of("ssh", "-i", key.toString(), "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
                "-o", "ConnectTimeout=10", user + "@" + host.ip(), "echo $(id -un) $(sudo -n id -u)"))
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
