package myproject;

import com.pulumi.Context;
import com.pulumi.Pulumi;
import com.pulumi.imagecache.MaintenanceSchedule;
import com.pulumi.imagecache.MaintenanceScheduleArgs;
import com.pulumi.imagecache.RegistryProxy;
import com.pulumi.imagecache.RegistryProxyArgs;
import com.pulumi.imagecache.inputs.ConnectionArgs;
import com.pulumi.imagecache.inputs.UpstreamArgs;

/**
 * A stack a team already has: a pull-through cache of its own registry (registry.corp.example, port 5100,
 * clear of the ports the PullThroughCache component takes by default) with its maintenance cron file, and an
 * output of its own. Each part is one method, so adding the PullThroughCache component is one more block in
 * {@link #stack}.
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
        var corp = corpCache(ctx, registryHost, config.require("upstreamUrl"), config.get("image").orElse("registry:3.0.0"));
        // The PullThroughCache component goes here as one block (new PullThroughCache(...) and its exports).
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
}
