package io.imagecache.examples;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.imagecache.lab.DockerHost;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.guard.LabSecrets;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.testcontainers.containers.Container.ExecResult;

/**
 * {@code make demo}: the PullThroughCache component (examples/pull-through-cache) on the local lab
 * ({@link DemoLab}: a registry host and three nodes on containerd 1.6, 1.7 and 2.x). The real Pulumi CLI runs
 * {@code pulumi up} with its progress shown as it comes; each node pulls an image and the proxy's access log
 * shows it served that pull; one mirror setting changes ({@code advertiseAddress}: the registry host's IP to its
 * DNS name) and the demo prints the {@code pulumi preview --diff} a reviewer sees, with whether containerd
 * restarts on each node; it applies the change, pulls through the new name, sums up what was built, and tears
 * everything down. {@code DemoIT} runs it in {@code make test}.
 */
public final class Demo {
    static final String MIRROR = "imagecache:index:ContainerdMirror";

    private final PrintStream out;

    private Demo(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        new Demo(System.out).run();
    }

    private void say(String s) {
        out.println();
        out.println("==> " + s);
        out.flush();
    }

    private void show(String text) {
        text.strip().lines().forEach(l -> out.println("    " + l));
        out.flush();
    }

    void run() {
        int seen = LabSecrets.observedCount();
        say("Starting the lab: a registry host (Docker), three nodes (containerd 1.6, 1.7, 2.x), local stand-ins"
                + " for docker.io and ghcr.io");
        try (DemoLab lab = DemoLab.start()) {
            DockerHost vm = lab.registryHost;
            show("registry host  " + vm.ip() + " (" + DemoLab.REGISTRY_HOST_NAME + " on the lab network)");
            for (NodeHost n : lab.nodes) {
                show("node           " + n.ip() + " (" + n.containerdVersion() + ")");
            }
            show("docker.io stand-in " + lab.dockerHub.networkUrl() + " (library/hello:1), ghcr.io stand-in "
                    + lab.ghcr.networkUrl() + " (org/app:1.0)");
            show("lab containers: " + lab.containerNames());

            try (PulumiCli cli = PulumiCli.forExample("pull-through-cache", "demo")) {
                configure(cli, lab);
                cli.live(out);
                say("pulumi up: examples/pull-through-cache (one PullThroughCache: 2 proxies, 2 cron files, 3 nodes)");
                cli.run("up", "--yes", "--non-interactive", "--color=never", "--skip-preview").assertOk();

                say("crictl pull " + DemoLab.GHCR_IMAGE + " on each node, served by the ghcr proxy (registry-ghcr)");
                for (NodeHost n : lab.nodes) {
                    pullThroughProxy(vm, n, DemoLab.GHCR_IMAGE, "registry-ghcr", "/v2/org/app/manifests/1.0");
                }

                say("One mirror setting changes: advertiseAddress " + vm.ip() + " -> " + DemoLab.REGISTRY_HOST_NAME
                        + ". What a reviewer sees in `pulumi preview --diff`:");
                cli.config("advertiseAddress", DemoLab.REGISTRY_HOST_NAME);
                Path plan = cli.project().resolveSibling("preview-plan.json");
                cli.run("preview", "--diff", "--non-interactive", "--color=never", "--save-plan", plan.toString()).assertOk();
                cli.live(null);
                say("Whether containerd restarts (each ContainerdMirror's restartsContainerd in that preview's plan, --save-plan)");
                restarts(plan).forEach((node, restarts) -> show(node + ": restartsContainerd = " + restarts
                        + ("false".equals(restarts) ? " (only hosts.toml changes; containerd re-reads it on every pull)" : "")));

                cli.live(out);
                say("pulumi up of the change, then crictl pull " + DemoLab.DOCKER_IMAGE + " through the new name");
                cli.run("up", "--yes", "--non-interactive", "--color=never", "--skip-preview").assertOk();
                cli.live(null);
                for (NodeHost n : lab.nodes) {
                    pullThroughProxy(vm, n, DemoLab.DOCKER_IMAGE, "registry-docker", "/v2/library/hello/manifests/1");
                }

                summary(cli, lab);
                say("Tearing down: pulumi destroy (proxies, cron files and hosts.toml go; the cache data stays)");
                cli.live(out);
                cli.destroy().assertOk();
            }
        }
        say("Done. The lab's containers and network are removed.");
        var leaks = LabSecrets.leaksSince(seen);
        if (!leaks.isEmpty()) {
            throw new IllegalStateException("a secret appeared in the demo's output: " + leaks);
        }
    }

