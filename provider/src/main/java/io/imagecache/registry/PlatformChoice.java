package io.imagecache.registry;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import io.imagecache.registry.json.ManifestBody;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Picks the manifest for one platform out of an OCI index or a Docker manifest list. Pure. */
final class PlatformChoice {
    private static final Gson GSON = new Gson();

    private PlatformChoice() {}

    /** The entry of {@code index} matching {@code wanted} (containerd's normalization), or a NOT_FOUND listing what there is. */
    static ManifestBody.Descriptor choose(byte[] index, Platform wanted, String image, String url) throws RegistryException {
        List<ManifestBody.Descriptor> entries = entries(index, url);
        List<String> available = new ArrayList<>();
        for (ManifestBody.Descriptor d : entries) {
            Optional<Platform> p = platformOf(d);
            if (p.isEmpty()) {
                continue;
            }
            if (p.get().matches(wanted)) {
                if (!Digests.isDigest(d.digest())) {
                    throw new RegistryException(RegistryException.Kind.PROTOCOL, url, "cannot resolve " + image + " for "
                            + wanted + ": the index at " + url + " lists an invalid digest \"" + d.digest() + "\"");
                }
                return d;
            }
            if (!p.get().os().equals("unknown")) { // buildkit's attestation manifests are "unknown/unknown"
                available.add(p.get().toString());
            }
        }
        throw new RegistryException(RegistryException.Kind.NOT_FOUND, url, 404, List.of(), "image " + image
                + " has no manifest for platform " + wanted + "; it has " + (available.isEmpty() ? "none with a platform"
                : String.join(", ", available)) + ". Pick one of those, or leave platform unset to pin the whole index", null);
    }

    static List<ManifestBody.Descriptor> entries(byte[] index, String url) throws RegistryException {
        ManifestBody body;
        try {
            body = GSON.fromJson(new String(index, StandardCharsets.UTF_8), ManifestBody.class);
        } catch (JsonParseException e) {
            body = null;
        }
        if (body == null || body.manifests() == null) {
            throw new RegistryException(RegistryException.Kind.PROTOCOL, url,
                    "the index at " + url + " is not a JSON object with a \"manifests\" list");
        }
        return body.manifests();
    }

    static Optional<Platform> platformOf(ManifestBody.Descriptor d) {
        ManifestBody.PlatformBody p = d.platform();
        if (p == null || p.os() == null || p.architecture() == null || p.os().isEmpty() || p.architecture().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Platform.of(p.os(), p.architecture(), p.variant()));
    }
}
