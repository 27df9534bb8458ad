package io.imagecache.resources;

import io.imagecache.spi.ResourceException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resource ids that say where the resource lives: {@code [user@]host[:port][/path]}, e.g.
 * {@code root@10.0.20.10:22/etc/cron.d/imagecache-registry-ghcr}. {@code pulumi import} hands the
 * provider only this id, so the connection it gives has no credentials: they come from
 * {@link DefaultCredentials}, and the program supplies its own on the next {@code pulumi up}.
 */
record ImportId(ConnectionArgs connection, String path) {

    private static final Pattern ID = Pattern.compile("(?:([a-z_][a-z0-9_.-]*)@)?(\\[[0-9a-fA-F:.]+]|[^/:@\\s]+)(?::(\\d+))?(/.*)?");

    static String format(ConnectionArgs c, String path) {
        String host = c.host().contains(":") ? "[" + c.host() + "]" : c.host();
        return (c.user() == null ? "root" : c.user()) + "@" + host + ":" + (c.port() == null ? 22 : c.port())
                + (path == null ? "" : path);
    }

    static ImportId parse(String id, boolean pathRequired) throws ResourceException {
        Matcher m = ID.matcher(id == null ? "" : id.strip());
        if (!m.matches() || (pathRequired && m.group(4) == null)) {
            throw new ResourceException(ResourceException.Kind.INVALID, "the id \"" + id + "\" is not of the form "
                    + "[user@]host[:port]" + (pathRequired ? "/path" : "") + ", e.g. root@10.0.20.10:22"
                    + (pathRequired ? "/etc/cron.d/imagecache-registry-ghcr" : ""));
        }
        String host = m.group(2).startsWith("[") ? m.group(2).substring(1, m.group(2).length() - 1) : m.group(2);
        String user = m.group(1) == null ? "root" : m.group(1);
        int port = m.group(3) == null ? 22 : Integer.parseInt(m.group(3));
        ConnectionArgs c = new ConnectionArgs(host, port, user, null, null, null, null, null, null, null, null,
                "root".equals(user) ? null : Boolean.TRUE);
        String path = m.group(4);
        return new ImportId(c, path);
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
