package io.imagecache.component;

import io.imagecache.maintenance.CronStagger;
import io.imagecache.resources.ContainerdMirror;
import io.imagecache.resources.MaintenanceSchedule;
import io.imagecache.resources.RegistryProxy;
import io.imagecache.resources.UpstreamArgs;
import io.imagecache.spi.Children;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.PropertyValue;
import io.imagecache.spi.ResourceType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;

/**
 * What PullThroughCache registers, worked out from its inputs alone (pure): per upstream a proxy and
 * its maintenance schedule, per node a mirror, the nodes cut into rollout batches. Children get the
 * inputs as the engine sent them (secrets and unknowns kept), and each child knows which input of the
 * component every one of its properties came from, so a child's Check failure names the component's
 * property.
 */
record CachePlan(List<Proxy> proxies, List<List<Node>> batches, Map<String, PropertyValue> endpoints,
                 List<String> notes) {

    static final String PROXY = RegistryProxy.class.getAnnotation(ResourceType.class).token();
    static final String SCHEDULE = MaintenanceSchedule.class.getAnnotation(ResourceType.class).token();
    static final String MIRROR = ContainerdMirror.class.getAnnotation(ResourceType.class).token();

    /** One child to register, and where its properties came from. */
    record Planned(Children.Child child, Origins origins) {}

    /** One upstream: its proxy and the schedule registered once the proxy is there. */
    record Proxy(String upstream, Planned proxy, Planned schedule) {}

    /** One node: its key in the outputs (`host` or `host:port`) and its mirror. */
    record Node(String key, Planned mirror) {}

    static final List<UpstreamArgs> DEFAULT_UPSTREAMS = UpstreamArgs.RUNBOOK;

    static CachePlan of(String component, Decoded<PullThroughCache.Args> args, PropertyValue.Obj inputs) {
        PullThroughCache.Args a = args.value();
        List<String> notes = new ArrayList<>();
        for (String list : List.of("upstreams", "nodes")) {
            if (Raw.isUnknown(Raw.field(inputs, list))) {
                notes.add(list + " is not known until an earlier resource is created: what it makes is shown at `up`");
            }
        }
        List<PropertyValue> upstreams = upstreams(inputs);
        PropertyValue registryHost = Raw.field(inputs, "registryHost");
        PropertyValue advertise = Raw.field(inputs, "advertiseAddress");
        PullThroughCache.MaintenanceArgs m = maintenance(a);

        List<Proxy> proxies = new ArrayList<>();
        Map<String, PropertyValue> endpoints = new LinkedHashMap<>();
        List<PropertyValue> cacheMirrors = new ArrayList<>();
        for (int i = 0; i < upstreams.size(); i++) {
            PropertyValue u = upstreams.get(i);
            String at = "upstreams[" + i + "]";
            String name = Raw.string(Raw.field(u, "name")).orElse(null);
            PropertyValue registry = Raw.field(u, "registry");
            PropertyValue endpoint = endpoint(advertise, Raw.field(u, "port"));
            PropertyValue server = remoteUrl(u);
            cacheMirrors.add(Raw.object("registry", registry, "endpoints", new PropertyValue.Arr(List.of(endpoint)),
                    "server", server));
            Raw.string(registry).ifPresent(r -> endpoints.put(r, endpoint));
            if (name == null) {
                notes.add(at + ".name is not known yet: its proxy and schedule are registered when it is");
                continue;
            }
            PropertyValue.Obj proxyInputs = Raw.object(
                    "connection", registryHost,
                    "upstream", u,
                    "image", Raw.field(inputs, "image"),
                    "dataDir", under(Raw.field(inputs, "dataRoot"), "/var/lib/imagecache", name),
                    "configDir", under(Raw.field(inputs, "configRoot"), "/etc/imagecache", name));
            Origins proxyOrigins = Origins.of("registryHost",
                    "connection", "registryHost", "upstream", at, "image", "image", "dataDir", "dataRoot",
                    "configDir", "configRoot");
            PropertyValue.Obj scheduleInputs = Raw.object(
                    "connection", registryHost,
                    "containerName", PropertyValue.of("registry-" + name),
                    "upstreamUrl", server,
                    "gcSchedule", staggered(m.gcSchedule(), i * m.gcGapMinutes(), args, "maintenance"),
                    "gcDeleteUntagged", PropertyValue.of(Boolean.TRUE.equals(m.gcDeleteUntagged())),
                    "restartSchedule", m.restartSchedule() == null ? Raw.unknownString()
                            : PropertyValue.of(CronStagger.laterInHour(m.restartSchedule(), i * m.restartGapMinutes())));
            Origins scheduleOrigins = Origins.of("maintenance",
                    "connection", "registryHost", "containerName", at + ".name", "upstreamUrl", at + ".remoteUrl",
                    "gcSchedule", "maintenance.gcSchedule", "restartSchedule", "maintenance.restartSchedule",
                    "gcDeleteUntagged", "maintenance.gcDeleteUntagged");
            proxies.add(new Proxy(name,
                    new Planned(new Children.Child(PROXY, component + "-" + name, proxyInputs, List.of(),
                            proxyOrigins.sources(proxyInputs.fields().keySet())), proxyOrigins),
                    new Planned(new Children.Child(SCHEDULE, component + "-" + name, scheduleInputs, List.of(),
                            scheduleOrigins.sources(scheduleInputs.fields().keySet())), scheduleOrigins)));
        }

        List<Node> nodes = new ArrayList<>();
        List<PropertyValue> given = Raw.items(Raw.field(inputs, "nodes"));
        for (int i = 0; i < given.size(); i++) {
            PropertyValue n = given.get(i);
            String at = "nodes[" + i + "]";
            PropertyValue connection = Raw.field(n, "connection");
            String key = nodeKey(connection);
            if (key == null) {
                notes.add(at + ".connection.host is not known yet: its mirror is registered when it is");
                continue;
            }
            List<PropertyValue> mirrors = new ArrayList<>(cacheMirrors);
            mirrors.addAll(Raw.items(Raw.field(n, "mirrors")));
            PropertyValue.Obj mirrorInputs = Raw.object(
                    "connection", connection,
                    "mirrors", new PropertyValue.Arr(mirrors),
                    "certsDir", Raw.field(n, "certsDir"),
                    "configFile", Raw.field(n, "configFile"),
                    "restartCommand", Raw.field(n, "restartCommand"),
                    "defaultDialTimeout", Raw.field(inputs, "dialTimeout"));
            Origins origins = Origins.of(at, "connection", at + ".connection", "certsDir", at + ".certsDir",
                    "configFile", at + ".configFile", "restartCommand", at + ".restartCommand",
                    "defaultDialTimeout", "dialTimeout");
            for (int j = 0; j < mirrors.size(); j++) {
                boolean ours = j < cacheMirrors.size();
                origins = origins.with("mirrors[" + j + "]", ours ? "upstreams[" + j + "]"
                        : at + ".mirrors[" + (j - cacheMirrors.size()) + "]");
                if (ours) {
                    origins = origins.with("mirrors[" + j + "].server", "upstreams[" + j + "].remoteUrl")
                            .with("mirrors[" + j + "].endpoints", "advertiseAddress")
                            // the one endpoint is advertiseAddress with the upstream's port: named as the input, not
                            // as advertiseAddress[0] (which is no list)
                            .with("mirrors[" + j + "].endpoints[0]", "advertiseAddress");
                }
            }
            nodes.add(new Node(key, new Planned(new Children.Child(MIRROR, component + "-" + name(key), mirrorInputs,
                    List.of(), origins.sources(mirrorInputs.fields().keySet())), origins)));
        }
        int size = a.rollout() == null || a.rollout().batchSize() == null ? 1 : Math.max(1, a.rollout().batchSize());
        List<List<Node>> batches = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i += size) {
            batches.add(List.copyOf(nodes.subList(i, Math.min(nodes.size(), i + size))));
        }
        return new CachePlan(List.copyOf(proxies), List.copyOf(batches), endpoints, List.copyOf(notes));
    }

    /** The upstreams as given, or the runbook's five. */
    static List<PropertyValue> upstreams(PropertyValue.Obj inputs) {
        PropertyValue given = Raw.field(inputs, "upstreams");
        if (!given.isNull()) {
            return Raw.items(given);
        }
        List<PropertyValue> out = new ArrayList<>();
        for (UpstreamArgs u : DEFAULT_UPSTREAMS) {
            out.add(Raw.object("name", PropertyValue.of(u.name()), "registry", PropertyValue.of(u.registry()),
                    "remoteUrl", PropertyValue.of(u.remoteUrl()), "port", PropertyValue.of(u.port())));
        }
        return out;
    }

    static PullThroughCache.MaintenanceArgs maintenance(PullThroughCache.Args a) {
        PullThroughCache.MaintenanceArgs m = a.maintenance();
        return new PullThroughCache.MaintenanceArgs(
                m == null || m.gcSchedule() == null ? "0 3 * * 0" : m.gcSchedule(),
                m == null || m.gcGapMinutes() == null ? 30 : m.gcGapMinutes(),
                m != null && Boolean.TRUE.equals(m.gcDeleteUntagged()),
                m == null ? "0 * * * *" : m.restartSchedule(),
                m == null || m.restartGapMinutes() == null ? 2 : m.restartGapMinutes());
    }

    /** What nodes dial for one upstream: {@code http://<advertiseAddress>:<port>}. */
    static PropertyValue endpoint(PropertyValue advertise, PropertyValue port) {
        var host = Raw.string(advertise);
        var p = Raw.integer(port);
        if (host.isEmpty() || p.isEmpty()) {
            return Raw.unknownString();
        }
        String h = host.get().contains(":") ? "[" + host.get() + "]" : host.get();
        return Raw.derived("http://" + h + ":" + p.get(), advertise, port);
    }

    /** The upstream's URL, given or derived from its registry as RegistryProxy does. */
    static PropertyValue remoteUrl(PropertyValue upstream) {
        PropertyValue given = Raw.field(upstream, "remoteUrl");
        if (!given.isNull()) {
            return given;
        }
        PropertyValue registry = Raw.field(upstream, "registry");
        return Raw.string(registry).map(r -> Raw.derived(UpstreamArgs.defaultRemoteUrl(r), registry))
                .orElse(Raw.unknownString());
    }

    private static PropertyValue under(PropertyValue root, String fallback, String name) {
        if (root.isNull()) {
            return PropertyValue.of(fallback + "/" + name);
        }
        return Raw.string(root).map(r -> Raw.derived(stripSlash(r) + "/" + name, root)).orElse(Raw.unknownString());
    }

    private static String stripSlash(String s) {
        return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static PropertyValue staggered(String schedule, int minutes, Decoded<PullThroughCache.Args> args, String at) {
        if (args.hasUnknownsUnder(io.imagecache.spi.PropertyPath.of(at))) {
            return Raw.unknownString();
        }
        // CacheChecks refused a schedule that cannot move this far; keep it as given if it still cannot
        return PropertyValue.of(CronStagger.later(schedule, minutes).orElse(schedule));
    }

    /** {@code host}, or {@code host:port} for a port other than 22; null while the host is unknown. */
    static String nodeKey(PropertyValue connection) {
        String host = Raw.string(Raw.field(connection, "host")).orElse(null);
        if (host == null) {
            return null;
        }
        PropertyValue p = Raw.field(connection, "port");
        if (Raw.isUnknown(p)) {
            return null;
        }
        int port = Raw.integer(p).orElse(22);
        return port == 22 ? host : host + ":" + port;
    }

    /** A node key as part of a resource name: `:`, `/` and `$` are left out of URNs. */
    static String name(String key) {
        return key.replaceAll("[^A-Za-z0-9._-]", "-");
    }

    /**
     * A note when a batch has more nodes than the engine runs operations at once: the engine then changes the batch in
     * rounds (8 nodes, then 2), so a batch takes about twice as long as it need. Empty when the engine does not say
     * its parallelism or every batch fits.
     */
    Optional<String> parallelNote(int parallel) {
        int largest = batches.stream().mapToInt(List::size).max().orElse(0);
        if (parallel <= 0 || largest <= parallel) {
            return Optional.empty();
        }
        int rounds = (largest + parallel - 1) / parallel;
        return Optional.of("a rollout batch has " + largest + " nodes (rollout.batchSize) but this deployment runs at most "
                + parallel + " resource operations at once (`--parallel`, by default four per CPU): each batch is changed in "
                + rounds + " rounds; `pulumi up --parallel " + largest + "` (or more) changes a whole batch at once");
    }
}
