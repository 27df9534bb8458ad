package io.imagecache.resources;

import static io.imagecache.ssh.FakeRemoteHost.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Context;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.DiffResult;
import io.imagecache.spi.Records;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.FakeRemoteHost;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * ContainerdMirror's decisions at the SSH seam, against a fake node whose "containerd" loads its CRI
 * plugin or not depending on the config.toml it finds. The same behaviour on real containerd 1.6,
 * 1.7 and 2.x is in ContainerdMirrorIT.
 */
class ContainerdMirrorTest {
    private static final String CONFIG = "/etc/containerd/config.toml";
    private static final String DEBIAN_16 = """
            version = 2

            [plugins]
              [plugins."io.containerd.grpc.v1.cri"]
                [plugins."io.containerd.grpc.v1.cri".cni]
                  bin_dir = "/usr/lib/cni"
                  conf_dir = "/etc/cni/net.d"
              [plugins."io.containerd.internal.v1.opt"]
                path = "/var/lib/containerd/opt"
            """;
    private static final String SEED_BROKEN = DEBIAN_16 + """
                [plugins."io.containerd.grpc.v1.cri".registry]
                  config_path = "/etc/containerd/certs.d"
                [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
                  endpoint = ["http://10.0.20.10:5000"]
                [plugins."io.containerd.grpc.v1.cri".registry.mirrors."quay.io"]
                  endpoint = ["http://10.0.20.10:5020"]
            """;

    private final FakeRemoteHost node = new FakeRemoteHost();
    private final AtomicInteger restarts = new AtomicInteger();
    private final List<String> warnings = new ArrayList<>();
    private String breakWhenConfigContains = null;
    private boolean shadowed = false;
    /** The connection drops while ctr asks containerd for its plugins. */
    private boolean dropOnCtr = false;
    /** Symlinks on the fake node: link -> what readlink -f prints. */
    private final Map<String, String> links = new java.util.HashMap<>();
    /** Owners on the fake node: path -> "uid gid". */
    private final Map<String, String> owners = new java.util.HashMap<>();
    /** What the restart command does (after counting). */
    private java.util.function.Function<String, io.imagecache.ssh.ExecResult> restart = c -> ok("");
    private final ContainerdMirror resource = new ContainerdMirror(node.factory(),
            () -> Optional.of(new DefaultCredentials.Found("-----BEGIN OPENSSH PRIVATE KEY-----", null)),
            Clock.fixed(Instant.parse("2026-11-28T01:02:03Z"), ZoneOffset.UTC));
    private final Context ctx = new Context() {
        @Override
        public void status(String m) {}

        @Override
        public void info(String m) {}

        @Override
        public void warn(String m) {
            warnings.add(m);
        }

        @Override
        public boolean cancelled() {
            return cancelled;
        }
    };
    private boolean cancelled = false;
    private String versionLine = "containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3\n";
    /** Where the fake containerd listens. */
    private String socket = "/run/containerd/containerd.sock";

    /** What each probe was told of the containerd binary recorded before (its third argument, as rendered). */
    private final List<String> probeRecorded = new ArrayList<>();

    /** Whether the probe reads the files too (a node with base64); without, they are read one command each. */
    private boolean probeReadsFiles = true;

    /** Whether the fake's config.toml changed after its containerd started (what `ps` and `stat` would show). */
    private boolean configNewerThanContainerd = false;

