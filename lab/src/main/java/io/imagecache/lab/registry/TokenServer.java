package io.imagecache.lab.registry;

import io.imagecache.lab.guard.LabSecrets;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny Docker Registry v2 token issuer (the "realm" of {@code auth.token}): {@code GET /token?service=..&scope=..}
 * with Basic credentials answers {@code {"token": "<RS256 JWT>"}}. The JWT carries the {@code access} claim the
 * scopes ask for, {@code iss}, {@code aud} (= service), {@code exp/nbf/iat}, {@code jti}, and the signing
 * certificate in its {@code x5c} header; the registry verifies it offline against {@link #certificatePem()}
 * (its {@code rootcertbundle}). Runs on the host JVM, bound to all interfaces so that containers (a proxy
 * registry whose upstream uses this issuer) reach it through their network's gateway address.
 */
public final class TokenServer implements AutoCloseable {
    public static final String SERVICE = "imagecache-lab-registry";
    public static final String ISSUER = "imagecache-lab-token-issuer";
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private final String username;
    private final String password;
    private final boolean anonymousPull;
    private final PrivateKey key;
    private final X509Certificate certificate;
    private final String certificatePem;
    private final HttpServer server;
    private final List<Issued> issued = new CopyOnWriteArrayList<>();

    /** One token handed out: who asked ({@code anonymous} when no credentials) and the scopes granted. */
    public record Issued(String subject, List<String> scopes) {}

    private TokenServer(String username, String password, boolean anonymousPull) {
        this.username = username;
        this.password = password;
        LabSecrets.registerCredentials(username, password);
        this.anonymousPull = anonymousPull;
        try {
            Path dir = Files.createTempDirectory("imagecache-token");
            Path keyFile = dir.resolve("key.pem");
            Path certFile = dir.resolve("cert.pem");
            HostTools.run(List.of("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256", "-days", "2",
                    "-subj", "/CN=imagecache lab token issuer", "-keyout", keyFile.toString(), "-out", certFile.toString()));
            this.certificatePem = Files.readString(certFile);
            this.certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(Files.newInputStream(certFile));
            String pkcs8 = Files.readString(keyFile).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            this.key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pkcs8)));
            Files.delete(keyFile);
            Files.delete(certFile);
            Files.delete(dir);
            this.server = HttpServer.create(new InetSocketAddress("0.0.0.0", 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot load the key openssl made", e);
        }
        server.createContext("/token", this::handle);
        server.start();
    }

    /** Starts an issuer that gives tokens only to {@code username}/{@code password}. */
    public static TokenServer start(String username, String password) {
        return new TokenServer(username, password, false);
    }

    /** As {@link #start}, and anonymous clients get pull access (Docker Hub's behaviour for public images). */
    public static TokenServer startWithAnonymousPull(String username, String password) {
        return new TokenServer(username, password, true);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** The realm URL as reached at {@code host} (an address of this machine that the client can reach). */
    public String realm(String host) {
        return "http://" + host + ":" + port() + "/token";
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    /** The self-signed signing certificate (PEM): the registry's {@code rootcertbundle}. */
    public String certificatePem() {
        return certificatePem;
    }

    /** Every token issued so far, oldest first. */
    public List<Issued> issued() {
        return Collections.unmodifiableList(new ArrayList<>(issued));
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            Map<String, List<String>> query = parseQuery(ex.getRequestURI().getRawQuery());
            String service = first(query, "service").orElse(SERVICE);
            if (!SERVICE.equals(service)) {
                reply(ex, 400, Map.of("details", "unknown service " + service + "; this issuer serves " + SERVICE));
                return;
            }
            Optional<String> subject = authenticate(ex.getRequestHeaders().getFirst("Authorization"));
            if (subject.isEmpty() && (!anonymousPull || ex.getRequestHeaders().containsKey("Authorization"))) {
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"" + SERVICE + "\"");
                reply(ex, 401, Map.of("details", "incorrect username or password"));
                return;
            }
            List<Map<String, Object>> access = new ArrayList<>();
            List<String> granted = new ArrayList<>();
            for (String scope : query.getOrDefault("scope", List.of())) {
                for (String one : scope.split(" ")) {
                    access(one, subject.isPresent()).ifPresent(a -> {
                        access.add(a);
                        granted.add(a.get("type") + ":" + a.get("name") + ":" + String.join(",", castList(a.get("actions"))));
                    });
                }
            }
            String token = sign(subject.orElse(""), access);
            issued.add(new Issued(subject.orElse("anonymous"), List.copyOf(granted)));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("token", token);
            body.put("access_token", token);
            body.put("expires_in", 300);
            body.put("issued_at", Instant.now().toString());
            reply(ex, 200, body);
        } catch (RuntimeException e) {
            reply(ex, 500, Map.of("details", String.valueOf(e.getMessage())));
        } finally {
            ex.close();
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> castList(Object o) {
        return (List<String>) o;
    }

    /** {@code repository:foo/bar:pull,push} -> an access entry; anonymous clients get pull only. */
    private static Optional<Map<String, Object>> access(String scope, boolean authenticated) {
        int first = scope.indexOf(':');
        int last = scope.lastIndexOf(':');
        if (first < 0 || last == first) {
            return Optional.empty();
        }
        List<String> actions = new ArrayList<>();
        for (String a : scope.substring(last + 1).split(",")) {
            if (!a.isEmpty() && (authenticated || a.equals("pull"))) {
                actions.add(a);
            }
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("type", scope.substring(0, first));
        entry.put("name", scope.substring(first + 1, last));
        entry.put("actions", actions);
        return Optional.of(entry);
    }

    private Optional<String> authenticate(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        String user = decoded.substring(0, colon);
        return user.equals(username) && decoded.substring(colon + 1).equals(password) ? Optional.of(user) : Optional.empty();
    }

    private String sign(String subject, List<Map<String, Object>> access) {
        try {
            Map<String, Object> header = new LinkedHashMap<>();
            header.put("typ", "JWT");
            header.put("alg", "RS256");
            header.put("x5c", List.of(Base64.getEncoder().encodeToString(certificate.getEncoded())));
            long now = Instant.now().getEpochSecond();
            Map<String, Object> claims = new LinkedHashMap<>();
            claims.put("iss", ISSUER);
            claims.put("sub", subject);
            claims.put("aud", SERVICE); // distribution 2.8 reads aud as one string
            claims.put("exp", now + 300);
            claims.put("nbf", now - 10);
            claims.put("iat", now);
            claims.put("jti", UUID.randomUUID().toString());
            claims.put("access", access);
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String signingInput = b64.encodeToString(GSON.toJson(header).getBytes(StandardCharsets.UTF_8)) + "."
                    + b64.encodeToString(GSON.toJson(claims).getBytes(StandardCharsets.UTF_8));
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(key);
            rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64.encodeToString(rs256.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a token", e);
        }
    }

    private static Map<String, List<String>> parseQuery(String raw) {
        Map<String, List<String>> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            q.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return q;
    }

    private static Optional<String> first(Map<String, List<String>> q, String key) {
        return q.getOrDefault(key, List.of()).stream().findFirst();
    }

    private static void reply(HttpExchange ex, int status, Map<String, Object> body) throws IOException {
        byte[] bytes = GSON.toJson(body).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }
}
