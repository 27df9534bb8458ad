package io.imagecache.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HostKeyTest {
    // ssh-keygen -lf prints "256 SHA256:qdVyRykBFuTXNm6y+bDTiclPG+sQZAn3FbhXbTaFTQ4 root@lab (ED25519)" for it.
    static final String ED25519 =
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJwrdz0c/EjcFHB0e9XKXGi6dChsTK47NKqXecEU8ITo root@lab";
    static final String ED25519_FP = "SHA256:qdVyRykBFuTXNm6y+bDTiclPG+sQZAn3FbhXbTaFTQ4";

    @Test
    void parsesAnAuthorizedKeysLineAndIgnoresTheComment() {
        HostKey k = HostKey.parse(ED25519);
        assertEquals("ssh-ed25519", k.type());
        assertEquals("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJwrdz0c/EjcFHB0e9XKXGi6dChsTK47NKqXecEU8ITo", k.toString());
        assertEquals(k, HostKey.parse(ED25519.replace("root@lab", "other comment")));
        assertEquals(k, HostKey.parse("  " + ED25519.substring(0, ED25519.indexOf(" root")) + "\n"));
        assertEquals(k.hashCode(), HostKey.parse(ED25519.replace("root@lab", "")).hashCode());
    }

    /** A line that is not whole says where to copy one from; a private key pasted by mistake is named, not quoted. */
    @Test
    void aBrokenLineSaysWhatToDo() {
        for (String bad : new String[] {"ssh-ed25519 AAAA", "ssh-ed25519 not*base64"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostKey.parse(bad));
            assertTrue(e.getMessage().contains("copy the whole line from the host's /etc/ssh/ssh_host_ed25519_key.pub"),
                    e.getMessage());
        }
        String priv = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n-----END OPENSSH PRIVATE KEY-----";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostKey.parse(priv));
        assertTrue(e.getMessage().startsWith("is a private key, not a public key line"), e.getMessage());
        assertTrue(!e.getMessage().contains("b3BlbnNzaC1rZXktdjE"), "the key is not quoted");
    }

    @Test
    void fromBlobReadsTheTypeFromTheWireEncoding() {
        HostKey parsed = HostKey.parse(ED25519);
        HostKey fromBlob = HostKey.fromBlob(parsed.keyBytes());
        assertEquals(parsed, fromBlob);
        assertEquals("ssh-ed25519", fromBlob.type());
    }

    @Test
    void fingerprintIsOpenSshSha256() {
        assertEquals(ED25519_FP, HostKey.parse(ED25519).fingerprint());
        assertEquals("ssh-ed25519 " + ED25519_FP, HostKey.parse(ED25519).describe());
        assertTrue(ED25519_FP.matches("SHA256:[A-Za-z0-9+/]{43}"), ED25519_FP);
    }

    @Test
    void differentKeysDiffer() {
        String other = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP3iU6+2Ic4CG9bLEQ1Nmy9oAtkjp1Ql//SXuO0LWDxe";
        assertNotEquals(HostKey.parse(ED25519), HostKey.parse(other));
        assertNotEquals(HostKey.parse(ED25519).fingerprint(), HostKey.parse(other).fingerprint());
    }

    @Test
    void rejectsWhatIsNotAHostKeyWithAReadableReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HostKey.parse("")).getMessage().contains("empty"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HostKey.parse("ssh-ed25519")).getMessage()
                .contains("needs a type and a base64 key"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HostKey.parse("foo AAAA")).getMessage()
                .contains("unknown host key type"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> HostKey.parse("ssh-ed25519 !!!")).getMessage()
                .contains("not base64"));
        // an ed25519 blob labelled as RSA: a line pasted together from two keys
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> HostKey.parse(ED25519.replace("ssh-ed25519", "ssh-rsa"))).getMessage().contains("holds a \"ssh-ed25519\""));
        assertThrows(IllegalArgumentException.class, () -> HostKey.parse("ssh-ed25519 AAAA"));
    }
}
