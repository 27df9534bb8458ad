package io.imagecache.ssh;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * What an OpenSSH private key file ({@code -----BEGIN OPENSSH PRIVATE KEY-----}, format
 * {@code openssh-key-v1}, PROTOCOL.key) says about itself without being used: its public key, which the
 * format keeps in clear text, and whether the private part is encrypted. Enough to derive the
 * {@code ssh-ed25519 AAAA...} line a host will present from the private key given to it.
 */
public record OpenSshPrivateKey(HostKey publicKey, boolean encrypted) {
    private static final String BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
    private static final String END = "-----END OPENSSH PRIVATE KEY-----";
    private static final byte[] MAGIC = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);

    /** Parses the whole file's text; throws {@link IllegalArgumentException} with a readable reason (never the key). */
    public static OpenSshPrivateKey parse(String text) {
        if (text == null || !text.strip().startsWith(BEGIN) || !text.strip().endsWith(END)) {
            throw new IllegalArgumentException("is not an OpenSSH private key: expected the whole file from \"" + BEGIN
                    + "\" to \"" + END + "\", as `ssh-keygen -t ed25519 -N ''` writes it");
        }
        String body = text.strip();
        body = body.substring(BEGIN.length(), body.length() - END.length()).replaceAll("\\s", "");
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not an OpenSSH private key: its body is not base64");
        }
        if (raw.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(raw, MAGIC.length), MAGIC)) {
            throw new IllegalArgumentException("is not in the openssh-key-v1 format");
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(raw, MAGIC.length, raw.length - MAGIC.length);
            String cipher = new String(string(b), StandardCharsets.US_ASCII);
            string(b); // kdf name
            string(b); // kdf options
            int keys = b.getInt();
            if (keys != 1) {
                throw new IllegalArgumentException("holds " + keys + " keys; give a file with exactly one");
            }
            HostKey pub = HostKey.fromBlob(string(b));
            byte[] priv = string(b);
            boolean encrypted = !cipher.equals("none");
            if (!encrypted) {
                ByteBuffer p = ByteBuffer.wrap(priv);
                if (p.getInt() != p.getInt()) {
                    throw new IllegalArgumentException("is damaged: its private part does not check");
                }
                String type = new String(string(p), StandardCharsets.US_ASCII);
                if (!type.equals(pub.type())) {
                    throw new IllegalArgumentException("is damaged: its private part is a " + type + " key, its public part a " + pub.type());
                }
            }
            return new OpenSshPrivateKey(pub, encrypted);
        } catch (BufferUnderflowException | NegativeArraySizeException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("is truncated or damaged");
        }
    }

    private static byte[] string(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] out = new byte[n];
        b.get(out);
        return out;
    }
}
