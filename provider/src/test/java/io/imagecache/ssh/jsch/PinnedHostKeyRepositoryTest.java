package io.imagecache.ssh.jsch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jcraft.jsch.HostKeyRepository;
import io.imagecache.ssh.HostKey;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PinnedHostKeyRepositoryTest {
    static final HostKey A = HostKey.parse("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJwrdz0c/EjcFHB0e9XKXGi6dChsTK47NKqXecEU8ITo");
    static final HostKey B = HostKey.parse("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIP3iU6+2Ic4CG9bLEQ1Nmy9oAtkjp1Ql//SXuO0LWDxe");

    @Test
    void withoutAPinTheFirstKeyIsTrustedAndKept() {
        PinnedHostKeyRepository repo = new PinnedHostKeyRepository(Optional.empty());
        assertEquals(HostKeyRepository.OK, repo.check("10.0.0.5", A.keyBytes()));
        assertEquals(Optional.of(A), repo.offered());
        assertFalse(repo.mismatched());
    }

    @Test
    void withAPinOnlyThatKeyPasses() {
        PinnedHostKeyRepository ok = new PinnedHostKeyRepository(Optional.of(A));
        assertEquals(HostKeyRepository.OK, ok.check("10.0.0.5", A.keyBytes()));
        assertFalse(ok.mismatched());

        PinnedHostKeyRepository bad = new PinnedHostKeyRepository(Optional.of(A));
        assertEquals(HostKeyRepository.CHANGED, bad.check("10.0.0.5", B.keyBytes()));
        assertTrue(bad.mismatched());
        assertEquals(Optional.of(B), bad.offered());
    }

    @Test
    void garbageIsNeverOk() {
        assertEquals(HostKeyRepository.CHANGED, new PinnedHostKeyRepository(Optional.empty()).check("h", new byte[] {1, 2}));
    }

    @Test
    void aPinRestrictsTheServerHostKeyAlgorithmsToItsType() {
        assertEquals(Optional.empty(), PinnedHostKeyRepository.algorithmsFor(Optional.empty()));
        assertEquals(Optional.of("ssh-ed25519"), PinnedHostKeyRepository.algorithmsFor(Optional.of(A)));
        HostKey rsa = HostKey.of("ssh-rsa", new byte[] {0, 0, 0, 7, 's', 's', 'h', '-', 'r', 's', 'a'});
        assertEquals(Optional.of("rsa-sha2-512,rsa-sha2-256,ssh-rsa"), PinnedHostKeyRepository.algorithmsFor(Optional.of(rsa)));
    }
}