    ContainerdMirrorTest() {
        // ContainerdNode.probe: where config.toml leads, the Rancher signs, the version, the target's mode and owner, its
        // change against containerd's start, and (in base64) the target's content and the certs directory's hosts.toml
        // files, as tagged lines; its arguments are config.toml, the certs directory and the candidates
        node.on("sh -c 'nl=", c -> {
            String[] args = c.substring(c.lastIndexOf("' sh ") + 5).split(" ");
            String target = links.getOrDefault(args[0], args[0]);
            StringBuilder out = new StringBuilder("target\t" + target + "\n");
            List<String> candidates = new ArrayList<>(List.of(args).subList(3, args.length));
            candidates.add(target + ".tmpl");
            candidates.stream().filter(node.files::containsKey).forEach(f -> out.append("rancher\t").append(f).append('\n'));
            // the binary's identity: its version line, so that another version is another binary
            // (one word here, so the arguments split at spaces; the real one is "<path> <inode> <size> <ctime>")
            String binary = "/usr/bin/containerd:" + Integer.toHexString(versionLine.hashCode());
            out.append("binary\t").append(binary).append('\n');
            String told = args[2].replaceAll("^'|'$", "");
            probeRecorded.add(told);
            if (told.equals(binary)) {
                out.append("version\tknown\n");
            } else {
                out.append("version\t0\t").append(versionLine.lines().findFirst().orElse("")).append('\n');
            }
            if (node.files.containsKey(target)) {
                out.append("stat\t").append(Integer.toOctalString(node.modes.getOrDefault(target, 0644))).append(' ')
                        .append(owners.getOrDefault(target, "0 0")).append('\n');
                out.append("started\t").append(configNewerThanContainerd ? "1700000000 1700000100" : "1700000100 1700000000").append('\n');
            }
            if (probeReadsFiles) {
                // the target (when it exists) and then each <registry>/hosts.toml, as one cat | base64 with their sizes
                List<String> read = new ArrayList<>();
                if (node.files.containsKey(target)) {
                    out.append("config\t-\n");
                    read.add(node.files.get(target));
                }
                String dir = args[1] + "/";
                node.files.forEach((f, content) -> {
                    String r = f.startsWith(dir) && f.endsWith("/hosts.toml") ? f.substring(dir.length(), f.length() - "/hosts.toml".length()) : "/";
                    if (!r.contains("/")) {
                        out.append("hosts\t").append(r).append('\n');
                        read.add(content);
                    }
                });
                if (!read.isEmpty()) {
                    read.forEach(content -> out.append("size\t")
                            .append(content.getBytes(java.nio.charset.StandardCharsets.UTF_8).length).append('\n'));
                    byte[] all = String.join("", read).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    java.util.Base64.getMimeEncoder(76, "\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)).encodeToString(all)
                            .lines().forEach(l -> out.append("data\t").append(l).append('\n'));
                }
                out.append("files\tread\n");
            }
            return ok(out.toString());
        });
        node.on("containerd --version", c -> ok(versionLine));
        // ContainerdNode.hostsFilesIn: "<base64 registry> <base64 content>" per <dir>/<registry>/hosts.toml
        node.on("sh -c 'cd ", c -> {
            String dir = c.substring(c.lastIndexOf("' sh ") + 5) + "/";
            java.util.Base64.Encoder b64 = java.util.Base64.getEncoder();
            StringBuilder out = new StringBuilder();
            node.files.forEach((f, content) -> {
                String r = f.startsWith(dir) && f.endsWith("/hosts.toml") ? f.substring(dir.length(), f.length() - "/hosts.toml".length()) : "/";
                if (!r.contains("/")) {
                    out.append(b64.encodeToString(r.getBytes(java.nio.charset.StandardCharsets.UTF_8))).append(' ')
                            .append(b64.encodeToString(content.getBytes(java.nio.charset.StandardCharsets.UTF_8))).append('\n');
                }
            });
            return ok(out.toString());
        });
        node.on("cd ", c -> {
            String dir = c.substring(3, c.indexOf(" 2>/dev/null")) + "/";
            StringBuilder out = new StringBuilder();
            node.files.keySet().stream().filter(f -> f.startsWith(dir) && f.endsWith("/hosts.toml"))
                    .map(f -> f.substring(dir.length(), f.length() - "/hosts.toml".length()))
                    .filter(r -> !r.contains("/")).forEach(r -> out.append(r).append('\n'));
            return ok(out.toString());
        });
        node.on("chown ", c -> {
            String[] w = c.split(" ");
            owners.put(w[3], w[1].replace(':', ' '));
            return ok("");
        });
        node.on("timeout -k 5 ", c -> {
            restarts.incrementAndGet();
            io.imagecache.ssh.ExecResult r = restart.apply(c);
            if (r.ok()) {
                socket = MirrorPlan.socket(config());
            }
            return r;
        });
        node.on("containerd --config", c -> {
            String config = config();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("config_path = \"([^\"]*)\"").matcher(config);
            return ok("version = 2\n[plugins]\n  [plugins.\"io.containerd.grpc.v1.cri\"]\n    [plugins.\"io.containerd.grpc.v1.cri\".registry]\n"
                    + "      config_path = \"" + (m.find() && !shadowed ? m.group(1) : "") + "\"\n");
        });
        node.on("ctr --address ", c -> {
            if (dropOnCtr) {
                node.drop();
            }
            if (!c.startsWith("ctr --address " + socket + " ")) {
                return FakeRemoteHost.fail("ctr: failed to dial \"" + c.split(" ")[2] + "\": connection refused");
            }
            if (c.contains(" plugins ls -d ")) {
                return ok("Type: io.containerd.grpc.v1\nID: cri\nError:\n  Code: Unknown\n"
                        + "  Message: invalid plugin config: `mirrors` cannot be set when `config_path` is provided\n");
            }
            return ok("TYPE                   ID    PLATFORMS    STATUS\nio.containerd.grpc.v1  cri   linux/amd64  "
                    + (broken() ? "error" : "ok") + "\n");
        });
    }

    /** config.toml as containerd reads it (through its link). */
    private String config() {
        return node.files.getOrDefault(links.getOrDefault(CONFIG, CONFIG), "");
    }

    private boolean broken() {
        String config = config();
        boolean mirrorsWithPath = config.contains("config_path") && config.contains(".mirrors.");
        return mirrorsWithPath || (breakWhenConfigContains != null && config.contains(breakWhenConfigContains));
    }

    private static ConnectionArgs conn() {
        return new ConnectionArgs("10.0.30.1", 22, "root", null, null, null, null, null, 15, 1, 1, false);
    }

    private static ContainerdMirror.MirrorArgs mirror(String registry, String... endpoints) {
        return new ContainerdMirror.MirrorArgs(registry, List.of(endpoints), null, null, null, null, null, null);
    }

    private static ContainerdMirror.Args args(ContainerdMirror.MirrorArgs... mirrors) {
        return new ContainerdMirror.Args(conn(), List.of(mirrors), "/etc/containerd/certs.d", CONFIG,
                "systemctl restart containerd", 10);
    }

    private static Decoded<ContainerdMirror.Args> d(ContainerdMirror.Args a) {
        return new Decoded<>(a, Set.of(), Set.of(), List.of());
    }

    private ContainerdMirror.State create(ContainerdMirror.Args a) throws ResourceException {
        return resource.create(new CustomResource.CreateRequest<>("urn", "n", d(a), false, ctx)).state();
    }

    private ContainerdMirror.State update(ContainerdMirror.Args olds, ContainerdMirror.State old, ContainerdMirror.Args news)
            throws ResourceException {
        return resource.update(new CustomResource.UpdateRequest<>("id", "urn", olds, old, d(news), false, ctx));
    }

    @Test
    void fixesTheSeedsBrokenStateWithOneRestartAndKeepsTheOldMirrors() throws ResourceException {
        node.files.put(CONFIG, SEED_BROKEN);
        ContainerdMirror.Args a = args(mirror("docker.io", "http://10.0.20.10:5000"), mirror("ghcr.io", "http://10.0.20.10:5010"));
        ContainerdMirror.State s = create(a);

        assertEquals(1, restarts.get());
        String config = node.files.get(CONFIG);
        assertFalse(config.contains("mirrors"), config);
        assertTrue(config.contains("config_path = \"/etc/containerd/certs.d\""), config);
        assertEquals(SEED_BROKEN, node.files.get(CONFIG + ".imagecache-20261128T010203Z.bak"), "the original is backed up");
        assertEquals(Set.of("docker.io", "ghcr.io"), s.hostsFiles().keySet());
        assertTrue(node.files.get("/etc/containerd/certs.d/ghcr.io/hosts.toml").contains("[host.\"http://10.0.20.10:5010\"]"));
        // quay.io was only in config.toml: it becomes a hosts.toml the operator keeps.
        String quay = node.files.get("/etc/containerd/certs.d/quay.io/hosts.toml");
        assertTrue(quay.startsWith(ContainerdMirror.MIGRATED_HEADER), quay);
        assertTrue(quay.contains("http://10.0.20.10:5020"), quay);
        assertEquals(Map.of("quay.io", "/etc/containerd/certs.d/quay.io/hosts.toml"), s.migratedFiles());
        assertTrue(s.configChanged());
        assertEquals("1.6.20", s.containerdVersion().split("~")[0]);
    }

    @Test
    void aNoOpWritesNothingAndRestartsNothing() throws ResourceException {
        node.files.put(CONFIG, DEBIAN_16);
        ContainerdMirror.Args a = args(mirror("docker.io", "http://10.0.20.10:5000"));
        ContainerdMirror.State s = create(a);
        assertEquals(1, restarts.get());
        node.writes.clear();
        ContainerdMirror.State again = update(a, s, a);
        assertEquals(List.of(), node.writes);
        assertEquals(1, restarts.get());
        assertFalse(again.configChanged());
    }

    @Test
    void containerdsVersionIsTakenFromTheStateWhileItIsTheBinaryRecordedThere() throws ResourceException {
        node.files.put(CONFIG, DEBIAN_16);
        ContainerdMirror.Args a = args(mirror("docker.io", "http://10.0.20.10:5000"));
        ContainerdMirror.State s = create(a);
        assertEquals("1.6.20~ds1", s.containerdVersion());
        assertTrue(s.containerdBinary() != null && s.containerdBinary().startsWith("/usr/bin/containerd"), s.containerdBinary());
        assertEquals(List.of(""), probeRecorded, "a create has nothing recorded to tell the probe");
        ContainerdMirror.State again = update(a, s, a);
        assertEquals(List.of("", s.containerdBinary()), probeRecorded, "the update told the probe what the create found");
        assertEquals(s.containerdVersion(), again.containerdVersion());
        // the state's version is used as it is while the binary is the same: containerd was not asked
        ContainerdMirror.State edited = new ContainerdMirror.State("1.6.99", again.configVersion(), again.hostsFiles(),
                again.configChanged(), again.configUpToDate(), again.backupFile(), again.migratedFiles(), again.hostKeys(),
                again.restartsContainerd(), again.containerdBinary());
        var read = resource.read(new CustomResource.ReadRequest<>("id", "urn", Optional.of(a), Optional.of(edited), ctx));
        assertEquals("1.6.99", read.state().containerdVersion());
        // another containerd on the node: read again, and recorded
        versionLine = "containerd github.com/containerd/containerd v1.7.27 05044ec0a9a75232cad458027ca83437aae3f4da\n";
        var upgraded = resource.read(new CustomResource.ReadRequest<>("id", "urn", Optional.of(a), Optional.of(read.state()), ctx));
        assertEquals("1.7.27", upgraded.state().containerdVersion());
        assertFalse(upgraded.state().containerdBinary().equals(s.containerdBinary()), "the new binary is recorded");
        // a state from before the binary was recorded: the probe is told nothing
        ContainerdMirror.State older = new ContainerdMirror.State("1.7.27", again.configVersion(), again.hostsFiles(),
                again.configChanged(), again.configUpToDate(), again.backupFile(), again.migratedFiles(), again.hostKeys(),
                again.restartsContainerd(), null);
        probeRecorded.clear();
        resource.read(new CustomResource.ReadRequest<>("id", "urn", Optional.of(a), Optional.of(older), ctx));
        assertEquals(List.of(""), probeRecorded);
    }

    @Test
    void importFindsTheHostsFilesWhereConfigTomlsConfigPathPoints() throws ResourceException {
        String quay = "server = \"https://quay.io\"\n\n[host.\"http://10.0.20.10:5020\"]\n  capabilities = [\"pull\", \"resolve\"]\n";
        node.files.put(CONFIG, DEBIAN_16 + "    [plugins.\"io.containerd.grpc.v1.cri\".registry]\n      config_path = '/srv/registries.d/'\n");
        node.files.put("/srv/registries.d/quay.io/hosts.toml", quay);
        node.files.put("/etc/containerd/certs.d/ghcr.io/hosts.toml", quay.replace("quay.io", "ghcr.io"));
        var imported = resource.read(new CustomResource.ReadRequest<ContainerdMirror.Args, ContainerdMirror.State>(
                "root@10.0.30.1:22", "urn", Optional.empty(), Optional.empty(), ctx));
        assertEquals("/srv/registries.d", imported.inputs().certsDir(), "the directory containerd reads, as the TOML says it");
        assertEquals(List.of("quay.io"), imported.inputs().mirrors().stream().map(ContainerdMirror.MirrorArgs::registry).toList(),
                "the files in that directory, not in the default one");

        // several directories (a path list): none of them is the one to adopt, so the default is taken
        node.files.put(CONFIG, DEBIAN_16 + "    [plugins.\"io.containerd.grpc.v1.cri\".registry]\n      config_path = \"/srv/registries.d:/etc/containerd/certs.d\"\n");
        var listed = resource.read(new CustomResource.ReadRequest<ContainerdMirror.Args, ContainerdMirror.State>(
                "root@10.0.30.1:22", "urn", Optional.empty(), Optional.empty(), ctx));
        assertEquals("/etc/containerd/certs.d", listed.inputs().certsDir());
    }

    @Test
    void aRefreshIsOneCommandPerNodeAndANodeWithoutBase64GetsTheSameAnswersFileByFile() throws ResourceException {
        node.files.put(CONFIG, DEBIAN_16);
        node.files.put("/etc/containerd/certs.d/quay.io/hosts.toml",
                "server = \"https://quay.io\"\n\n[host.\"http://10.0.20.10:5020\"]\n  capabilities = [\"pull\", \"resolve\"]\n");
        ContainerdMirror.Args a = args(mirror("docker.io", "http://10.0.20.10:5000"), mirror("ghcr.io", "http://10.0.20.10:5010"));
        ContainerdMirror.State s = create(a);
        node.commands.clear();
        var read = resource.read(new CustomResource.ReadRequest<>("id", "urn", Optional.of(a), Optional.of(s), ctx));
        var imported = resource.read(new CustomResource.ReadRequest<ContainerdMirror.Args, ContainerdMirror.State>(
                "root@10.0.30.1:22", "urn", Optional.empty(), Optional.empty(), ctx));
        assertEquals(2, node.commands.size(), "one probe each for the refresh and the import: " + node.commands);
        assertEquals(Set.of("docker.io", "ghcr.io"), read.state().hostsFiles().keySet(), "only the resource's registries");
        assertTrue(read.state().configUpToDate());
        assertEquals(Set.of("docker.io", "ghcr.io", "quay.io"),
                imported.inputs().mirrors().stream().map(ContainerdMirror.MirrorArgs::registry).collect(java.util.stream.Collectors.toSet()));

        probeReadsFiles = false;
        node.commands.clear();
        assertEquals(read, resource.read(new CustomResource.ReadRequest<>("id", "urn", Optional.of(a), Optional.of(s), ctx)));
        assertEquals(imported, resource.read(new CustomResource.ReadRequest<ContainerdMirror.Args, ContainerdMirror.State>(
                "root@10.0.30.1:22", "urn", Optional.empty(), Optional.empty(), ctx)));
        assertTrue(node.commands.stream().anyMatch(c -> c.startsWith("sh -c 'cd ")), "the directory listed on its own: " + node.commands);
        // and an update on such a node finds the same: a no-op writes nothing
        node.writes.clear();
        update(a, s, a);
        assertEquals(List.of(), node.writes);
    }

    @Test
    void aConfigWrittenButNeverLoadedIsLoadedByTheNextApplyWithOneRestart() throws ResourceException {
        node.files.put(CONFIG, DEBIAN_16);
        ContainerdMirror.Args a = args(mirror("docker.io", "http://10.0.20.10:5000"));
        ContainerdMirror.State s = create(a);
        String written = node.files.get(CONFIG);
        configNewerThanContainerd = true; // as if the apply had been cut short before its restart
        ContainerdMirror.State again = update(a, s, a);
        assertEquals(2, restarts.get(), "restarted to load the file it had not");
        assertEquals(written, node.files.get(CONFIG), "config.toml is as it was");
        assertTrue(again.configChanged());
    }

    @Test
    void changingOneEndpointRewritesOnlyThatFileWithoutRestart() throws ResourceException {
        node.files.put(CONFIG, DEBIAN_16);
        ContainerdMirror.Args a = args(mirror("docker.io", "http://10.0.20.10:5000"), mirror("ghcr.io", "http://10.0.20.10:5010"));
        ContainerdMirror.State s = create(a);
        node.writes.clear();
        ContainerdMirror.Args b = args(mirror("docker.io", "http://10.0.20.10:5000"), mirror("ghcr.io", "http://10.0.20.11:5010"));
        update(a, s, b);
        assertEquals(List.of("/etc/containerd/certs.d/ghcr.io/hosts.toml"), node.writes);
        assertEquals(1, restarts.get(), "hosts.toml is re-read on every pull: no restart");
    }

    @Test
    void aRegistryDroppedFromTheInputsLosesItsManagedFileOnly() throws ResourceException {
        node.files.put(CONFIG, DEBIAN_16);
        ContainerdMirror.Args a = args(mirror("docker.io", "http://10.0.20.10:5000"), mirror("ghcr.io", "http://10.0.20.10:5010"));
        node.on("rm -f '/etc/containerd/certs.d/ghcr.io/hosts.toml'", c -> {
            node.files.remove("/etc/containerd/certs.d/ghcr.io/hosts.toml");
            return ok("");
        });
        ContainerdMirror.State s = create(a);
        update(a, s, args(mirror("docker.io", "http://10.0.20.10:5000")));
        assertFalse(node.files.containsKey("/etc/containerd/certs.d/ghcr.io/hosts.toml"));
        assertTrue(node.files.containsKey("/etc/containerd/certs.d/docker.io/hosts.toml"));
    }

    @Test
    void whenCriDoesNotLoadTheOriginalComesBackAndContainerdsMessageIsTheError() {
        node.files.put(CONFIG, DEBIAN_16);
        breakWhenConfigContains = "config_path";
        ResourceException e = assertThrows(ResourceException.class,
                () -> create(args(mirror("docker.io", "http://10.0.20.10:5000"))));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains("`mirrors` cannot be set when `config_path` is provided"), e.getMessage());
        assertEquals(DEBIAN_16, node.files.get(CONFIG), "the original config.toml is back");
        assertEquals(2, restarts.get(), "restarted with the new file, then with the original");
        assertTrue(e.getMessage().contains("the original config.toml is back and the CRI plugin is loaded"), e.getMessage());
        assertTrue(e.partialResult().isPresent(), "the hosts files written are recorded");
    }

