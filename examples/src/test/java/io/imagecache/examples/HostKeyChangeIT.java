package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonStreamParser;
import io.imagecache.lab.DockerHost;
import io.imagecache.lab.HypervisorHost;
import io.imagecache.lab.LabHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.VmSubnet;
import io.imagecache.lab.registry.LocalRegistry;
import io.imagecache.ssh.HostKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host's SSH key changed after first use, through the real CLI, for every resource that connects: the
 * standalone RegistryProxy, MaintenanceSchedule and ContainerdMirror, and PullThroughCache's children (its
 * proxy and schedule on the registry host, its node's mirror). After a first {@code up} records the keys,
 * the registry host and both nodes get new sshd host keys; then an {@code up} that would write on each host,
 * {@code refresh} and {@code destroy} each fail for every resource with an error naming the host, both
 * keys and what to do, and nothing on any host changed (its managed files hashed, containers, containerd's
 * PID), and the new key is recorded nowhere in the state. Setting {@code hostKey} to the new keys (the way
 * out the error names) then works without touching the hosts, and destroy cleans up. RegistryVm (a boot
 * costs minutes here): a hypervisor connection pinned to another host's key fails before anything exists
 * under the VM directory.
 */
class HostKeyChangeIT {

    private static final String PROXY = "imagecache:index:RegistryProxy ";
    private static final String SCHEDULE = "imagecache:index:MaintenanceSchedule ";
    private static final String MIRROR = "imagecache:index:ContainerdMirror ";
    private static final Set<String> STANDALONE = Set.of(PROXY + "quay",
            SCHEDULE + "quayMaintenance", MIRROR + "node1Mirror");

    private static LabNetwork network;
    private static DockerHost registry;
    private static NodeHost node1;
    private static NodeHost node2;
    private static HypervisorHost kvm;
    private static LocalRegistry upstream;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        registry = new DockerHost(network);
        node1 = NodeHost.containerd16(network);
        node2 = NodeHost.containerd2(network);
        // its own VM subnet: the machine routes it through this hypervisor, beside RegistryVmExampleIT's
        kvm = new HypervisorHost(network, new VmSubnet(10, 0, 47));
        upstream = LocalRegistry.plain();
        upstream.withNetwork(network.network());
        for (LabHost h : List.of(node1, node2, kvm)) {
            h.withAuthorizedKey(registry.rootKey());
        }
        CompletableFuture.allOf(List.of(registry, node1, node2, kvm, upstream).stream()
                .map(c -> CompletableFuture.runAsync(c::start)).toArray(CompletableFuture[]::new)).join();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {upstream, kvm, node2, node1, registry, network}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    /**
     * The program: three standalone resources and the component; {@code pinned} adds each host's hostKey. No
     * periodic restarts ({@code restartSchedule: ""}): the snapshots compare the proxies' start times, and the
     * default hourly restart at minute 0 would fire when a run crosses the hour.
     */
    private static String program(boolean pinned) {
        String reg = pinned ? ", hostKey: \"${registryHostKey}\"" : "";
        String n1 = pinned ? ", hostKey: \"${node1HostKey}\"" : "";
        String n2 = pinned ? ", hostKey: \"${node2HostKey}\"" : "";
        return """
                name: hostkeys
                runtime: yaml
                config:
                  registryHost: { type: string }
                  node1: { type: string }
                  node2: { type: string }
                  sshKey: { type: string, secret: true }
                  upstream: { type: string }
                  quayImage: { type: string }
                  cacheImage: { type: string }
                  quayGc: { type: string, default: "0 3 * * 0" }
                  cacheGc: { type: string, default: "0 4 * * 0" }
                  mirrorPort: { type: integer, default: 5020 }
                  cacheDialTimeout: { type: string, default: 1s }
                  registryHostKey: { type: string, default: "" }
                  node1HostKey: { type: string, default: "" }
                  node2HostKey: { type: string, default: "" }
                resources:
                  quay:
                    type: imagecache:index:RegistryProxy
                    properties:
                      connection: { host: "${registryHost}", privateKey: "${sshKey}"REG }
                      upstream: { name: quay, registry: quay.io, remoteUrl: "${upstream}", port: 5020 }
                      image: ${quayImage}
                  quayMaintenance:
                    type: imagecache:index:MaintenanceSchedule
                    properties:
                      connection: { host: "${registryHost}", privateKey: "${sshKey}"REG }
                      containerName: registry-quay
                      upstreamUrl: ${upstream}
                      gcSchedule: ${quayGc}
                      restartSchedule: ""
                  node1Mirror:
                    type: imagecache:index:ContainerdMirror
                    properties:
                      connection: { host: "${node1}", privateKey: "${sshKey}"N1 }
                      mirrors:
                        - registry: quay.io
                          endpoints: ["http://${registryHost}:${mirrorPort}"]
                          server: ${upstream}
                  cache:
                    type: imagecache:index:PullThroughCache
                    properties:
                      registryHost: { host: "${registryHost}", privateKey: "${sshKey}"REG }
                      advertiseAddress: ${registryHost}
                      image: ${cacheImage}
                      upstreams:
                        - { name: docker, registry: docker.io, remoteUrl: "${upstream}", port: 5000 }
                      nodes:
                        - connection: { host: "${node2}", privateKey: "${sshKey}"N2 }
                      dialTimeout: ${cacheDialTimeout}
                      maintenance: { gcSchedule: "${cacheGc}", restartSchedule: "" }
                """.replace("REG", reg).replace("N1", n1).replace("N2", n2);
    }

