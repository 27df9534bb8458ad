package io.imagecache.resources;

import io.imagecache.spi.Owner;
import java.util.Optional;

/**
 * The file that marks a directory as a proxy's own: {@code <dir>/.imagecache-owner}. Purge removes a
 * data directory only when its marker names the proxy being deleted and says the proxy made it from
 * nothing ({@code created: true}); a directory that already held files when the proxy took it is never
 * purged. The owner is the container name, which the Docker host keeps unique, and not the address the
 * host is reached by, so the same proxy reached another way still owns its directories. Pure.
 *
 * @param owner    the container name, e.g. {@code registry-ghcr}
 * @param upstream the upstream URL, for people reading the file
 * @param created  the directory was missing or empty when the proxy took it
 * @param stack    the Pulumi stack and resource that manage the proxy (the line {@code # imagecache:owner stack=<project>/<stack>
 *                 resource=<name>}); empty in a marker written by a version that recorded none
 */
record ProxyMarker(String owner, String upstream, boolean created, Optional<Owner> stack) {
    static final String FILE = ".imagecache-owner";

    /** A marker that records no stack (an older version's, or one written without a URN). */
    ProxyMarker(String owner, String upstream, boolean created) {
        this(owner, upstream, created, Optional.empty());
    }

    /** What a stack finds in this marker. */
    Owner.Claim claim(Optional<Owner> us) {
        return Owner.claim(true, stack, us);
    }

    static String path(String dir) {
        return dir + "/" + FILE;
    }

    String render() {
        return io.imagecache.distribution.DistributionConfig.HEADER + "\n"
                + "# This directory belongs to the imagecache RegistryProxy " + owner + ". Only that proxy deletes it, and only\n"
                + "# when `created` is true (it was missing or empty when the proxy took it).\n"
                + "owner: " + owner + "\n"
                + "upstream: " + upstream + "\n"
                + "created: " + created + "\n"
                + stack.map(o -> "# " + o.line() + "\n").orElse("");
    }

    /** The marker in {@code text}; empty when it is not one of ours (no header or no owner). */
    static Optional<ProxyMarker> parse(String text) {
        if (text == null || !text.startsWith(io.imagecache.distribution.DistributionConfig.HEADER)) {
            return Optional.empty();
        }
        String owner = null;
        String upstream = "";
        boolean created = false;
        for (String line : text.split("\n")) {
            if (line.startsWith("owner: ")) {
                owner = line.substring(7).strip();
            } else if (line.startsWith("upstream: ")) {
                upstream = line.substring(10).strip();
            } else if (line.startsWith("created: ")) {
                created = line.substring(9).strip().equals("true");
            }
        }
        return owner == null || owner.isEmpty() ? Optional.empty() : Optional.of(new ProxyMarker(owner, upstream, created,
                Owner.find(text)));
    }
}
