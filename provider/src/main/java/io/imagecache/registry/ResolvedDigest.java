package io.imagecache.registry;

/**
 * What a tag (or digest) resolved to.
 *
 * @param digest    {@code sha256:...} of the manifest a pull with the same platform would use
 * @param mediaType that manifest's media type (an index or list when no platform was asked for and the image is
 *                  multi-platform)
 * @param pinned    {@code <registry>/<repository>@<digest>} with the image's own registry name, also when the
 *                  question went through a mirror, e.g. {@code docker.io/library/alpine@sha256:...}
 */
public record ResolvedDigest(String digest, String mediaType, String pinned) {}
