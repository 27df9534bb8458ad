package io.imagecache.registry.json;

import com.google.gson.annotations.SerializedName;
import java.util.List;

/**
 * The fields of a manifest this client reads: {@code mediaType} (all four kinds), and {@code manifests} with
 * their platforms (an OCI index or a Docker manifest list).
 */
public record ManifestBody(Integer schemaVersion, String mediaType, List<Descriptor> manifests, Descriptor config) {

    public record Descriptor(String mediaType, String digest, Long size, PlatformBody platform) {}

    public record PlatformBody(String architecture, String os, String variant,
            @SerializedName("os.version") String osVersion) {}
}
