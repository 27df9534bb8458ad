package io.imagecache.component;

import io.imagecache.resources.ConnectionArgs;
import io.imagecache.resources.ContainerdMirror;
import io.imagecache.resources.UpstreamArgs;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Children;
import io.imagecache.spi.ComponentResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.ObjectType;
import io.imagecache.spi.Prop;
import io.imagecache.spi.PropertyValue;
import io.imagecache.spi.ResourceException;
import io.imagecache.spi.ResourceType;
import java.util.List;
import java.util.Map;

/**
 * The runbook as one component: a pull-through cache per upstream on the registry host, its
 * maintenance cron file (garbage collection staggered so no two proxies collect at once), and every
 * node's containerd pointed at the caches, rolled out in batches only once every cache answers.
 */
@ResourceType(token = "imagecache:index:PullThroughCache",
        description = "Pull-through caches for a cluster, as one component: one `RegistryProxy` and one "
                + "`MaintenanceSchedule` per upstream on `registryHost` (garbage collection staggered by "
                + "`maintenance.gcGapMinutes`, in the order of `upstreams`), and one `ContainerdMirror` per node "
                + "pointing containerd at `http://<advertiseAddress>:<port>` for each upstream, with the upstream "
                + "itself as the fallback `server`.\n\n"
                + "Nodes are changed only after every proxy is healthy, `rollout.batchSize` at a time: a batch starts "
                + "when the one before it has finished, so the first node that fails stops the rollout and the rest "
                + "stay as they were. Every child is parented to the component and gets the component's "
                + "`provider`, `protect` and `retainOnDelete`.")
public final class PullThroughCache implements ComponentResource<PullThroughCache.Args, PullThroughCache.Outputs> {

    @ObjectType(token = "imagecache:index:Node",
            description = "A Kubernetes node whose containerd pulls through the caches.")
    public record NodeArgs(
            @Prop(description = "How to reach the node.", required = true)
            ConnectionArgs connection,
            @Prop(description = "The node's hosts directory (`config_path`). Default: `/etc/containerd/certs.d`.")
            String certsDir,
            @Prop(description = "The node's containerd configuration file. Default: `/etc/containerd/config.toml`.")
            String configFile,
            @Prop(description = "How to restart containerd on the node. Default: `systemctl restart containerd`.")
            String restartCommand,
            @Prop(description = "Mirrors of the node's own, for registries the component does not cache (a "
                    + "registry that is also an upstream is an error).")
            List<ContainerdMirror.MirrorArgs> mirrors) {}

    @ObjectType(token = "imagecache:index:Maintenance",
            description = "When the proxies' maintenance jobs run. Garbage collection of the first proxy runs at "
                    + "`gcSchedule`, of the next one `gcGapMinutes` later, and so on; restarts are staggered the same "
                    + "way by `restartGapMinutes` within the hour.")
    public record MaintenanceArgs(
            @Prop(description = "Cron schedule of the first proxy's garbage collection. Its minute and hour must be "
                    + "single numbers when there is more than one upstream, so the others can follow it.",
                    defaultValue = "0 3 * * 0")
            String gcSchedule,
            @Prop(description = "Minutes between the garbage collections of consecutive proxies.", defaultValue = "30")
            Integer gcGapMinutes,
            @Prop(description = "Let garbage collection delete untagged manifests (this deletes digest-pinned "
                    + "images, which have no tag).", defaultValue = "false")
            Boolean gcDeleteUntagged,
            @Prop(description = "Cron schedule of the first proxy's restart; empty disables restarts.",
                    defaultValue = "0 * * * *")
            String restartSchedule,
            @Prop(description = "Minutes between the restarts of consecutive proxies, for an hourly `restartSchedule`.",
                    defaultValue = "2")
            Integer restartGapMinutes) {}

    @ObjectType(token = "imagecache:index:Rollout",
            description = "How node changes roll out.")
    public record RolloutArgs(
            @Prop(description = "How many nodes change at once. A batch starts only when the previous one has "
                    + "finished; a failure stops the rollout there.", defaultValue = "1")
            Integer batchSize) {}

    public record Args(
            @Prop(description = "How to reach the registry host (a Docker host; a `RegistryVm`'s address and "
                    + "host key fit it).", required = true)
            ConnectionArgs registryHost,
            @Prop(description = "The address nodes dial to reach the caches, e.g. the registry VM's static address "
                    + "`10.0.20.10`: a host name or IP address, without scheme or port.", required = true)
            String advertiseAddress,
            @Prop(description = "The upstream registries to cache, one proxy each. Default: the runbook's five, "
                    + "docker.io on 5000, ghcr.io 5010, quay.io 5020, registry.k8s.io 5030, reg.kyverno.io 5040.")
            List<UpstreamArgs> upstreams,
            @Prop(description = "The distribution image of every proxy. Default: `RegistryProxy`'s.")
            String image,
            @Prop(description = "Where each proxy's cache lives on the registry host: `<dataRoot>/<upstream name>`.",
                    defaultValue = "/var/lib/imagecache")
            String dataRoot,
            @Prop(description = "Where each proxy's config.yml lives: `<configRoot>/<upstream name>`.",
                    defaultValue = "/etc/imagecache")
            String configRoot,
            @Prop(description = "The nodes whose containerd pulls through the caches, in rollout order.")
            List<NodeArgs> nodes,
            @Prop(description = "When garbage collection and restarts run.")
            MaintenanceArgs maintenance,
            @Prop(description = "How node changes roll out.")
            RolloutArgs rollout,
            @Prop(description = "TCP connect timeout for the caches in every node's hosts.toml, a Go duration such "
                    + "as `1s`, on nodes whose containerd has `dial_timeout` (2.0.7/2.1+); left out on older ones. "
                    + "A short one makes a cache that is down cost seconds instead of 30 s per blob.")
            String dialTimeout) {}

    @ObjectType(token = "imagecache:index:NodeStatus",
            description = "What the component found and did on one node.")
    public record NodeStatus(
            @Prop(description = "The containerd version found on the node.")
            String containerdVersion,
            @Prop(description = "True if the last apply changed config.toml (and so restarted containerd).")
            Boolean configChanged) {}

    public record Outputs(
            @Prop(description = "registry -> the cache URL nodes use, e.g. `ghcr.io` -> `http://10.0.20.10:5010`.")
            Map<String, String> endpoints,
            @Prop(description = "node (`host`, or `host:port` for a port other than 22) -> what was found there.")
            Map<String, NodeStatus> nodes,
            @Prop(description = "upstream name -> the path of its maintenance cron file on the registry host.")
            Map<String, String> cronFiles) {}

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public Class<Outputs> outputsType() {
        return Outputs.class;
    }

    @Override
    public List<CheckFailure> check(Decoded<Args> args) {
        return CacheChecks.check(args);
    }

    @Override
    public PropertyValue.Obj construct(String name, Decoded<Args> args, PropertyValue.Obj inputs, Children children)
            throws ResourceException {
        CachePlan plan = CachePlan.of(name, args, inputs);
        return new CacheRollout(plan, children).run();
    }
}