    @Test
    void aConfigPathThatDoesNotTakeEffectIsRolledBackToo() {
        node.files.put(CONFIG, "imports = [\"/etc/containerd/conf.d/*.toml\"]\n" + DEBIAN_16);
        shadowed = true;
        ResourceException e = assertThrows(ResourceException.class,
                () -> create(args(mirror("docker.io", "http://10.0.20.10:5000"))));
        assertTrue(e.getMessage().contains("containerd runs with config_path \"\", not \"/etc/containerd/certs.d\""), e.getMessage());
        assertEquals("imports = [\"/etc/containerd/conf.d/*.toml\"]\n" + DEBIAN_16, node.files.get(CONFIG));
        assertEquals(2, restarts.get());
    }

    @Test
    void versionRulesStopBeforeAnyWrite() {
        node.files.put(CONFIG, DEBIAN_16);
        ContainerdMirror.Args a = args(mirror("_default", "http://10.0.20.10:5000"));
        ResourceException e = assertThrows(ResourceException.class, () -> create(a));
        assertEquals(ResourceException.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().contains("mirrors[0].registry"), e.getMessage());
        assertEquals(List.of(), node.writes);
        assertEquals(0, restarts.get());
    }

    @Test
    void aHandMadeHostsFileIsBackedUpBeforeItIsReplaced() throws ResourceException {
        node.files.put(CONFIG, DEBIAN_16.replace("[plugins.\"io.containerd.internal.v1.opt\"]",
                "[plugins.\"io.containerd.grpc.v1.cri\".registry]\n    config_path = \"/etc/containerd/certs.d\"\n  [plugins.\"io.containerd.internal.v1.opt\"]"));
        String handMade = "server = \"https://registry-1.docker.io\"\n[host.\"http://10.9.9.9:5000\"]\n  capabilities = [\"pull\", \"resolve\"]\n";
        node.files.put("/etc/containerd/certs.d/docker.io/hosts.toml", handMade);
        create(args(mirror("docker.io", "http://10.0.20.10:5000")));
        assertEquals(handMade, node.files.get("/etc/containerd/certs.d/docker.io/hosts.toml.imagecache-20261128T010203Z.bak"));
        assertTrue(warnings.stream().anyMatch(w -> w.contains("was not made by imagecache")), warnings.toString());
        assertEquals(0, restarts.get(), "config.toml was already right");
    }

