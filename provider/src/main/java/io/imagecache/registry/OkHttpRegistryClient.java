package io.imagecache.registry;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import io.imagecache.registry.RegistryException.Kind;
import io.imagecache.registry.json.ErrorBody;
import io.imagecache.registry.json.ManifestBody;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** {@link RegistryClient} over okhttp: one shared {@link OkHttpClient}, one class per endpoint. */
final class OkHttpRegistryClient implements RegistryClient {
    private static final String USER_AGENT = "imagecache";
    private static final long MAX_ERROR_BODY = 64 * 1024;
    /**
     * The default client, made on first use: building an {@link OkHttpClient} loads the JDK's TLS stack and its
     * trust store (about a third of the provider's start-up), which a preview that never asks a registry does not need.
     */
    private static final class Shared {
        static final Gson GSON = new Gson();
        static final OkHttpClient CLIENT = new OkHttpClient.Builder()
                .connectTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofSeconds(30))
                .callTimeout(Duration.ofSeconds(60))
                .build();
    }

    static final OkHttpRegistryClient DEFAULT = new OkHttpRegistryClient(() -> Shared.CLIENT);

    private final Supplier<OkHttpClient> http;

    private OkHttpRegistryClient(Supplier<OkHttpClient> http) {
        this.http = http;
    }

    /** Shares the connection pool of the default client. */
    static OkHttpRegistryClient withTimeout(Duration timeout) {
        Duration connect = timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10);
        OkHttpClient client = Shared.CLIENT.newBuilder().connectTimeout(connect).readTimeout(timeout)
                .callTimeout(timeout).build();
        return new OkHttpRegistryClient(() -> client);
    }

    /** What one resolve knows: where it asks, with what, and the Authorization earned so far. */
    private static final class Session {
        final HttpUrl base;
        final Optional<Credentials> credentials;
        String authorization;
        AuthScheme challenged = AuthScheme.NONE;

        Session(HttpUrl base, Optional<Credentials> credentials) {
            this.base = base;
            this.credentials = credentials;
        }
    }

    @Override
    public ResolvedDigest resolve(ImageRef ref, Optional<String> registryUrl, Optional<Credentials> credentials,
            Optional<Platform> platform) throws RegistryException {
        Session s = new Session(baseUrl(registryUrl.orElseGet(() -> RegistryClient.defaultRegistryUrl(ref.registry()))),
                credentials);
        String what = "resolve " + ref + registryUrl.map(u -> " through " + Manifests.redact(s.base).replaceAll("/$", "")).orElse("");
        String reference = ref.reference();

        ManifestHead.Info head;
        Optional<ManifestGet.Manifest> got = Optional.empty();
        try {
            head = call(new ManifestHead(ref.repository(), reference, what), s);
        } catch (RegistryException e) {
            if (e.kind() == Kind.UNAUTHORIZED || e.kind() == Kind.UNREACHABLE) {
                throw e;
            }
            // A HEAD answer has no body: ask again with GET to learn the registry's error codes (or to get past a
            // registry that does not implement HEAD).
            ManifestGet.Manifest m = call(new ManifestGet(ref.repository(), reference, what), s);
            got = Optional.of(m);
            head = new ManifestHead.Info(Optional.of(m.digest()), m.mediaType());
        }

        boolean needBody = head.digest().isEmpty() || head.mediaType().isEmpty()
                || (platform.isPresent() && head.mediaType().map(Manifests::isIndex).orElse(true));
        if (needBody && got.isEmpty()) {
            // By digest when known, so the body is the very manifest the HEAD described even if the tag moves.
            got = Optional.of(call(new ManifestGet(ref.repository(), head.digest().orElse(reference), what), s));
        }
        String digest = head.digest().orElse(null);
        Optional<String> mediaType = head.mediaType();
        if (got.isPresent()) {
            ManifestGet.Manifest m = got.get();
            digest = ref.digest().map(d -> Digests.sameAlgorithm(d, m.body())).orElse(m.digest());
            mediaType = m.mediaType().isPresent() ? m.mediaType() : mediaType;
        }
        String url = Manifests.redact(Manifests.url(s.base, ref.repository(), reference));
        if (ref.digest().isPresent() && !ref.digest().get().equals(digest)) {
            throw new RegistryException(Kind.PROTOCOL, url, "cannot " + what + ": " + url + " served a manifest whose digest is "
                    + digest + ", not the one asked for; a mirror that serves other content than asked is broken or tampered with");
        }
        if (mediaType.isEmpty()) {
            throw new RegistryException(Kind.PROTOCOL, url, "cannot " + what + ": " + url
                    + " answered a manifest without a media type (no Content-Type and no mediaType field)");
        }
        if (platform.isPresent() && Manifests.isIndex(mediaType.get())) {
            ManifestBody.Descriptor child = PlatformChoice.choose(got.orElseThrow().body(), platform.get(), ref.toString(), url);
            String childType = child.mediaType() != null ? child.mediaType()
                    : mediaType.get().equals(Manifests.DOCKER_LIST) ? Manifests.DOCKER_V2 : Manifests.OCI_MANIFEST;
            return new ResolvedDigest(child.digest(), childType, ref.name() + "@" + child.digest());
        }
        return new ResolvedDigest(digest, mediaType.get(), ref.name() + "@" + digest);
    }

    @Override
    public AuthScheme login(String baseUrl, Credentials credentials) throws RegistryException {
        Session s = new Session(baseUrl(baseUrl), Optional.of(credentials));
        call(new Login(), s);
        return s.challenged;
    }

    @Override
    public boolean acceptsUploads(String baseUrl, String repository) {
        HttpUrl url = baseUrl(baseUrl).newBuilder().addPathSegment("v2").addPathSegments(repository)
                .addPathSegment("blobs").addPathSegment("uploads").addPathSegment("").build();
        Request post = new Request.Builder().url(url).header("User-Agent", USER_AGENT)
                .post(okhttp3.RequestBody.create(new byte[0])).build();
        try (Response r = http.get().newCall(post).execute()) {
            if (r.code() != 202) {
                return false;
            }
            HttpUrl upload = r.header("Location") == null ? null : url.resolve(r.header("Location"));
            if (upload != null) {
                try (Response ignored = http.get().newCall(new Request.Builder().url(upload).header("User-Agent", USER_AGENT)
                        .delete().build()).execute()) {
                    // best effort: an abandoned upload is purged by the registry anyway
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public boolean ping(String baseUrl) {
        try {
            return call(new Ping(), new Session(baseUrl(baseUrl), Optional.empty()));
        } catch (RegistryException e) {
            return false;
        }
    }

    /** Parses a registry base URL; a trailing {@code /v2/} and slashes are dropped. */
    static HttpUrl baseUrl(String text) {
        HttpUrl url = text == null ? null : HttpUrl.parse(text.strip());
        if (url == null) {
            throw new IllegalArgumentException("registry URL \"" + (text == null ? "" : text.replaceAll("//[^/@]*@", "//"))
                    + "\" is not an http:// or https:// URL, e.g. https://mirror.example.com:5000");
        }
        if (!url.username().isEmpty() || !url.password().isEmpty()) {
            throw new IllegalArgumentException("registry URL " + Manifests.redact(url)
                    + " carries user:password@; give them as username and password instead");
        }
        List<String> segments = new ArrayList<>(url.pathSegments());
        segments.removeIf(String::isEmpty);
        if (!segments.isEmpty() && segments.get(segments.size() - 1).equals("v2")) {
            segments.remove(segments.size() - 1);
        }
        HttpUrl.Builder b = url.newBuilder().query(null).fragment(null).encodedPath("/");
        segments.forEach(b::addPathSegment);
        return b.build();
    }

    /** Sends {@code ep}, meeting one authentication challenge, and reads the answer or raises the failure. */
    private <T> T call(Endpoint<T> ep, Session s) throws RegistryException {
        HttpUrl url = ep.url(s.base);
        try (Response r = execute(ep, url, ep.authenticates() ? s.authorization : null)) {
            if (r.code() == 401 && ep.authenticates()) {
                List<Challenge> challenges = Challenge.parseAll(r.headers("WWW-Authenticate"));
                s.authorization = authorize(challenges, ep, url, s);
                try (Response again = execute(ep, url, s.authorization)) {
                    return finish(ep, again, s);
                }
            }
            return finish(ep, r, s);
        } catch (IOException e) {
            throw unreachable(ep, url, e);
        }
    }

    private Response execute(Endpoint<?> ep, HttpUrl url, String authorization) throws IOException {
        Request.Builder b = new Request.Builder().url(url).header("User-Agent", USER_AGENT).method(ep.method(), null);
        if (!ep.accept().isEmpty()) {
            b.header("Accept", String.join(", ", ep.accept()));
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.get().newCall(b.build()).execute();
    }

    private <T> T finish(Endpoint<T> ep, Response r, Session s) throws IOException, RegistryException {
        if (r.isSuccessful()) {
            return ep.handleResponse(r);
        }
        Optional<T> accepted = ep.handleError(r);
        if (accepted.isPresent()) {
            return accepted.get();
        }
        throw failure(ep, r, s);
    }

    /** The Authorization header that answers the challenges: a Bearer token (preferred) or Basic credentials. */
    private String authorize(List<Challenge> challenges, Endpoint<?> ep, HttpUrl url, Session s) throws RegistryException {
        String at = Manifests.redact(url);
        Optional<Challenge> bearer = challenges.stream().filter(Challenge::isBearer).findFirst();
        if (bearer.isPresent()) {
            s.challenged = AuthScheme.BEARER;
            return "Bearer " + fetchToken(bearer.get(), ep, url, s);
        }
        if (challenges.stream().anyMatch(Challenge::isBasic)) {
            s.challenged = AuthScheme.BASIC;
            Credentials c = s.credentials.orElseThrow(() -> new RegistryException(Kind.UNAUTHORIZED, at, 401, List.of(),
                    "cannot " + ep.actionDescription() + ": " + at + " wants a username and password (Basic authentication); "
                            + "give them as username and password", null));
            return okhttp3.Credentials.basic(c.username(), c.password(), StandardCharsets.UTF_8);
        }
        String schemes = challenges.stream().map(Challenge::scheme).collect(Collectors.joining(", "));
        throw new RegistryException(Kind.UNAUTHORIZED, at, 401, List.of(), "cannot " + ep.actionDescription() + ": " + at
                + " answered 401 with " + (schemes.isEmpty() ? "no WWW-Authenticate challenge" : "challenge(s) " + schemes)
                + ", and this client speaks only Bearer and Basic", null);
    }

    private String fetchToken(Challenge c, Endpoint<?> ep, HttpUrl url, Session s) throws RegistryException {
        String at = Manifests.redact(url);
        String realmText = c.param("realm").orElseThrow(() -> new RegistryException(Kind.PROTOCOL, at,
                "cannot " + ep.actionDescription() + ": " + at + " sent a Bearer challenge without a realm"));
        HttpUrl realm = HttpUrl.parse(realmText);
        if (realm == null) {
            throw new RegistryException(Kind.PROTOCOL, at, "cannot " + ep.actionDescription() + ": " + at
                    + " sent a Bearer challenge whose realm is not an http(s) URL");
        }
        if (s.credentials.isPresent() && url.isHttps() && !realm.isHttps()) {
            throw new RegistryException(Kind.PROTOCOL, at, "cannot " + ep.actionDescription() + ": " + at
                    + " sends clients to the token service " + Manifests.redact(realm) + " over plain HTTP; "
                    + "refusing to send credentials there");
        }
        TokenFetch fetch = new TokenFetch(realm, c.param("service"), c.param("scope").or(ep::scope),
                ep.actionDescription() + " (token from " + Manifests.redact(realm) + ")");
        HttpUrl tokenUrl = fetch.url(s.base);
        String basic = s.credentials.map(cr -> okhttp3.Credentials.basic(cr.username(), cr.password(), StandardCharsets.UTF_8))
                .orElse(null);
        try (Response r = execute(fetch, tokenUrl, basic)) {
            if (r.isSuccessful()) {
                return fetch.handleResponse(r);
            }
            String realmAt = Manifests.redact(tokenUrl);
            if (r.code() == 401 || r.code() == 403) {
                throw new RegistryException(Kind.UNAUTHORIZED, realmAt, r.code(), List.of(), "cannot " + ep.actionDescription()
                        + ": the token service " + realmAt + " answered " + r.code() + " "
                        + s.credentials.map(cr -> "to user " + cr.username() + "; check username and password")
                                .orElse("to an anonymous client; give a username and password"), null);
            }
            throw failure(fetch, r, s);
        } catch (IOException e) {
            throw unreachable(fetch, tokenUrl, e);
        }
    }

    /** The exception for a non-2xx answer, with the registry's error codes when it sent a body. */
    private RegistryException failure(Endpoint<?> ep, Response r, Session s) throws IOException {
        String at = Manifests.redact(r.request().url());
        List<RegistryError> errors = errorBody(r);
        String codes = errors.isEmpty() ? "" : " (" + errors.stream().map(RegistryError::toString).collect(Collectors.joining("; ")) + ")";
        String head = "cannot " + ep.actionDescription() + ": " + at + " answered " + r.code() + codes;
        int code = r.code();
        if (code == 401) {
            String todo = s.credentials.map(c -> "; the credentials of user " + c.username()
                    + " were not accepted for this repository: check username and password, and that the repository exists "
                    + "(Docker Hub answers 401 for a repository that does not exist)")
                    .orElse("; give a username and password, or check that the repository exists");
            return new RegistryException(Kind.UNAUTHORIZED, at, code, errors, head + todo, null);
        }
        if (code == 403) {
            return new RegistryException(Kind.UNAUTHORIZED, at, code, errors, head
                    + s.credentials.map(c -> "; user " + c.username() + " may not pull this repository").orElse("; access denied"), null);
        }
        if (code == 404) {
            String todo = errors.stream().anyMatch(e -> e.code() == ErrorCode.NAME_UNKNOWN)
                    ? "; the repository does not exist there: check the image name"
                    : "; check the image name and tag (or digest)";
            return new RegistryException(Kind.NOT_FOUND, at, code, errors, head + todo, null);
        }
        if (code == 429) {
            return new RegistryException(Kind.UNAVAILABLE, at, code, errors, head
                    + "; the registry is rate-limiting this client: retry later, or authenticate for a higher limit", null);
        }
        if (code >= 500) {
            return new RegistryException(Kind.UNAVAILABLE, at, code, errors, head
                    + "; the registry failed (a pull-through cache answers this when its upstream is unreachable): retry later", null);
        }
        String hint = errors.isEmpty() && r.code() == 400 && r.request().url().scheme().equals("http")
                ? "; if the server speaks HTTPS on this port, use an https:// URL" : "";
        return new RegistryException(Kind.PROTOCOL, at, code, errors, head + "; the Registry API defines no such answer here" + hint, null);
    }

    /** {@code errors[]} of a JSON error body; empty when there is none (HEAD) or it is not one. */
    private static List<RegistryError> errorBody(Response r) throws IOException {
        if (r.request().method().equals("HEAD")) {
            return List.of();
        }
        String text = r.peekBody(MAX_ERROR_BODY).string();
        try {
            ErrorBody body = Shared.GSON.fromJson(text, ErrorBody.class);
            if (body == null || body.errors() == null) {
                return List.of();
            }
            List<RegistryError> out = new ArrayList<>();
            for (ErrorBody.Entry e : body.errors()) {
                if (e != null && e.code() != null) {
                    String msg = e.message() == null ? "" : e.message().length() > 300 ? e.message().substring(0, 300) + "..." : e.message();
                    out.add(new RegistryError(ErrorCode.of(e.code()), e.code(), msg));
                }
            }
            return out;
        } catch (JsonParseException | IllegalStateException e) {
            return List.of();
        }
    }

    private static RegistryException unreachable(Endpoint<?> ep, HttpUrl url, IOException e) {
        String at = Manifests.redact(url);
        String host = url.host() + ":" + url.port();
        String why;
        if (e instanceof UnknownHostException) {
            why = "the host name " + url.host() + " does not resolve: check the registry URL and this machine's DNS";
        } else if (e instanceof ConnectException) {
            why = "nothing accepts connections at " + host + ": check the URL and port, and that the registry runs";
        } else if (e instanceof SocketTimeoutException || e.getMessage() != null && e.getMessage().contains("timeout")) {
            why = "no answer from " + host + " in time: check that it is reachable from this machine (firewall, proxy)";
        } else if (e instanceof SSLHandshakeException) {
            why = "the TLS handshake with " + host + " failed (" + e.getMessage() + "): the registry's certificate may not be "
                    + "trusted by this Java runtime";
        } else if (e instanceof SSLException) {
            why = "TLS with " + host + " failed (" + e.getMessage() + "); if the registry speaks plain HTTP, use an http:// URL";
        } else {
            why = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + "; check the registry URL and that it is reachable from this machine";
        }
        return new RegistryException(Kind.UNREACHABLE, at, 0, List.of(), "cannot " + ep.actionDescription() + ": no answer from "
                + at + ": " + why, e);
    }
}
