package io.imagecache.lab.registry;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Pushes small, locally made images to a registry through the Registry HTTP API (monolithic blob upload:
 * POST then PUT; then PUT manifest), answering Basic and Bearer challenges, so it seeds any {@link LocalRegistry}
 * mode that accepts pushes. Each image has one gzip tar layer holding one file, {@code /imagecache/content.txt},
 * whose text the caller picks: different text gives different digests ("v1" and "v2" of a tag). Output is
 * deterministic: the same call on another registry pushes the same digests.
 */
public final class ImageSeeder {
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
    /** The platforms of {@link #ociIndex(String, String, String)} and {@link #dockerManifestList(String, String, String)}. */
    public static final List<String> DEFAULT_PLATFORMS = List.of("linux/amd64", "linux/arm64/v8");

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

    private final String baseUrl;
    private final Optional<LocalRegistry.Credentials> credentials;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, String> authorization = new ConcurrentHashMap<>();

    /** What was pushed: the tag's manifest digest and, for an index or list, each platform's manifest digest. */
    public record Pushed(String repository, String tag, String digest, String mediaType, Map<String, String> platformDigests) {
        /** {@code <registry>/<repository>@<digest>}. */
        public String byDigest(String registryHostPort) {
            return registryHostPort + "/" + repository + "@" + digest;
        }

        /** {@code <registry>/<repository>:<tag>}. */
        public String byTag(String registryHostPort) {
            return registryHostPort + "/" + repository + ":" + tag;
        }
    }

    private ImageSeeder(String baseUrl, Optional<LocalRegistry.Credentials> credentials) {
        this.baseUrl = baseUrl.replaceAll("/+$", "");
        this.credentials = credentials;
    }

    /** Seeds {@code registry} with its own credentials, if it has any. */
    public static ImageSeeder to(LocalRegistry registry) {
        return new ImageSeeder(registry.url(), registry.credentials());
    }

    /** Seeds the registry at {@code baseUrl} (e.g. {@code http://172.17.0.2:5000}); credentials may be null. */
    public static ImageSeeder to(String baseUrl, String username, String password) {
        return new ImageSeeder(baseUrl, username == null ? Optional.empty()
                : Optional.of(new LocalRegistry.Credentials(username, password)));
    }

    /** A Docker schema 2 image (linux/amd64). */
    public Pushed dockerImage(String repository, String tag, String content) {
        return single(repository, tag, content, "linux/amd64", false);
    }

    /** A Docker schema 2 image (linux/amd64) whose one layer holds {@code content} as a file (e.g. random bytes, for a big image). */
    public Pushed dockerImage(String repository, String tag, byte[] content) {
        Built image = build(repository, content, "linux/amd64", false);
        String digest = putManifest(repository, tag, image.mediaType(), image.manifest());
        return new Pushed(repository, tag, digest, image.mediaType(), Map.of("linux/amd64", digest));
    }

    /** An OCI image manifest (linux/amd64). */
    public Pushed ociImage(String repository, String tag, String content) {
        return single(repository, tag, content, "linux/amd64", true);
    }

    /** An OCI image index with one OCI image per {@link #DEFAULT_PLATFORMS} entry. */
    public Pushed ociIndex(String repository, String tag, String content) {
        return index(repository, tag, content, DEFAULT_PLATFORMS, true);
    }

    /** An OCI image index over {@code platforms} ("os/arch[/variant]"). */
    public Pushed ociIndex(String repository, String tag, String content, List<String> platforms) {
        return index(repository, tag, content, platforms, true);
    }

    /** A Docker manifest list with one schema 2 image per {@link #DEFAULT_PLATFORMS} entry. */
    public Pushed dockerManifestList(String repository, String tag, String content) {
        return index(repository, tag, content, DEFAULT_PLATFORMS, false);
    }

    /** A Docker manifest list over {@code platforms} ("os/arch[/variant]"). */
    public Pushed dockerManifestList(String repository, String tag, String content, List<String> platforms) {
        return index(repository, tag, content, platforms, false);
    }

    private Pushed single(String repository, String tag, String content, String platform, boolean oci) {
        Built image = build(repository, content.getBytes(StandardCharsets.UTF_8), platform, oci);
        String digest = putManifest(repository, tag, image.mediaType(), image.manifest());
        return new Pushed(repository, tag, digest, image.mediaType(), Map.of(platform, digest));
    }

