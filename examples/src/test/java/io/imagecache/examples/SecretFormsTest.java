package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.imagecache.lab.SshKeys;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecretFormsTest {
    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aValueIsFoundAsItIsAndInBase64WithOrWithoutTheNewlineThatEndsIt() {
        for (String secret : List.of("pass-word-1", "pass-word-12", "pass-word-123")) {
            SecretForms f = new SecretForms().value("pw", secret + "\n");
            assertEquals(List.of("pw"), f.find("password: " + secret + " ok"), secret);
            assertEquals(List.of("pw, base64"), f.find("x " + b64(secret) + " y"), secret);
            assertEquals(List.of("pw, base64"), f.find("x " + b64(secret + "\n") + " y"), secret);
        }
    }

    @Test
    void aPrivateKeyIsFoundByABodyLineAndAsBase64OfTheFileWhetherItEndsInANewlineOrNot() {
        String pem = SshKeys.ed25519().privateKey();
        SecretForms f = new SecretForms().privateKey("key", pem);
        String line = pem.lines().skip(2).findFirst().orElseThrow();
        assertEquals(List.of("key, body line 3"), f.find("bad key " + line));
        assertEquals(List.of("key, base64"), f.find("KEY=" + b64(pem.strip())));
        assertEquals(List.of("key, base64"), f.find("KEY=" + b64(pem.strip() + "\n")));
    }

    @Test
    void basicCredentialsAreFoundAsTheHeaderCarriesThem() {
        SecretForms f = new SecretForms().password("up", "puller", "upstream-pass\n");
        assertEquals(List.of("up, base64 of user:password"), f.find("Authorization: Basic " + b64("puller:upstream-pass")));
    }
}
