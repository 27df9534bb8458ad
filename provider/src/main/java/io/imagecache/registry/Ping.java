package io.imagecache.registry;

import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.Response;

/** {@code GET /v2/}: 200, or 401 from a registry that wants credentials, means a registry answers. */
final class Ping implements Endpoint<Boolean> {

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public HttpUrl url(HttpUrl base) {
        return base.newBuilder().addPathSegment("v2").addPathSegment("").build();
    }

    @Override
    public boolean authenticates() {
        return false;
    }

    @Override
    public Boolean handleResponse(Response response) {
        return true;
    }

    @Override
    public Optional<Boolean> handleError(Response response) {
        return Optional.of(response.code() == 401);
    }

    @Override
    public String actionDescription() {
        return "check that a registry answers";
    }
}
