package io.imagecache.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.SshKeys;
import org.junit.jupiter.api.Test;

/** The public line derived from a private key file is the one ssh-keygen wrote beside it. */
class OpenSshPrivateKeyTest {
    @Test
    void derivesThePublicKeyOfEd25519AndRsaKeys() {
        for (SshKeys k : new SshKeys[] {SshKeys.ed25519(), SshKeys.rsa()}) {
            OpenSshPrivateKey p = OpenSshPrivateKey.parse(k.privateKey());
            assertEquals(HostKey.parse(k.publicKey()), p.publicKey(), k.type());
            assertFalse(p.encrypted());
        }
    }

    @Test
    void knowsAnEncryptedKeyWithoutItsPassphrase() {
        SshKeys k = SshKeys.ed25519("a passphrase");
        OpenSshPrivateKey p = OpenSshPrivateKey.parse(k.privateKey());
        assertTrue(p.encrypted());
        assertEquals(HostKey.parse(k.publicKey()), p.publicKey());
    }

    @Test
    void refusesWhatIsNotAWholeKeyWithoutQuotingIt() {
        String text = SshKeys.ed25519().privateKey();
        String[] lines = text.strip().split("\n");
        String truncated = lines[0] + "\n" + lines[1] + "\n" + lines[lines.length - 1];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OpenSshPrivateKey.parse(truncated));
        assertFalse(e.getMessage().contains(lines[1]), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OpenSshPrivateKey.parse("ssh-ed25519 AAAA"));
        assertThrows(IllegalArgumentException.class, () -> OpenSshPrivateKey.parse(
                "-----BEGIN OPENSSH PRIVATE KEY-----\n%%%\n-----END OPENSSH PRIVATE KEY-----"));
        assertThrows(IllegalArgumentException.class, () -> OpenSshPrivateKey.parse(
                "-----BEGIN OPENSSH PRIVATE KEY-----\naGVsbG8=\n-----END OPENSSH PRIVATE KEY-----"));
    }
}
