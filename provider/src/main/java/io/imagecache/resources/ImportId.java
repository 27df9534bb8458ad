package io.imagecache.resources;

import io.imagecache.spi.ResourceException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resource ids that say where the resource lives: {@code [user@]host[:port][/path]}, e.g.
 * {@code root@10.0.20.10:22/etc/cron.d/imagecache-registry-ghcr}. {@code pulumi import} hands the
 * provider only this id, so the credentials come from {@link ImportCredentials}.
 */
record ImportId(ConnectionArgs connection, String path) {

    private static final Pattern ID = Pattern.compile("(?:([a-z_][a-z0-9_.-]*)@)?(\\[[0-9a-fA-F:.]+]|[^/:@\\s]+)(?::(\\d+))?(/.*)?");

    static String format(ConnectionArgs c, String path) {
        String host = c.host().contains(":") ? "[" + c.host() + "]" : c.host();
        return (c.user() == null ? "root" : c.user()) + "@" + host + ":" + (c.port() == null ? 22 : c.port())
                + (path == null ? "" : path);
    }

    static ImportId parse(String id, boolean pathRequired, ImportCredentials credentials) throws ResourceException {
        Matcher m = ID.matcher(id == null ? "" : id.strip());
        if (!m.matches() || (pathRequired && m.group(4) == null)) {
            throw new ResourceException(ResourceException.Kind.INVALID, "the id \"" + id + "\" is not of the form "
                    + "[user@]host[:port]" + (pathRequired ? "/path" : "") + ", e.g. root@10.0.20.10:22"
                    + (pathRequired ? "/etc/cron.d/imagecache-registry-ghcr" : ""));
        }
        String host = m.group(2).startsWith("[") ? m.group(2).substring(1, m.group(2).length() - 1) : m.group(2);
        String user = m.group(1) == null ? "root" : m.group(1);
        int port = m.group(3) == null ? 22 : Integer.parseInt(m.group(3));
        ImportCredentials.Found found = credentials.find().orElseThrow(() -> new ResourceException(
                ResourceException.Kind.INVALID, "to import from " + user + "@" + host + ", set IMAGECACHE_SSH_KEY_FILE "
                + "to a private key file (or put one in ~/.ssh) or set IMAGECACHE_SSH_PASSWORD"));
        String key = found.privateKey();
        String password = found.password();
        ConnectionArgs c = new ConnectionArgs(host, port, user, key, null, password, null, null, 15, 10, 2,
                !"root".equals(user));
        String path = m.group(4);
        return new ImportId(c, path);
    }

    /** {@code c} with host, port, user and sudo only. */
    static ConnectionArgs withoutCredentials(ConnectionArgs c) {
        return new ConnectionArgs(c.host(), c.port(), c.user(), null, null, null, null, null, null, null, null, c.sudo());
    }

    /** The directory part of {@link #path()}. */
    String directory() {
        if (path == null) {
            return null;
        }
        int i = path.lastIndexOf('/');
        return i <= 0 ? "/" : path.substring(0, i);
    }
}
