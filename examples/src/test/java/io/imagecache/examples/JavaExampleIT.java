package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.ImagePuller;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;

/**
 * examples/java, an existing Java stack (its own RegistryProxy, MaintenanceSchedule and output) that adds the
 * PullThroughCache component, through the real {@code pulumi up} with pulumi-language-java
 * ({@code mvn compile exec:java}) against a lab registry host and two nodes (containerd 1.7 and 2.x), set up the
 * way a user's is: the plugin from {@code make dist}'s tarball installed with {@code pulumi plugin install --file}
 * (no provider/bin), and io.imagecache:imagecache-sdk from the local Maven repository (installed by
 * {@code scripts/dist.sh java-sdk}; the stack's pom names no source folder). Preview, up with the caller's
 * {@code retainOnDelete} on every child, pulls through the proxies, a node added by config, refresh after a
 * hand edit, a node removed, destroy.
 */
@Order(2) // among the longest: started early, the short ones fill in beside it
class JavaExampleIT {
    private static final String COMPONENT = "imagecache:index:PullThroughCache";
    private static final String CORP_CRON = "/etc/cron.d/imagecache-registry-corp";
    private static final List<String> CONTAINERS = List.of("registry-corp", "registry-docker", "registry-ghcr");
    private static LabNetwork network;
    private static DockerHost host;
    private static List<NodeHost> nodes;
    private static LocalRegistry corp;
    private static LocalRegistry dockerHub;
    private static LocalRegistry ghcr;
    private static ImageSeeder.Pushed corpImage;

    @BeforeAll
    static void start() {
        Dist.installJavaSdk();
        network = LabNetwork.create();
        host = new DockerHost(network);
        host.start();
        nodes = List.of(NodeHost.containerd17(network), NodeHost.containerd2(network));
        for (NodeHost n : nodes) {
            n.withAuthorizedKey(host.rootKey()); // one key for every host, as the stack's sshKey
            n.start();
        }
        corp = registry();
        dockerHub = registry();
        ghcr = registry();
        corpImage = ImageSeeder.to(corp).dockerImage("org/app", "1", "app");
        ImageSeeder.to(dockerHub).dockerImage("library/hello", "1", "hello");
        ImageSeeder.to(ghcr).ociIndex("org/tool", "1", "tool");
    }

    private static LocalRegistry registry() {
        LocalRegistry r = LocalRegistry.plain().startedOn(network);
        return r;
    }

