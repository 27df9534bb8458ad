package io.imagecache.registry;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Content digests as the distribution spec writes them: {@code sha256:<64 lowercase hex>}. */
final class Digests {
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}");

    private Digests() {}

    static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    static String sha512(byte[] data) {
        try {
            return "sha512:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-512", e);
        }
    }

    /** The digest of {@code data} with the algorithm {@code like} names (sha256 or sha512). */
    static String sameAlgorithm(String like, byte[] data) {
        return like.startsWith("sha512:") ? sha512(data) : sha256(data);
    }

    static boolean isDigest(String s) {
        return s != null && DIGEST.matcher(s).matches();
    }
}
