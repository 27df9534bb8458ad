package io.imagecache.registry;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A Docker-style image reference, normalized as docker and containerd do: {@code alpine} is
 * {@code docker.io/library/alpine:latest}; {@code ghcr.io/org/app:1.2}; {@code localhost:5000/x/y@sha256:...};
 * a tag and a digest together ({@code app:1.2@sha256:...}) keep both, and the digest decides what is pulled.
 * Immutable; {@link #toString()} is the canonical form.
 */
public final class ImageRef {
    public static final String DOCKER_HUB = "docker.io";

    private static final Pattern DOMAIN_COMPONENT = Pattern.compile("[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]");
    private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9A-Fa-f:.]+\\]");
    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}");
    private static final String EXAMPLE = "e.g. docker.io/library/alpine:3.20 or ghcr.io/org/app@sha256:<64 hex>";

    private final String registry;
    private final String repository;
    private final Optional<String> tag;
    private final Optional<String> digest;

    private ImageRef(String registry, String repository, Optional<String> tag, Optional<String> digest) {
        this.registry = registry;
        this.repository = repository;
        this.tag = tag;
        this.digest = digest;
    }

    /**
     * Parses and normalizes a reference. Throws {@link IllegalArgumentException} whose message says what is wrong
     * and how to write it instead.
     */
    public static ImageRef parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("the image reference is empty; expected a name, " + EXAMPLE);
        }
        if (!text.equals(text.strip()) || text.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("image reference \"" + text + "\" contains spaces; write it without any, " + EXAMPLE);
        }
        if (text.contains("://")) {
            throw new IllegalArgumentException("image reference \"" + text
                    + "\" has a URL scheme; write the registry host without http:// or https://, " + EXAMPLE);
        }
        String rest = text;
        Optional<String> digest = Optional.empty();
        int at = rest.indexOf('@');
        if (at >= 0) {
            String d = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(d).matches()) {
                throw new IllegalArgumentException("image reference \"" + text + "\" has an invalid digest \"" + d
                        + "\"; expected sha256: followed by 64 lowercase hex characters");
            }
            digest = Optional.of(d);
        }
        Optional<String> tag = Optional.empty();
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            String t = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(t).matches()) {
                throw new IllegalArgumentException("image reference \"" + text + "\" has an invalid tag \"" + t
                        + "\"; a tag is 1 to 128 letters, digits, '_', '.' or '-', and does not start with '.' or '-'");
            }
            tag = Optional.of(t);
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("image reference \"" + text + "\" has no repository name; " + EXAMPLE);
        }

        String registry = DOCKER_HUB;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost") || first.startsWith("[")) {
                registry = checkRegistry(first, text);
                path = rest.substring(slash + 1);
            }
        }
        if (registry.equals("index.docker.io")) {
            registry = DOCKER_HUB;
        }
        checkPath(path, text);
        if (registry.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        if ((registry + "/" + path).length() > 255) {
            throw new IllegalArgumentException("image reference \"" + text + "\" is too long: the name may have at most 255 characters");
        }
        if (tag.isEmpty() && digest.isEmpty()) {
            tag = Optional.of("latest");
        }
        return new ImageRef(registry, path, tag, digest);
    }

    /** {@code <registry>/<repository>} with a tag or digest. */
    public static ImageRef of(String registry, String repository, String tag, String digest) {
        String text = registry + "/" + repository + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
        ImageRef r = parse(text);
        if (!r.registry.equals(registry.equals("index.docker.io") ? DOCKER_HUB : registry)) {
            throw new IllegalArgumentException("\"" + registry + "\" is not a registry host (it needs a '.' or ':' or to be localhost)");
        }
        return r;
    }

    private static String checkRegistry(String host, String text) {
        String name = host;
        int portAt = host.startsWith("[") ? host.indexOf("]:") + 1 : host.lastIndexOf(':');
        if (portAt > 0) {
            String port = host.substring(portAt + 1);
            name = host.substring(0, portAt);
            if (!PORT.matcher(port).matches() || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
                throw new IllegalArgumentException("image reference \"" + text + "\" has an invalid registry port \"" + port
                        + "\"; expected host:port with a port from 1 to 65535, e.g. localhost:5000/team/app:1.0");
            }
        }
        if (IPV6.matcher(name).matches()) {
            return host;
        }
        for (String part : name.split("\\.", -1)) {
            if (!DOMAIN_COMPONENT.matcher(part).matches()) {
                throw new IllegalArgumentException("image reference \"" + text + "\" has an invalid registry host \"" + name
                        + "\"; expected a host name such as ghcr.io or registry.example.com:5000");
            }
        }
        return host;
    }

    private static void checkPath(String path, String text) {
        for (String component : path.split("/", -1)) {
            if (component.isEmpty()) {
                throw new IllegalArgumentException("image reference \"" + text
                        + "\" has an empty path component (a leading, trailing or double '/'); " + EXAMPLE);
            }
            if (!PATH_COMPONENT.matcher(component).matches()) {
                if (!component.equals(component.toLowerCase(java.util.Locale.ROOT))
                        && PATH_COMPONENT.matcher(component.toLowerCase(java.util.Locale.ROOT)).matches()) {
                    throw new IllegalArgumentException("image reference \"" + text + "\" has uppercase letters in \"" + component
                            + "\"; repository names must be lowercase, e.g. \"" + component.toLowerCase(java.util.Locale.ROOT) + "\"");
                }
                throw new IllegalArgumentException("image reference \"" + text + "\" has an invalid repository part \"" + component
                        + "\"; parts are lowercase letters and digits, separated by '.', '_', '__' or '-'");
            }
        }
    }

    /** The registry host as the image names it ({@code docker.io}, {@code ghcr.io}, {@code localhost:5000}). */
    public String registry() {
        return registry;
    }

    /** The repository path, {@code library/alpine} for Docker Hub official images. */
    public String repository() {
        return repository;
    }

    public Optional<String> tag() {
        return tag;
    }

    public Optional<String> digest() {
        return digest;
    }

    /** What goes in {@code /v2/<repository>/manifests/<reference>}: the digest if there is one, else the tag. */
    public String reference() {
        return digest.orElseGet(() -> tag.orElse("latest"));
    }

    /** {@code <registry>/<repository>}. */
    public String name() {
        return registry + "/" + repository;
    }

    /** A copy pinned to {@code digest}, without a tag: {@code <registry>/<repository>@<digest>}. */
    public ImageRef withDigest(String newDigest) {
        if (!DIGEST.matcher(newDigest).matches()) {
            throw new IllegalArgumentException("\"" + newDigest + "\" is not a sha256 digest");
        }
        return new ImageRef(registry, repository, Optional.empty(), Optional.of(newDigest));
    }

    /** A copy with {@code newTag} and no digest. */
    public ImageRef withTag(String newTag) {
        if (!TAG.matcher(newTag).matches()) {
            throw new IllegalArgumentException("\"" + newTag + "\" is not a valid tag");
        }
        return new ImageRef(registry, repository, Optional.of(newTag), Optional.empty());
    }

    /** Canonical: {@code <registry>/<repository>[:<tag>][@<digest>]}. */
    @Override
    public String toString() {
        return name() + tag.map(t -> ":" + t).orElse("") + digest.map(d -> "@" + d).orElse("");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageRef r && r.registry.equals(registry) && r.repository.equals(repository)
                && r.tag.equals(tag) && r.digest.equals(digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(registry, repository, tag, digest);
    }
}
