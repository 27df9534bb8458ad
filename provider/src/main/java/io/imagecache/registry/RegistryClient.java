package io.imagecache.registry;

import java.time.Duration;
import java.util.Optional;

/**
 * The Registry HTTP API v2 as the provider uses it. {@link #create()} gives the real client (okhttp, one shared
 * connection pool); resource tests pass a hand-written fake. Implementations are thread-safe.
 */
public interface RegistryClient {

    /**
     * What {@code ref} points at now. Asks {@code registryUrl} when given (a mirror or pull-through cache; the path
     * stays {@code /v2/<repository>/manifests/<tag>}), else {@link #defaultRegistryUrl}. Answers Bearer challenges
     * (fetching a token, with {@code credentials} as Basic auth if given) and Basic challenges. With
     * {@code platform} and a multi-platform image, the manifest for that platform is chosen.
     *
     * @throws RegistryException with {@link RegistryException.Kind} UNAUTHORIZED, NOT_FOUND, UNREACHABLE,
     *                           UNAVAILABLE or PROTOCOL and a message naming the URL and what to do
     * @throws IllegalArgumentException when {@code registryUrl} is not an http(s) URL
     */
    ResolvedDigest resolve(ImageRef ref, Optional<String> registryUrl, Optional<Credentials> credentials,
            Optional<Platform> platform) throws RegistryException;

    /**
     * Checks {@code credentials} the way {@code docker login} does: {@code GET <baseUrl>/v2/}, meeting a
     * Bearer challenge (a token fetched with the credentials as Basic auth) or a Basic one.
     *
     * @return the scheme the registry challenged with ({@link AuthScheme#NONE} when it let us in unasked)
     * @throws RegistryException UNAUTHORIZED when the registry or its token service rejects them,
     *                           UNREACHABLE when nothing answers
     */
    AuthScheme login(String baseUrl, Credentials credentials) throws RegistryException;

    /** How a registry asked for credentials at {@code /v2/}. */
    enum AuthScheme { NONE, BASIC, BEARER }

    /**
     * True when {@code POST <baseUrl>/v2/<repository>/blobs/uploads/} starts an upload (202; the upload is cancelled
     * again). A pull-through proxy refuses uploads (distribution 2.8 and 3.1 answer 405 UNSUPPORTED), so a registry
     * that accepts one is not in proxy mode. False for any other answer, and when nothing answers.
     */
    boolean acceptsUploads(String baseUrl, String repository);

    /** True when {@code GET <baseUrl>/v2/} answers 200, or 401 (a registry that wants credentials). Never throws for I/O. */
    boolean ping(String baseUrl);

    /** The real client with default timeouts (connect 10 s, read 30 s, whole call 60 s). */
    static RegistryClient create() {
        return OkHttpRegistryClient.DEFAULT;
    }

    /** The real client with {@code timeout} for each whole call (and for connecting, at most 10 s). */
    static RegistryClient create(Duration timeout) {
        return OkHttpRegistryClient.withTimeout(timeout);
    }

    /** {@code https://registry-1.docker.io} for Docker Hub, else {@code https://<registry>}. */
    static String defaultRegistryUrl(String registry) {
        if (registry.equals(ImageRef.DOCKER_HUB) || registry.equals("index.docker.io")) {
            return "https://registry-1.docker.io";
        }
        return "https://" + registry;
    }
}
