package io.imagecache.registry;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import okhttp3.HttpUrl;
import okhttp3.Response;

/**
 * One Registry HTTP API call (as jib's RegistryEndpointProvider): what to send, and how to read the answer.
 * {@link OkHttpRegistryClient} does the sending, the authentication challenge and the mapping of failures.
 */
interface Endpoint<T> {

    /** GET, HEAD, ... */
    String method();

    /** The URL asked, built on the registry's base URL ({@code https://host[:port]}). */
    HttpUrl url(HttpUrl base);

    /** Accept header values, most preferred first; empty for none. */
    default List<String> accept() {
        return List.of();
    }

    /** The token scope to ask for when a Bearer challenge names none, e.g. {@code repository:library/alpine:pull}. */
    default Optional<String> scope() {
        return Optional.empty();
    }

    /** False for calls whose 401 is an answer rather than a challenge to meet (the ping). */
    default boolean authenticates() {
        return true;
    }

    /** Reads a 2xx answer. */
    T handleResponse(Response response) throws IOException, RegistryException;

    /**
     * Reads a non-2xx answer. Return a value to accept it, or empty to let the client raise the usual
     * {@link RegistryException} for its status and error body.
     */
    default Optional<T> handleError(Response response) throws IOException, RegistryException {
        return Optional.empty();
    }

    /** What this call does, for messages: "resolve docker.io/library/alpine:3.20". */
    String actionDescription();
}
