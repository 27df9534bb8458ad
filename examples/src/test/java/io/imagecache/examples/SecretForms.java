package io.imagecache.examples;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The secrets a sweep looks for, each under a name that a failure may show ("upstream password, base64 of
 * user:password"), never the value. A secret is looked for as it is and in the forms it takes on its way
 * to a leak: base64 of {@code user:password} (an HTTP Basic header, a docker config.json {@code auth}),
 * base64 and URL-encoding of the value itself, and each body line of a private key (a leak may be partial)
 * and the whole key in base64. A value is looked for without the whitespace that ends it (a key file, a
 * password file read whole, end in a newline a leak may not carry), and its base64 only as far as whole groups
 * of three bytes go, which base64 of the value with or without a trailing newline both begin with. Pure.
 */
final class SecretForms {
    private final Map<String, String> forms = new LinkedHashMap<>();

    /** A private key's body lines shorter than this could occur by chance (the last line is often short). */
    private static final int MIN_KEY_LINE = 16;

    SecretForms password(String what, String username, String password) {
        value(what, password);
        forms.put(what + ", base64 of user:password", b64(username + ":" + password.strip()));
        return this;
    }

    SecretForms value(String what, String secret) {
        String value = secret.strip();
        forms.put(what, value);
        forms.put(what + ", base64", b64Groups(value));
        String url = URLEncoder.encode(value, StandardCharsets.UTF_8);
        if (!url.equals(value)) {
            forms.put(what + ", URL-encoded", url);
        }
        return this;
    }

    SecretForms privateKey(String what, String pem) {
        int n = 0;
        for (String line : pem.lines().map(String::strip).toList()) {
            n++;
            if (!line.startsWith("-----") && line.length() >= MIN_KEY_LINE) {
                forms.put(what + ", body line " + n, line);
            }
        }
        forms.put(what + ", base64", b64Groups(pem.strip()));
        return this;
    }

    /** The names of every form found in {@code text} (empty: none). */
    List<String> find(String text) {
        List<String> out = new ArrayList<>();
        forms.forEach((name, v) -> {
            if (text.contains(v)) {
                out.add(name);
            }
        });
        return out;
    }

    /** As {@link #find(String)} on bytes read as Latin-1 (every form is ASCII; any file decodes). */
    List<String> find(byte[] bytes) {
        return find(new String(bytes, StandardCharsets.ISO_8859_1));
    }

    /** How many forms there are (a sweep for none proves nothing). */
    int size() {
        return forms.size();
    }

    /** Base64 of the bytes of {@code s} up to the last whole group of three: a prefix of base64 of s + "\n". */
    private static String b64Groups(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(b, b.length - b.length % 3));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