    private Pushed index(String repository, String tag, String content, List<String> platforms, boolean oci) {
        List<Object> entries = new ArrayList<>();
        Map<String, String> digests = new LinkedHashMap<>();
        for (String platform : platforms) {
            Built child = build(repository, (content + "\n" + platform).getBytes(StandardCharsets.UTF_8), platform, oci);
            String digest = putManifest(repository, sha256(child.manifest()), child.mediaType(), child.manifest());
            digests.put(platform, digest);
            Map<String, Object> entry = descriptor(child.mediaType(), child.manifest().length, digest);
            entry.put("platform", platformJson(platform));
            entries.add(entry);
        }
        String mediaType = oci ? OCI_INDEX : DOCKER_MANIFEST_LIST;
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", mediaType);
        index.put("manifests", entries);
        String digest = putManifest(repository, tag, mediaType, json(index));
        return new Pushed(repository, tag, digest, mediaType, Map.copyOf(digests));
    }

    private record Built(String mediaType, byte[] manifest) {}

    private Built build(String repository, byte[] content, String platform, boolean oci) {
        byte[] tar = Tar.oneFile("imagecache/content.txt", content);
        byte[] layer = gzip(tar);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("created", "1970-01-01T00:00:00Z");
        config.putAll(platformJson(platform));
        config.put("config", Map.of("Cmd", List.of("/bin/true")));
        config.put("rootfs", Map.of("type", "layers", "diff_ids", List.of(sha256(tar))));
        config.put("history", List.of(Map.of("created", "1970-01-01T00:00:00Z", "created_by", "imagecache ImageSeeder")));
        byte[] configBytes = json(config);
        uploadBlob(repository, configBytes);
        uploadBlob(repository, layer);
        String mediaType = oci ? OCI_MANIFEST : DOCKER_MANIFEST;
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", mediaType);
        manifest.put("config", descriptor(oci ? OCI_CONFIG : DOCKER_CONFIG, configBytes.length, sha256(configBytes)));
        manifest.put("layers", List.of(descriptor(oci ? OCI_LAYER : DOCKER_LAYER, layer.length, sha256(layer))));
        return new Built(mediaType, json(manifest));
    }