    private static void configure(PulumiCli cli, DemoLab lab) {
        cli.config("registryHost", lab.registryHost.ip()).config("advertiseAddress", lab.registryHost.ip())
                .secretConfig("sshKey", lab.registryHost.rootKey().privateKey()).config("image", DockerHost.REGISTRY_IMAGE)
                .config("dockerUpstream", lab.dockerHub.networkUrl()).config("ghcrUpstream", lab.ghcr.networkUrl());
        for (int i = 0; i < lab.nodes.size(); i++) {
            cli.config("node" + (i + 1), lab.nodes.get(i).ip());
        }
    }

    /** Pulls {@code image} on {@code node} and prints the proxy's access-log line for that pull (fails without one). */
    private void pullThroughProxy(DockerHost vm, NodeHost node, String image, String proxy, String manifestPath) {
        ExecResult r = node.crictl("pull", image);
        if (r.getExitCode() != 0) {
            throw new IllegalStateException("crictl pull " + image + " on " + node.ip() + " failed: " + r.getStderr().strip());
        }
        String line = vm.sh("docker logs " + proxy + " 2>&1").lines()
                .filter(l -> l.startsWith(node.ip() + " - - ") && l.contains(manifestPath) && l.contains("containerd/"))
                .reduce((first, last) -> last)
                .orElseThrow(() -> new IllegalStateException(proxy + "'s access log has no pull of " + image + " by "
                        + node.ip()));
        show(node.ip() + " (containerd " + node.containerd().series() + "): " + r.getStdout().strip());
        show("  " + proxy + " served " + node.ip() + ": " + line.strip());
    }

    /**
     * Each ContainerdMirror's {@code restartsContainerd} as the provider planned it in the preview that wrote
     * {@code plan} ({@code --save-plan}: per resource its steps and planned outputs; "unknown" when not known).
     */
    static Map<String, String> restarts(Path plan) {
        Map<String, String> byNode = new TreeMap<>();
        try {
            JsonObject plans = JsonParser.parseString(Files.readString(plan)).getAsJsonObject().getAsJsonObject("resourcePlans");
            for (Map.Entry<String, JsonElement> e : plans.entrySet()) {
                if (!e.getKey().contains("$" + MIRROR + "::")) {
                    continue;
                }
                JsonObject p = e.getValue().getAsJsonObject();
                JsonElement v = p.has("state") ? p.getAsJsonObject("state").get("restartsContainerd") : null;
                String steps = p.has("steps") ? p.get("steps").toString().replaceAll("[\\[\\]\"]", "") : "";
                byNode.put(e.getKey().replaceAll(".*::", "") + " (" + steps + ")", v == null || !v.isJsonPrimitive()
                        || UNKNOWN.equals(v.getAsString()) ? "unknown" : v.getAsString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return byNode;
    }

    /** How the engine's JSON shows an unknown value. */
    private static final String UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

    private void summary(PulumiCli cli, DemoLab lab) {
        DockerHost vm = lab.registryHost;
        say("Summary: what was built, and where");
        show("registry host " + vm.ip() + " (" + DemoLab.REGISTRY_HOST_NAME + "):");
        vm.docker("ps", "--filter", "name=registry-", "--format", "{{.Names}}  {{.Image}}  {{.Ports}}").strip().lines()
                .forEach(l -> show("  container " + l));
        show("  cron files " + cli.output("cronFiles").replaceAll("\\s+", " "));
        show("  caches and configs: /var/lib/imagecache/<name>, /etc/imagecache/<name> (docker, ghcr)");
        show("endpoints " + cli.output("endpoints").replaceAll("\\s+", " "));
        show("nodes " + cli.output("nodes").replaceAll("\\s+", " "));
        show("  each with " + NodeHost.CERTS_DIR + "/docker.io/hosts.toml and ghcr.io/hosts.toml, config_path in "
                + NodeHost.CONFIG_FILE);
        show("Pulumi: stack `demo` of a copy of examples/pull-through-cache in " + cli.project()
                + " (file backend beside it)");
        show("Tear down: `pulumi destroy` in that project (done next), then the lab containers are removed.");
        show("If the demo is killed before that: docker rm -f -v " + lab.containerNames() + "; docker network rm "
                + lab.network.id());
    }
}