    @Test
    void reorderingTheSameMirrorsIsNoChange() {
        ContainerdMirror.Args a = args(mirror("docker.io", "http://10.0.20.10:5000"), mirror("ghcr.io", "http://10.0.20.10:5010"));
        ContainerdMirror.Args b = args(mirror("ghcr.io", "http://10.0.20.10:5010"), mirror("docker.io", "http://10.0.20.10:5000"));
        ContainerdMirror.State st = new ContainerdMirror.State("1.6.20", 2, Map.of(), false, true, null, null, Map.of(), null, null);
        DiffResult r = resource.diff(new CustomResource.DiffRequest<>("id", "urn", a, null, d(b), Records.encode(a),
                Records.encode(b), Records.encode(st), Set.of("connection.host")));
        assertFalse(r.hasChanges(), r.detailed().toString());
        ContainerdMirror.Args c = args(mirror("ghcr.io", "http://10.0.20.11:5010"), mirror("docker.io", "http://10.0.20.10:5000"));
        assertTrue(resource.diff(new CustomResource.DiffRequest<>("id", "urn", a, null, d(c), Records.encode(a),
                Records.encode(c), Records.encode(st), Set.of("connection.host"))).hasChanges());
    }

    @Test
    void checkNamesEachBadMirrorProperty() {
        ContainerdMirror.Args bad = new ContainerdMirror.Args(conn(), List.of(
                new ContainerdMirror.MirrorArgs("https://docker.io", List.of("10.0.20.10:5000"), null, List.of("pull", "fetch"),
                        null, List.of("certs/ca.pem"), null, "5 seconds"),
                mirror("ghcr.io", "http://10.0.20.10:5010"),
                mirror("ghcr.io", "http://10.0.20.10:5011")),
                "certs.d", "config.toml", "", 1);
        List<String> props = resource.check(d(bad)).stream().map(CheckFailure::property).toList();
        for (String p : List.of("mirrors[0].registry", "mirrors[0].endpoints[0]", "mirrors[0].capabilities[1]",
                "mirrors[0].ca[0]", "mirrors[0].dialTimeout", "mirrors[2].registry", "certsDir", "configFile",
                "restartCommand", "criTimeoutSeconds")) {
            assertTrue(props.contains(p), p + " not in " + props);
        }
    }

