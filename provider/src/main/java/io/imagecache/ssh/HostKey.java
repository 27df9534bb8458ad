package io.imagecache.ssh;

import java.nio.charset.StandardCharsets;
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

    /** What to do about a key line that is not whole. */
    private static final String COPY = "; copy the whole line from the host's /etc/ssh/ssh_host_ed25519_key.pub "
            + "(or `ssh-keyscan -t ed25519 <host>`)";

    /** Parses an authorized_keys-style line; throws {@link IllegalArgumentException} with a readable reason. */
    public static HostKey parse(String line) {
        if (line == null || line.isBlank()) {
            throw new IllegalArgumentException("a host key is empty; expected \"<type> <base64>\", e.g. \"ssh-ed25519 AAAAC3...\"");
        }
        if (line.contains("PRIVATE KEY")) {
            throw new IllegalArgumentException("is a private key, not a public key line (never paste a private key "
                    + "here)" + COPY);
        }
        String[] parts = line.strip().split("\\s+");
        if (parts.length < 2) {
            throw new IllegalArgumentException("a host key needs a type and a base64 key, e.g. \"ssh-ed25519 AAAAC3...\"");
        }
        String type = parts[0];
        if (!type.startsWith("ssh-") && !type.startsWith("ecdsa-") && !type.startsWith("sk-") && !type.startsWith("rsa-")) {
            throw new IllegalArgumentException("unknown host key type \"" + type + "\"; expected ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa, ...");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the key part of a host key is not base64" + COPY);
        }
        String inner;
        try {
            inner = blobType(blob);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + COPY);
        }
        if (!inner.equals(type)) {
            throw new IllegalArgumentException("a host key says it is \"" + type + "\" but its base64 part holds a \""
                    + inner + "\" key; copy the whole line from /etc/ssh/ssh_host_*_key.pub");
        }
        return new HostKey(type, parts[1]);
    }

    public static HostKey of(String type, byte[] key) {
        return new HostKey(type, Base64.getEncoder().encodeToString(key));
    }

    /**
     * A key from its SSH wire encoding (RFC 4253 6.6), as a server sends it during key exchange;
     * the type is the blob's leading string.
     */
    public static HostKey fromBlob(byte[] blob) {
        return new HostKey(blobType(blob), Base64.getEncoder().encodeToString(blob));
    }

    /** The leading {@code string} of an SSH public key blob: a 4-byte big-endian length, then ASCII. */
    private static String blobType(byte[] blob) {
        if (blob.length < 4) {
            throw new IllegalArgumentException("a host key's base64 part is too short to be an SSH public key");
        }
        int len = ((blob[0] & 0xff) << 24) | ((blob[1] & 0xff) << 16) | ((blob[2] & 0xff) << 8) | (blob[3] & 0xff);
        if (len <= 0 || len > 64 || 4 + len > blob.length) {
            throw new IllegalArgumentException("a host key's base64 part is not an SSH public key");
        }
        String type = new String(blob, 4, len, StandardCharsets.US_ASCII);
        if (!type.matches("[A-Za-z0-9@._-]+")) {
            throw new IllegalArgumentException("a host key's base64 part is not an SSH public key");
        }
        return type;
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

    /** {@code <type> <fingerprint>}, e.g. {@code ssh-ed25519 SHA256:abc...}: how messages name a key. */
    public String describe() {
        return type + " " + fingerprint();
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
