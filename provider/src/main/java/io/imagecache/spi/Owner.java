package io.imagecache.spi;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who manages a thing on a host: the Pulumi project and stack, and the resource's name in that stack, as the
 * engine gives them in the resource's URN ({@code urn:pulumi:<stack>::<project>::<type>::<name>}). Every marker,
 * header and label imagecache writes records it, so a second stack pointed at the same host refuses to take over
 * what the first manages. Pure; JDK only.
 *
 * <p>On a host it is written as one line, the same in every kind of file: {@code imagecache:owner stack=<project>/<stack>
 * resource=<name>} (behind the file's comment sign, e.g. {@code # }); each part is percent-encoded outside
 * {@code [A-Za-z0-9._~-]}, so no value can end the line or the file's syntax.
 */
public record Owner(String project, String stack, String resource) {
    /** The word that starts an owner line. */
    public static final String TAG = "imagecache:owner";
    /** Every owner line with its newline: what {@link #strip} removes. */
    private static final Pattern OWNER_LINES = Pattern.compile("(?m)^(?:#\\s*)?" + Pattern.quote(TAG) + " [^\\n]*\\n?");
    private static final Pattern LINE = Pattern.compile("(?m)^(?:#\\s*)?" + Pattern.quote(TAG)
            + " stack=([^\\s/]+)/(\\S+) resource=(\\S+)\\s*$");

    public Owner {
        if (project == null || project.isEmpty() || stack == null || stack.isEmpty() || resource == null || resource.isEmpty()) {
            throw new IllegalArgumentException("an owner needs a project, a stack and a resource name");
        }
    }

    /** The owner a URN names; empty when {@code urn} is not a Pulumi URN (e.g. a test's placeholder). */
    public static Optional<Owner> fromUrn(String urn) {
        if (urn == null || !urn.startsWith("urn:pulumi:")) {
            return Optional.empty();
        }
        String[] parts = urn.substring("urn:pulumi:".length()).split("::", -1);
        if (parts.length < 4 || parts[0].isEmpty() || parts[1].isEmpty() || parts[parts.length - 1].isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Owner(parts[1], parts[0], parts[parts.length - 1]));
    }

    /** {@code <project>/<stack>}, as people name a stack. */
    public String stackId() {
        return project + "/" + stack;
    }

    public boolean sameStack(Owner other) {
        return other != null && project.equals(other.project) && stack.equals(other.stack);
    }

    /** For messages: {@code the Pulumi stack p/s (resource r)}. */
    public String describe() {
        return "the Pulumi stack " + stackId() + " (resource " + resource + ")";
    }

    /** The owner line, without a comment sign. */
    public String line() {
        return TAG + " stack=" + encode(project) + "/" + encode(stack) + " resource=" + encode(resource);
    }

    /** The first owner line in {@code text} (with or without a leading {@code #}), if there is one. */
    public static Optional<Owner> find(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = LINE.matcher(text);
        if (!m.find()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Owner(decode(m.group(1)), decode(m.group(2)), decode(m.group(3))));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** {@code text} with its owner lines removed: what the file says, whoever owns it. */
    public static String strip(String text) {
        if (text == null) {
            return null;
        }
        return OWNER_LINES.matcher(text).replaceAll("");
    }

    /**
     * {@code text} (a file whose first line is its header) with the owner line {@code # <line>} right after that
     * header, instead of any it had; {@code text} without owner lines when {@code us} is empty.
     */
    public static String stamp(String text, Optional<Owner> us) {
        String t = strip(text);
        if (us.isEmpty()) {
            return t;
        }
        int nl = t.indexOf('\n');
        String line = "# " + us.get().line() + "\n";
        return nl < 0 ? t + "\n" + line : t.substring(0, nl + 1) + line + t.substring(nl + 1);
    }

    static String encode(String s) {
        StringBuilder sb = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                    || c == '~' || c == '-') {
                sb.append(c);
            } else {
                sb.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return sb.toString();
    }

    static String decode(String s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("bad escape");
                }
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** What a stack finds on a host, compared with itself. */
    public enum Claim {
        /** Nothing of imagecache's is there. */
        ABSENT,
        /** Marked by this stack's resource of this name. */
        OURS,
        /** Marked by imagecache, but by a version that recorded no stack: the first stack to manage it adopts it. */
        LEGACY,
        /** Marked by another resource of the same stack (a rename without an alias, or two resources on one thing). */
        SIBLING,
        /** Marked by another project or stack: never taken over, never deleted. */
        FOREIGN
    }

    /**
     * The claim on a thing: {@code marked} says imagecache made it (its header or marker is there), {@code found} the
     * owner it records. {@code us} empty (no URN) claims nothing and refuses nothing: it counts as {@link Claim#OURS}
     * or {@link Claim#LEGACY}.
     */
    public static Claim claim(boolean marked, Optional<Owner> found, Optional<Owner> us) {
        if (!marked && found.isEmpty()) {
            return Claim.ABSENT;
        }
        if (found.isEmpty()) {
            return Claim.LEGACY;
        }
        if (us.isEmpty()) {
            return Claim.OURS;
        }
        Owner f = found.get();
        if (!f.sameStack(us.get())) {
            return Claim.FOREIGN;
        }
        return f.resource().equals(us.get().resource()) ? Claim.OURS : Claim.SIBLING;
    }

    /**
     * The claim as {@link #claim(boolean, Optional, Optional)}, for a resource that recorded the owner it last wrote
     * ({@code wrote}, from its state): a sibling mark that is the one this resource wrote is still its own, under the
     * name it had before an alias renamed it.
     */
    public static Claim claim(boolean marked, Optional<Owner> found, Optional<Owner> us, Optional<Owner> wrote) {
        Claim c = claim(marked, found, us);
        return c == Claim.SIBLING && found.equals(wrote) ? Claim.OURS : c;
    }

    /**
     * The refusal for {@code what} (e.g. "hosts.toml /etc/containerd/certs.d/docker.io/hosts.toml on root@node:22"), when
     * {@code claim} forbids {@code op}; empty when it may go ahead. Create refuses a foreign or sibling thing; update
     * refuses a foreign one (a sibling is this resource renamed with an alias); delete refuses a foreign one.
     */
    public static Optional<String> refusal(Claim claim, Optional<Owner> found, Optional<Owner> us, Op op, String what) {
        if (found.isEmpty() || us.isEmpty()) {
            return Optional.empty();
        }
        Owner f = found.get();
        Owner u = us.get();
        if (claim == Claim.FOREIGN) {
            String todo = switch (op) {
                case CREATE, UPDATE -> "destroy it there first (pulumi destroy, or remove that resource, in "
                        + f.stackId() + "), or give this resource another name, port or directory";
                case DELETE -> "it is not this stack's to delete: if this stack no longer manages it, forget it with "
                        + "`pulumi state delete` in " + u.stackId() + " (the host stays as it is)";
            };
            return Optional.of(what + " belongs to " + f.describe() + ", not to this stack " + u.stackId() + ": " + todo
                    + " (nothing was changed)");
        }
        if (claim == Claim.SIBLING && op == Op.CREATE) {
            return Optional.of(what + " belongs to the resource " + f.resource() + " of this stack " + u.stackId()
                    + ": one thing on a host can have one resource; remove that one first, or rename it with an alias "
                    + "(nothing was changed)");
        }
        return Optional.empty();
    }

    /** The operation a claim is checked for. */
    public enum Op { CREATE, UPDATE, DELETE }
}
