package io.imagecache.resources;

import io.imagecache.hosts.HostOps;

import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Context;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.PropertyPath;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.HostKey;
import io.imagecache.ssh.HostKeyMismatchException;
import io.imagecache.ssh.ObservedHostKey;
import io.imagecache.ssh.RemoteException;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.ssh.RemoteHostFactory;
import io.imagecache.ssh.SshTarget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Validation of {@link ConnectionArgs} and the way from them to an open {@link RemoteHost}. */
public final class Connections {
    private Connections() {}

    private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_.-]*[$]?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?");
    private static final Pattern HOST_NAME = Pattern.compile(
            "[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\\.[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}))*\\.?");

    /** Check rules for a connection at {@code path} (e.g. {@code connection} or {@code connection.proxy}). */
    public static List<CheckFailure> check(ConnectionArgs c, PropertyPath path, Decoded<?> d) {
        List<CheckFailure> out = new ArrayList<>();
        if (c == null) {
            return out;
        }
        if (!d.isUnknown(path.key("host")) && c.host() != null) {
            hostProblem(c.host()).ifPresent(why -> out.add(CheckFailure.of(path.key("host"), why
                    + ": must be a host name or IP address without user, port or path, e.g. 10.0.20.10")));
        }
        if (c.port() != null && (c.port() < 1 || c.port() > 65535)) {
            out.add(CheckFailure.of(path.key("port"), "must be between 1 and 65535 (the SSH port, usually 22)"));
        }
        if (c.user() != null && !d.isUnknown(path.key("user")) && !USER.matcher(c.user()).matches()) {
            out.add(CheckFailure.of(path.key("user"), "must be a Unix user name, e.g. root or ops"));
        }
        boolean keyUnknown = d.isUnknown(path.key("privateKey"));
        if (c.privateKey() != null && !keyUnknown) {
            PrivateKeyText.problem(c.privateKey()).ifPresent(why -> out.add(CheckFailure.of(path.key("privateKey"), why)));
        }
        if (c.hostKey() != null && !d.isUnknown(path.key("hostKey"))) {
            try {
                HostKey.parse(c.hostKey());
            } catch (IllegalArgumentException e) {
                out.add(CheckFailure.of(path.key("hostKey"), e.getMessage()));
            }
        }
        if (c.dialTimeoutSeconds() != null && (c.dialTimeoutSeconds() < 1 || c.dialTimeoutSeconds() > 3600)) {
            out.add(CheckFailure.of(path.key("dialTimeoutSeconds"), "must be between 1 and 3600 seconds"));
        }
        if (c.dialAttempts() != null && (c.dialAttempts() < 1 || c.dialAttempts() > 1000)) {
            out.add(CheckFailure.of(path.key("dialAttempts"), "must be between 1 and 1000"));
        }
        if (c.retryDelaySeconds() != null && (c.retryDelaySeconds() < 0 || c.retryDelaySeconds() > 3600)) {
            out.add(CheckFailure.of(path.key("retryDelaySeconds"), "must be between 0 and 3600 seconds"));
        }
        if (c.sudo() != null && c.sudo() && "root".equals(c.user())) {
            // harmless: sudo is skipped for root
        }
        out.addAll(check(c.proxy(), path.key("proxy"), d));
        return out;
    }

    /** What is wrong with {@code host} as an SSH host (a name or an IPv4/IPv6 literal), if anything. */
    static Optional<String> hostProblem(String host) {
        String h = host.strip();
        if (h.isEmpty()) {
            return Optional.of("is empty");
        }
        if (h.chars().anyMatch(ch -> ch < 0x21 || ch == 0x7f)) {
            return Optional.of("has spaces or control characters");
        }
        if (h.contains("@")) {
            return Optional.of("has a user (give it in `user`)");
        }
        if (h.contains("/")) {
            return Optional.of("has a path or scheme");
        }
        if (h.indexOf(':') >= 0 && h.indexOf(':') == h.lastIndexOf(':')) {
            return Optional.of("has a port (give it in `port`)");
        }
        boolean ipv6 = h.indexOf(':') >= 0 && IPV6.matcher(h).matches();
        boolean name = HOST_NAME.matcher(h).matches() && h.length() <= 253;
        if (!ipv6 && !name) {
            return Optional.of("\"" + h + "\" has characters that are not in a host name or IP address");
        }
        return Optional.empty();
    }

    /**
     * The SSH target for {@code c}. A hop without a {@code hostKey} of its own is pinned to the key
     * recorded for it on first contact ({@code recorded}: host:port -> authorized_keys line).
     */
    public static SshTarget target(ConnectionArgs c, Map<String, String> recorded, DefaultCredentials defaults)
            throws ResourceException {
        int port = c.port() == null ? 22 : c.port();
        String user = c.user() == null ? "root" : c.user();
        String key = c.privateKey();
        String password = c.password();
        if (key == null && password == null) {
            DefaultCredentials.Found found = defaults.find().orElseThrow(() -> new ResourceException(
                    ResourceException.Kind.INVALID, "the connection to " + c.describe() + " has neither privateKey nor "
                    + "password, and no default key was found: set one of them, or IMAGECACHE_SSH_KEY_FILE (a key file), "
                    + "or put a key in ~/.ssh (id_ed25519, id_ecdsa, id_rsa) where `pulumi` runs"));
            key = found.privateKey();
            password = found.password();
        }
        SshTarget t = new SshTarget(c.host(), port, user, Optional.ofNullable(key),
                Optional.ofNullable(c.privateKeyPassword()), Optional.ofNullable(password), Optional.empty(),
                Optional.empty(),
                Duration.ofSeconds(c.dialTimeoutSeconds() == null ? 15 : c.dialTimeoutSeconds()),
                c.dialAttempts() == null ? 10 : c.dialAttempts(),
                Duration.ofSeconds(c.retryDelaySeconds() == null ? 2 : c.retryDelaySeconds()),
                c.sudo() != null && c.sudo() && !"root".equals(user));
        String pinned = c.hostKey() != null ? c.hostKey() : recorded == null ? null : recorded.get(t.hostAndPort());
        if (pinned != null) {
            t = t.withHostKey(HostKey.parse(pinned));
        }
        if (c.proxy() != null) {
            t = t.withProxy(target(c.proxy(), recorded, defaults));
        }
        return t;
    }

    /**
     * Opens a connection, reporting dial retries as status messages, and maps failures for the engine.
     * The engine's Cancel ({@link Context#cancelled()}) ends the dial retries and, on the host returned,
     * every command, read and write under way.
     */
    public static RemoteHost open(RemoteHostFactory factory, ConnectionArgs c, Map<String, String> recorded,
                                  DefaultCredentials defaults, Context ctx) throws ResourceException {
        SshTarget t = target(c, recorded, defaults);
        ctx.status("Connecting to " + t);
        try {
            return factory.connect(t, ctx::status, ctx::cancelled);
        } catch (HostKeyMismatchException e) {
            throw translate(new RemoteException(RemoteException.Kind.HOST_KEY_MISMATCH,
                    mismatchMessage(e, pinnedByHostKey(c, t, e.hostAndPort())), e), t.toString());
        } catch (RemoteException e) {
            throw translate(e, t.toString());
        }
    }

    /**
     * Whether the hop {@code hostAndPort} of {@code c} (its target {@code t}) was pinned by its own {@code hostKey}
     * input (true) or by the key recorded on first contact (false).
     */
    static boolean pinnedByHostKey(ConnectionArgs c, SshTarget t, String hostAndPort) {
        for (ConnectionArgs hop = c; hop != null; hop = hop.proxy(), t = t.proxy().orElse(null)) {
            if (t == null) {
                break;
            }
            if (t.hostAndPort().equals(hostAndPort)) {
                return hop.hostKey() != null;
            }
        }
        return false;
    }

    /** What a refused host key means and what to do about it, by where the expected key came from. Pure. */
    static String mismatchMessage(HostKeyMismatchException e, boolean pinnedByHostKey) {
        String hp = e.hostAndPort();
        String file = "/etc/ssh/ssh_host_" + keyFile(e.expected().type()) + "_key.pub";
        String check = "check the host's new key out of band (`ssh-keygen -lf " + file + "` on its console)";
        String why = pinnedByHostKey
                ? " The expected key is the connection's `hostKey`. If the host was rebuilt or its keys replaced on "
                        + "purpose, " + check + ", set `hostKey` to it and run `pulumi up`."
                : " The expected key was recorded in this resource's `hostKeys` on first contact. If the host was "
                        + "rebuilt or its keys replaced on purpose, " + check + " and set the connection's `hostKey` to "
                        + "it (it takes precedence over the recorded key), then run `pulumi up`; or deliberately remove \""
                        + hp + "\" from this resource's `hostKeys` in the state (`pulumi stack export`, edit, "
                        + "`pulumi stack import`) so that the next contact records the key it sees.";
        return e.getMessage() + ". Refused before logging in: nothing was read or changed on " + hp + "." + why
                + " Otherwise treat it as a possible man-in-the-middle.";
    }

    private static String keyFile(String type) {
        if (type.startsWith("ecdsa-")) {
            return "ecdsa";
        }
        if (type.startsWith("ssh-rsa") || type.startsWith("rsa-")) {
            return "rsa";
        }
        return type.startsWith("ssh-") ? type.substring(4) : type;
    }

    /** The host keys seen on this connection merged over what was recorded before. */
    public static Map<String, String> hostKeys(RemoteHost host, Map<String, String> before) {
        Map<String, String> m = new TreeMap<>();
        if (before != null) {
            m.putAll(before);
        }
        for (ObservedHostKey k : host.hostKeys()) {
            m.put(k.hostAndPort(), k.key().toString());
        }
        return m;
    }

    public static ResourceException translate(RemoteException e, String where) {
        return HostOps.translate(e, where);
    }
}
