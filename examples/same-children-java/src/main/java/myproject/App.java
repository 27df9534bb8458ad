package myproject;

import com.pulumi.Context;
import com.pulumi.Pulumi;
import com.pulumi.imagecache.PullThroughCache;
import com.pulumi.imagecache.PullThroughCacheArgs;
import com.pulumi.imagecache.inputs.ConnectionArgs;
import com.pulumi.imagecache.inputs.MaintenanceArgs;
import com.pulumi.imagecache.inputs.NodeArgs;
import com.pulumi.imagecache.inputs.UpstreamArgs;

/** SameChildrenIT's Java declaration of the PullThroughCache the other languages declare, with the same inputs. */
public final class App {
    public static void main(String[] args) {
        Pulumi.run(App::stack);
    }

    static void stack(Context ctx) {
        var config = ctx.config();
        var key = config.requireSecret("sshKey");
        var cache = new PullThroughCache("cache", PullThroughCacheArgs.builder()
                .registryHost(ConnectionArgs.builder().host(config.require("registryHost")).privateKey(key).build())
                .advertiseAddress(config.require("registryHost"))
                .image(config.require("image"))
                .upstreams(
                        UpstreamArgs.builder().name("docker").registry("docker.io").remoteUrl(config.require("dockerUpstream")).port(5000).build(),
                        UpstreamArgs.builder().name("quay").registry("quay.io").remoteUrl(config.require("quayUpstream")).port(5020).build())
                .nodes(NodeArgs.builder().connection(ConnectionArgs.builder().host(config.require("node")).privateKey(key).build()).build())
                .dialTimeout("1s")
                .maintenance(MaintenanceArgs.builder().gcSchedule("0 3 * * 0").gcGapMinutes(30).build())
                .build());
        ctx.export("endpoints", cache.endpoints());
    }
}
