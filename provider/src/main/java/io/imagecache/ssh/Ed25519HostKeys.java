package io.imagecache.ssh;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.EdECPublicKey;
import java.util.Base64;

/**
 * Makes ed25519 host keys in OpenSSH's file format (openssh-key-v1, unencrypted), with the JDK's own
 * ed25519: a VM's host key made here is known before the VM first boots, so the first connection to it
 * is already pinned.
 */
public final class Ed25519HostKeys {
    private Ed25519HostKeys() {}

    /** A new key: the private file's text and its public line. */
    public record Generated(String privateKey, HostKey publicKey) {
        @Override
        public String toString() {
            return "Generated[" + publicKey + "]";
        }
    }

    public static Generated generate(String comment) {
        try {
            KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] pub = publicBytes((EdECPublicKey) kp.getPublic());
            byte[] seed = ((EdECPrivateKey) kp.getPrivate()).getBytes().orElseThrow();
            byte[] blob = concat(string("ssh-ed25519"), string(pub));
            ByteArrayOutputStream priv = new ByteArrayOutputStream();
            int check = new SecureRandom().nextInt();
            priv.writeBytes(uint32(check));
            priv.writeBytes(uint32(check));
            priv.writeBytes(string("ssh-ed25519"));
            priv.writeBytes(string(pub));
            priv.writeBytes(string(concat(seed, pub)));
            priv.writeBytes(string(comment));
            for (int pad = 1; priv.size() % 8 != 0; pad++) {
                priv.write(pad);
            }
            ByteArrayOutputStream file = new ByteArrayOutputStream();
            file.writeBytes("openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII));
            file.writeBytes(string("none"));
            file.writeBytes(string("none"));
            file.writeBytes(string(new byte[0]));
            file.writeBytes(uint32(1));
            file.writeBytes(string(blob));
            file.writeBytes(string(priv.toByteArray()));
            String body = Base64.getMimeEncoder(70, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(file.toByteArray());
            String text = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + body + "\n-----END OPENSSH PRIVATE KEY-----\n";
            return new Generated(text, HostKey.fromBlob(blob));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make ed25519 keys", e);
        }
    }

    /** RFC 8032 encoding: y little-endian, the sign of x in the top bit. */
    private static byte[] publicBytes(EdECPublicKey k) {
        byte[] y = k.getPoint().getY().toByteArray(); // big-endian, maybe with a sign byte
        byte[] out = new byte[32];
        for (int i = 0; i < 32 && i < y.length; i++) {
            out[i] = y[y.length - 1 - i];
        }
        if (k.getPoint().isXOdd()) {
            out[31] |= (byte) 0x80;
        }
        return out;
    }

    private static byte[] uint32(int v) {
        return ByteBuffer.allocate(4).putInt(v).array();
    }

    private static byte[] string(String s) {
        return string(s.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] string(byte[] b) {
        return concat(uint32(b.length), b);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

}
