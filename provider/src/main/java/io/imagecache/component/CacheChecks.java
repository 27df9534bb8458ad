package io.imagecache.component;

import io.imagecache.maintenance.CronSchedule;
import io.imagecache.maintenance.CronStagger;
import io.imagecache.resources.ContainerdMirror;
import io.imagecache.resources.UpstreamArgs;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.PropertyPath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * What PullThroughCache refuses before it registers anything: what the children cannot see one at a
 * time (two upstreams on one port, a node listed twice, a node mirror for a registry the component
 * caches) and what the component itself means (the staggered schedules must fit in the day). Every
 * child's own Check runs too, on the inputs the plan gives it (see {@link CacheRollout}).
 */
final class CacheChecks {
    private CacheChecks() {}

    static List<CheckFailure> check(Decoded<PullThroughCache.Args> d) {
        PullThroughCache.Args a = d.value();
        List<CheckFailure> out = new ArrayList<>();
        advertiseAddress(d, out);
        List<UpstreamArgs> upstreams = a.upstreams() == null ? CachePlan.DEFAULT_UPSTREAMS : a.upstreams();
        if (a.upstreams() != null && a.upstreams().isEmpty() && !d.isUnknown(PropertyPath.of("upstreams"))) {
            out.add(new CheckFailure("upstreams", "is empty: give at least one upstream, or leave `upstreams` out for "
                    + "the runbook's five (docker.io, ghcr.io, quay.io, registry.k8s.io, reg.kyverno.io)"));
        }
        for (int i = 0; i < upstreams.size(); i++) {
            UpstreamArgs u = upstreams.get(i);
            // the port is the proxy's and part of every node's mirror URL: one failure here, not one per child
            if (u != null && u.port() != null && (u.port() < 1 || u.port() > 65535)) {
                out.add(new CheckFailure("upstreams[" + i + "].port", "must be between 1 and 65535, e.g. 5010"));
            }
        }
        unique(upstreams, "upstreams", "name", UpstreamArgs::name, "each proxy's container is registry-<name>", out);
        unique(upstreams, "upstreams", "port", u -> u.port() == null ? null : String.valueOf(u.port()),
                "each proxy needs a port of its own", out);
        unique(upstreams, "upstreams", "registry", u -> u.registry() == null ? null : u.registry().toLowerCase(Locale.ROOT),
                "a node can send one registry to one cache only", out);
        List<PullThroughCache.NodeArgs> nodes = a.nodes() == null ? List.of() : a.nodes();
        unique(nodes, "nodes", "connection.host", n -> n.connection() == null || n.connection().host() == null ? null
                : key(n), "each node gets one ContainerdMirror", out);
        Map<String, Integer> cached = new HashMap<>();
        for (int i = 0; i < upstreams.size(); i++) {
            if (upstreams.get(i).registry() != null) {
                cached.putIfAbsent(upstreams.get(i).registry().toLowerCase(Locale.ROOT), i);
            }
        }
        for (int i = 0; i < nodes.size(); i++) {
            List<ContainerdMirror.MirrorArgs> own = nodes.get(i).mirrors() == null ? List.of() : nodes.get(i).mirrors();
            for (int j = 0; j < own.size(); j++) {
                String r = own.get(j).registry();
                Integer u = r == null ? null : cached.get(r.toLowerCase(Locale.ROOT));
                if (u != null) {
                    out.add(new CheckFailure("nodes[" + i + "].mirrors[" + j + "].registry", r + " is already mirrored "
                            + "by the component through upstreams[" + u + "] (" + upstreams.get(u).name() + "); remove this "
                            + "mirror, or remove that upstream to configure it here"));
                }
            }
        }
        maintenance(d, upstreams.size(), out);
        if (a.rollout() != null && a.rollout().batchSize() != null && a.rollout().batchSize() < 1) {
            out.add(new CheckFailure("rollout.batchSize", "must be 1 or more (got " + a.rollout().batchSize() + ")"));
        }
        return out;
    }

    private static String key(PullThroughCache.NodeArgs n) {
        int port = n.connection().port() == null ? 22 : n.connection().port();
        return port == 22 ? n.connection().host() : n.connection().host() + ":" + port;
    }

    private static void advertiseAddress(Decoded<PullThroughCache.Args> d, List<CheckFailure> out) {
        String adv = d.value().advertiseAddress();
        if (adv == null) {
            return;
        }
        String why = adv.isBlank() ? "is empty"
                : adv.contains("://") ? "has a scheme"
                : adv.contains("/") ? "has a path"
                : adv.chars().anyMatch(c -> c <= ' ' || c == 0x7f) ? "has spaces or control characters"
                : adv.indexOf(':') >= 0 && adv.indexOf(':') == adv.lastIndexOf(':') ? "has a port"
                : adv.startsWith("[") ? "has brackets"
                : !adv.matches("[A-Za-z0-9_.-]+|[0-9A-Fa-f:.]+") ? "has characters that are not in a host name or IP address"
                : null;
        if (why != null) {
            out.add(new CheckFailure("advertiseAddress", why + ": give the host name or IP address nodes dial, e.g. "
                    + "10.0.20.10 (the port is each upstream's `port`, the scheme http)"));
        }
    }

    private static void maintenance(Decoded<PullThroughCache.Args> d, int proxies, List<CheckFailure> out) {
        PullThroughCache.MaintenanceArgs m = CachePlan.maintenance(d.value());
        if (m.gcGapMinutes() < 1 || m.gcGapMinutes() > 24 * 60) {
            out.add(new CheckFailure("maintenance.gcGapMinutes", "must be between 1 and 1440 (got " + m.gcGapMinutes() + ")"));
            return;
        }
        if (m.restartGapMinutes() < 0 || m.restartGapMinutes() > 59) {
            out.add(new CheckFailure("maintenance.restartGapMinutes", "must be between 0 and 59 (got "
                    + m.restartGapMinutes() + ")"));
        }
        if (d.hasUnknownsUnder(PropertyPath.of("maintenance"))) {
            return;
        }
        var problem = CronSchedule.problem(m.gcSchedule());
        if (problem.isPresent()) {
            out.add(new CheckFailure("maintenance.gcSchedule", problem.get()));
            return;
        }
        if (proxies < 2) {
            return;
        }
        int last = (proxies - 1) * m.gcGapMinutes();
        if (CronStagger.later(m.gcSchedule(), last).isEmpty()) {
            out.add(new CheckFailure("maintenance.gcSchedule", "\"" + m.gcSchedule() + "\" cannot be staggered for "
                    + proxies + " proxies " + m.gcGapMinutes() + " minutes apart: its minute and hour must be single "
                    + "numbers and the last collection (" + last + " minutes later) must start before midnight; use an "
                    + "earlier time such as \"0 3 * * 0\" or a smaller gcGapMinutes"));
        }
    }

    private static <T> void unique(List<T> items, String list, String property, Function<T, String> key, String why,
                                   List<CheckFailure> out) {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            String k = items.get(i) == null ? null : key.apply(items.get(i));
            if (k == null) {
                continue;
            }
            Integer first = seen.putIfAbsent(k, i);
            if (first != null) {
                out.add(new CheckFailure(list + "[" + i + "]." + property, k + " is also " + list + "[" + first + "]'s: "
                        + why));
            }
        }
    }
}