    @Test
    void driftIsComparedByMeaningNotBytes() {
        ContainerdMirror.Args a = args(mirror("docker.io", "http://10.0.20.10:5000"));
        String handMadeSame = "server = \"https://registry-1.docker.io\"\n\n[host.\"http://10.0.20.10:5000\"]\n  capabilities = [\"pull\", \"resolve\"]\n";
        ContainerdMirror.State adopted = new ContainerdMirror.State("1.6.20", 2, Map.of("docker.io", handMadeSame), false, true,
                null, null, Map.of(), null, null);
        var in = Records.encode(a);
        DiffResult same = resource.diff(new CustomResource.DiffRequest<>("id", "urn", a, adopted, d(a), in, in,
                Records.encode(adopted), Set.of("connection.host")));
        assertFalse(same.hasChanges(), same.detailed().toString());
        ContainerdMirror.State edited = new ContainerdMirror.State("1.6.20", 2,
                Map.of("docker.io", handMadeSame.replace("10.0.20.10", "10.0.20.99")), false, true, null, null, Map.of(), null, null);
        DiffResult drift = resource.diff(new CustomResource.DiffRequest<>("id", "urn", a, edited, d(a), in, in,
                Records.encode(edited), Set.of("connection.host")));
        assertEquals(Set.of("hostsFiles[\"docker.io\"]"), drift.detailed().keySet());
    }

    // --- node layouts, ordering and rollback (issue 7) ---------------------------------------------

    @Test
    void aSymlinkedConfigIsEditedAtItsTargetWhichKeepsItsModeAndOwner() throws ResourceException {
        String target = "/etc/containerd/real/config.toml";
        links.put(CONFIG, target);
        node.files.put(target, DEBIAN_16);
        node.modes.put(target, 0640);
        owners.put(target, "0 4");
        ContainerdMirror.State s = create(args(mirror("docker.io", "http://10.0.20.10:5000")));
        assertFalse(node.writes.contains(CONFIG), "the link itself is never written: " + node.writes);
        assertFalse(node.files.containsKey(CONFIG), "the link is still a link (no regular file replaced it)");
        assertTrue(node.files.get(target).contains("config_path = \"/etc/containerd/certs.d\""));
        assertEquals(0640, node.modes.get(target), "the target keeps its mode");
        assertTrue(node.commands.contains("chown 0:4 -- " + target), "the target keeps its owner: " + node.commands);
        assertEquals(target + ".imagecache-20261128T010203Z.bak", s.backupFile(), "the backup is beside the target");
        assertEquals(DEBIAN_16, node.files.get(s.backupFile()));
    }

