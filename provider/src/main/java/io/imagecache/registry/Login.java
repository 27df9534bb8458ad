package io.imagecache.registry;

import okhttp3.HttpUrl;
import okhttp3.Response;

/**
 * {@code GET /v2/} with credentials: meets the registry's challenge (a token fetched with Basic
 * credentials, or Basic itself) and expects 200. How a {@code docker login} checks credentials.
 */
final class Login implements Endpoint<Boolean> {

    @Override
    public String method() {
        return "GET";
    }

    @Override
    public HttpUrl url(HttpUrl base) {
        return base.newBuilder().addPathSegment("v2").addPathSegment("").build();
    }

    @Override
    public Boolean handleResponse(Response response) {
        return true;
    }

    @Override
    public String actionDescription() {
        return "log in";
    }
}
