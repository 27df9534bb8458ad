package io.imagecache.registry;

import java.util.List;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.Response;

/** {@code HEAD /v2/<repository>/manifests/<reference>}: digest and media type without the body. */
final class ManifestHead implements Endpoint<ManifestHead.Info> {

    /** What the headers tell: the digest may be missing (then GET the body and hash it). */
    record Info(Optional<String> digest, Optional<String> mediaType) {}

    private final String repository;
    private final String reference;
    private final String description;

    ManifestHead(String repository, String reference, String description) {
        this.repository = repository;
        this.reference = reference;
        this.description = description;
    }

    @Override
    public String method() {
        return "HEAD";
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
    public Info handleResponse(Response response) {
        return new Info(Manifests.digestHeader(response), Manifests.mediaType(response.header("Content-Type")));
    }

    @Override
    public String actionDescription() {
        return description;
    }
}