    @Test
    void aGroupOrWorldWritableConfigIsNeverWrittenSo() throws ResourceException {
        node.files.put(CONFIG, DEBIAN_16);
        node.modes.put(CONFIG, 0666);
        create(args(mirror("docker.io", "http://10.0.20.10:5000")));
        assertEquals(0644, node.modes.get(CONFIG));
        assertTrue(node.commands.contains("cp -p " + CONFIG + " " + CONFIG + ".imagecache-20261128T010203Z.bak"),
                "the backup is a cp -p: the original's mode, never a wider one");
    }

    private ContainerdMirror.Args inDir(String certsDir, String restartCommand, ContainerdMirror.MirrorArgs... mirrors) {
        return new ContainerdMirror.Args(conn(), List.of(mirrors), certsDir, CONFIG, restartCommand, 10, 30);
    }

    @Test
    void aNewCertsDirIsWrittenAndSwitchedToBeforeTheOldFilesGo() throws ResourceException {
        node.files.put(CONFIG, DEBIAN_16);
        ContainerdMirror.Args a = inDir("/etc/containerd/certs.d", "systemctl restart containerd",
                mirror("docker.io", "http://10.0.20.10:5000"));
        ContainerdMirror.State s = create(a);
        node.commands.clear();
        node.writes.clear();
        ContainerdMirror.Args b = inDir("/etc/containerd/hosts.d", "systemctl restart containerd",
                mirror("docker.io", "http://10.0.20.10:5000"));
        ContainerdMirror.State t = update(a, s, b);
        assertEquals(List.of("/etc/containerd/hosts.d/docker.io/hosts.toml", CONFIG), node.writes, "new file, then config.toml");
        int restart = indexOf("timeout -k 5 ");
        int removal = indexOf("rm -f /etc/containerd/certs.d/docker.io/hosts.toml");
        assertTrue(restart >= 0 && removal > restart, "the old file goes only after the restart: " + node.commands);
        assertFalse(node.files.containsKey("/etc/containerd/certs.d/docker.io/hosts.toml"));
        assertTrue(t.restartsContainerd());
    }

