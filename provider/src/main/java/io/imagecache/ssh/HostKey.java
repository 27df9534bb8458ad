package io.imagecache.ssh;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Objects;

/**
 * An SSH public host key in authorized_keys form: {@code <type> <base64> [comment]}. Equality is by
 * type and key bytes; the comment is ignored.
 */
public final class HostKey {
    private final String type;
    private final String base64;

    private HostKey(String type, String base64) {
        this.type = type;
        this.base64 = base64;
    }

    /** Parses an authorized_keys-style line; throws {@link IllegalArgumentException} with a readable reason. */
    public static HostKey parse(String line) {
        if (line == null || line.isBlank()) {
            throw new IllegalArgumentException("a host key is empty; expected \"<type> <base64>\", e.g. \"ssh-ed25519 AAAAC3...\"");
        }
        String[] parts = line.strip().split("\\s+");
        if (parts.length < 2) {
            throw new IllegalArgumentException("a host key needs a type and a base64 key, e.g. \"ssh-ed25519 AAAAC3...\"");
        }
        String type = parts[0];
        if (!type.startsWith("ssh-") && !type.startsWith("ecdsa-") && !type.startsWith("sk-") && !type.startsWith("rsa-")) {
            throw new IllegalArgumentException("unknown host key type \"" + type + "\"; expected ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa, ...");
        }
        try {
            Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the key part of a host key is not base64");
        }
        return new HostKey(type, parts[1]);
    }

    public static HostKey of(String type, byte[] key) {
        return new HostKey(type, Base64.getEncoder().encodeToString(key));
    }

    public String type() {
        return type;
    }

    public byte[] keyBytes() {
        return Base64.getDecoder().decode(base64);
    }

    /** OpenSSH-style fingerprint, e.g. {@code SHA256:abc...}. */
    public String fingerprint() {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(keyBytes());
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code <type> <base64>}. */
    @Override
    public String toString() {
        return type + " " + base64;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostKey k && k.type.equals(type) && k.base64.equals(base64);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, base64);
    }
}
