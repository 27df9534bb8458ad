package io.imagecache.registry;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import io.imagecache.registry.json.TokenBody;
import java.io.IOException;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.Response;

/**
 * {@code GET <realm>?service=<service>&scope=<scope>}: a Bearer token from the token service a registry's
 * challenge names (Docker's token authentication spec). Basic credentials are added by the client when given.
 */
final class TokenFetch implements Endpoint<String> {
    private static final Gson GSON = new Gson();

    private final HttpUrl realm;
    private final Optional<String> service;
    private final Optional<String> scope;
    private final String description;

    TokenFetch(HttpUrl realm, Optional<String> service, Optional<String> scope, String description) {
        this.realm = realm;
        this.service = service;
        this.scope = scope;
        this.description = description;
    }

    @Override
    public String method() {
        return "GET";
    }

    /** The realm is absolute: the base URL is not used. */
    @Override
    public HttpUrl url(HttpUrl base) {
        HttpUrl.Builder b = realm.newBuilder();
        service.ifPresent(s -> b.addQueryParameter("service", s));
        scope.ifPresent(s -> b.addQueryParameter("scope", s));
        return b.build();
    }

    @Override
    public boolean authenticates() {
        return false;
    }

    @Override
    public String handleResponse(Response response) throws IOException, RegistryException {
        String url = Manifests.redact(response.request().url());
        TokenBody body;
        try {
            body = GSON.fromJson(response.body().string(), TokenBody.class);
        } catch (JsonParseException e) {
            throw new RegistryException(RegistryException.Kind.PROTOCOL, url,
                    "cannot " + description + ": the token service at " + url + " did not answer JSON; is the realm right?");
        }
        if (body == null || body.bearer() == null) {
            throw new RegistryException(RegistryException.Kind.PROTOCOL, url,
                    "cannot " + description + ": the token service at " + url + " answered no token");
        }
        return body.bearer();
    }

    @Override
    public String actionDescription() {
        return description;
    }
}
