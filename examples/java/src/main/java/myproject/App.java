package myproject;

import com.pulumi.Config;
import com.pulumi.Context;
import com.pulumi.Pulumi;
import com.pulumi.imagecache.MaintenanceSchedule;
import com.pulumi.imagecache.MaintenanceScheduleArgs;
import com.pulumi.imagecache.PullThroughCache;
import com.pulumi.imagecache.PullThroughCacheArgs;
import com.pulumi.imagecache.RegistryProxy;
import com.pulumi.imagecache.RegistryProxyArgs;
import com.pulumi.imagecache.inputs.ConnectionArgs;
import com.pulumi.imagecache.inputs.MaintenanceArgs;
import com.pulumi.imagecache.inputs.NodeArgs;
import com.pulumi.imagecache.inputs.UpstreamArgs;
import com.pulumi.imagecache.outputs.NodeStatus;
import com.pulumi.resources.ComponentResourceOptions;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A stack a team already has: a pull-through cache of its own registry (registry.corp.example, port 5100,
 * clear of the ports the PullThroughCache component takes by default) with its maintenance cron file, and an
 * output of its own; to which the team added the PullThroughCache component for docker.io and ghcr.io and
 * the cluster's nodes (config {@code nodes}), as one more block in {@link #stack}.
 */
public final class App {
    public static void main(String[] args) {
        Pulumi.run(App::stack);
    }

    static void stack(Context ctx) {
        var config = ctx.config();
        var registryHost = ConnectionArgs.builder()
                .host(config.require("host"))
                .privateKey(config.requireSecret("sshKey"))
                .build();
        var image = config.get("image").orElse("registry:3.0.0");
        var corp = corpCache(ctx, registryHost, config.require("upstreamUrl"), image);
        clusterCache(ctx, config, registryHost, image);
        // The stack's own output, as a user's stack has them.
        ctx.export("pullHint", corp.endpoint().applyValue(e -> "point containerd's registry.corp.example mirror at " + e));
    }

    /** What the stack had before: a RegistryProxy and its MaintenanceSchedule, through the Java SDK. */
    static RegistryProxy corpCache(Context ctx, ConnectionArgs registryHost, String upstreamUrl, String image) {
        var proxy = new RegistryProxy("corp", RegistryProxyArgs.builder()
                .connection(registryHost)
                .upstream(UpstreamArgs.builder().name("corp").registry("registry.corp.example").remoteUrl(upstreamUrl).port(5100).build())
                .image(image)
                .build());
        var maintenance = new MaintenanceSchedule("corpMaintenance", MaintenanceScheduleArgs.builder()
                .connection(registryHost)
                .containerName(proxy.containerName())
                .upstreamUrl(upstreamUrl)
                .gcSchedule("0 3 * * 0")
                .build());
        ctx.export("corpEndpoint", proxy.endpoint());
        ctx.export("cronFile", maintenance.cronFile());
        ctx.export("cronContent", maintenance.content());
        return proxy;
    }

    /**
     * The cluster's caches as one component: docker.io on 5000 and ghcr.io on 5010 beside the corp cache, their
     * GC and restarts clear of corp's (03:00, on the hour), and every node in config {@code nodes} pointed at them.
     */
    static PullThroughCache clusterCache(Context ctx, Config config, ConnectionArgs registryHost, String image) {
        var nodes = Arrays.stream(config.requireObject("nodes", String[].class))
                .map(node -> NodeArgs.builder()
                        .connection(ConnectionArgs.builder().host(node).privateKey(config.requireSecret("sshKey")).build())
                        .build())
                .toList();
        var cache = new PullThroughCache("cache", PullThroughCacheArgs.builder()
                .registryHost(registryHost)
                .advertiseAddress(config.require("host"))
                .image(image)
                .upstreams(
                        UpstreamArgs.builder().name("docker").registry("docker.io").remoteUrl(config.require("dockerHubUrl")).port(5000).build(),
                        UpstreamArgs.builder().name("ghcr").registry("ghcr.io").remoteUrl(config.require("ghcrUrl")).port(5010).build())
                .nodes(nodes)
                .maintenance(MaintenanceArgs.builder().gcSchedule("30 3 * * 0").gcGapMinutes(30).restartSchedule("5 * * * *").build())
                .dialTimeout("1s")
                .build(),
                ComponentResourceOptions.builder().retainOnDelete(config.getBoolean("retainCache").orElse(false)).build());
        ctx.export("endpoints", cache.endpoints());
        ctx.export("nodes", cache.nodes().applyValue(App::plain));
        ctx.export("cronFiles", cache.cronFiles());
        return cache;
    }

    /** node -> {containerdVersion, configChanged} as plain maps: the Java SDK exports no output object types. */
    static Map<String, Map<String, Object>> plain(Optional<Map<String, NodeStatus>> nodes) {
        var out = new TreeMap<String, Map<String, Object>>();
        nodes.orElse(Map.of()).forEach((node, s) -> out.put(node, Map.of(
                "containerdVersion", s.containerdVersion().orElse(""), "configChanged", s.configChanged().orElse(false))));
        return out;
    }
}
