package io.imagecache.lab;

import io.imagecache.lab.guard.LabSecrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A fresh SSH key pair made by {@code ssh-keygen}: the private key in OpenSSH format (encrypted
 * with {@link #passphrase()} when there is one) and the public key as an authorized_keys line.
 * {@link #toString()} shows the public half only.
 */
public record SshKeys(String type, String privateKey, String publicKey, Optional<String> passphrase) {

    /** An unencrypted ed25519 pair. */
    public static SshKeys ed25519() {
        return generate("ed25519", Optional.empty());
    }

    /** An ed25519 pair whose private key is encrypted with {@code passphrase}. */
    public static SshKeys ed25519(String passphrase) {
        return generate("ed25519", Optional.of(passphrase));
    }

    /** An unencrypted 3072-bit RSA pair (OpenSSH format). */
    public static SshKeys rsa() {
        return generate("rsa", Optional.empty());
    }

    private static SshKeys generate(String type, Optional<String> passphrase) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("imagecache-sshkeys");
            Path key = dir.resolve("id");
            List<String> cmd = new ArrayList<>(List.of("ssh-keygen", "-q", "-t", type, "-N", passphrase.orElse(""),
                    "-C", "imagecache-lab", "-f", key.toString()));
            if (type.equals("rsa")) {
                cmd.addAll(List.of("-b", "3072"));
            }
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("ssh-keygen -t " + type + " failed: " + output.strip());
            }
            SshKeys keys = new SshKeys(type, Files.readString(key), Files.readString(dir.resolve("id.pub")).strip(), passphrase);
            LabSecrets.register(keys.privateKey());
            passphrase.ifPresent(LabSecrets::register);
            return keys;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run ssh-keygen (is openssh-client installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running ssh-keygen", e);
        } finally {
            deleteQuietly(dir);
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }

    @Override
    public String toString() {
        return "SshKeys[" + publicKey + (passphrase.isPresent() ? ", encrypted" : "") + "]";
    }
}
