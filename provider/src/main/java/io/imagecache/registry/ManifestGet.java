package io.imagecache.registry;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.Response;
import okhttp3.ResponseBody;

/** {@code GET /v2/<repository>/manifests/<reference>}: the manifest's bytes, its computed digest and media type. */
final class ManifestGet implements Endpoint<ManifestGet.Manifest> {
    /** distribution refuses manifests above 4 MiB; so does this client. */
    static final long MAX_BYTES = 4L * 1024 * 1024;

    /** The manifest: {@code digest} is the sha256 of {@code body}; {@code headerDigest} what the registry said. */
    record Manifest(byte[] body, String digest, Optional<String> headerDigest, Optional<String> mediaType) {}

    private final String repository;
    private final String reference;
    private final String description;

    ManifestGet(String repository, String reference, String description) {
        this.repository = repository;
        this.reference = reference;
        this.description = description;
    }

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public HttpUrl url(HttpUrl base) {
        return Manifests.url(base, repository, reference);
    }

    @Override
    public List<String> accept() {
        return Manifests.ACCEPT;
    }

    @Override
    public Optional<String> scope() {
        return Optional.of("repository:" + repository + ":pull");
    }

    @Override
    public Manifest handleResponse(Response response) throws IOException, RegistryException {
        ResponseBody body = response.body();
        if (body.contentLength() > MAX_BYTES) {
            throw tooLarge(response);
        }
        if (body.source().request(MAX_BYTES + 1)) {
            throw tooLarge(response);
        }
        byte[] bytes = body.source().readByteArray();
        Optional<String> mediaType = Manifests.mediaType(response.header("Content-Type"))
                .or(() -> Manifests.mediaTypeField(bytes));
        return new Manifest(bytes, Digests.sha256(bytes), Manifests.digestHeader(response), mediaType);
    }

    private RegistryException tooLarge(Response response) {
        return new RegistryException(RegistryException.Kind.PROTOCOL, Manifests.redact(response.request().url()),
                "cannot " + description + ": the manifest at " + Manifests.redact(response.request().url())
                        + " is larger than 4 MiB, which no registry accepts; is this URL a registry?");
    }

    @Override
    public String actionDescription() {
        return description;
    }
}