    @AfterAll
    static void stop() {
        List<AutoCloseable> all = new ArrayList<>(List.of(corp, dockerHub, ghcr));
        all.addAll(nodes);
        all.addAll(List.of(host, network));
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    /**
     * The stack's Maven dependencies and plugins are fetched once into the build's local repository (a
     * package install, like the build's own); from then on the language host's Maven runs offline.
     */
    private static void offlineMaven(PulumiCli cli) throws IOException {
        Path project = cli.project();
        String v = Dist.version();
        String repo = System.getProperty("imagecache.mavenRepoLocal", System.getProperty("user.home") + "/.m2/repository");
        Path sdkJar = Path.of(repo, "io/imagecache/imagecache-sdk", v, "imagecache-sdk-" + v + ".jar");
        assertTrue(Files.isRegularFile(sdkJar), "scripts/dist.sh java-sdk installed " + sdkJar);
        assertFalse(Files.readString(project.resolve("pom.xml")).contains("sdk/java"), "the stack names no source folder");
        Dist.run(project, Map.of(), "mvn", "-B", "-ntp", "-q",
                "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:resolve", "compile",
                "org.codehaus.mojo:exec-maven-plugin:3.5.0:help").assertOk();
        Files.createDirectories(project.resolve(".mvn"));
        Files.writeString(project.resolve(".mvn/maven.config"), "--offline\n");
    }

    @Test
    void existingJavaStackAddsThePullThroughCache() throws IOException {
        try (PulumiCli cli = PulumiCli.forExampleWithoutLocalProvider("java", "lab")) {
            cli.env("MAVEN_OPTS", Dist.mavenOpts());
            cli.installPlugin(Dist.version(), Dist.pluginTarball()).assertOk();
            offlineMaven(cli);
            cli.config("host", host.ip()).secretConfig("sshKey", host.rootKey().privateKey())
                    .config("upstreamUrl", corp.networkUrl()).config("image", DockerHost.REGISTRY_IMAGE)
                    .config("dockerHubUrl", dockerHub.networkUrl()).config("ghcrUrl", ghcr.networkUrl())
                    .config("retainCache", "true");
            setNode(cli, 0);

            previewShowsEverythingAndTouchesNothing(cli);

            PulumiCli.Result up = cli.up().assertOk();
            assertTrue(up.stdout().contains("9 created"), up.stdout());
            stackOwnPartsWork(cli);
            componentOutputsAndCronFiles(cli);
            Map<String, Boolean> retained = retainOnDelete(cli);
            assertEquals(Map.of("RegistryProxy::cache-docker", true, "RegistryProxy::cache-ghcr", true,
                    "MaintenanceSchedule::cache-docker", true, "MaintenanceSchedule::cache-ghcr", true,
                    "ContainerdMirror::cache-" + nodes.get(0).ip(), true,
                    "RegistryProxy::corp", false, "MaintenanceSchedule::corpMaintenance", false), retained,
                    "the caller's retainOnDelete reaches every child of the component, and nothing else");

            pullComesThroughTheProxy(nodes.get(0), "docker.io/library/hello:1", "registry-docker",
                    "/v2/library/hello/manifests/1?ns=docker.io");

            nodeAddedByConfig(cli);
            handEditIsShownByRefreshAndRepairedByUp(cli);
            nodeRemovedByConfig(cli);

            cli.destroy().assertOk();
            String containers = host.docker("ps", "-a", "--format", "{{.Names}}");
            for (String c : CONTAINERS) {
                assertFalse(containers.lines().anyMatch(c::equals), "destroy removes " + c + ":\n" + containers);
            }
            assertEquals("", host.sh("ls /etc/cron.d | grep imagecache || true").strip(), "destroy removes the cron files");
            assertTrue(host.sh("ls /var/lib/imagecache/docker/docker/registry/v2/repositories/library").contains("hello"),
                    "the cache survives destroy");
            for (NodeHost n : nodes) {
                assertEquals("", hostsToml(n, "docker.io"), "destroy removes " + n.containerd() + "'s hosts.toml");
            }
        }
    }

    private static void setNode(PulumiCli cli, int i) {
        cli.run("config", "set", "--path", "nodes[" + i + "]", nodes.get(i).ip()).assertOk();
    }

    private static void previewShowsEverythingAndTouchesNothing(PulumiCli cli) {
        String p = cli.preview().assertOk().stdout();
        assertTrue(p.contains("+ " + COMPONENT + ": (create)"), p);
        assertEquals(3, count(p, "+ imagecache:index:RegistryProxy: (create)"), "corp's and the component's two:\n" + p);
        assertEquals(3, count(p, "+ imagecache:index:MaintenanceSchedule: (create)"), p);
        assertEquals(1, count(p, "+ imagecache:index:ContainerdMirror: (create)"), p);
        assertTrue(p.contains("+ 9 to create"), p);
        assertTrue(p.contains("PullThroughCache$imagecache:index:ContainerdMirror::cache-" + nodes.get(0).ip()),
                "the node's mirror is the component's child, named after it:\n" + p);
        assertTrue(p.contains("PullThroughCache$imagecache:index:RegistryProxy::cache-ghcr"), p);
        String endpoint = "http://" + host.ip() + ":5100";
        assertTrue(p.matches("(?s).*pullHint\\s*: \"point containerd's registry.corp.example mirror at "
                + Pattern.quote(endpoint) + "\".*"), "the stack's own output, known in preview:\n" + p);
        assertTrue(Files.isRegularFile(cli.project().resolve("target/classes/myproject/App.class")),
                "the Java language host compiled the program with Maven");
        assertFalse(host.docker("ps", "-a", "--format", "{{.Names}}").contains("registry-"), "preview touches no host");
        assertEquals("", host.sh("ls /etc/cron.d | grep imagecache || true").strip(), "preview touches no host");
        assertEquals("", hostsToml(nodes.get(0), "docker.io"), "preview touches no node");
    }

    /** What the stack had before the component: its proxy, cron file and output. */
    private static void stackOwnPartsWork(PulumiCli cli) {
        String endpoint = "http://" + host.ip() + ":5100";
        assertEquals(endpoint, cli.output("corpEndpoint"));
        assertEquals("point containerd's registry.corp.example mirror at " + endpoint, cli.output("pullHint"));
        assertEquals(CORP_CRON, cli.output("cronFile"));
        assertEquals(cli.output("cronContent"), host.readFile(CORP_CRON).strip());
        assertTrue(host.readFile(CORP_CRON).contains("\n0 3 * * 0 root flock"), host.readFile(CORP_CRON));
        assertEquals(corpImage.digest(), ImagePuller.from(endpoint).pull("org/app", "1"), "the corp proxy serves its upstream");
    }

    private static void componentOutputsAndCronFiles(PulumiCli cli) {
        JsonObject endpoints = JsonParser.parseString(cli.output("endpoints")).getAsJsonObject();
        assertEquals("http://" + host.ip() + ":5000", endpoints.get("docker.io").getAsString());
        assertEquals("http://" + host.ip() + ":5010", endpoints.get("ghcr.io").getAsString());
        JsonObject nodesOut = JsonParser.parseString(cli.output("nodes")).getAsJsonObject();
        String v = nodesOut.getAsJsonObject(nodes.get(0).ip()).get("containerdVersion").getAsString();
        assertTrue(!v.isEmpty() && nodes.get(0).containerdVersion().contains(v), v + " vs " + nodes.get(0).containerdVersion());
        JsonObject cronFiles = JsonParser.parseString(cli.output("cronFiles")).getAsJsonObject();
        assertEquals("/etc/cron.d/imagecache-registry-ghcr", cronFiles.get("ghcr").getAsString());
        for (String c : CONTAINERS) {
            assertEquals("true", host.docker("inspect", "-f", "{{.State.Running}}", c).strip(), c);
        }
        // GC and restarts clear of corp's (03:00, on the hour) and of each other
        String docker = host.readFile("/etc/cron.d/imagecache-registry-docker");
        String ghcrCron = host.readFile("/etc/cron.d/imagecache-registry-ghcr");
        assertTrue(docker.contains("\n30 3 * * 0 root") && docker.contains("\n5 * * * * root"), docker);
        assertTrue(ghcrCron.contains("\n0 4 * * 0 root") && ghcrCron.contains("\n7 * * * * root"), ghcrCron);
        assertTrue(hostsToml(nodes.get(0), "ghcr.io").contains(host.ip() + ":5010"), hostsToml(nodes.get(0), "ghcr.io"));
    }

    private static void pullComesThroughTheProxy(NodeHost n, String image, String proxy, String manifestPath) {
        ExecResult pull = n.crictl("pull", image);
        assertEquals(0, pull.getExitCode(), n.containerd() + ": " + pull.getStderr());
        String log = host.sh("docker logs " + proxy + " 2>&1");
        assertTrue(log.lines().anyMatch(l -> l.startsWith(n.ip() + " - - ") && l.contains(manifestPath + " HTTP/1.1\" 200")
                && l.contains("containerd/")), "the pull of " + image + " on " + n.containerd() + " came through "
                + proxy + " (its access log):\n" + log);
    }

    /** One more entry in config `nodes`: exactly one ContainerdMirror is created, nothing else changes. */
    private static void nodeAddedByConfig(PulumiCli cli) {
        setNode(cli, 1);
        cli.config("retainCache", "false"); // an option, not an input: no child changes, and destroy can clean up
        Map<String, String> started = new TreeMap<>();
        for (String c : CONTAINERS) {
            // the container's id, not its start time: the hourly restart job (":05" and ":07" here) may restart it meanwhile
            started.put(c, host.docker("inspect", "-f", "{{.Id}}", c).strip());
        }
        String node0Docker = hostsToml(nodes.get(0), "docker.io");
        long node0Pid = nodes.get(0).containerdPid();
        String cronBefore = host.sh("cat /etc/cron.d/imagecache-*");

        PulumiCli.Result up = cli.up().assertOk();
        String out = up.stdout();
        assertTrue(out.contains("+ imagecache:index:ContainerdMirror: (create)")
                && out.contains("::cache-" + nodes.get(1).ip()), out);
        assertTrue(out.contains("1 created") && out.contains("9 unchanged"), "only the new node's mirror:\n" + out);
        assertFalse(out.contains("updated") || out.contains("replaced") || out.contains("deleted"), out);
        for (String c : CONTAINERS) {
            assertEquals(started.get(c), host.docker("inspect", "-f", "{{.Id}}", c).strip(), c + " was not re-created");
        }
        assertEquals(node0Docker, hostsToml(nodes.get(0), "docker.io"));
        assertEquals(node0Pid, nodes.get(0).containerdPid(), "the first node's containerd is not restarted");
        assertEquals(cronBefore, host.sh("cat /etc/cron.d/imagecache-*"));
        assertTrue(JsonParser.parseString(cli.output("nodes")).getAsJsonObject().has(nodes.get(1).ip()));
        assertTrue(hostsToml(nodes.get(1), "ghcr.io").contains("dial_timeout = \"1s\""), "2.x has dial_timeout: "
                + hostsToml(nodes.get(1), "ghcr.io"));
        pullComesThroughTheProxy(nodes.get(1), "ghcr.io/org/tool:1", "registry-ghcr", "/v2/org/tool/manifests/1?ns=ghcr.io");
        Map<String, Boolean> retained = retainOnDelete(cli);
        assertEquals(8, retained.size(), retained.toString());
        assertFalse(retained.containsValue(true), "retainOnDelete is off again on every child: " + retained);
    }

    /** The second node taken out of the config: only its mirror is deleted (its hosts.toml go), the rest stays. */
    private static void nodeRemovedByConfig(PulumiCli cli) {
        String first = hostsToml(nodes.get(0), "docker.io");
        String started = host.docker("inspect", "--format", "{{.Id}}", "registry-docker");
        cli.run("config", "rm", "--path", "nodes[1]").assertOk();
        PulumiCli.Result up = cli.up().assertOk();
        assertTrue(up.stdout().contains("1 deleted") && !up.stdout().contains("created") && !up.stdout().contains("updated"),
                up.stdout());
        assertEquals("", hostsToml(nodes.get(1), "ghcr.io"), "the removed node's hosts.toml is gone");
        assertEquals(first, hostsToml(nodes.get(0), "docker.io"), "the other node is untouched");
        assertEquals(started, host.docker("inspect", "--format", "{{.Id}}", "registry-docker"), "the proxy was not re-created");
    }

    /** A hand edit of one node's hosts.toml: refresh shows it on that node's mirror only, the next up repairs it. */
    private static void handEditIsShownByRefreshAndRepairedByUp(PulumiCli cli) {
        NodeHost n = nodes.get(0);
        String good = hostsToml(n, "docker.io");
        n.sh("sed -i 's/:5000/:5999/' " + NodeHost.CERTS_DIR + "/docker.io/hosts.toml");
        PulumiCli.Result refresh = cli.refresh().assertOk();
        String r = refresh.stdout();
        assertEquals(1, count(r, "~ imagecache:index:ContainerdMirror: (update)"), "the drift, on one node:\n" + r);
        assertTrue(r.contains("::cache-" + n.ip()) && r.contains("5999"), r);
        PulumiCli.Result up = cli.up().assertOk();
        assertTrue(up.stdout().contains("1 updated"), up.stdout());
        assertEquals(good, hostsToml(n, "docker.io"), "up repaired the hand edit");
    }

    /**
     * {@code Type::name} -> retainOnDelete of every imagecache resource in {@code pulumi stack export}, checking that
     * the component's children (every resource named {@code cache-...}) are parented to it.
     */
    private static Map<String, Boolean> retainOnDelete(PulumiCli cli) {
        Map<String, Boolean> out = new TreeMap<>();
        for (JsonElement e : resources(cli)) {
            JsonObject r = e.getAsJsonObject();
            String type = r.get("type").getAsString();
            if (!type.startsWith("imagecache:index:") || type.equals(COMPONENT)) {
                continue;
            }
            String urn = r.get("urn").getAsString();
            String name = urn.substring(urn.lastIndexOf("::") + 2);
            String parent = r.has("parent") ? r.get("parent").getAsString() : "";
            assertEquals(name.startsWith("cache-"), parent.endsWith("::" + COMPONENT + "::cache"), urn + " has parent " + parent);
            out.put(type.substring("imagecache:index:".length()) + "::" + name,
                    r.has("retainOnDelete") && r.get("retainOnDelete").getAsBoolean());
        }
        return out;
    }

    private static Iterable<JsonElement> resources(PulumiCli cli) {
        return JsonParser.parseString(cli.exportState()).getAsJsonObject()
                .getAsJsonObject("deployment").getAsJsonArray("resources");
    }

    private static String hostsToml(NodeHost n, String registry) {
        return n.sh("cat " + NodeHost.CERTS_DIR + "/" + registry + "/hosts.toml 2>/dev/null || true");
    }

    private static int count(String haystack, String needle) {
        return PullThroughCacheExampleIT.count(haystack, needle);
    }
}
