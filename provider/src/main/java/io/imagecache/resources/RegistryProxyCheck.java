package io.imagecache.resources;

import io.imagecache.distribution.DistributionConfig;
import io.imagecache.resources.RegistryProxy.Args;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.PropertyPath;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** RegistryProxy's Check: one failure per bad property, with its path and what to do. No I/O. */
final class RegistryProxyCheck {
    private RegistryProxyCheck() {}

    static List<CheckFailure> check(Decoded<Args> news) {
        Args a = news.value();
        List<CheckFailure> out = new ArrayList<>(Connections.check(a.connection(), PropertyPath.of("connection"), news));
        UpstreamArgs u = a.upstream();
        if (u != null) {
            if (u.name() != null && !u.name().matches("[a-z0-9][a-z0-9_.-]{0,62}")) {
                out.add(new CheckFailure("upstream.name", "must be a short lower-case name usable in a container name "
                        + "(letters, digits, _ . -), e.g. ghcr"));
            }
            if (u.registry() != null && !u.registry().matches("[A-Za-z0-9.-]+(:[0-9]{1,5})?")) {
                out.add(new CheckFailure("upstream.registry", "must be a registry host name as it appears in image names, "
                        + "without scheme or path, e.g. ghcr.io"));
            }
            if (u.remoteUrl() != null && !news.isUnknown(PropertyPath.of("upstream").key("remoteUrl"))) {
                if (!Validation.isHttpUrl(u.remoteUrl())) {
                    out.add(new CheckFailure("upstream.remoteUrl", "must be an http(s) URL of the registry root, e.g. "
                            + "https://ghcr.io (distribution can only mirror a registry at a domain root)"));
                } else if (java.net.URI.create(u.remoteUrl()).getPath() != null
                        && !java.net.URI.create(u.remoteUrl()).getPath().matches("/?")) {
                    out.add(new CheckFailure("upstream.remoteUrl", "must not have a path: distribution mirrors only a "
                            + "registry at a domain root"));
                }
            }
            if (u.port() != null && (u.port() < 1 || u.port() > 65535)) {
                out.add(new CheckFailure("upstream.port", "must be between 1 and 65535, e.g. 5010"));
            }
            boolean userUnknown = news.isUnknown(PropertyPath.of("upstream").key("username"));
            boolean passUnknown = news.isUnknown(PropertyPath.of("upstream").key("password"));
            if (!userUnknown && !passUnknown && (u.username() == null) != (u.password() == null)) {
                out.add(new CheckFailure(u.username() == null ? "upstream.username" : "upstream.password",
                        "give both username and password, or neither"));
            }
            if (u.username() != null && !userUnknown && (u.username().contains(":") || u.username().chars().anyMatch(ch -> ch < 0x20))) {
                out.add(new CheckFailure("upstream.username", "must not contain ':' or control characters (Basic "
                        + "authentication puts a ':' between user name and password); use the registry's user name or a "
                        + "token name"));
            }
            if (u.ttl() != null && !DistributionConfig.isDuration(u.ttl())) {
                out.add(new CheckFailure("upstream.ttl", "must be a Go duration such as 168h or 30m (or 0: keep forever)"));
            }
            if (u.ttl() != null && a.image() != null && imageTagMajor(a.image()).map(m -> m < 3).orElse(false)) {
                out.add(new CheckFailure("upstream.ttl", "needs distribution 3.x; " + a.image() + " is 2.x: remove ttl or "
                        + "use a 3.x image"));
            }
        }
        if (a.image() != null && !a.image().matches("[a-z0-9][A-Za-z0-9._/:@-]*")) {
            out.add(new CheckFailure("image", "must be an image reference such as registry:3.0.0"));
        }
        if (a.bindAddress() != null && !news.isUnknown(PropertyPath.of("bindAddress")) && !isIpAddress(a.bindAddress())) {
            out.add(new CheckFailure("bindAddress", "\"" + io.imagecache.vm.Text.shown(a.bindAddress()) + "\" is not an IP "
                    + "address: must be an IP address of the host, such as 10.0.20.10, or 0.0.0.0 for all"));
        }
        if (a.dataDir() != null && a.configDir() != null && !news.isUnknown(PropertyPath.of("dataDir"))
                && !news.isUnknown(PropertyPath.of("configDir")) && (RegistryProxyPlan.inside(a.dataDir(), a.configDir())
                || RegistryProxyPlan.inside(a.configDir(), a.dataDir()))) {
            out.add(new CheckFailure("configDir", "must be apart from dataDir (neither inside the other), e.g. "
                    + "/etc/imagecache/<name> and /var/lib/imagecache/<name>"));
        }
        for (String p : List.of("dataDir", "configDir")) {
            String v = p.equals("dataDir") ? a.dataDir() : a.configDir();
            if (v != null && !news.isUnknown(PropertyPath.of(p)) && (!Validation.isAbsolutePath(v) || v.equals("/")
                    || v.matches("/(etc|var|usr|bin|sbin|lib|boot|root|home|proc|sys|dev)/?"))) {
                out.add(new CheckFailure(p, "must be an absolute directory of its own, e.g. /var/lib/imagecache/ghcr"));
            } else if (v != null && !news.isUnknown(PropertyPath.of(p)) && !Validation.isPlainPath(v)) {
                // Docker mounts the cleaned path, so /srv/ghcr/ would never match the container again (and /etc/. is /etc)
                out.add(new CheckFailure(p, "\"" + v + "\" must be written plainly, without a trailing /, // or /./ "
                        + "(Docker mounts the cleaned path), e.g. /var/lib/imagecache/ghcr"));
            } else if (v != null && !news.isUnknown(PropertyPath.of(p))) {
                Validation.lengthProblem(v).ifPresent(why -> out.add(new CheckFailure(p, why + ": give a shorter "
                        + "directory, e.g. /var/lib/imagecache/ghcr")));
            }
        }
        if (a.healthTimeoutSeconds() != null && (a.healthTimeoutSeconds() < 5 || a.healthTimeoutSeconds() > 3600)) {
            out.add(new CheckFailure("healthTimeoutSeconds", "must be between 5 and 3600 seconds"));
        }
        return out;
    }

    /** A dotted-quad IPv4 address (each part 0-255) or an IPv6 literal (hex groups, at most one "::"). */
    static boolean isIpAddress(String s) {
        if (io.imagecache.vm.Ipv4.isValid(s)) {
            return true;
        }
        long colons = s.chars().filter(c -> c == ':').count();
        return colons >= 2 && colons <= 7 && s.matches("[0-9a-fA-F:]+") && s.indexOf("::") == s.lastIndexOf("::")
                && !s.contains(":::") && java.util.Arrays.stream(s.split(":")).allMatch(g -> g.length() <= 4);
    }

    /** The major version a tag says, when it says one: {@code registry:2.8.3} -> 2. */
    static Optional<Integer> imageTagMajor(String image) {
        Matcher m = Pattern.compile(":v?(\\d+)(\\.\\d+)*(@.*)?$").matcher(image);
        return m.find() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }
}
