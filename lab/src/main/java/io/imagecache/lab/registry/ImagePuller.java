package io.imagecache.lab.registry;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Pulls an image the way a client does, through any registry without authentication (typically a
 * pull-through cache): the manifest, then every blob it references (config and layers; for an index
 * or manifest list every child manifest and its blobs). Afterwards a proxy holds the whole image.
 */
public final class ImagePuller {
    private static final String ACCEPT = String.join(", ", ImageSeeder.OCI_INDEX, ImageSeeder.DOCKER_MANIFEST_LIST,
            ImageSeeder.OCI_MANIFEST, ImageSeeder.DOCKER_MANIFEST);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String baseUrl;

    private ImagePuller(String baseUrl) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    }

    public static ImagePuller from(String baseUrl) {
        return new ImagePuller(baseUrl);
    }

    /** Pulls {@code repository:reference} completely; returns the manifest digest the registry answered with. */
    public String pull(String repository, String reference) {
        HttpResponse<String> m = get("/v2/" + repository + "/manifests/" + reference, ACCEPT);
        String digest = m.headers().firstValue("Docker-Content-Digest").orElse("");
        JsonObject manifest = JsonParser.parseString(m.body()).getAsJsonObject();
        if (manifest.has("manifests")) {
            for (JsonElement child : manifest.getAsJsonArray("manifests")) {
                pull(repository, child.getAsJsonObject().get("digest").getAsString());
            }
            return digest;
        }
        List<String> blobs = new ArrayList<>();
        blobs.add(manifest.getAsJsonObject("config").get("digest").getAsString());
        manifest.getAsJsonArray("layers").forEach(l -> blobs.add(l.getAsJsonObject().get("digest").getAsString()));
        for (String b : blobs) {
            get("/v2/" + repository + "/blobs/" + b, "*/*");
        }
        return digest;
    }

    private HttpResponse<String> get(String path, String accept) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(60))
                    .header("Accept", accept).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + baseUrl + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r;
        } catch (IOException e) {
            throw new IllegalStateException("GET " + baseUrl + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