    private static Map<String, Object> descriptor(String mediaType, long size, String digest) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("size", size);
        d.put("digest", digest);
        return d;
    }

    private static Map<String, Object> platformJson(String platform) {
        String[] p = platform.split("/");
        if (p.length < 2 || p.length > 3) {
            throw new IllegalArgumentException("platform \"" + platform + "\" is not os/arch[/variant]");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", p[1]);
        m.put("os", p[0]);
        if (p.length == 3) {
            m.put("variant", p[2]);
        }
        return m;
    }

    private void uploadBlob(String repository, byte[] blob) {
        String digest = sha256(blob);
        HttpResponse<String> start = send("POST", URI.create(baseUrl + "/v2/" + repository + "/blobs/uploads/"),
                new byte[0], null, null, repository);
        expect(start, 202, "start a blob upload to " + repository);
        String location = start.headers().firstValue("Location")
                .orElseThrow(() -> new IllegalStateException("blob upload to " + repository + " answered no Location"));
        URI upload = URI.create(baseUrl + "/").resolve(location);
        String sep = upload.getRawQuery() == null ? "?" : "&";
        URI put = URI.create(upload + sep + "digest=" + URLEncoder.encode(digest, StandardCharsets.UTF_8));
        expect(send("PUT", put, blob, "application/octet-stream", null, repository), 201, "upload blob " + digest);
    }

    private String putManifest(String repository, String reference, String mediaType, byte[] manifest) {
        String digest = sha256(manifest);
        HttpResponse<String> r = send("PUT", URI.create(baseUrl + "/v2/" + repository + "/manifests/" + reference),
                manifest, mediaType, null, repository);
        expect(r, 201, "put manifest " + repository + ":" + reference);
        String answered = r.headers().firstValue("Docker-Content-Digest").orElse(digest);
        if (!answered.equals(digest)) {
            throw new IllegalStateException("registry stored " + repository + ":" + reference + " as " + answered
                    + " but the manifest's sha256 is " + digest);
        }
        return digest;
    }

    private HttpResponse<String> send(String method, URI uri, byte[] body, String contentType, String accept, String repository) {
        HttpResponse<String> r = once(method, uri, body, contentType, accept, authorization.get(repository));
        if (r.statusCode() == 401) {
            String challenge = r.headers().firstValue("WWW-Authenticate").orElse("");
            authorization.put(repository, answer(challenge, repository));
            r = once(method, uri, body, contentType, accept, authorization.get(repository));
        }
        return r;
    }

    private HttpResponse<String> once(String method, URI uri, byte[] body, String contentType, String accept, String auth) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(body.length > 10_000_000 ? 300 : 30))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (accept != null) {
            b.header("Accept", accept);
        }
        if (auth != null) {
            b.header("Authorization", auth);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The Authorization header that answers {@code challenge} (Basic, or a Bearer token fetched from its realm). */
    private String answer(String challenge, String repository) {
        LocalRegistry.Credentials c = credentials.orElseThrow(() -> new IllegalStateException(
                "registry " + baseUrl + " asks for credentials (" + challenge + ") but the seeder has none"));
        String basic = "Basic " + Base64.getEncoder().encodeToString(
                (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
        if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
            return basic;
        }
        if (!challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
            throw new IllegalStateException("registry " + baseUrl + " sent an unknown challenge: " + challenge);
        }
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1), m.group(2));
        }
        String scope = "repository:" + repository + ":pull,push";
        URI token = URI.create(params.get("realm") + "?service=" + URLEncoder.encode(params.getOrDefault("service", ""),
                StandardCharsets.UTF_8) + "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8));
        HttpResponse<String> r = once("GET", token, new byte[0], null, null, basic);
        expect(r, 200, "fetch a push token from " + params.get("realm"));
        JsonObject body = GSON.fromJson(r.body(), JsonObject.class);
        String t = body.has("token") ? body.get("token").getAsString() : body.get("access_token").getAsString();
        return "Bearer " + t;
    }

    private static void expect(HttpResponse<String> r, int status, String what) {
        if (r.statusCode() != status) {
            throw new IllegalStateException("cannot " + what + ": " + r.request().method() + " " + r.uri()
                    + " answered " + r.statusCode() + " " + r.body());
        }
    }

    private static byte[] json(Object o) {
        return GSON.toJson(o).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@code sha256:<hex>}. */
    public static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A minimal ustar writer: one regular file (with its parent directory), fixed owner and mtime. */
    static final class Tar {
        private Tar() {}

        static byte[] oneFile(String path, byte[] content) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int slash = path.lastIndexOf('/');
            if (slash > 0) {
                header(out, path.substring(0, slash + 1), 0, '5', 0755);
            }
            header(out, path, content.length, '0', 0644);
            out.writeBytes(content);
            out.writeBytes(new byte[(512 - content.length % 512) % 512]);
            out.writeBytes(new byte[1024]);
            return out.toByteArray();
        }

        private static void header(ByteArrayOutputStream out, String name, long size, char type, int mode) {
            byte[] h = new byte[512];
            put(h, 0, 100, name);
            put(h, 100, 8, String.format("%07o", mode));
            put(h, 108, 8, "0000000");
            put(h, 116, 8, "0000000");
            put(h, 124, 12, String.format("%011o", size));
            put(h, 136, 12, String.format("%011o", 0));
            java.util.Arrays.fill(h, 148, 156, (byte) ' ');
            h[156] = (byte) type;
            put(h, 257, 6, "ustar");
            put(h, 263, 2, "00");
            put(h, 265, 32, "root");
            put(h, 297, 32, "root");
            long sum = 0;
            for (byte b : h) {
                sum += b & 0xff;
            }
            put(h, 148, 8, String.format("%06o", sum) + "\0 ");
            out.writeBytes(h);
        }

        private static void put(byte[] h, int off, int len, String s) {
            byte[] b = s.getBytes(StandardCharsets.US_ASCII);
            if (b.length > len) {
                throw new IllegalArgumentException("tar field too long: " + s);
            }
            System.arraycopy(b, 0, h, off, b.length);
        }
    }
}
