package io.imagecache.resources;

import io.imagecache.ssh.OpenSshPrivateKey;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a {@code privateKey} input is the text of a private key file: an OpenSSH one that parses
 * ({@link OpenSshPrivateKey}), or a PEM one (PKCS#1, SEC1, PKCS#8, encrypted or not) whose armour matches and whose
 * body is base64. Caught in Check, so a pasted path or a damaged key is refused at preview, before any host is
 * dialled. The reasons never quote the key.
 */
final class PrivateKeyText {
    private PrivateKeyText() {}

    private static final String WHAT = "must be the contents of a private key file (-----BEGIN OPENSSH PRIVATE KEY----- ...)";
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ((?:RSA |EC |DSA |ENCRYPTED )?PRIVATE KEY)-----\\s*(.*?)\\s*-----END ([A-Z ]+)-----", Pattern.DOTALL);

    static Optional<String> problem(String text) {
        String t = text.strip();
        if (!t.contains("PRIVATE KEY-----")) {
            return Optional.of(WHAT + ", not a path");
        }
        if (t.startsWith("-----BEGIN OPENSSH PRIVATE KEY-----")) {
            try {
                OpenSshPrivateKey.parse(t);
                return Optional.empty();
            } catch (IllegalArgumentException e) {
                return Optional.of(WHAT + "; this one " + e.getMessage() + ": paste the whole file, e.g. ~/.ssh/id_ed25519");
            }
        }
        Matcher m = PEM.matcher(t);
        if (!m.matches() || !m.group(1).equals(m.group(3))) {
            return Optional.of(WHAT + "; this one is not a whole OpenSSH or PEM key file (its BEGIN and END lines do "
                    + "not match): paste the whole file");
        }
        String body = m.group(2);
        // an encrypted PKCS#1 key has headers (Proc-Type, DEK-Info) and a blank line before its base64
        int blank = body.indexOf("\n\n");
        if (body.startsWith("Proc-Type:") && blank > 0) {
            body = body.substring(blank);
        }
        try {
            if (Base64.getDecoder().decode(body.replaceAll("\\s", "")).length < 32) {
                return Optional.of(WHAT + "; this one is too short to hold a key: paste the whole file");
            }
        } catch (IllegalArgumentException e) {
            return Optional.of(WHAT + "; this one's body is not base64: paste the whole file");
        }
        return Optional.empty();
    }
}