    private static PulumiCli stack() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("hostkeys"));
        Files.writeString(dir.resolve("Pulumi.yaml"), program(false), StandardCharsets.UTF_8);
        PulumiCli cli = PulumiCli.forProgram(dir, "lab");
        cli.config("registryHost", registry.ip()).config("node1", node1.ip()).config("node2", node2.ip())
                .secretConfig("sshKey", registry.rootKey().privateKey()).config("upstream", upstream.networkUrl())
                .config("quayImage", DockerHost.REGISTRY_IMAGE).config("cacheImage", DockerHost.REGISTRY_IMAGE);
        return cli;
    }

    /** Rewrites the stack's program, keeping the {@code plugins} section {@link PulumiCli} added. */
    private static void rewrite(PulumiCli cli, String program) throws IOException {
        Path file = cli.project().resolve("Pulumi.yaml");
        String now = Files.readString(file, StandardCharsets.UTF_8);
        Files.writeString(file, program + now.substring(now.indexOf("\nplugins:")), StandardCharsets.UTF_8);
    }

    /** New sshd host keys (as a rebuilt host, or an impostor, would have); returns the new ed25519 line. */
    private static String rotateHostKeys(LabHost h) throws InterruptedException {
        String old = h.hostKeyLine();
        h.sh("rm -f /etc/ssh/ssh_host_*_key /etc/ssh/ssh_host_*_key.pub && ssh-keygen -A >/dev/null"
                + " && kill -HUP \"$(cat /run/sshd.pid)\"");
        String fresh = h.hostKeyLine();
        assertNotEquals(old, fresh);
        String blob = fresh.split(" ")[1];
        for (int i = 0; i < 100; i++) {
            if (h.exec("sh", "-c", "ssh-keyscan -T 2 -t ed25519 127.0.0.1 2>/dev/null").getStdout().contains(blob)) {
                return fresh;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("sshd on " + h.ip() + " does not serve its new key");
    }

    /**
     * What the resources manage on the registry host: files (hash, mode, owner, mtime) and containers (id, image,
     * start time, labels as JSON: sorted, where {@code docker ps} lists them in map order).
     */
    private static String registrySnapshot() {
        return registry.sh("find /etc/imagecache /var/lib/imagecache /etc/cron.d -xdev -printf '%p %y %m %u %s %T@\\n' | sort;"
                + " find /etc/imagecache /etc/cron.d -type f -exec sha256sum {} + | sort;"
                + " docker ps -aq | xargs -r docker inspect --format"
                + " '{{.Id}} {{.Name}} {{.Config.Image}} {{.State.StartedAt}} {{json .Config.Labels}}' | sort");
    }

    /** What a mirror manages on a node: every file under /etc/containerd, and containerd's process (no restart). */
    private static String nodeSnapshot(NodeHost n) {
        return n.sh("find /etc/containerd -xdev -printf '%p %y %m %u %s %T@\\n' | sort;"
                + " find /etc/containerd -type f -exec sha256sum {} + | sort") + "pid " + n.containerdPid();
    }

    private static Map<String, String> snapshots() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("registry host", registrySnapshot());
        m.put("node1", nodeSnapshot(node1));
        m.put("node2", nodeSnapshot(node2));
        return m;
    }

    /** One CLI command and the errors the engine reported per resource ({@code type name} -> messages). */
    private record Run(PulumiCli.Result result, Map<String, String> errors) {}

    /** Runs {@code args} with {@code --json} (the engine's events) and reads each resource's error diagnostics from them. */
    private static Run run(PulumiCli cli, String... args) {
        List<String> a = new ArrayList<>(List.of(args));
        a.add("--json");
        PulumiCli.Result r = cli.run(a.toArray(String[]::new));
        Map<String, String> errors = new LinkedHashMap<>();
        String out = r.stdout();
        int first = out.indexOf('{');
        if (first < 0) {
            return new Run(r, errors);
        }
        JsonStreamParser events = new JsonStreamParser(out.substring(first));
        while (events.hasNext()) {
            JsonElement e = events.next();
            JsonObject d = e.isJsonObject() && e.getAsJsonObject().has("diagnosticEvent")
                    ? e.getAsJsonObject().getAsJsonObject("diagnosticEvent") : null;
            if (d == null || !d.has("urn") || !"error".equals(d.get("severity").getAsString())) {
                continue;
            }
            String msg = d.get("message").getAsString().replaceAll("<\\{%[^%]*%\\}>", "").replaceAll("\\s+", " ").strip();
            errors.merge(typeAndName(d.get("urn").getAsString()), msg, (x, y) -> x + " | " + y);
        }
        return new Run(r, errors);
    }

    /** {@code urn:pulumi:stack::project::parent$type::name} -> {@code type name}. */
    private static String typeAndName(String urn) {
        int sep = urn.lastIndexOf("::");
        String types = urn.substring(urn.lastIndexOf("::", sep - 1) + 2, sep);
        return types.substring(types.lastIndexOf('$') + 1) + " " + urn.substring(sep + 2);
    }

    /** The custom resources among {@code errors}: without the stack and the component. */
    private static Set<String> refused(Map<String, String> errors) {
        Set<String> out = new TreeSet<>();
        for (String k : errors.keySet()) {
            if (k.startsWith("imagecache:index:") && !k.startsWith("imagecache:index:PullThroughCache ")) {
                out.add(k);
            }
        }
        return out;
    }

    /** {@code type name} of every imagecache custom resource in the stack (the component's children included). */
    private static Set<String> customResources(PulumiCli cli) {
        Set<String> out = new TreeSet<>();
        Matcher m = Pattern.compile("\"urn\": \"urn:pulumi:[^:]+::[^:]+::(?:[^$\"]+\\$)*(imagecache:index:(?!PullThroughCache)"
                + "\\w+)::([^\"]+)\"").matcher(cli.exportState());
        while (m.find()) {
            out.add(m.group(1) + " " + m.group(2));
        }
        return out;
    }

    private static String ipOf(String resource) {
        if (resource.contains("ContainerdMirror")) {
            return resource.endsWith("node1Mirror") ? node1.ip() : node2.ip();
        }
        return registry.ip();
    }

    /** Logins each host's sshd accepted so far: a refused host key is refused before authentication. */
    private static Map<String, Long> logins() {
        return Map.of("registry host", registry.sshLogins(), "node1", node1.sshLogins(), "node2", node2.sshLogins());
    }

    /**
     * {@code run} failed, and each of {@code expected} with the mismatch of its host, both keys (recorded: {@code old},
     * offered: {@code fresh}) and the way out.
     */
    private static void assertRefused(String what, Run run, Set<String> expected, Map<String, String> old,
                                      Map<String, String> fresh) {
        PulumiCli.Result r = run.result();
        assertNotEquals(0, r.exitCode(), what + " must fail:\n" + r.output());
        Map<String, String> errors = run.errors();
        assertEquals(expected, refused(errors), what + ": the resources refused:\n" + r.output());
        for (String res : expected) {
            String e = errors.get(res);
            String ip = ipOf(res);
            assertTrue(e.contains("host key mismatch for " + ip + ":22"), res + ": " + e);
            String recorded = HostKey.parse(old.get(ip)).describe();
            assertTrue(e.contains("expected " + recorded), res + " names the key recorded first: " + e);
            String offered = HostKey.parse(fresh.get(ip)).fingerprint();
            assertTrue(e.contains("the server offered ssh-ed25519 " + offered), res + " names the key offered: " + e);
            assertTrue(e.contains("nothing was read or changed on " + ip + ":22"), res + ": " + e);
            assertTrue(e.contains("recorded in this resource's `hostKeys` on first contact"), res + ": " + e);
            assertTrue(e.contains("set the connection's `hostKey`"), res + " says what to do: " + e);
        }
        System.out.println("HOSTKEY " + what + ": " + expected.size() + " refused, e.g. " + errors.get(expected.iterator().next()));
    }

    /** An up that goes on past a failed resource, so that every resource it would change is tried. */
    private static Run upContinuing(PulumiCli cli) {
        return run(cli, "up", "--yes", "--non-interactive", "--color=never", "--skip-preview", "--continue-on-error");
    }

    @Test
    void aChangedHostKeyIsRefusedEverywhereAndNothingIsWritten() throws Exception {
        try (PulumiCli cli = stack()) {
            cli.up().assertOk();
            Set<String> all = customResources(cli);
            assertEquals(6, all.size(), "three standalone resources and the component's proxy, schedule and mirror: " + all);
            Map<String, String> oldKeys = Map.of(registry.ip(), registry.hostKeyLine(), node1.ip(), node1.hostKeyLine(),
                    node2.ip(), node2.hostKeyLine());
            String state = cli.exportState();
            for (String line : oldKeys.values()) {
                assertTrue(state.contains(line.split(" ")[1]), "the key seen first is recorded: " + line);
            }

            Map<String, String> fresh = new LinkedHashMap<>();
            for (LabHost h : List.of(registry, node1, node2)) {
                fresh.put(h.ip(), rotateHostKeys(h));
            }
            Map<String, String> before = snapshots();
            Map<String, Long> loginsBefore = logins();

            // an up that would write on every host: a new image, new schedules, another mirror port; the component's
            // proxy fails first, so its rollout stops there (its schedule and node wait for the proxy)
            cli.config("quayImage", DockerHost.REGISTRY3_IMAGE).config("cacheImage", DockerHost.REGISTRY3_IMAGE)
                    .config("quayGc", "0 5 * * 0").config("cacheGc", "0 6 * * 0").config("mirrorPort", "5021")
                    .config("cacheDialTimeout", "2s");
            Set<String> firstWave = new TreeSet<>(STANDALONE);
            all.stream().filter(r -> r.startsWith(PROXY) && !STANDALONE.contains(r)).forEach(firstWave::add);
            Run up = upContinuing(cli);
            assertRefused("up", up, firstWave, oldKeys, fresh);
            assertEquals(before, snapshots(), "the failed up changed nothing on any host");

            // the component's proxy unchanged again: its schedule and its node's mirror are tried, and refused
            cli.config("cacheImage", DockerHost.REGISTRY_IMAGE);
            Set<String> secondWave = new TreeSet<>(STANDALONE);
            all.stream().filter(r -> !STANDALONE.contains(r) && !r.startsWith(PROXY)).forEach(secondWave::add);
            Run upNodes = upContinuing(cli);
            assertRefused("up (component's schedule and node)", upNodes, secondWave, oldKeys, fresh);
            assertEquals(before, snapshots(), "the failed up changed nothing on any host");

            Run refresh = run(cli, "refresh", "--yes", "--non-interactive", "--color=never", "--skip-preview");
            assertRefused("refresh", refresh, all, oldKeys, fresh);
            assertEquals(before, snapshots(), "the failed refresh changed nothing on any host");

            Run destroy = run(cli, "destroy", "--yes", "--non-interactive", "--color=never", "--skip-preview",
                    "--continue-on-error");
            assertRefused("destroy", destroy, all, oldKeys, fresh);
            assertEquals(before, snapshots(), "the failed destroy deleted nothing on any host");
            assertEquals(all, customResources(cli), "every resource is still in the state");
            assertEquals(loginsBefore, logins(), "no sshd accepted a login through the failed up, refresh and destroy");
            String after = cli.exportState();
            for (String line : fresh.values()) {
                assertFalse(after.contains(line.split(" ")[1]), "the key offered is recorded nowhere: " + line);
            }

            // The way out the error names: the new keys (checked out of band) as hostKey. With the changes undone,
            // the up touches nothing; refresh and destroy then work.
            rewrite(cli, program(true));
            cli.config("quayImage", DockerHost.REGISTRY_IMAGE).config("quayGc", "0 3 * * 0").config("mirrorPort", "5020")
                    .config("cacheGc", "0 4 * * 0").config("cacheDialTimeout", "1s").config("registryHostKey", fresh.get(registry.ip()))
                    .config("node1HostKey", fresh.get(node1.ip())).config("node2HostKey", fresh.get(node2.ip()));
            PulumiCli.Result pinned = cli.up().assertOk();
            assertFalse(pinned.stdout().contains("replaced") || pinned.stdout().contains("created"), pinned.stdout());
            assertEquals(before, snapshots(), "setting hostKey touches no host");
            cli.refresh().assertOk();
            cli.destroy().assertOk();
            assertEquals(Set.of(), customResources(cli));
            assertEquals("", registry.sh("ls /etc/cron.d | grep imagecache || true").strip(), "destroy removed the cron files");
        }
    }

    @Test
    void aRegistryVmWhoseHypervisorKeyIsWrongCreatesNothing() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("hostkeys-vm"));
        Files.writeString(dir.resolve("Pulumi.yaml"), """
                name: hostkeys-vm
                runtime: yaml
                config:
                  hypervisor: { type: string }
                  hypervisorKey: { type: string }
                  sshKey: { type: string, secret: true }
                  sshPublicKey: { type: string }
                  baseImage: { type: string }
                  address: { type: string }
                  gateway: { type: string }
                resources:
                  vm:
                    type: imagecache:index:RegistryVm
                    properties:
                      hypervisor: { host: "${hypervisor}", privateKey: "${sshKey}", hostKey: "${hypervisorKey}" }
                      name: registry
                      baseImage: ${baseImage}
                      accelerator: tcg
                      privateKey: ${sshKey}
                      cloudInit:
                        hostname: registry
                        address: ${address}
                        gateway: ${gateway}
                        sshAuthorizedKeys: ["${sshPublicKey}"]
                """, StandardCharsets.UTF_8);
        String vmDir = HypervisorHost.VM_DIR;
        String before = kvm.sh("ls -A " + vmDir + " 2>/dev/null; pgrep -a qemu || true");
        long connections = kvm.sshConnections();
        long logins = kvm.sshLogins();
        try (PulumiCli cli = PulumiCli.forProgram(dir, "lab")) {
            // pinned to another host's key: what a hypervisor rebuilt (or impersonated) since the key was copied looks like
            cli.config("hypervisor", kvm.ip()).config("hypervisorKey", node1.hostKeyLine())
                    .secretConfig("sshKey", registry.rootKey().privateKey()).config("sshPublicKey", registry.rootKey().publicKey())
                    .config("baseImage", kvm.baseImage()).config("address", kvm.subnet().address(10) + "/24")
                    .config("gateway", kvm.subnet().gateway());
            Run up = run(cli, "up", "--yes", "--non-interactive", "--color=never", "--skip-preview");
            assertNotEquals(0, up.result().exitCode(), up.result().output());
            String e = up.errors().get("imagecache:index:RegistryVm vm");
            assertTrue(e != null && e.contains("host key mismatch for " + kvm.ip() + ":22"), up.result().output());
            assertTrue(e.contains("The expected key is the connection's `hostKey`"), e);
            assertTrue(e.contains("nothing was read or changed on " + kvm.ip() + ":22"), e);
            assertEquals(before, kvm.sh("ls -A " + vmDir + " 2>/dev/null; pgrep -a qemu || true"),
                    "no VM directory and no QEMU on the hypervisor");
            assertFalse(kvm.sh("ls -A " + vmDir + " 2>/dev/null || true").contains("registry"));
            assertTrue(kvm.sshConnections() > connections, "the provider did dial the hypervisor");
            assertEquals(logins, kvm.sshLogins(), "the hypervisor's sshd accepted no login");
            assertFalse(cli.exportState().contains("imagecache:index:RegistryVm"), "nothing was recorded");
        }
    }
}
