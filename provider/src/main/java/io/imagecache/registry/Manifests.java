package io.imagecache.registry;

import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.Response;

/** Media types and URL rules shared by the manifest endpoints. */
final class Manifests {
    static final String DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
    static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    /** What we accept, as containerd asks: every current single-image and multi-platform kind. */
    static final List<String> ACCEPT = List.of(OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_V2);

    private Manifests() {}

    static boolean isIndex(String mediaType) {
        return OCI_INDEX.equals(mediaType) || DOCKER_LIST.equals(mediaType);
    }

    static HttpUrl url(HttpUrl base, String repository, String reference) {
        return base.newBuilder().addPathSegment("v2").addPathSegments(repository).addPathSegment("manifests")
                .addPathSegment(reference).build();
    }

    /** Docker-Content-Digest when it holds a well-formed digest. */
    static Optional<String> digestHeader(Response response) {
        return Optional.ofNullable(response.header("Docker-Content-Digest")).map(String::strip).filter(Digests::isDigest);
    }

    /** The Content-Type without parameters, unless it is a generic one that says nothing about the manifest. */
    static Optional<String> mediaType(String contentType) {
        if (contentType == null) {
            return Optional.empty();
        }
        String t = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (t.isEmpty() || t.equals("application/json") || t.equals("text/plain") || t.equals("application/octet-stream")) {
            return Optional.empty();
        }
        return Optional.of(t);
    }

    /** The {@code mediaType} field of a manifest body, if it has one. */
    static Optional<String> mediaTypeField(byte[] body) {
        try {
            JsonElement e = JsonParser.parseString(new String(body, StandardCharsets.UTF_8));
            if (e.isJsonObject() && e.getAsJsonObject().has("mediaType") && e.getAsJsonObject().get("mediaType").isJsonPrimitive()) {
                return Optional.of(e.getAsJsonObject().get("mediaType").getAsString());
            }
            if (e.isJsonObject() && e.getAsJsonObject().has("manifests")) {
                return Optional.of(OCI_INDEX); // an OCI index may omit mediaType
            }
            if (e.isJsonObject() && e.getAsJsonObject().has("config")) {
                return Optional.of(OCI_MANIFEST);
            }
        } catch (JsonParseException | IllegalStateException e) {
            // not JSON: no media type
        }
        return Optional.empty();
    }

    /** {@code scheme://host[:port]/path}: no user info, no query string (where tokens or scopes could be). */
    static String redact(HttpUrl url) {
        return url.newBuilder().username("").password("").query(null).fragment(null).build().toString();
    }
}