    private int indexOf(String prefix) {
        for (int i = 0; i < node.commands.size(); i++) {
            if (node.commands.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void whenTheSwitchToANewCertsDirFailsTheOldDirAndConfigStayAndTheNewFilesGo() throws ResourceException {
        node.files.put(CONFIG, DEBIAN_16);
        ContainerdMirror.Args a = inDir("/etc/containerd/certs.d", "systemctl restart containerd",
                mirror("docker.io", "http://10.0.20.10:5000"), mirror("ghcr.io", "http://10.0.20.10:5010"));
        ContainerdMirror.State s = create(a);
        String configBefore = node.files.get(CONFIG);
        String dockerBefore = node.files.get("/etc/containerd/certs.d/docker.io/hosts.toml");
        AtomicInteger calls = new AtomicInteger();
        restart = c -> calls.incrementAndGet() == 1 ? FakeRemoteHost.fail("Job for containerd.service failed") : ok("");
        ContainerdMirror.Args b = inDir("/etc/containerd/hosts.d", "systemctl restart containerd",
                mirror("docker.io", "http://10.0.20.10:5000"), mirror("ghcr.io", "http://10.0.20.10:5010"));
        ResourceException e = assertThrows(ResourceException.class, () -> update(a, s, b));
        assertTrue(e.getMessage().contains("Job for containerd.service failed"), e.getMessage());
        assertTrue(e.getMessage().contains("10.0.30.1"), "names the node: " + e.getMessage());
        assertEquals(configBefore, node.files.get(CONFIG), "config.toml still points at the old directory");
        assertEquals(dockerBefore, node.files.get("/etc/containerd/certs.d/docker.io/hosts.toml"), "the old files stay");
        assertTrue(node.files.containsKey("/etc/containerd/certs.d/ghcr.io/hosts.toml"));
        assertFalse(node.files.containsKey("/etc/containerd/hosts.d/docker.io/hosts.toml"), "what this apply wrote is gone");
        assertFalse(node.files.containsKey("/etc/containerd/hosts.d/ghcr.io/hosts.toml"));
        ContainerdMirror.State partial = (ContainerdMirror.State) e.partialResult().orElseThrow().state();
        assertEquals(s.hostsFiles(), partial.hostsFiles(), "the state says what is on the node: the old files");
        assertEquals(a, e.partialResult().orElseThrow().inputs(), "and the inputs that made it, so the next up moves again");
    }

    @Test
    void aHostsFileReplacedBeforeAFailedRestartIsPutBack() throws ResourceException {
        node.files.put(CONFIG, DEBIAN_16);
        String handMade = "server = \"https://registry-1.docker.io\"\n[host.\"http://10.9.9.9:5000\"]\n";
        node.files.put("/etc/containerd/certs.d/docker.io/hosts.toml", handMade);
        breakWhenConfigContains = "config_path";
        assertThrows(ResourceException.class, () -> create(args(mirror("docker.io", "http://10.0.20.10:5000"))));
        assertEquals(handMade, node.files.get("/etc/containerd/certs.d/docker.io/hosts.toml"));
        assertEquals(DEBIAN_16, node.files.get(CONFIG));
    }

    @Test
    void ctrTalksToTheSocketTheAppliedConfigNames() throws ResourceException {
        String config = DEBIAN_16 + "\n[grpc]\n  address = \"/run/alt/containerd.sock\"\n";
        node.files.put(CONFIG, config);
        socket = "/run/alt/containerd.sock";
        create(args(mirror("docker.io", "http://10.0.20.10:5000")));
        List<String> ctr = node.commands.stream().filter(c -> c.startsWith("ctr ")).toList();
        assertFalse(ctr.isEmpty());
        assertTrue(ctr.stream().allMatch(c -> c.startsWith("ctr --address /run/alt/containerd.sock ")), ctr.toString());
    }

    @Test
    void aK3sNodeIsRefusedBeforeAnythingIsWritten() {
        node.files.put(CONFIG, DEBIAN_16);
        node.files.put("/var/lib/rancher/k3s/agent/etc/containerd/config.toml", DEBIAN_16);
        ResourceException e = assertThrows(ResourceException.class, () -> create(args(mirror("docker.io", "http://10.0.20.10:5000"))));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains("/etc/rancher/k3s/registries.yaml"), e.getMessage());
        assertTrue(e.getMessage().contains("/var/lib/rancher/k3s/agent/etc/containerd/config.toml"), e.getMessage());
        assertEquals(List.of(), node.writes);
        assertEquals(0, restarts.get());
    }

    @Test
    void aConfigTomlTmplBesideTheConfigIsRefusedToo() {
        node.files.put(CONFIG, DEBIAN_16);
        node.files.put(CONFIG + ".tmpl", "{{ template \"base\" . }}\n");
        ResourceException e = assertThrows(ResourceException.class, () -> create(args(mirror("docker.io", "http://10.0.20.10:5000"))));
        assertTrue(e.getMessage().contains("registries.yaml"), e.getMessage());
        assertEquals(List.of(), node.writes);
    }

    @Test
    void aK3sBuildOfContainerdIsRefusedToo() {
        node.files.put(CONFIG, DEBIAN_16);
        versionLine = "containerd github.com/k3s-io/containerd v1.7.23-k3s2 \n";
        ResourceException e = assertThrows(ResourceException.class, () -> create(args(mirror("docker.io", "http://10.0.20.10:5000"))));
        assertTrue(e.getMessage().contains("1.7.23-k3s2") && e.getMessage().contains("registries.yaml"), e.getMessage());
        assertEquals(List.of(), node.writes);
    }

    @Test
    void aRestartThatHangsIsStoppedRolledBackAndNamesTheNodeAndCommand() {
        node.files.put(CONFIG, DEBIAN_16);
        restart = c -> new io.imagecache.ssh.ExecResult(124, "", "");
        ContainerdMirror.Args a = inDir("/etc/containerd/certs.d", "sleep 100000", mirror("docker.io", "http://10.0.20.10:5000"));
        ResourceException e = assertThrows(ResourceException.class, () -> create(a));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().contains("`sleep 100000` did not finish within 30 s"), e.getMessage());
        assertTrue(e.getMessage().contains("10.0.30.1"), e.getMessage());
        assertTrue(node.commands.contains("timeout -k 5 30 sh -c 'sleep 100000'"), node.commands.toString());
        assertEquals(DEBIAN_16, node.files.get(CONFIG), "config.toml is restored");
        assertTrue(e.getMessage().contains("the original config.toml is back and the CRI plugin is loaded"),
                "containerd never restarted, so it still runs the original: " + e.getMessage());
        assertEquals(2, restarts.get(), "tried once with the edit, once with the original");
        assertFalse(node.files.containsKey("/etc/containerd/certs.d/docker.io/hosts.toml"));
    }

    @Test
    void aCancelBeforeTheApplyChangesNothing() {
        node.files.put(CONFIG, DEBIAN_16);
        cancelled = true;
        ResourceException e = assertThrows(ResourceException.class, () -> create(args(mirror("docker.io", "http://10.0.20.10:5000"))));
        assertEquals(ResourceException.Kind.CANCELLED, e.kind());
        assertEquals(List.of(), node.writes);
    }

    @Test
    void cancellingWhileWaitingForCriRollsBack() {
        node.files.put(CONFIG, DEBIAN_16);
        breakWhenConfigContains = "never-there";
        restart = c -> {
            cancelled = !node.files.get(CONFIG).equals(DEBIAN_16);
            return ok("");
        };
        ResourceException e = assertThrows(ResourceException.class, () -> create(args(mirror("docker.io", "http://10.0.20.10:5000"))));
        assertEquals(ResourceException.Kind.CANCELLED, e.kind(), e.getMessage());
        assertEquals(DEBIAN_16, node.files.get(CONFIG), "the rollback's own steps are not refused by the cancel");
        assertFalse(node.files.containsKey("/etc/containerd/certs.d/docker.io/hosts.toml"), "what was written is gone");
        assertTrue(e.getMessage().startsWith("cancelled while containerd on "), e.getMessage());
        assertTrue(e.getMessage().contains("putting the node back: the original config.toml is back and the CRI plugin is"
                + " loaded"), e.getMessage());
        assertEquals(2, restarts.get(), "restarted with the edit, then again with the original");
    }

    @Test
    void previewKnowsWhenContainerdWillNotRestart() throws ResourceException {
        ContainerdMirror.Args a = args(mirror("docker.io", "http://10.0.20.10:5000"));
        ContainerdMirror.Args b = args(mirror("docker.io", "http://10.0.20.11:5000"));
        ContainerdMirror.State upToDate = new ContainerdMirror.State("1.6.20", 2, Map.of(), false, true, null, null, Map.of(), null, null);
        ContainerdMirror.State preview = resource.update(new CustomResource.UpdateRequest<>("id", "urn", a, upToDate, d(b), true, ctx));
        assertEquals(Boolean.FALSE, preview.restartsContainerd());
        assertTrue(preview.hostsFiles().get("docker.io").contains("10.0.20.11:5000"));
        ContainerdMirror.State drifted = new ContainerdMirror.State("1.6.20", 2, Map.of(), false, false, null, null, Map.of(), null, null);
        assertEquals(null, resource.update(new CustomResource.UpdateRequest<>("id", "urn", a, drifted, d(b), true, ctx))
                .restartsContainerd(), "config.toml drifted: unknown until the node is read");
        ContainerdMirror.Args moved = inDir("/etc/containerd/hosts.d", "systemctl restart containerd", mirror("docker.io", "http://10.0.20.10:5000"));
        assertEquals(null, resource.update(new CustomResource.UpdateRequest<>("id", "urn", a, upToDate, d(moved), true, ctx))
                .restartsContainerd());
        assertEquals(null, resource.create(new CustomResource.CreateRequest<>("urn", "n", d(a), true, ctx)).state()
                .restartsContainerd(), "create: unknown");
        assertEquals(List.of(), node.commands, "preview touches no node");
    }

    @Test
    void aConnectionLostDuringTheRestartStopsAtOnceSaysWhatIsLeftAndRecordsIt() {
        node.files.put(CONFIG, DEBIAN_16);
        restart = c -> {
            node.drop(); // the node's sshd is killed while the restart command runs over the session
            return ok("");
        };
        ResourceException e = assertThrows(ResourceException.class, () -> create(args(mirror("docker.io", "http://10.0.20.10:5000"))));
        assertEquals(ResourceException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
        assertEquals(List.of(), node.afterDrop, "nothing is tried over the lost connection: no restore, restart or CRI wait");
        String m = e.getMessage();
        assertTrue(m.startsWith("the connection to root@10.0.30.1:22 was lost while containerd restarted with the new "
                + CONFIG + " (restart command `systemctl restart containerd`)"), m);
        assertTrue(m.contains("left on the node as this apply wrote them: /etc/containerd/certs.d/docker.io/hosts.toml, "
                + CONFIG + " (the original config.toml is in " + CONFIG
                + ".imagecache-20261128T010203Z.bak); containerd runs with the old or the new config.toml"), m);
        assertTrue(m.endsWith("Once the node answers again, `pulumi up` finishes the change"), m);
        assertFalse(m.contains("RESTORING FAILED") || m.contains("not kept"), "nothing was restored, nothing claims so: " + m);
        ContainerdMirror.State left = (ContainerdMirror.State) e.partialResult().orElseThrow().state();
        assertEquals(node.files.get("/etc/containerd/certs.d/docker.io/hosts.toml"), left.hostsFiles().get("docker.io"),
                "the state records the hosts.toml on the node, so a delete removes it");
        assertEquals(CONFIG + ".imagecache-20261128T010203Z.bak", left.backupFile(), "and where the original config.toml is");
        assertEquals(Boolean.FALSE, left.configUpToDate(), "the next up restarts containerd if it runs the old file");
        assertEquals(1, restarts.get());
    }

    @Test
    void aConnectionLostWhileWaitingForCriStopsWaiting() {
        node.files.put(CONFIG, DEBIAN_16);
        dropOnCtr = true;
        ResourceException e = assertThrows(ResourceException.class, () -> create(args(mirror("docker.io", "http://10.0.20.10:5000"))));
        assertEquals(ResourceException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
        assertEquals(List.of(), node.afterDrop, "no second poll of the CRI plugin, no rollback over the dead session");
        assertTrue(e.getMessage().contains("was lost while containerd restarted with the new " + CONFIG), e.getMessage());
        assertEquals(1, restarts.get());
    }

    @Test
    void aConnectionLostBetweenTwoHostsFilesRecordsTheOneWritten() throws ResourceException {
        ContainerdMirror.Args a = args(mirror("docker.io", "http://10.0.20.10:5000"));
        node.files.put(CONFIG, DEBIAN_16);
        ContainerdMirror.State s = create(a);
        ContainerdMirror.Args b = args(mirror("docker.io", "http://10.0.20.11:5000"), mirror("ghcr.io", "http://10.0.20.10:5010"));
        String second = "/etc/containerd/certs.d/ghcr.io/hosts.toml";
        node.writeFails = path -> {
            if (path.equals(second)) {
                node.drop();
            }
            return null;
        };
        ResourceException e = assertThrows(ResourceException.class, () -> update(a, s, b));
        assertEquals(ResourceException.Kind.UNAVAILABLE, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith("the connection to root@10.0.30.1:22 was lost while the files were written"),
                e.getMessage());
        assertEquals(List.of("write " + second), node.afterDrop, "the failed write, then nothing");
        ContainerdMirror.State left = (ContainerdMirror.State) e.partialResult().orElseThrow().state();
        assertEquals(node.files.get("/etc/containerd/certs.d/docker.io/hosts.toml"), left.hostsFiles().get("docker.io"),
                "docker.io's new file is recorded");
        assertTrue(left.hostsFiles().get("docker.io").contains("10.0.20.11:5000"));
        assertEquals(a, e.partialResult().orElseThrow().inputs(), "with the old inputs: the next up still makes the change");
        assertEquals(1, restarts.get(), "no restart for a mirror change");
    }

    @Test
    void aWriteThatFailsPartwayPutsBackTheFilesWrittenBeforeIt() throws ResourceException {
        ContainerdMirror.Args a = args(mirror("docker.io", "http://10.0.20.10:5000"));
        node.files.put(CONFIG, DEBIAN_16);
        ContainerdMirror.State s = create(a);
        String dockerBefore = node.files.get("/etc/containerd/certs.d/docker.io/hosts.toml");
        ContainerdMirror.Args b = args(mirror("docker.io", "http://10.0.20.11:5000"), mirror("ghcr.io", "http://10.0.20.10:5010"));
        node.writeFails = path -> path.endsWith("/ghcr.io/hosts.toml") ? "No space left on device" : null;
        ResourceException e = assertThrows(ResourceException.class, () -> update(a, s, b));
        assertTrue(e.getMessage().contains("No space left on device") && e.getMessage().endsWith("containerd was not"
                + " restarted and the files written before it were put back"), e.getMessage());
        assertEquals(dockerBefore, node.files.get("/etc/containerd/certs.d/docker.io/hosts.toml"), "docker.io's file is back");
        assertFalse(node.files.containsKey("/etc/containerd/certs.d/ghcr.io/hosts.toml"));
        ContainerdMirror.State left = (ContainerdMirror.State) e.partialResult().orElseThrow().state();
        assertEquals(s.hostsFiles(), left.hostsFiles(), "the state says what is on the node: the old files");
    }
}
