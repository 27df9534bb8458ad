package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.SshKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which privateKey texts Check accepts: the files ssh-keygen writes, in every format jsch reads; nothing else. */
class PrivateKeyTextTest {

    /** A key ssh-keygen writes in {@code format} (RFC4716 is OpenSSH's own; PEM is PKCS#1/SEC1; PKCS8). */
    static String keygen(String type, String format, String passphrase) throws Exception {
        Path dir = Files.createTempDirectory("imagecache-keytext");
        try {
            Path key = dir.resolve("id");
            Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", type, "-m", format, "-N", passphrase, "-f",
                    key.toString()).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
            return Files.readString(key);
        } finally {
            for (String f : List.of("id", "id.pub")) {
                Files.deleteIfExists(dir.resolve(f));
            }
            Files.delete(dir);
        }
    }

    @Test
    void theFilesSshKeygenWritesPass() throws Exception {
        assertEquals(Optional.empty(), PrivateKeyText.problem(SshKeys.ed25519().privateKey()));
        assertEquals(Optional.empty(), PrivateKeyText.problem(SshKeys.ed25519("secret words").privateKey()));
        assertEquals(Optional.empty(), PrivateKeyText.problem(SshKeys.rsa().privateKey()));
        assertEquals(Optional.empty(), PrivateKeyText.problem(keygen("rsa", "PEM", "")), "PKCS#1");
        assertEquals(Optional.empty(), PrivateKeyText.problem(keygen("rsa", "PEM", "pass phrase")), "encrypted PKCS#1");
        assertEquals(Optional.empty(), PrivateKeyText.problem(keygen("ecdsa", "PEM", "")), "SEC1");
        assertEquals(Optional.empty(), PrivateKeyText.problem(keygen("rsa", "PKCS8", "")), "PKCS#8");
    }

    @Test
    void whatIsNotAWholeKeyFileIsRefusedSayingWhatToDo() {
        String key = SshKeys.ed25519().privateKey();
        String[] lines = key.strip().split("\n");
        List.of(
                "/root/.ssh/id_ed25519",
                "-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----",
                "-----BEGIN OPENSSH PRIVATE KEY-----\n%%%\n-----END OPENSSH PRIVATE KEY-----",
                lines[0] + "\n" + lines[1] + "\n" + lines[lines.length - 1],
                "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
                "-----BEGIN PRIVATE KEY-----\n%%%%\n-----END PRIVATE KEY-----",
                key.replace("-----END OPENSSH PRIVATE KEY-----", "")).forEach(text -> {
                    Optional<String> why = PrivateKeyText.problem(text);
                    assertTrue(why.isPresent(), text);
                    assertTrue(why.get().startsWith("must be the contents of a private key file"), why.get());
                    assertTrue(why.get().contains("not a path") || why.get().contains("paste the whole file"), why.get());
                    for (int i = 1; i < lines.length - 1; i++) {
                        assertFalse(why.get().contains(lines[i]), "the reason quotes the key");
                    }
                });
    }
}
