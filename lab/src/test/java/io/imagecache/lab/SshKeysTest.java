package io.imagecache.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SshKeysTest {
    @TempDir
    Path dir;

    @Test
    void ed25519IsAFreshOpenSshPair() throws Exception {
        SshKeys a = SshKeys.ed25519();
        SshKeys b = SshKeys.ed25519();
        assertTrue(a.privateKey().startsWith("-----BEGIN OPENSSH PRIVATE KEY-----"), a.toString());
        assertTrue(a.publicKey().startsWith("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5"), a.publicKey());
        assertNotEquals(a.publicKey(), b.publicKey());
        assertEquals(a.publicKey().split(" ")[1], derivePublic(a, "").split(" ")[1]);
        assertFalse(a.toString().contains("PRIVATE"), a.toString());
    }

    @Test
    void encryptedKeyNeedsItsPassphrase() throws Exception {
        SshKeys k = SshKeys.ed25519("s3cret phrase");
        assertEquals("s3cret phrase", k.passphrase().orElseThrow());
        assertEquals(k.publicKey().split(" ")[1], derivePublic(k, "s3cret phrase").split(" ")[1]);
        assertTrue(derivePublic(k, "wrong").isEmpty());
        assertFalse(k.toString().contains("s3cret"), k.toString());
    }

    @Test
    void rsa() {
        SshKeys k = SshKeys.rsa();
        assertTrue(k.privateKey().startsWith("-----BEGIN OPENSSH PRIVATE KEY-----"));
        assertTrue(k.publicKey().startsWith("ssh-rsa "), k.publicKey());
    }

    /** ssh-keygen -y: the public key derived from the private one, or "" when it cannot be decrypted. */
    private String derivePublic(SshKeys keys, String passphrase) throws Exception {
        Path f = dir.resolve("k" + System.nanoTime());
        Files.writeString(f, keys.privateKey());
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        Process p = new ProcessBuilder("ssh-keygen", "-y", "-P", passphrase, "-f", f.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return p.waitFor() == 0 ? out : "";
    }
}
