package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.SshKeys;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import io.imagecache.lab.registry.TokenServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;

/**
 * Secrets stay secret through a whole PullThroughCache `up` and `destroy` on the lab: a registry host and two
 * nodes (containerd 1.6 as root, 2.x as the sudo user ops with an SSH password too), every connection with an
 * ENCRYPTED private key and its passphrase, an upstream behind Bearer tokens with a password. Looked for (as they
 * are, base64, URL-encoded, base64 of user:password, every key body line, the key in base64): the plain `pulumi
 * stack export` (where each one must be a secret), the CLI's stdout and stderr at `-v=11 --logtostderr --logflow`
 * (the provider's stderr included; the engine's own RPC traces left out, which show secrets at 11 as Pulumi warns)
 * and the provider's own log, every process's command line and environment on every lab host (a ps loop on each)
 * and on this machine (the provider's own process among them) during the whole `up`, `docker inspect` of every
 * container on the registry host and of the lab's own ones, and every file created or changed on any host and in
 * the stack's directories here. The one place a secret may be is the proxy's config.yml, 0600 root: the sweep
 * finds it there (so it can find one), and after destroy nowhere. Controls put a secret on a command line and in
 * an environment on a host and here, and the samplers report exactly those. Modes and owners of every file the
 * product writes are those DESIGN.md implies: config.toml and its backup keep the original's (0640 root:adm on
 * one node, 0600 through a symlink on the other), hosts.toml and cron files 0644 root, the proxy config 0600 root,
 * markers 0644 root; no temporary file is left.
 */
class SecretsSweepIT {
    private static final String UPSTREAM_USER = "puller";
    private static final String UPSTREAM_PASSWORD = random("up-");
    private static final String KEY_PASSPHRASE = random("kp-");
    private static final String CONTROL = random("control-");
    private static final String CONFIG = "/etc/imagecache/ghcr/config.yml";
    private static final String CRON = "/etc/cron.d/imagecache-registry-ghcr";
    private static final String REAL_CONFIG = "/etc/containerd/real/config.toml";

