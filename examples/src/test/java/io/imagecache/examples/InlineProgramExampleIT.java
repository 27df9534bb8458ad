package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.testcontainers.containers.Container.ExecResult;

/**
 * examples/typescript, examples/python and examples/go: existing stacks (a MaintenanceSchedule of their own)
 * that add the PullThroughCache component with their language's generated SDK, through the real engine as
 * inline Automation API programs. The three languages share one lab (a registry host, one containerd 2.x
 * node, one local registry serving both upstreams) and leave it as they found it: preview (the component and
 * its children, no host touched), up, a pull on the node that comes through the docker proxy (its access
 * log), hand edits (the cron file, the node's docker.io hosts.toml) that refresh shows, a changed up (quay's
 * port and the gcSchedule: quay's proxy is replaced, the node's mirror and the schedule updated, the edits
 * repaired, the docker proxy left running), destroy (containers and node config gone, the cache kept).
 */
@Order(2) // among the longest: started early, the short ones fill in beside it
class InlineProgramExampleIT {
    private static final String FILE = "/etc/cron.d/imagecache-registry-ghcr";
    private static final String COMPONENT = "imagecache:index:PullThroughCache";
    private static LabNetwork network;
    private static DockerHost host;
    private static NodeHost node;
    private static LocalRegistry upstream;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        host = new DockerHost(network);
        host.start();
        node = NodeHost.containerd2(network);
        node.withAuthorizedKey(host.rootKey());
        node.start();
        upstream = LocalRegistry.plain().startedOn(network);
        ImageSeeder.to(upstream).dockerImage("library/hello", "1", "hello");
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {upstream, node, host, network}) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    /** A failed run leaves nothing behind for the next language's preview; the pulled image goes too. */
    @AfterEach
    void cleanUp() {
        host.sh("rm -f /etc/cron.d/imagecache-registry-*; docker rm -f registry-docker registry-quay >/dev/null 2>&1 || true");
        node.sh("rm -rf " + NodeHost.CERTS_DIR + "/docker.io " + NodeHost.CERTS_DIR + "/quay.io");
        node.crictl("rmi", "docker.io/library/hello:1");
    }

    /** The lab's inputs of the example: the proxies' image, both upstreams on the local registry, the node. */
    static InlineProgram withLab(InlineProgram program, LocalRegistry upstream, List<String> nodes) {
        return program.input("IMAGECACHE_EXAMPLE_REGISTRY_IMAGE", DockerHost.REGISTRY_IMAGE)
                .input("IMAGECACHE_EXAMPLE_DOCKER_UPSTREAM", upstream.networkUrl())
                .input("IMAGECACHE_EXAMPLE_QUAY_UPSTREAM", upstream.networkUrl())
                .input("IMAGECACHE_EXAMPLE_NODES", String.join(",", nodes));
    }

    private static boolean exists(String path) {
        return host.exec("test", "-e", path).getExitCode() == 0;
    }

    private static String containers() {
        return host.docker("ps", "-a", "--format", "{{.Names}}");
    }

    private static String hostsToml(String registry) {
        return node.sh("cat " + NodeHost.CERTS_DIR + "/" + registry + "/hosts.toml 2>/dev/null || true");
    }

    @ParameterizedTest
    @EnumSource(InlineProgram.Language.class)
    void lifecycleThroughTheEngine(InlineProgram.Language language) {
        try (InlineProgram program = InlineProgram.prepare(language, host.ip(), host.rootKey().privateKey())) {
            withLab(program, upstream, List.of(node.ip()));
            InlineProgram.Run preview = program.run("preview");
            String p = preview.proc().output();
            assertEquals(8, preview.changes("create"), "the stack, its schedule, the component, 2 proxies, 2 schedules, 1 mirror:\n" + p);
            assertTrue(p.contains("+ imagecache:index:MaintenanceSchedule: (create)"), p);
            assertTrue(p.contains("gcSchedule      : \"0 3 * * 0\""), p);
            assertTrue(p.contains("+ " + COMPONENT + ": (create)"), p);
            assertTrue(p.contains("PullThroughCache$imagecache:index:RegistryProxy::cache-quay"), p);
            assertTrue(p.contains("PullThroughCache$imagecache:index:ContainerdMirror::cache-" + node.ip()),
                    "the children are parented to the component and named after it:\n" + p);
            assertFalse(exists(FILE), "preview touches nothing");
            assertFalse(containers().contains("registry-"), "preview starts no proxy");
            assertEquals("", hostsToml("docker.io"), "preview leaves the node alone");

            String keyLine = host.rootKey().privateKey().lines().skip(1).findFirst().orElseThrow();
            InlineProgram.Run up;
            try (CommandLineWatcher ps = CommandLineWatcher.watch(keyLine)) {
                up = program.run("up");
                assertEquals(List.of(), ps.leaks(), "the key is never on a process command line");
            }
            assertEquals(8, up.changes("create"), up.proc().output());
            assertEquals(FILE, up.output("cronFile"));
            String content = host.readFile(FILE);
            assertTrue(content.startsWith("# Managed by imagecache. Do not edit.\n"), content);
            assertTrue(content.contains("\n0 3 * * 0 root flock"), content);
            assertEquals(up.output("content").strip(), content.strip());
            JsonObject endpoints = up.result().getAsJsonObject("outputs").getAsJsonObject("endpoints");
            assertEquals("http://" + host.ip() + ":5020", endpoints.get("quay.io").getAsString(), up.result().toString());
            assertTrue(up.result().getAsJsonObject("outputs").getAsJsonObject("nodes").has(node.ip()), up.result().toString());
            assertTrue(host.readFile("/etc/cron.d/imagecache-registry-quay").contains("\n30 3 * * 0 root"), "quay's GC 30 minutes later");

            ExecResult hello = node.crictl("pull", "docker.io/library/hello:1");
            assertEquals(0, hello.getExitCode(), hello.getStderr());
            String log = host.sh("docker logs registry-docker 2>&1");
            assertTrue(log.lines().anyMatch(l -> l.startsWith(node.ip() + " - - ")
                    && l.contains("/v2/library/hello/manifests/1?ns=docker.io HTTP/1.1\" 200")),
                    "the node's pull came through the docker proxy (its access log):\n" + log);

            // Hand edits on the hosts show in refresh; the next (changed) up repairs them.
            host.sh("sed -i 's/^0 \\* \\* \\* \\* root/*\\/5 * * * * root/' " + FILE);
            node.sh("sed -i 's/:5000/:5999/' " + NodeHost.CERTS_DIR + "/docker.io/hosts.toml");
            InlineProgram.Run refresh = program.run("refresh");
            assertEquals(2, refresh.changes("update"), "the schedule and the node's mirror drifted:\n" + refresh.proc().output());
            String dockerStarted = host.docker("inspect", "--format", "{{.Id}}", "registry-docker");
            String dockerCron = host.readFile("/etc/cron.d/imagecache-registry-docker");
            program.input("IMAGECACHE_EXAMPLE_GC_SCHEDULE", "0 4 * * 0").input("IMAGECACHE_EXAMPLE_QUAY_PORT", "5021");
            InlineProgram.Run changed = program.run("up");
            String diff = changed.proc().output();
            assertEquals(1, changed.changes("replace"), "quay's proxy, on its new port:\n" + diff);
            assertEquals(2, changed.changes("update"), "the stack's schedule and the node's mirror:\n" + diff);
            assertTrue(diff.matches("(?s).*~ gcSchedule *: \"0 3 \\* \\* 0\" => \"0 4 \\* \\* 0\".*"), diff);
            assertTrue(diff.matches("(?s).*~ restartSchedule *: \"\\*/5 \\* \\* \\* \\*\" => \"0 \\* \\* \\* \\*\".*"), diff);
            String updated = host.readFile(FILE);
            assertTrue(updated.contains("\n0 4 * * 0 root flock") && updated.contains("\n0 * * * * root flock"), updated);
            assertTrue(hostsToml("quay.io").contains(host.ip() + ":5021"), hostsToml("quay.io"));
            assertTrue(hostsToml("docker.io").contains(host.ip() + ":5000"), "the hand edit repaired: " + hostsToml("docker.io"));
            assertEquals(dockerStarted, host.docker("inspect", "--format", "{{.Id}}", "registry-docker"),
                    "the docker proxy is the same container (its id: the hourly restart job may restart it meanwhile)");
            assertEquals(dockerCron, host.readFile("/etc/cron.d/imagecache-registry-docker"));
            assertTrue(host.docker("port", "registry-quay").contains("5021"), host.docker("port", "registry-quay"));

            InlineProgram.Run destroy = program.run("destroy");
            assertEquals(8, destroy.changes("delete"), destroy.proc().output());
            assertFalse(exists(FILE), "destroy removes the cron file");
            assertFalse(containers().contains("registry-"), "destroy removes the proxies");
            assertEquals("", hostsToml("docker.io"), "and the node's mirror");
            assertTrue(host.sh("ls /var/lib/imagecache/docker/docker/registry/v2/repositories/library").contains("hello"),
                    "the cache survives destroy");
        }
    }

    /** The README's component snippet of each language is the program's (its lines, in order, indentation aside). */
    @Test
    void readmeSnippetsAreThePrograms() throws IOException {
        Path repo = PulumiCli.repoRoot();
        String readme = Files.readString(repo.resolve("README.md"));
        for (String program : List.of("examples/typescript/program.ts", "examples/python/program.py", "examples/go/program.go")) {
            Matcher m = Pattern.compile("The component, as `" + Pattern.quote(program) + "` declares it[^\\n]*\\n\\n```\\w+\\n(.*?)```",
                    Pattern.DOTALL).matcher(readme);
            assertTrue(m.find(), "README shows the component of " + program);
            List<String> code = Files.readString(repo.resolve(program)).lines().map(String::strip).toList();
            int at = 0;
            for (String line : m.group(1).lines().map(String::strip).toList()) {
                int found = code.subList(at, code.size()).indexOf(line);
                assertTrue(found >= 0, program + " has the README's line, in order: " + line);
                at += found + 1;
            }
        }
    }
}
