package io.imagecache.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A key made here is one OpenSSH reads: `ssh-keygen -y` derives the same public key from the file. */
class Ed25519HostKeysTest {
    @TempDir
    Path dir;

    @Test
    void sshKeygenReadsTheFileAndDerivesTheSamePublicKey() throws Exception {
        for (int i = 0; i < 20; i++) { // both signs of x, leading zero bytes of y: several keys
            Ed25519HostKeys.Generated k = Ed25519HostKeys.generate("registry");
            Path f = Files.writeString(dir.resolve("key" + i), k.privateKey());
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
            Process p = new ProcessBuilder("ssh-keygen", "-y", "-f", f.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor(30, TimeUnit.SECONDS);
            assertEquals(0, p.exitValue(), out);
            assertEquals(k.publicKey(), HostKey.parse(out));
            assertEquals(k.publicKey(), OpenSshPrivateKey.parse(k.privateKey()).publicKey());
        }
        assertNotEquals(Ed25519HostKeys.generate("a").publicKey(), Ed25519HostKeys.generate("a").publicKey());
    }
}