    private static LabNetwork network;
    private static SshKeys key;
    private static DockerHost registryHost;
    private static NodeHost node16;
    private static NodeHost node2;
    private static TokenServer tokens;
    private static LocalRegistry upstream;
    private static SecretForms secrets;
    private static List<HostSweep> hosts;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        key = SshKeys.ed25519(KEY_PASSPHRASE);
        registryHost = new DockerHost(network);
        node16 = NodeHost.containerd16(network);
        node2 = NodeHost.containerd2(network);
        for (LabHost h : List.of(registryHost, node16, node2)) {
            h.withAuthorizedKey(key);
            h.start();
        }
        tokens = TokenServer.start(UPSTREAM_USER, UPSTREAM_PASSWORD);
        upstream = LocalRegistry.token(tokens).startedOn(network);
        ImageSeeder.to(upstream.url(), UPSTREAM_USER, UPSTREAM_PASSWORD).dockerImage("org/app", "1", "app");
        secrets = new SecretForms().password("upstream password", UPSTREAM_USER, UPSTREAM_PASSWORD)
                .value("key passphrase", KEY_PASSPHRASE).privateKey("SSH private key", key.privateKey())
                .password("ops's SSH password", "ops", node2.opsPassword()).value("control", CONTROL);
        hosts = List.of(new HostSweep("registry host", registryHost), new HostSweep("node 1.6", node16),
                new HostSweep("node 2.x", node2));
        // config.toml as operators leave it: 0640 root:adm on one node, a symlink to a 0600 file on the other
        node16.sh("chgrp adm " + NodeHost.CONFIG_FILE + " && chmod 0640 " + NodeHost.CONFIG_FILE);
        node2.sh("mkdir -p /etc/containerd/real && mv " + NodeHost.CONFIG_FILE + " " + REAL_CONFIG + " && chmod 0600 "
                + REAL_CONFIG + " && ln -s " + REAL_CONFIG + " " + NodeHost.CONFIG_FILE);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {upstream, tokens, node2, node16, registryHost, network}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private static PulumiCli stack() throws IOException {
        Path dir = Files.createTempDirectory("secrets-sweep").resolve("secrets-sweep");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("Pulumi.yaml"), """
                name: secrets-sweep
                runtime: yaml
                config:
                  registryHost: { type: string }
                  node1: { type: string }
                  node2: { type: string }
                  image: { type: string }
                  upstreamUrl: { type: string }
                  username: { type: string }
                  sshKey: { type: string, secret: true }
                  keyPassphrase: { type: string, secret: true }
                  password: { type: string, secret: true }
                  opsPassword: { type: string, secret: true }
                resources:
                  cache:
                    type: imagecache:index:PullThroughCache
                    properties:
                      registryHost: { host: "${registryHost}", privateKey: "${sshKey}", privateKeyPassword: "${keyPassphrase}" }
                      advertiseAddress: ${registryHost}
                      image: ${image}
                      upstreams:
                        - name: ghcr
                          registry: ghcr.io
                          remoteUrl: ${upstreamUrl}
                          port: 5010
                          username: ${username}
                          password: ${password}
                      nodes:
                        - connection: { host: "${node1}", privateKey: "${sshKey}", privateKeyPassword: "${keyPassphrase}" }
                        - connection:
                            host: ${node2}
                            user: ops
                            sudo: true
                            privateKey: ${sshKey}
                            privateKeyPassword: ${keyPassphrase}
                            password: ${opsPassword}
                      dialTimeout: 1s
                outputs:
                  endpoints: ${cache.endpoints}
                """, StandardCharsets.UTF_8);
        PulumiCli cli = PulumiCli.forProgram(dir, "lab");
        cli.config("registryHost", registryHost.ip()).config("node1", node16.ip()).config("node2", node2.ip())
                .config("image", DockerHost.REGISTRY_IMAGE).config("upstreamUrl", upstream.networkUrl())
                .config("username", UPSTREAM_USER)
                .secretConfig("sshKey", key.privateKey()).secretConfig("keyPassphrase", KEY_PASSPHRASE)
                .secretConfig("password", UPSTREAM_PASSWORD).secretConfig("opsPassword", node2.opsPassword());
        return cli;
    }

    @Test
    void noSecretOutsideTheProxysConfig() throws Exception {
        try (PulumiCli cli = stack()) {
            FileTime since = FileTime.fromMillis(System.currentTimeMillis() - 1000);
            hosts.forEach(HostSweep::mark);
            hosts.forEach(HostSweep::startSampling);
            PulumiCli.Result up;
            List<ProcessSampler.Leak> here;
            int providerSeen;
            try (ProcessSampler machine = new ProcessSampler(secrets, "imagecache-provider.jar")) {
                up = cli.run("up", "--yes", "--non-interactive", "--color=never", "--skip-preview",
                        "-v=11", "--logtostderr", "--logflow").assertOk();
                for (NodeHost n : List.of(node16, node2)) {
                    ExecResult pull = n.crictl("pull", "ghcr.io/org/app:1");
                    assertEquals(0, pull.getExitCode(), n.containerd() + " pulls through the proxy: " + pull.getStderr());
                }
                controls();
                here = machine.leaks();
                providerSeen = machine.watchedWithEnvironment();
            }
            Map<String, Integer> ticks = new TreeMap<>();
            List<HostSweep.Sample> onHosts = new ArrayList<>();
            for (HostSweep h : hosts) {
                ticks.put(h.name(), h.stopSampling());
                onHosts.addAll(h.leakedSamples(secrets));
                h.removeSamples();
            }

            // ps: on every host and here, only the controls
            assertTrue(ticks.values().stream().allMatch(t -> t > 20), "each host's ps loop ran through the up: " + ticks);
            assertTrue(providerSeen > 0, "the machine's sampler saw the provider's process with its environment");
            assertEquals(List.of("registry host: [control]"), onHosts.stream().map(x -> x.host() + ": " + x.forms())
                    .distinct().toList(), "the hosts' ps samples hold only the controls: " + onHosts);
            List<String> commands = onHosts.stream().map(HostSweep.Sample::command).toList();
            assertTrue(commands.contains("sh -c") && commands.contains("sleep 0.6"),
                    "the hosts' sampler saw the control's command line and the other control's environment: " + commands);
            assertEquals(List.of("cmdline: [control]", "environ: [control]"), here.stream()
                    .map(l -> l.where() + ": " + l.forms()).sorted().distinct().toList(),
                    "this machine's processes (the provider's included) hold only the controls: " + here);

            // the engine's output at the most verbose level, and the provider's own log
            assertEquals(List.of(), secrets.find(up.stdout()), "pulumi up's stdout");
            // -v=11: the engine's own traces of the properties it marshals show secrets, as Pulumi warns at the top
            // of the log ("log level 11 will print sensitive information"); the rest of its log must not
            assertTrue(up.stderr().contains("log level 11 will print sensitive information"), "Pulumi's own warning");
            String engineLog = PulumiCli.withoutEngineRpcTraces(up.stderr());
            assertEquals(List.of(), secrets.find(engineLog), "pulumi up -v=11's stderr, without the engine's RPC traces");
            assertTrue(engineLog.contains("imagecache provider"), "the provider's stderr reached the CLI's log");
            assertTrue(engineLog.contains("Connecting to "), "the provider's messages reached the CLI's log");
            assertTrue(up.stderr().length() > 100_000, "the log is verbose: " + up.stderr().length() + " characters");
            String providerLog = Files.readString(cli.providerLog(), StandardCharsets.ISO_8859_1);
            assertTrue(providerLog.contains("serving on") && providerLog.contains("Connecting to "), "the provider logged");
            assertEquals(List.of(), secrets.find(providerLog), "the provider's log");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(cli.providerLog())));

            // state: nothing in plain text, each secret a secret
            String export = cli.exportState();
            assertEquals(List.of(), secrets.find(export), "pulumi stack export");
            StateSecrets.assertMarked(JsonParser.parseString(export).getAsJsonObject());

            // docker inspect of every container on the registry host
            List<String> args = new ArrayList<>(List.of("inspect"));
            args.addAll(List.of(registryHost.docker("ps", "-aq").strip().split("\\s+")));
            String inspect = registryHost.docker(args.toArray(String[]::new));
            assertTrue(inspect.contains("registry-ghcr"), inspect);
            assertEquals(List.of(), secrets.find(inspect), "docker inspect of the proxy containers");
            // and of the lab's own containers, from here: the hosts and the upstream
            String labInspect = Proc.run(Path.of("."), Map.of(), 2, List.of("docker", "inspect", registryHost.getContainerId(),
                    node16.getContainerId(), node2.getContainerId(), upstream.getContainerId())).assertOk().output();
            assertTrue(labInspect.contains("LAB_ROLE=node"), "docker inspect shows the lab hosts' environment");
            assertEquals(List.of(), secrets.find(labInspect), "docker inspect of the lab's hosts and upstream");

            // files: the proxy's config only, 0600 root; modes and owners of all we wrote
            Map<String, List<HostSweep.HostFile>> files = new TreeMap<>();
            for (HostSweep h : hosts) {
                files.put(h.name(), h.changedFiles());
            }
            assertEquals(List.of("registry host:" + CONFIG + " [upstream password]"), withSecrets(files),
                    "the proxy's config.yml is the only file on any host with a secret (and the sweep finds it there)");
            assertModes(files);
            assertEquals(List.of(), machineFiles(cli.root(), since), "files in the stack's directories and /tmp here");

            // -v=10, where Pulumi says it avoids exposing known credentials: its engine still traces the secrets it
            // marshals to the provider for Delete (its own lines, as at 11); nothing else in the log may hold one
            PulumiCli.Result destroy = cli.run("destroy", "--yes", "--non-interactive", "--color=never", "--skip-preview",
                    "-v=10", "--logtostderr", "--logflow").assertOk();
            assertEquals(List.of(), secrets.find(destroy.stdout()), "pulumi destroy's output");
            assertTrue(Set.of("Marshaling property for RPC", "Unmarshaling property for RPC")
                    .containsAll(linesWithSecrets(destroy.stderr())), "the kinds of line in pulumi destroy -v=10's log that hold a"
                    + " secret are only the engine's RPC traces: " + linesWithSecrets(destroy.stderr()));
            String destroyLog = PulumiCli.withoutEngineRpcTraces(destroy.stderr());
            assertTrue(destroyLog.contains("Connecting to "), "the provider's messages reached the CLI's log");
            assertEquals(List.of(), secrets.find(destroyLog), "pulumi destroy -v=10's log, without the engine's RPC traces");
            Map<String, List<HostSweep.HostFile>> after = new TreeMap<>();
            after.put("registry host", hosts.get(0).changedFiles());
            assertEquals(List.of(), withSecrets(after), "destroy removes the config and with it the only copy");
            assertFalse(registryHost.sh("ls -A /etc/imagecache/ghcr 2>/dev/null || true").contains("config.yml"));
        }
    }

    /**
     * A secret on a command line and in an environment, on the registry host and here, for as long as a short
     * command runs: what the samplers must find.
     */
    private static void controls() throws IOException, InterruptedException {
        ExecResult r = registryHost.exec("env", "SWEEP_CONTROL=" + CONTROL, "sh", "-c", "sleep 2.5", CONTROL);
        assertEquals(0, r.getExitCode(), r.getStderr());
        registryHost.exec("env", "SWEEP_CONTROL=" + CONTROL, "sleep", "0.6");
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", "sleep 1.5", CONTROL);
        pb.environment().put("SWEEP_CONTROL", CONTROL);
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    }

    /** The kinds of line (a log line's message up to its first '[', ':' or '=') in {@code log} that hold a secret. */
    private static List<String> linesWithSecrets(String log) {
        return log.lines().filter(l -> !secrets.find(l).isEmpty()).map(l -> {
            int m = l.indexOf("\"msg\":\"");
            return (m < 0 ? l : l.substring(m + 7)).replaceFirst("[\\[:=].*", "");
        }).map(k -> k.length() > 60 ? k.substring(0, 60) + "..." : k).distinct().sorted().toList();
    }

    private static List<String> withSecrets(Map<String, List<HostSweep.HostFile>> files) {
        List<String> out = new ArrayList<>();
        files.forEach((host, list) -> list.forEach(f -> {
            List<String> found = secrets.find(f.content());
            if (!found.isEmpty()) {
                out.add(host + ":" + f.path() + " " + found);
            }
        }));
        return out;
    }

    /** What DESIGN.md implies for every file the product writes (section 2 and 3), and nothing else written there. */
    private static void assertModes(Map<String, List<HostSweep.HostFile>> files) {
        Map<String, HostSweep.HostFile> reg = byPath(files.get("registry host"));
        assertMode(reg, CONFIG, "600", 0, 0);
        assertMode(reg, "/etc/imagecache/ghcr/.imagecache-owner", "644", 0, 0);
        assertMode(reg, "/var/lib/imagecache/ghcr/.imagecache-owner", "644", 0, 0);
        assertMode(reg, CRON, "644", 0, 0);
        assertTrue(new String(reg.get(CONFIG).content(), StandardCharsets.UTF_8).startsWith("# Managed by imagecache."));
        assertTrue(new String(reg.get(CRON).content(), StandardCharsets.UTF_8).startsWith("# Managed by imagecache."));
        assertEquals(List.of(CONFIG, "/etc/imagecache/ghcr/.imagecache-owner", CRON).stream().sorted().toList(),
                ours(reg, "/etc/"), "what the product wrote under /etc on the registry host");

        Map<String, HostSweep.HostFile> n16 = byPath(files.get("node 1.6"));
        assertMode(n16, NodeHost.CERTS_DIR + "/ghcr.io/hosts.toml", "644", 0, 0);
        assertMode(n16, NodeHost.CONFIG_FILE, "640", 0, 4);
        String backup16 = backupOf(n16, "/etc/containerd/");
        assertMode(n16, backup16, "640", 0, 4);
        assertEquals(List.of(NodeHost.CERTS_DIR + "/ghcr.io/hosts.toml", NodeHost.CONFIG_FILE, backup16).stream().sorted().toList(),
                ours(n16, "/etc/"), "what the product wrote under /etc on the 1.6 node");

        Map<String, HostSweep.HostFile> n2 = byPath(files.get("node 2.x"));
        assertEquals(REAL_CONFIG, node2.sh("readlink " + NodeHost.CONFIG_FILE).strip(), "the link is kept");
        assertMode(n2, NodeHost.CERTS_DIR + "/ghcr.io/hosts.toml", "644", 0, 0);
        assertMode(n2, REAL_CONFIG, "600", 0, 0);
        String backup2 = backupOf(n2, "/etc/containerd/real/");
        assertMode(n2, backup2, "600", 0, 0);
        assertEquals(List.of(NodeHost.CERTS_DIR + "/ghcr.io/hosts.toml", REAL_CONFIG, backup2).stream().sorted().toList(),
                ours(n2, "/etc/"), "what the product wrote under /etc on the 2.x node (as ops, through sudo)");

        files.forEach((host, list) -> list.stream().filter(f -> f.path().contains("imagecache")
                || f.path().startsWith("/etc/containerd/") || f.path().startsWith("/etc/cron.d/")).forEach(f -> {
                    assertFalse(f.path().matches(".*/\\.[^/]*\\.imagecache-[A-Za-z0-9]{6}$"), host + ": a temporary file left: "
                            + f.path());
                    if (!f.path().startsWith("/var/lib/imagecache/ghcr/docker/")) { // the proxy's own cache
                        assertEquals(0, f.uid(), host + ":" + f.path() + " is root's");
                        assertEquals(0, f.mode() & 022, host + ":" + f.path() + " is writable by group or others: " + f.modeOctal());
                    }
                }));
    }

    private static Map<String, HostSweep.HostFile> byPath(List<HostSweep.HostFile> files) {
        return files.stream().collect(Collectors.toMap(HostSweep.HostFile::path, f -> f, (a, b) -> a, TreeMap::new));
    }

    /** The changed files under {@code prefix} that the product's paths name (cron.d, containerd, imagecache). */
    private static List<String> ours(Map<String, HostSweep.HostFile> files, String prefix) {
        return files.keySet().stream().filter(p -> p.startsWith(prefix))
                .filter(p -> p.startsWith("/etc/cron.d/") || p.startsWith("/etc/containerd/") || p.startsWith("/etc/imagecache/"))
                .sorted().toList();
    }

    private static String backupOf(Map<String, HostSweep.HostFile> files, String dir) {
        List<String> b = files.keySet().stream().filter(p -> p.startsWith(dir) && p.substring(dir.length()).matches("config\\.toml\\..+"))
                .toList();
        assertEquals(1, b.size(), "one backup of config.toml in " + dir + ": " + files.keySet());
        return b.get(0);
    }

    private static void assertMode(Map<String, HostSweep.HostFile> files, String path, String mode, long uid, long gid) {
        HostSweep.HostFile f = files.get(path);
        assertTrue(f != null, path + " was written: " + files.keySet());
        assertEquals(mode + " " + uid + ":" + gid, f.modeOctal() + " " + f.uid() + ":" + f.gid(), path + "'s mode and owner");
    }

    /** Files in the stack's own directories, and files in /tmp changed since the up began, that hold a secret. */
    private static List<String> machineFiles(Path root, FileTime since) throws IOException {
        List<String> out = new ArrayList<>();
        List<Path> candidates = new ArrayList<>();
        try (Stream<Path> s = Files.walk(root)) {
            s.filter(Files::isRegularFile).forEach(candidates::add);
        }
        try (Stream<Path> s = Files.find(Path.of(System.getProperty("java.io.tmpdir")), 4,
                (p, a) -> a.isRegularFile() && a.lastModifiedTime().compareTo(since) > 0 && a.size() < 64L << 20)) {
            s.forEach(candidates::add);
        } catch (UncheckedIOException e) {
            // another test's file went away while walking: the stack's own ones were read above
        }
        for (Path p : candidates) {
            try {
                List<String> found = secrets.find(Files.readAllBytes(p));
                if (!found.isEmpty()) {
                    out.add(p + " " + found);
                }
            } catch (IOException e) {
                // gone meanwhile
            }
        }
        return out;
    }

    private static String random(String prefix) {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        SecureRandom r = new SecureRandom();
        StringBuilder sb = new StringBuilder(prefix);
        for (int i = 0; i < 22; i++) {
            sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
