package io.imagecache.lab.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ImageSeederIT {
    private static LocalRegistry registry;

    @BeforeAll
    static void start() {
        registry = LocalRegistry.plain();
        registry.start();
    }

    @AfterAll
    static void stop() {
        registry.close();
    }

    private static JsonObject inspect(String reference, String... extra) {
        String[] base = {"skopeo", "--override-os", "linux"};
        String[] tail = {"inspect", "--tls-verify=false", "--no-tags", "docker://" + reference};
        String[] cmd = new String[base.length + extra.length + tail.length];
        System.arraycopy(base, 0, cmd, 0, base.length);
        System.arraycopy(extra, 0, cmd, base.length, extra.length);
        System.arraycopy(tail, 0, cmd, base.length + extra.length, tail.length);
        return JsonParser.parseString(Exec.run(cmd).ok()).getAsJsonObject();
    }

    private static String rawMediaType(String reference) {
        String raw = Exec.run("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + reference).ok();
        return JsonParser.parseString(raw).getAsJsonObject().get("mediaType").getAsString();
    }

    @Test
    void dockerImageV1AndV2HaveDifferentDigests() {
        ImageSeeder seeder = ImageSeeder.to(registry);
        ImageSeeder.Pushed v1 = seeder.dockerImage("seed/docker", "latest", "v1");
        assertEquals(v1.digest(), inspect(v1.byTag(registry.hostPort())).get("Digest").getAsString());
        assertEquals(ImageSeeder.DOCKER_MANIFEST, rawMediaType(v1.byTag(registry.hostPort())));
        assertEquals(v1.digest(), seeder.dockerImage("seed/docker", "latest", "v1").digest(), "not deterministic");

        ImageSeeder.Pushed v2 = seeder.dockerImage("seed/docker", "latest", "v2");
        assertNotEquals(v1.digest(), v2.digest());
        assertEquals(v2.digest(), inspect(v2.byTag(registry.hostPort())).get("Digest").getAsString());
        assertEquals(v1.digest(), inspect(v1.byDigest(registry.hostPort())).get("Digest").getAsString(), "v1 still there by digest");
    }

    @Test
    void ociImage() {
        ImageSeeder.Pushed p = ImageSeeder.to(registry).ociImage("seed/oci", "1", "oci");
        assertEquals(ImageSeeder.OCI_MANIFEST, rawMediaType(p.byTag(registry.hostPort())));
        JsonObject i = inspect(p.byTag(registry.hostPort()));
        assertEquals("amd64", i.get("Architecture").getAsString());
        assertEquals(1, i.getAsJsonArray("Layers").size());
    }

    @Test
    void ociIndexAndDockerListResolvePerPlatform() {
        ImageSeeder seeder = ImageSeeder.to(registry);
        for (ImageSeeder.Pushed p : new ImageSeeder.Pushed[] {
                seeder.ociIndex("seed/multi", "oci", "multi"), seeder.dockerManifestList("seed/multi", "docker", "multi")}) {
            String ref = p.byTag(registry.hostPort());
            assertEquals(p.mediaType(), rawMediaType(ref));
            assertEquals(p.digest(), inspect(ref).get("Digest").getAsString());
            Map<String, String> platforms = p.platformDigests();
            assertEquals(2, platforms.size(), platforms.toString());
            JsonObject index = JsonParser.parseString(
                    Exec.run("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + ref).ok()).getAsJsonObject();
            for (var entry : index.getAsJsonArray("manifests")) {
                JsonObject m = entry.getAsJsonObject();
                JsonObject platform = m.getAsJsonObject("platform");
                String key = platform.get("os").getAsString() + "/" + platform.get("architecture").getAsString()
                        + (platform.has("variant") ? "/" + platform.get("variant").getAsString() : "");
                assertEquals(platforms.get(key), m.get("digest").getAsString(), key);
                JsonObject child = inspect(registry.hostPort() + "/seed/multi@" + platforms.get(key));
                assertEquals(platform.get("architecture").getAsString(), child.get("Architecture").getAsString());
            }
            JsonObject arm = inspect(ref, "--override-arch", "arm64", "--override-variant", "v8");
            assertEquals("arm64", arm.get("Architecture").getAsString());
        }
    }
}
