package io.imagecache.lab.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.SshKeys;
import java.util.List;
import org.junit.jupiter.api.Test;

class LabSecretsTest {

    @Test
    void aRegisteredPasswordInAMessageIsALeakThatNamesItsSourceButNotTheSecret() {
        LabSecrets.register("s3cret-Passw0rd");
        int from = LabSecrets.observedCount();
        LabSecrets.observe("context warn", "could not log in with s3cret-Passw0rd at http://10.0.0.1");
        LabSecrets.observe("context status", "Connecting to root@10.0.0.1");
        List<LabSecrets.Leak> leaks = LabSecrets.leaksSince(from);
        assertEquals(1, leaks.size());
        assertEquals("context warn", leaks.get(0).source());
        assertFalse(leaks.get(0).excerpt().contains("s3cret-Passw0rd"));
        assertFalse(leaks.get(0).secretDescription().contains("Passw0rd"));
        assertTrue(leaks.get(0).excerpt().contains("could not log in with <secret> at"));
        assertEquals(List.of(), LabSecrets.leaksSince(from), "a leak is reported once");
    }

    @Test
    void anyLineOfAPrivateKeyIsALeak() {
        SshKeys keys = SshKeys.ed25519();
        String bodyLine = keys.privateKey().lines().skip(2).findFirst().orElseThrow();
        int from = LabSecrets.observedCount();
        LabSecrets.observe("pulumi up (stderr)", "error: bad key " + bodyLine + " ...");
        assertEquals(1, LabSecrets.leaksSince(from).size());
    }

    @Test
    void shortValuesAndUsersAreNoSecrets() {
        LabSecrets.register("puller");
        LabSecrets.register("");
        int from = LabSecrets.observedCount();
        LabSecrets.observe("pulumi preview (stdout)", "username: puller, password: [secret]");
        assertEquals(List.of(), LabSecrets.leaksSince(from));
    }

    @Test
    void aSecretIsFoundWhateverWhitespaceEndsItOnEitherSide() {
        LabSecrets.register("registered-with-newline\n");
        LabSecrets.register("registered-without-newline");
        int from = LabSecrets.observedCount();
        LabSecrets.observe("a", "password registered-with-newline, no newline after it");
        LabSecrets.observe("b", "password: registered-without-newline\n");
        LabSecrets.observe("c", "registered-without-newline");
        assertEquals(List.of("a", "b", "c"), LabSecrets.leaksSince(from).stream().map(LabSecrets.Leak::source).toList());
    }

    @Test
    void credentialsAreAlsoFoundAsABasicAuthorizationHeader() {
        LabSecrets.registerCredentials("puller", "basic-pass-77");
        int from = LabSecrets.observedCount();
        String header = java.util.Base64.getEncoder().encodeToString("puller:basic-pass-77".getBytes());
        LabSecrets.observe("provider log", "GET /v2/ Authorization: Basic " + header);
        assertEquals(1, LabSecrets.leaksSince(from).size());
    }
}
