package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import io.imagecache.spi.Context;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.jsch.JschRemoteHostFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.containers.Container.ExecResult;

/**
 * ContainerdMirror on a real containerd node, with real distribution proxies in front of local
 * "docker.io" and "ghcr.io" upstreams, proven by real {@code crictl pull}s. Subclasses pick the
 * containerd version and the starting config.toml.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class ContainerdMirrorContract {
    protected LabNetwork network;
    protected NodeHost node;
    private LocalRegistry dockerHub;
    private LocalRegistry ghcr;
    private LocalRegistry dockerProxy;
    private LocalRegistry ghcrProxy;
    private LocalRegistry ghcrProxy2;
    private ContainerdMirror resource;
    private ContainerdMirror.Args args;
    private ContainerdMirror.State state;
    /** The node image's own config.toml, as it was at start. */
    private String pristine;

    /** A started node on {@code network}. */
    protected abstract NodeHost startNode(LabNetwork network);

    /**
     * The seed's broken starting state for this version: {@code mirrors} (a wildcard and per-registry
     * entries) next to {@code config_path}, with CRI failing to load.
     */
    protected abstract String brokenSeedConfig();

    /** A config on which CRI loads, but whose drop-in makes it fail once config_path is set. */
    protected abstract String configWithMirrorsInADropIn();

    protected abstract String dropInWithMirrors();

    /** What the failure says when the drop-in is in place: containerd's own error, or the effective config. */
    protected abstract String expectedRollbackReason();

    /** {@code config} with its {@code imports} line (containerd's defaults have {@code imports = []}) set to {@code line}. */
    protected static String withImports(String config, String line) {
        if (config.matches("(?s)(.*\\n)?imports = \\[.*")) {
            return config.replaceFirst("(?m)^imports = \\[.*]$", java.util.regex.Matcher.quoteReplacement(line));
        }
        return line + "\n" + config;
    }

    @BeforeAll
    void start() {
        network = LabNetwork.create();
        dockerHub = started(LocalRegistry.plain());
        ghcr = started(LocalRegistry.plain());
        ImageSeeder.to(dockerHub).dockerImage("library/hello", "1", "hello from the docker.io stand-in");
        ImageSeeder.to(ghcr).ociImage("org/app", "1", "app from the ghcr.io stand-in");
        dockerProxy = started(LocalRegistry.proxy(dockerHub.networkUrl()));
        ghcrProxy = started(LocalRegistry.proxy(ghcr.networkUrl()));
        ghcrProxy2 = started(LocalRegistry.proxy(ghcr.networkUrl()));
        node = startNode(network);
        pristine = node.sh("cat " + NodeHost.CONFIG_FILE);
        resource = new ContainerdMirror(new JschRemoteHostFactory(),
                () -> Optional.of(new DefaultCredentials.Found(node.rootKey().privateKey(), null)), Clock.systemUTC());
    }

    private LocalRegistry started(LocalRegistry r) {
        r.withNetwork(network.network());
        r.start();
        return r;
    }

    @AfterAll
    void stop() {
        for (AutoCloseable c : new AutoCloseable[] {node, ghcrProxy2, ghcrProxy, dockerProxy, ghcr, dockerHub, network}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private ConnectionArgs connection() {
        return new ConnectionArgs(node.ip(), 22, "root", null, null, null, null, null, 10, 3, 1, false);
    }

    /** Each registry's mirror is its own proxy; the fallback `server` is the local stand-in, never the internet. */
    private ContainerdMirror.Args args(LocalRegistry ghcrMirror) {
        return new ContainerdMirror.Args(connection(), List.of(
                new ContainerdMirror.MirrorArgs("docker.io", List.of(dockerProxy.networkUrl()), dockerHub.networkUrl(),
                        null, null, null, null, null),
                new ContainerdMirror.MirrorArgs("ghcr.io", List.of(ghcrMirror.networkUrl()), ghcr.networkUrl(),
                        null, null, null, null, null)),
                "/etc/containerd/certs.d", NodeHost.CONFIG_FILE,
                "echo restart >> /var/log/imagecache-restarts && systemctl restart containerd", 60);
    }

    private static Decoded<ContainerdMirror.Args> d(ContainerdMirror.Args a) {
        return new Decoded<>(a, Set.of(), Set.of(), List.of());
    }

    private int restarts() {
        ExecResult r = node.exec("sh", "-c", "wc -l < /var/log/imagecache-restarts 2>/dev/null || echo 0");
        return Integer.parseInt(r.getStdout().strip());
    }

    private String criState() {
        return node.sh("ctr plugins ls | awk '$2 == \"cri\" {print $NF}'").strip();
    }

    private void setConfig(String config) {
        node.writeFile(NodeHost.CONFIG_FILE, config);
        node.restartContainerd();
    }

    private ExecResult pull(String image) {
        return node.crictl("pull", image);
    }

    @Test
    @Order(1)
    void fromTheSeedsBrokenStateCriLoadsAndEachRegistryPullsThroughItsOwnProxy() throws ResourceException {
        setConfig(brokenSeedConfig());
        assertEquals("error", criState(), "the seed's state: mirrors next to config_path keeps CRI from loading");

        args = args(ghcrProxy);
        state = resource.create(new CustomResource.CreateRequest<>("urn", "node", d(args), false, ObservedContext.create())).state();
        assertEquals("ok", criState());
        assertEquals(1, restarts(), "config.toml changed: one restart");
        assertTrue(state.configChanged());
        String config = node.readFile(NodeHost.CONFIG_FILE);
        assertFalse(config.contains("mirrors"), config);

        ExecResult hello = pull("docker.io/library/hello:1");
        assertEquals(0, hello.getExitCode(), hello.getStderr());
        assertTrue(dockerProxy.awaitRequests("/v2/library/hello/manifests/.*", 1, Duration.ofSeconds(10)) >= 1,
                "the docker.io pull went through the docker.io proxy");
        ExecResult app = pull("ghcr.io/org/app:1");
        assertEquals(0, app.getExitCode(), app.getStderr());
        assertTrue(ghcrProxy.awaitRequests("/v2/org/app/manifests/.*", 1, Duration.ofSeconds(10)) >= 1,
                "the ghcr.io pull went through the ghcr.io proxy");
        assertEquals(0, dockerProxy.requests("/v2/org/app/.*"), "no ghcr.io pull reached the docker.io proxy");
    }

    @Test
    @Order(2)
    void aNoOpWritesNothingAndRestartsNothing() throws ResourceException {
        long pid = node.containerdPid();
        String stamps = node.sh("stat -c '%n %Y %i' /etc/containerd/certs.d/*/hosts.toml " + NodeHost.CONFIG_FILE);
        state = resource.update(new CustomResource.UpdateRequest<>("id", "urn", args, state, d(args), false, ObservedContext.create()));
        assertEquals(pid, node.containerdPid());
        assertEquals(stamps, node.sh("stat -c '%n %Y %i' /etc/containerd/certs.d/*/hosts.toml " + NodeHost.CONFIG_FILE));
        assertFalse(state.configChanged());
    }

    @Test
    @Order(3)
    void changingOneMirrorRewritesOnlyItsFileWithoutRestart() throws ResourceException {
        long pid = node.containerdPid();
        String dockerFile = node.sh("stat -c '%Y %i' /etc/containerd/certs.d/docker.io/hosts.toml");
        ContainerdMirror.Args changed = args(ghcrProxy2);
        state = resource.update(new CustomResource.UpdateRequest<>("id", "urn", args, state, d(changed), false, ObservedContext.create()));
        args = changed;
        assertEquals(pid, node.containerdPid(), "same containerd process");
        assertEquals(1, restarts());
        assertEquals(dockerFile, node.sh("stat -c '%Y %i' /etc/containerd/certs.d/docker.io/hosts.toml"));
        assertTrue(node.readFile("/etc/containerd/certs.d/ghcr.io/hosts.toml").contains(ghcrProxy2.networkUrl()));
        node.crictl("rmi", "ghcr.io/org/app:1");
        ExecResult app = pull("ghcr.io/org/app:1");
        assertEquals(0, app.getExitCode(), app.getStderr());
        assertTrue(ghcrProxy2.awaitRequests("/v2/org/app/manifests/.*", 1, Duration.ofSeconds(10)) >= 1,
                "the next pull used the new mirror at once");
    }

    @Test
    @Order(4)
    void aHandEditShowsInReadAndTheNextApplyRepairsIt() throws ResourceException {
        node.sh("sed -i 's#" + ghcrProxy2.networkUrl() + "#http://10.255.255.1:5000#' /etc/containerd/certs.d/ghcr.io/hosts.toml");
        var read = resource.read(new CustomResource.ReadRequest<>("id", "urn", Optional.of(args), Optional.of(state), ObservedContext.create()));
        assertTrue(read.state().hostsFiles().get("ghcr.io").contains("10.255.255.1"), "refresh sees the edit");
        var diff = resource.diff(new CustomResource.DiffRequest<>("id", "urn", args, read.state(), d(args),
                io.imagecache.spi.Records.encode(args), io.imagecache.spi.Records.encode(args),
                io.imagecache.spi.Records.encode(read.state()), Set.of("connection.host")));
        assertEquals(Set.of("hostsFiles[\"ghcr.io\"]"), diff.detailed().keySet());
        state = resource.update(new CustomResource.UpdateRequest<>("id", "urn", args, read.state(), d(args), false, ObservedContext.create()));
        assertTrue(node.readFile("/etc/containerd/certs.d/ghcr.io/hosts.toml").contains(ghcrProxy2.networkUrl()));
        assertEquals(1, restarts());
    }

    @Test
    @Order(5)
    void importAdoptsTheNodeAsItIs() throws ResourceException {
        var imported = resource.read(new CustomResource.ReadRequest<ContainerdMirror.Args, ContainerdMirror.State>(
                "root@" + node.ip() + ":22", "urn", Optional.empty(), Optional.empty(), ObservedContext.create()));
        java.util.Map<String, ContainerdMirror.MirrorArgs> found = new java.util.TreeMap<>();
        imported.inputs().mirrors().forEach(m -> found.put(m.registry(), m));
        java.util.Set<String> expected = new java.util.TreeSet<>(List.of("docker.io", "ghcr.io"));
        if (state.migratedFiles() != null) {
            expected.addAll(state.migratedFiles().keySet());
        }
        assertEquals(expected, found.keySet(), "the managed and the migrated hosts files are adopted");
        assertEquals(List.of(ghcrProxy2.networkUrl()), found.get("ghcr.io").endpoints());
        assertEquals(ghcr.networkUrl(), found.get("ghcr.io").server());
        assertEquals("/etc/containerd/certs.d", imported.inputs().certsDir());
        // A program that declares what it made (plus the migrated entries) sees no changes after the import.
        List<ContainerdMirror.MirrorArgs> program = new java.util.ArrayList<>(args.mirrors());
        found.forEach((r, m) -> {
            if (!r.equals("docker.io") && !r.equals("ghcr.io")) {
                program.add(m);
            }
        });
        ContainerdMirror.Args programArgs = new ContainerdMirror.Args(args.connection(), program, args.certsDir(),
                args.configFile(), args.restartCommand(), args.criTimeoutSeconds());
        var diff = resource.diff(new CustomResource.DiffRequest<>("id", "urn", imported.inputs(), imported.state(), d(programArgs),
                io.imagecache.spi.Records.encode(imported.inputs()), io.imagecache.spi.Records.encode(programArgs),
                io.imagecache.spi.Records.encode(imported.state()), Set.of("connection.host")));
        assertFalse(diff.hasChanges(), "no changes after import: " + diff.detailed());
    }

    @Test
    @Order(6)
    void whenCriWillNotLoadAfterTheEditTheNodeGoesBackToItsOriginalConfig() throws ResourceException {
        resource.delete(new CustomResource.DeleteRequest<>("id", "urn", args, state, ObservedContext.create()));
        assertFalse(node.exec("test", "-e", "/etc/containerd/certs.d/ghcr.io/hosts.toml").getExitCode() == 0,
                "delete removed the files it made");
        node.writeFile("/etc/containerd/conf.d/mirrors.toml", dropInWithMirrors());
        String original = configWithMirrorsInADropIn();
        setConfig(original);
        assertEquals("ok", criState(), "the starting point works");
        long before = restarts();

        ResourceException e = assertThrows(ResourceException.class, () -> resource.create(
                new CustomResource.CreateRequest<>("urn", "node", d(args), false, ObservedContext.create())));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains(expectedRollbackReason()), e.getMessage());
        assertTrue(e.getMessage().contains("the original config.toml is back and the CRI plugin is loaded"), e.getMessage());
        assertEquals(original, node.readFile(NodeHost.CONFIG_FILE));
        assertEquals("ok", criState());
        assertEquals(before + 2, restarts(), "restarted with the edit, then with the original");
        assertNotEquals(0, node.containerdPid());
    }

    // --- node layouts, certsDir moves and restarts that fail or hang (issue 7) ----------------------------

    private static final String ALT_SOCKET = "/run/containerd-alt/containerd.sock";

    /** Back to the image's own config.toml as a plain file, no drop-in, no files of ours; containerd restarted. */
    private void reset() {
        node.sh("rm -f /etc/containerd/conf.d/mirrors.toml " + NodeHost.CONFIG_FILE + "; rm -rf /etc/containerd/real "
                + "/etc/containerd/hosts.d /etc/containerd/certs.d/docker.io /etc/containerd/certs.d/ghcr.io /tmp/fail-once");
        node.writeFile(NodeHost.CONFIG_FILE, pristine);
        node.restartContainerd();
    }

    private ContainerdMirror.Args inDir(String certsDir, String restartCommand, int restartTimeoutSeconds) {
        ContainerdMirror.Args a = args(ghcrProxy);
        return new ContainerdMirror.Args(a.connection(), a.mirrors(), certsDir, a.configFile(), restartCommand,
                a.criTimeoutSeconds(), restartTimeoutSeconds);
    }

    /** A fresh pull of docker.io/library/hello:1 (at {@code socket}) that goes through the docker.io proxy. */
    private void pullsThroughTheMirror(String socket) {
        String endpoint = "unix://" + socket;
        node.exec("crictl", "--runtime-endpoint", endpoint, "--image-endpoint", endpoint, "rmi", "docker.io/library/hello:1");
        int before = dockerProxy.requests("/v2/library/hello/manifests/.*");
        ExecResult hello = node.exec("crictl", "--runtime-endpoint", endpoint, "--image-endpoint", endpoint, "pull",
                "docker.io/library/hello:1");
        assertEquals(0, hello.getExitCode(), hello.getStderr());
        assertTrue(dockerProxy.awaitRequests("/v2/library/hello/manifests/.*", before + 1, Duration.ofSeconds(10)) > before,
                "the pull went through the docker.io proxy");
    }

    private String criStateAt(String socket) {
        return node.sh("ctr --address " + socket + " plugins ls | awk '$2 == \"cri\" {print $NF}'").strip();
    }

    @Test
    @Order(20)
    void aSymlinkedConfigTomlIsEditedAtItsTargetAndStaysALink() throws ResourceException {
        reset();
        node.sh("mkdir -p /etc/containerd/real && cp " + NodeHost.CONFIG_FILE + " /etc/containerd/real/config.toml"
                + " && chown root:adm /etc/containerd/real/config.toml && chmod 640 /etc/containerd/real/config.toml"
                + " && ln -sf real/config.toml " + NodeHost.CONFIG_FILE);
        node.restartContainerd();
        ContainerdMirror.State s = resource.create(new CustomResource.CreateRequest<>("urn", "node", d(args(ghcrProxy)),
                false, ObservedContext.create())).state();
        assertTrue(s.configChanged());
        assertEquals(0, node.exec("test", "-L", NodeHost.CONFIG_FILE).getExitCode(), "config.toml is still a link");
        assertEquals("real/config.toml", node.sh("readlink " + NodeHost.CONFIG_FILE).strip());
        assertEquals("640 root adm", node.sh("stat -c '%a %U %G' /etc/containerd/real/config.toml").strip(),
                "the target kept its mode and owner");
        assertTrue(node.sh("cat /etc/containerd/real/config.toml").contains("/etc/containerd/certs.d"));
        assertEquals("640 root adm", node.sh("stat -c '%a %U %G' " + s.backupFile()).strip(), "the backup too");
        assertEquals("ok", criState());
        pullsThroughTheMirror("/run/containerd/containerd.sock");
        resource.delete(new CustomResource.DeleteRequest<>("id", "urn", args(ghcrProxy), s, ObservedContext.create()));
    }

    /** Applies at certs.d, then moves to hosts.d with {@code restartCommand}, which must fail the apply. */
    private ResourceException movingCertsDirFails(String restartCommand, int restartTimeoutSeconds, String beforeMove)
            throws ResourceException {
        return movingCertsDirFails(restartCommand, restartTimeoutSeconds, beforeMove, ObservedContext.create());
    }

    /** As above, the move's update given {@code ctx} (e.g. one the engine cancels). */
    private ResourceException movingCertsDirFails(String restartCommand, int restartTimeoutSeconds, String beforeMove,
                                                  Context ctx) throws ResourceException {
        reset();
        ContainerdMirror.Args first = inDir("/etc/containerd/certs.d", "systemctl restart containerd", 120);
        ContainerdMirror.State s = resource.create(new CustomResource.CreateRequest<>("urn", "node", d(first), false,
                ObservedContext.create())).state();
        String config = node.readFile(NodeHost.CONFIG_FILE);
        String docker = node.readFile("/etc/containerd/certs.d/docker.io/hosts.toml");
        node.sh(beforeMove);
        ContainerdMirror.Args moved = inDir("/etc/containerd/hosts.d", restartCommand, restartTimeoutSeconds);
        ResourceException e = assertThrows(ResourceException.class, () -> resource.update(
                new CustomResource.UpdateRequest<>("id", "urn", first, s, d(moved), false, ctx)));
        assertEquals(config, node.readFile(NodeHost.CONFIG_FILE), "config.toml still points at certs.d");
        assertEquals(docker, node.readFile("/etc/containerd/certs.d/docker.io/hosts.toml"), "the old files are there");
        assertTrue(node.exec("test", "-e", "/etc/containerd/hosts.d/docker.io/hosts.toml").getExitCode() != 0,
                "what the failed apply wrote is gone");
        assertEquals("ok", criState());
        pullsThroughTheMirror("/run/containerd/containerd.sock");
        return e;
    }

    @Test
    @Order(21)
    void whenTheRestartAfterACertsDirMoveFailsTheNodeKeepsTheOldDirectoryAndPulls() throws ResourceException {
        ResourceException e = movingCertsDirFails("if [ -e /tmp/fail-once ]; then rm -f /tmp/fail-once; "
                + "systemctl restart containerd; echo restart refused >&2; exit 1; fi; systemctl restart containerd", 120,
                "touch /tmp/fail-once");
        assertTrue(e.getMessage().contains("restart refused"), e.getMessage());
        assertTrue(e.getMessage().contains("the original config.toml is back and the CRI plugin is loaded"), e.getMessage());
    }

    @Test
    @Order(22)
    void aRestartThatHangsIsStoppedAndRolledBack() throws ResourceException {
        long start = System.nanoTime();
        ResourceException e = movingCertsDirFails("sleep 100000", 5, "true");
        assertTrue(e.getMessage().contains("`sleep 100000` did not finish within 5 s"), e.getMessage());
        assertTrue(e.getMessage().contains("the original config.toml is back and the CRI plugin is loaded"), e.getMessage());
        assertTrue(e.getMessage().contains(node.ip()), "names the node: " + e.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 120, "bounded by the timeout");
        assertEquals("", node.sh("ps -eo args | grep -c '^sleep 100000$' || true").strip().replace("0", ""), "the hung command was stopped");
    }

    @Test
    @Order(24)
    void aCancelDuringTheRestartPutsTheNodeBack() throws ResourceException {
        // the engine's Cancel arrives 3 s into a 12 s restart: the restart is ended, and the rollback (restore the files,
        // restart again, wait for CRI) runs to its end, though the operation is cancelled
        String restart = "echo restart >> /var/log/imagecache-restarts; sleep 12; systemctl restart containerd";
        long before = restarts();
        ResourceException e = movingCertsDirFails(restart, 120, "true",
                ObservedContext.cancelledAfter("Restarting containerd", Duration.ofSeconds(3)));
        assertEquals(ResourceException.Kind.CANCELLED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith("cancelled while containerd on root@" + node.ip() + ":22 restarted"),
                e.getMessage());
        assertTrue(e.getMessage().contains("putting the node back: the original config.toml is back and the CRI plugin"
                + " is loaded"), e.getMessage());
        assertEquals(before + 2, restarts(), "the cancelled restart, then the rollback's");
        assertEquals("", node.sh("ps -eo args | grep -c '^sleep 12$' || true").strip().replace("0", ""),
                "the cancelled restart's command was ended");
    }

    @Test
    @Order(23)
    void containerdOnANonDefaultSocketIsTalkedToThere() throws ResourceException {
        reset();
        String moved = pristine.contains("address = \"/run/containerd/containerd.sock\"")
                ? pristine.replaceFirst("address = \"/run/containerd/containerd.sock\"", "address = \"" + ALT_SOCKET + "\"")
                : pristine.contains("address = '/run/containerd/containerd.sock'")
                ? pristine.replaceFirst("address = '/run/containerd/containerd.sock'", "address = '" + ALT_SOCKET + "'")
                : pristine + "\n[grpc]\n  address = \"" + ALT_SOCKET + "\"\n";
        node.writeFile(NodeHost.CONFIG_FILE, moved);
        node.restartContainerd();
        assertEquals("ok", criStateAt(ALT_SOCKET), "containerd listens on the other socket");
        ContainerdMirror.State s = resource.create(new CustomResource.CreateRequest<>("urn", "node", d(args(ghcrProxy)),
                false, ObservedContext.create())).state();
        assertTrue(s.configChanged());
        assertEquals("ok", criStateAt(ALT_SOCKET));
        pullsThroughTheMirror(ALT_SOCKET);
        resource.delete(new CustomResource.DeleteRequest<>("id", "urn", args(ghcrProxy), s, ObservedContext.create()));
        reset();
    }

    // --- malformed files on the node and another stack's config_path (issue 10) ---------------------------

    private static final String URN_A = "urn:pulumi:a::cache::imagecache:index:ContainerdMirror::mirror";
    private static final String URN_B = "urn:pulumi:b::cache::imagecache:index:ContainerdMirror::mirror";

    /** What a refused apply must leave as it was: config.toml, every file under /etc/containerd, containerd itself. */
    private String untouched() {
        return node.sh("cd /etc/containerd && find . -type f -o -type l | sort | xargs -r sha256sum; readlink -f "
                + NodeHost.CONFIG_FILE) + " pid " + node.containerdPid() + " restarts " + restarts();
    }

    @Test
    @Order(30)
    void aConfigTomlThatDoesNotParseIsRefusedNamingTheFileAndWhereAndNothingIsWritten() {
        reset();
        String broken = pristine + "\n[plugins.\"io.containerd.grpc.v1.cri\".registry\n  config_path = \"/etc/containerd/certs.d\n";
        node.writeFile(NodeHost.CONFIG_FILE, broken); // containerd runs on with the file it loaded
        String before = untouched();
        ResourceException e = assertThrows(ResourceException.class, () -> resource.create(
                new CustomResource.CreateRequest<>(URN_A, "mirror", d(args(ghcrProxy)), false, ObservedContext.create())));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        java.util.regex.Matcher at = java.util.regex.Pattern.compile("^cannot edit " + java.util.regex.Pattern.quote(
                NodeHost.CONFIG_FILE + " on root@" + node.ip() + ":22: config.toml is not valid TOML: line ")
                + "(\\d+), column \\d+: ").matcher(e.getMessage());
        assertTrue(at.find(), e.getMessage());
        assertTrue(Integer.parseInt(at.group(1)) > pristine.lines().count(), "the line of the broken header: " + e.getMessage());
        assertTrue(e.getMessage().contains("fix it by hand first; then run the update again (nothing on the node was "
                + "changed: no file written, containerd not restarted)"), e.getMessage());
        assertEquals(broken, node.readFile(NodeHost.CONFIG_FILE), "byte-identical");
        assertEquals(before, untouched(), "no hosts.toml written, no backup, containerd not restarted");
        reset();
    }

    @Test
    @Order(31)
    void aHostsTomlInTheWayIsRefusedUnlessItCanBeReadAndThenItIsBackedUpAndReplaced() throws ResourceException {
        reset();
        String docker = "/etc/containerd/certs.d/docker.io/hosts.toml";
        String ghcrFile = "/etc/containerd/certs.d/ghcr.io/hosts.toml";
        node.sh("mkdir -p /etc/containerd/certs.d/docker.io /etc/containerd/certs.d/ghcr.io");
        // 1. one that does not parse: containerd ignores it, and what it meant cannot be kept
        String garbled = "server = \"https://registry-1.docker.io\n[host.\"http://10.9.9.9:5000\"]\n";
        node.writeFile(docker, garbled);
        String before = untouched();
        ResourceException e = assertThrows(ResourceException.class, () -> resource.create(
                new CustomResource.CreateRequest<>(URN_B, "mirror", d(args(ghcrProxy)), false, ObservedContext.create())));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().startsWith(docker + " on root@" + node.ip() + ":22 is in the way: imagecache did not "
                + "write it"), e.getMessage());
        assertTrue(e.getMessage().contains("is not valid TOML: line 1, column"), e.getMessage());
        assertTrue(e.getMessage().contains("mv " + docker + " " + docker + ".broken"), e.getMessage());
        assertEquals(garbled, node.readFile(docker));
        assertEquals(before, untouched(), "nothing written (not even ghcr.io's file), containerd not restarted");

        // 2. one with another stack's owner line (but not imagecache's header)
        String othersLine = "# imagecache:owner stack=cache/a resource=mirror\nserver = \"https://registry-1.docker.io\"\n";
        node.writeFile(docker, othersLine);
        before = untouched();
        e = assertThrows(ResourceException.class, () -> resource.create(
                new CustomResource.CreateRequest<>(URN_B, "mirror", d(args(ghcrProxy)), false, ObservedContext.create())));
        assertTrue(e.getMessage().startsWith(docker + " on root@" + node.ip() + ":22 (its owner line; it lacks imagecache's"
                + " header) belongs to the Pulumi stack cache/a (resource mirror), not to this stack cache/b"), e.getMessage());
        assertEquals(othersLine, node.readFile(docker));
        assertEquals(before, untouched());

        // 3. a hand-made one that reads (the runbook's): backed up beside it, then replaced, as before
        String handMade = "server = \"" + ghcr.networkUrl() + "\"\n\n[host.\"http://10.9.9.9:5000\"]\n  capabilities = [\"pull\"]\n";
        node.sh("rm -f " + docker);
        node.writeFile(ghcrFile, handMade);
        ContainerdMirror.State s = resource.create(new CustomResource.CreateRequest<>(URN_B, "mirror", d(args(ghcrProxy)),
                false, ObservedContext.create())).state();
        String backup = node.sh("ls " + ghcrFile + ".imagecache-*.bak").strip();
        assertEquals(handMade, node.readFile(backup), "the hand-made file is kept, byte for byte");
        assertTrue(node.readFile(ghcrFile).contains(ghcrProxy.networkUrl()));
        assertEquals("ok", criState());
        resource.delete(new CustomResource.DeleteRequest<>("id", URN_B, args(ghcrProxy), s, ObservedContext.create()));
        assertEquals(handMade, node.readFile(backup), "delete leaves the backup");
        node.sh("rm -f " + backup);
        reset();
    }

    @Test
    @Order(32)
    void anotherStackCannotMoveConfigPathAwayFromTheFirstStacksDirectory() throws ResourceException {
        reset();
        ContainerdMirror.Args a = args(ghcrProxy);
        ContainerdMirror.State s = resource.create(new CustomResource.CreateRequest<>(URN_A, "mirror", d(a), false,
                ObservedContext.create())).state();
        String before = untouched();
        ContainerdMirror.Args b = inDir("/etc/containerd/hosts.d", "echo restart >> /var/log/imagecache-restarts && "
                + "systemctl restart containerd", 120);
        ResourceException e = assertThrows(ResourceException.class, () -> resource.create(
                new CustomResource.CreateRequest<>(URN_B, "mirror", d(b), false, ObservedContext.create())));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().startsWith(NodeHost.CONFIG_FILE + " on root@" + node.ip() + ":22 points config_path at "
                + "/etc/containerd/certs.d, whose /etc/containerd/certs.d/docker.io/hosts.toml belongs to the Pulumi stack "
                + "cache/a (resource mirror), not to this stack cache/b"), e.getMessage());
        assertEquals(before, untouched(), "config.toml unchanged, nothing written under hosts.d, containerd not restarted");
        assertFalse(node.exec("test", "-e", "/etc/containerd/hosts.d").getExitCode() == 0);
        pullsThroughTheMirror("/run/containerd/containerd.sock");
        resource.delete(new CustomResource.DeleteRequest<>("id", URN_A, a, s, ObservedContext.create()));
        reset();
    }
}
