package io.imagecache.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

class ManifestsTest {

    @Test
    void sha256OfKnownInputs() {
        assertEquals("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Digests.sha256(new byte[0]));
        assertEquals("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
                Digests.sha256("hello".getBytes(StandardCharsets.UTF_8)));
        assertTrue(Digests.sameAlgorithm("sha512:" + "0".repeat(128), new byte[0]).startsWith("sha512:cf83e135"));
        assertTrue(Digests.isDigest(Digests.sha256(new byte[1])));
        assertFalse(Digests.isDigest("sha256:abc"));
        assertFalse(Digests.isDigest(null));
    }

    @Test
    void manifestUrlKeepsRepositorySlashes() {
        HttpUrl base = OkHttpRegistryClient.baseUrl("https://registry-1.docker.io");
        assertEquals("https://registry-1.docker.io/v2/library/alpine/manifests/3.20",
                Manifests.url(base, "library/alpine", "3.20").toString());
    }

    @Test
    void baseUrlDropsTrailingSlashAndV2ButKeepsAPrefix() {
        assertEquals("http://10.0.0.1:5000/", OkHttpRegistryClient.baseUrl("http://10.0.0.1:5000/v2/").toString());
        assertEquals("http://10.0.0.1:5000/", OkHttpRegistryClient.baseUrl(" http://10.0.0.1:5000// ").toString());
        assertEquals("https://h/prefix/v2/a/manifests/b",
                Manifests.url(OkHttpRegistryClient.baseUrl("https://h/prefix/"), "a", "b").toString());
    }

    @Test
    void baseUrlRejectsNonUrlsAndCredentialsWithoutEchoingThem() {
        assertThrows(IllegalArgumentException.class, () -> OkHttpRegistryClient.baseUrl("ghcr.io"));
        assertThrows(IllegalArgumentException.class, () -> OkHttpRegistryClient.baseUrl("ftp://x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OkHttpRegistryClient.baseUrl("https://bob:hunter2@mirror:5000"));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().contains("username and password"), e.getMessage());
    }

    @Test
    void mediaTypes() {
        assertEquals(Optional.of(Manifests.OCI_INDEX), Manifests.mediaType("application/vnd.oci.image.index.v1+json; charset=utf-8"));
        assertEquals(Optional.empty(), Manifests.mediaType("application/json"));
        assertEquals(Optional.empty(), Manifests.mediaType(null));
        assertEquals(Optional.of(Manifests.DOCKER_V2),
                Manifests.mediaTypeField(("{\"mediaType\":\"" + Manifests.DOCKER_V2 + "\"}").getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.of(Manifests.OCI_INDEX), Manifests.mediaTypeField("{\"manifests\":[]}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Optional.empty(), Manifests.mediaTypeField("<html>".getBytes(StandardCharsets.UTF_8)));
        assertTrue(Manifests.isIndex(Manifests.DOCKER_LIST));
        assertFalse(Manifests.isIndex(Manifests.OCI_MANIFEST));
    }

    @Test
    void redactDropsQueryAndUserInfo() {
        assertEquals("https://auth.example.com/token",
                Manifests.redact(HttpUrl.parse("https://u:p@auth.example.com/token?scope=x&service=y")));
    }

    @Test
    void defaultRegistryUrl() {
        assertEquals("https://registry-1.docker.io", RegistryClient.defaultRegistryUrl("docker.io"));
        assertEquals("https://ghcr.io", RegistryClient.defaultRegistryUrl("ghcr.io"));
        assertEquals("https://localhost:5000", RegistryClient.defaultRegistryUrl("localhost:5000"));
    }

    @Test
    void credentialsToStringRedacts() {
        Credentials c = new Credentials("bob", "hunter2");
        assertFalse(c.toString().contains("hunter2"), c.toString());
        assertTrue(c.toString().contains("bob"));
        assertThrows(IllegalArgumentException.class, () -> new Credentials("", "x"));
        assertThrows(IllegalArgumentException.class, () -> new Credentials("a:b", "x"));
    }
}
