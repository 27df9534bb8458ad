package io.imagecache.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PlatformChoiceTest {
    private static final String AMD = "sha256:" + "1".repeat(64);
    private static final String ARM64 = "sha256:" + "2".repeat(64);
    private static final String ARMV7 = "sha256:" + "3".repeat(64);
    private static final String ATT = "sha256:" + "4".repeat(64);
    private static final byte[] INDEX = ("""
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1,"platform":{"architecture":"amd64","os":"linux"}},
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1,"platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1,"platform":{"architecture":"arm","os":"linux","variant":"v7"}},
              {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":1,"platform":{"architecture":"unknown","os":"unknown"}}
            ]}""").formatted(AMD, ARM64, ARMV7, ATT).getBytes(StandardCharsets.UTF_8);

    private static String choose(String platform) throws RegistryException {
        return PlatformChoice.choose(INDEX, Platform.parse(platform), "img", "http://r/v2/x/manifests/1").digest();
    }

    @Test
    void picksByOsArchitectureAndVariant() throws RegistryException {
        assertEquals(AMD, choose("linux/amd64"));
        assertEquals(ARM64, choose("linux/arm64/v8"));
        assertEquals(ARM64, choose("linux/arm64"));
        assertEquals(ARM64, choose("linux/aarch64"));
        assertEquals(ARMV7, choose("linux/arm"));
        assertEquals(ARMV7, choose("linux/arm/v7"));
    }

    @Test
    void noMatchListsWhatThereIs() {
        RegistryException e = assertThrows(RegistryException.class, () -> choose("linux/s390x"));
        assertEquals(RegistryException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("linux/amd64, linux/arm64/v8, linux/arm/v7"), e.getMessage());
        assertTrue(!e.getMessage().contains("unknown"), "attestations are not platforms: " + e.getMessage());
        assertThrows(RegistryException.class, () -> choose("linux/arm/v6"));
        assertThrows(RegistryException.class, () -> choose("windows/amd64"));
    }

    @Test
    void notAnIndexIsAProtocolError() {
        RegistryException e = assertThrows(RegistryException.class, () -> PlatformChoice.choose(
                "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8), Platform.parse("linux/amd64"), "img", "u"));
        assertEquals(RegistryException.Kind.PROTOCOL, e.kind());
        assertThrows(RegistryException.class, () -> PlatformChoice.choose(
                "not json".getBytes(StandardCharsets.UTF_8), Platform.parse("linux/amd64"), "img", "u"));
    }
}
