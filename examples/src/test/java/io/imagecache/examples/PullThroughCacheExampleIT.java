package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;

/**
 * examples/pull-through-cache: the runbook's whole job as the PullThroughCache component, declared in YAML,
 * through the real CLI against a registry host and three nodes on containerd 1.6, 1.7 and 2.x: preview (the
 * component and its children, nothing on any host), up, pulls that come through the proxies (their access
 * logs), a no-op, one provider for the component and its children (also when the plugin version is pinned and
 * unpinned: nothing replaced), one upstream's port changed (only that proxy and the nodes' hosts.toml for it change),
 * refresh after a hand edit, destroy (the cache is kept).
 */
class PullThroughCacheExampleIT {
    private static final String COMPONENT = "imagecache:index:PullThroughCache";
    private static LabNetwork network;
    private static DockerHost registryVm;
    private static List<NodeHost> nodes;
    private static LocalRegistry dockerHub;
    private static LocalRegistry ghcr;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        registryVm = new DockerHost(network);
        registryVm.start();
        nodes = List.of(NodeHost.containerd16(network), NodeHost.containerd17(network), NodeHost.containerd2(network));
        for (NodeHost n : nodes) {
            n.withAuthorizedKey(registryVm.rootKey()); // one key for every host, as in the example's config
            n.start();
        }
        dockerHub = LocalRegistry.plain().startedOn(network);
        ghcr = LocalRegistry.plain().startedOn(network);
        ImageSeeder.to(dockerHub).dockerImage("library/hello", "1", "hello");
        ImageSeeder.to(ghcr).ociIndex("org/app", "1", "app");
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {ghcr, dockerHub, nodes.get(0), nodes.get(1), nodes.get(2), registryVm,
                network}) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private static PulumiCli stack() {
        PulumiCli cli = PulumiCli.forExample("pull-through-cache", "lab");
        cli.config("registryHost", registryVm.ip()).config("advertiseAddress", registryVm.ip()).secretConfig("sshKey", registryVm.rootKey().privateKey())
                .config("image", DockerHost.REGISTRY_IMAGE)
                .config("dockerUpstream", dockerHub.networkUrl()).config("ghcrUpstream", ghcr.networkUrl());
        for (int i = 0; i < nodes.size(); i++) {
            cli.config("node" + (i + 1), nodes.get(i).ip());
        }
        return cli;
    }

    private static String hostsToml(NodeHost n, String registry) {
        return n.sh("cat " + NodeHost.CERTS_DIR + "/" + registry + "/hosts.toml 2>/dev/null || true");
    }

    @Test
    void theWholeSetupAsOneComponent() {
        try (PulumiCli cli = stack()) {
            PulumiCli.Result preview = cli.preview().assertOk();
            String p = preview.stdout();
            assertTrue(p.contains("+ " + COMPONENT + ": (create)"), p);
            assertEquals(2, count(p, "+ imagecache:index:RegistryProxy: (create)"), p);
            assertEquals(2, count(p, "+ imagecache:index:MaintenanceSchedule: (create)"), p);
            assertEquals(3, count(p, "+ imagecache:index:ContainerdMirror: (create)"), p);
            assertTrue(p.contains("+ 9 to create"), p);
            assertTrue(p.contains("PullThroughCache$imagecache:index:ContainerdMirror::cache-" + nodes.get(0).ip()),
                    "children are parented to the component and named after it:\n" + p);
            assertFalse(registryVm.docker("ps", "-a", "--format", "{{.Names}}").contains("registry-"), "preview touches nothing");
            assertEquals("", hostsToml(nodes.get(0), "docker.io"));

            PulumiCli.Result up = cli.up().assertOk();
            assertTrue(up.stdout().contains("9 created"), up.stdout());
            assertEquals("http://" + registryVm.ip() + ":5010", JsonParser.parseString(cli.output("endpoints"))
                    .getAsJsonObject().get("ghcr.io").getAsString());
            JsonObject nodesOut = JsonParser.parseString(cli.output("nodes")).getAsJsonObject();
            for (NodeHost n : nodes) {
                String v = nodesOut.getAsJsonObject(n.ip()).get("containerdVersion").getAsString();
                assertTrue(!v.isEmpty() && n.containerdVersion().contains(v), v + " is what `containerd --version` says: "
                        + n.containerdVersion());
            }
            String ghcrCron = registryVm.readFile("/etc/cron.d/imagecache-registry-ghcr");
            assertTrue(ghcrCron.contains("\n30 3 * * 0 root"), "GC staggered 30 minutes after docker's: " + ghcrCron);
            assertTrue(registryVm.readFile("/etc/cron.d/imagecache-registry-docker").contains("\n0 3 * * 0 root"));
            assertTrue(ghcrCron.contains("\n2 * * * * root"), "restarts staggered too: " + ghcrCron);

            for (NodeHost n : nodes) {
                ExecResult hello = n.crictl("pull", "docker.io/library/hello:1");
                assertEquals(0, hello.getExitCode(), n.containerd() + ": " + hello.getStderr());
                ExecResult app = n.crictl("pull", "ghcr.io/org/app:1");
                assertEquals(0, app.getExitCode(), n.containerd() + ": " + app.getStderr());
            }
            String ghcrLog = registryVm.sh("docker logs registry-ghcr 2>&1");
            for (NodeHost n : nodes) {
                assertTrue(ghcrLog.lines().anyMatch(l -> l.startsWith(n.ip() + " - - ")
                        && l.contains("/v2/org/app/manifests/1?ns=ghcr.io HTTP/1.1\" 200") && l.contains("containerd/")),
                        "the pull of " + n.containerd() + " came through the ghcr proxy (its access log):\n" + ghcrLog);
            }
            assertTrue(registryVm.sh("docker logs registry-docker 2>&1").contains("/v2/library/hello/manifests/1"));
            // dial_timeout where the node's containerd has it (2.x), left out on 1.6 and 1.7
            assertTrue(hostsToml(nodes.get(2), "ghcr.io").contains("dial_timeout = \"1s\""), hostsToml(nodes.get(2), "ghcr.io"));
            assertFalse(hostsToml(nodes.get(0), "ghcr.io").contains("dial_timeout"));
            assertFalse(hostsToml(nodes.get(1), "ghcr.io").contains("dial_timeout"));

            PulumiCli.Result noop = cli.up().assertOk();
            assertTrue(noop.stdout().contains("9 unchanged"), "a no-op up touches nothing:\n" + noop.stdout());

            // one provider serves the component and its children: the one that ran Construct (so a deployment
            // starts one plugin process for them, not a second default provider for the children)
            assertEquals(List.of("default"), imagecacheProviders(cli), "one imagecache provider in the state");
            // the children move with the component's provider when a user pins (or unpins) the plugin version,
            // as stacks made before this did when they first ran it (their children were on default_0_1_0):
            // the engine asks the provider's DiffConfig, nothing is replaced, updated or touched on a host
            Path program = cli.project().resolve("Pulumi.yaml");
            String unpinned = read(program);
            List<Long> pids = nodes.stream().map(NodeHost::containerdPid).toList();
            String proxy = registryVm.docker("inspect", "--format", "{{.Id}}", "registry-docker");
            String hosts = hostsToml(nodes.get(2), "ghcr.io");
            for (String version : new String[] {"0.1.0", null}) {
                write(program, version == null ? unpinned
                        : unpinned.replace("\n  cache:\n", "\n  cache:\n    options:\n      version: " + version + "\n"));
                String moved = cli.preview("--diff").assertOk().stdout();
                assertFalse(moved.matches("(?s).*imagecache:index:\\w+: \\((update|replace|create|delete)\\).*"), moved);
                cli.up().assertOk();
                assertEquals(List.of(version == null ? "default" : "default_0_1_0"), imagecacheProviders(cli));
            }
            assertEquals(pids, nodes.stream().map(NodeHost::containerdPid).toList(), "no containerd restarted");
            assertEquals(proxy, registryVm.docker("inspect", "--format", "{{.Id}}", "registry-docker"));
            assertEquals(hosts, hostsToml(nodes.get(2), "ghcr.io"));

            // one upstream's port: that proxy is replaced, every node's ghcr.io hosts.toml follows, docker's is left alone
            cli.config("ghcrPort", "5011");
            PulumiCli.Result diff = cli.preview("--diff").assertOk();
            assertTrue(diff.stdout().contains("+-imagecache:index:RegistryProxy: (replace)"), diff.stdout());
            assertEquals(3, count(diff.stdout(), "~ imagecache:index:ContainerdMirror: (update)"), diff.stdout());
            assertFalse(diff.stdout().contains("RegistryProxy::cache-docker"), "the docker proxy is left alone:\n"
                    + diff.stdout());
            String dockerBefore = hostsToml(nodes.get(0), "docker.io");
            cli.up().assertOk();
            for (NodeHost n : nodes) {
                assertTrue(hostsToml(n, "ghcr.io").contains(registryVm.ip() + ":5011"), hostsToml(n, "ghcr.io"));
                ExecResult app = n.crictl("pull", "ghcr.io/org/app:1");
                assertEquals(0, app.getExitCode(), app.getStderr());
            }
            assertEquals(dockerBefore, hostsToml(nodes.get(0), "docker.io"));

            // a hand edit on one node: refresh shows it, the next up repairs it
            nodes.get(1).sh("sed -i 's/5011/5999/' " + NodeHost.CERTS_DIR + "/ghcr.io/hosts.toml");
            cli.refresh().assertOk();
            PulumiCli.Result drift = cli.preview("--diff").assertOk();
            assertEquals(1, count(drift.stdout(), "~ imagecache:index:ContainerdMirror: (update)"), drift.stdout());
            cli.up().assertOk();
            assertTrue(hostsToml(nodes.get(1), "ghcr.io").contains(":5011"));

            // the component renamed, with an alias: the engine moves it and its children (named after it), nothing else
            Path yaml = cli.project().resolve("Pulumi.yaml");
            write(yaml, read(yaml).replace("\n  cache:\n",
                    "\n  caches:\n    options:\n      aliases:\n        - urn:pulumi:lab::pull-through-cache::"
                            + COMPONENT + "::cache\n").replace("${cache.", "${caches."));
            PulumiCli.Result renamed = cli.preview().assertOk();
            assertFalse(renamed.stdout().matches("(?s).*\\d+ to (create|delete|replace).*"), renamed.stdout());
            String started = registryVm.docker("inspect", "--format", "{{.Id}}", "registry-docker");
            String hostsFile = hostsToml(nodes.get(0), "docker.io");
            cli.up().assertOk();
            assertEquals(started, registryVm.docker("inspect", "--format", "{{.Id}}", "registry-docker"),
                    "the rename left the proxies as they were (the same container; its id: the hourly restart job may restart it meanwhile)");
            assertEquals(hostsFile, hostsToml(nodes.get(0), "docker.io"));
            assertTrue(cli.exportState().contains("PullThroughCache$imagecache:index:RegistryProxy::caches-docker"),
                    "the children moved with the component");

            cli.destroy().assertOk();
            assertFalse(registryVm.docker("ps", "-a", "--format", "{{.Names}}").contains("registry-"));
            assertTrue(registryVm.sh("ls /var/lib/imagecache/ghcr/docker/registry/v2/repositories/org").contains("app"),
                    "the cache survives destroy");
            assertEquals("", hostsToml(nodes.get(2), "ghcr.io"),
                    "destroy after the rename removes the files its children wrote under their old names");
            assertEquals("", registryVm.sh("ls /etc/cron.d | grep '^imagecache-' || true"),
                    "destroy after the rename removes the schedules' cron files");
        }
    }

    /**
     * The names of the imagecache provider resources in the stack's state, after checking that every imagecache
     * resource in it (the component and its children) names one of them.
     */
    private static List<String> imagecacheProviders(PulumiCli cli) {
        JsonArray resources = JsonParser.parseString(cli.exportState()).getAsJsonObject()
                .getAsJsonObject("deployment").getAsJsonArray("resources");
        Set<String> used = new TreeSet<>();
        List<String> names = new ArrayList<>();
        for (JsonElement e : resources) {
            JsonObject r = e.getAsJsonObject();
            String type = r.get("type").getAsString();
            if (type.equals("pulumi:providers:imagecache")) {
                names.add(lastPart(r.get("urn").getAsString()));
            } else if (type.startsWith("imagecache:") && r.has("custom") && r.get("custom").getAsBoolean()) {
                String ref = r.get("provider").getAsString(); // urn::id
                used.add(lastPart(ref.substring(0, ref.lastIndexOf("::"))));
            }
        }
        assertEquals(new TreeSet<>(names), used, "the providers the children name: " + resources);
        return names;
    }

    private static String lastPart(String urn) {
        return urn.substring(urn.lastIndexOf("::") + 2);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }
}
