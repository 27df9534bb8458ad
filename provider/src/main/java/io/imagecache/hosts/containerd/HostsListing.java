package io.imagecache.hosts.containerd;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads what {@link ContainerdNode#hostsFilesIn} prints: one line per {@code <registry>/hosts.toml}, the registry
 * directory's name and the file's content each in base64 (so no name or content can break a line), a space between.
 * Pure.
 */
final class HostsListing {
    private HostsListing() {}

    /** Registry -> hosts.toml content; empty when a line is not two base64 fields (the caller then reads file by file). */
    static Optional<Map<String, String>> parse(String output) {
        Map<String, String> out = new TreeMap<>();
        Base64.Decoder b64 = Base64.getDecoder();
        for (String line : output.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(" ", -1);
            if (f.length != 2 || f[0].isEmpty()) {
                return Optional.empty();
            }
            try {
                out.put(new String(b64.decode(f[0]), StandardCharsets.UTF_8), new String(b64.decode(f[1]), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.of(out);
    }
}
