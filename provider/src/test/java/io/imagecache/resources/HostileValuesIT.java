package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import io.imagecache.lab.registry.TokenServer;
import io.imagecache.maintenance.MaintenanceCron;
import io.imagecache.maintenance.MaintenancePlan;
import io.imagecache.registry.RegistryClient;
import io.imagecache.resources.MirrorTypes.ClientCertificate;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Context;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.CommandLine;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.ssh.jsch.JschRemoteHostFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.schema.FailsafeSchema;
import org.testcontainers.containers.Container.ExecResult;
import org.tomlj.Toml;
import org.tomlj.TomlArray;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * Hostile values that pass Check, applied for real: a RegistryProxy, its MaintenanceSchedule and a ContainerdMirror
 * whose names, paths, URLs, credentials, headers and schedules carry quotes, {@code $()}, backticks, shell and
 * TOML/YAML/cron metacharacters, line breaks, NUL, Unicode line separators and names at their longest, on one Docker
 * host and one containerd node (both with {@link LabHost#withCommandRecorder()}: every command their sshd runs is
 * recorded). First the Check of each resource sorts the candidates into accepted and refused; then the accepted ones
 * are applied and the test asserts: no payload ran (no {@code pwned-*} file, and a {@code find} of both hosts before
 * and after shows only the files the resources make); every recorded command carries each value only as literal text
 * for sh ({@link ShellWords}), and the credentials in none; config.yml, hosts.toml, config.toml and the cron file parse
 * back (snakeyaml-engine, tomlj, MaintenanceCron) to exactly the values given; a pull through the proxy works, the
 * proxy logging in upstream with the hostile user name and password (the token server saw them); the cron file's
 * restart job runs as cron would; and delete removes exactly what was made. Controls show that the recorder records, an
 * unquoted value is caught, and a payload that does run is seen.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HostileValuesIT {
    /** What a value would create if it reached a shell bare: each payload names its own file. */
    static String pwn(String tag) {
        return "$(touch /tmp/pwned-" + tag + ")`touch /tmp/pwned-" + tag + "-bt`$(touch pwned-" + tag + "-rel)";
    }

    static final List<String> PWNED_NAMES = Stream.of("user", "pass", "certs", "hdr", "ca", "cert", "key", "control")
            .flatMap(t -> Stream.of("pwned-" + t, "pwned-" + t + "-bt", "pwned-" + t + "-rel")).toList();

    /** upstream.name at its longest (63): the container is registry-<name>, 72 characters with . _ and -. */
    static final String NAME = ("h0stile_proxy.with-dots_and.under_scores-" + "x._-".repeat(6)).substring(0, 62) + "z";
    static final String CONTAINER = "registry-" + NAME;
    /** A registry name with a port and dashes, as image names carry it. */
    static final String REGISTRY = "hostile-reg-01.lab-example:5443";
    static final String USER = "h'o\"s$t`i;l&e|u(s)e<r>\\ " + pwn("user") + " #{a} [b] *?! %s ~ \u00fc\u6f22 " + "u".repeat(200);
    static final String PASSWORD = "p'a\"s$s`w;o&r|d\\ " + pwn("pass") + "\nsecond line\ttab\r# {a: b} [c] *d &e !f %g @h: i"
            + " \u0000nul\u007fdel\u0085nel\u2028ls\u2029ps\ufeffbom \u00fc\u6f22\ud83d\ude00 end";
    static final String DATA_DIR = "/srv/ic-hostile/d+a@t.a_-dir/" + "l".repeat(200) + "/" + "o".repeat(255) + "/-n";
    static final String CONFIG_DIR = "/etc/ic-hostile/c+o@n.f_-/" + "x".repeat(240);
    static final String CRON_DIR = "/etc/ic-hostile-cron/h+o@s.t_-";
    /** Fields with steps, lists, ranges and names in both cases (December: neither job matches the test's day anyway). */
    static final String GC = "*/7 1-5,22 */2 jan-mar,OCT MON-fri";
    static final String RESTART = "7,19,31,43,55 */3 * * *";
    static final String CERTS_DIR = "/etc/containerd/certs.d/h o'st" + pwn("certs") + ";&|*?[x]#=,{y}\u00fc/" + "c".repeat(255);
    static final String HEADER_NAME = "X-H'o`s$t|&#!*^~";
    static final String HEADER_VALUE = "v'a\"l" + pwn("hdr") + ";\\ \t#x = [y] {z}";
    static final String CA_REGISTRY = "hostile-ca.lab-example";
    static final String CA_ENDPOINT = "https://10.255.0.1:5443/v2/p'a;t$(id)&y=z+w,!*@x";
    static final String CA = "/etc/ssl/h o'st\"" + pwn("ca") + "\n#[ca] = \"x\".pem";
    static final String CLIENT_CERT = "/etc/ssl/c'e\"r\\t" + pwn("cert") + ".pem";
    static final String CLIENT_KEY = "/etc/ssl/k$HOME" + pwn("key") + ".key";
    static final String V6_REGISTRY = "[fd00::1]:5000";
    /** The longest registry a hosts.toml directory can be named after: 255 characters. */
    static final String LONG_REGISTRY = "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(57)
            + ":65535";
    /** Resource names in the URNs (they end up, encoded, in owner lines and labels). */
    static final String URN_NAME = "h'o$(touch /tmp/pwned-urn)`id`;\n\u00fc";

    static LabNetwork network;
    static DockerHost docker;
    static NodeHost node;
    static TokenServer tokens;
    static LocalRegistry upstream;
    static ImageSeeder.Pushed image;
    static RegistryProxy proxies;
    static MaintenanceSchedule schedules;
    static ContainerdMirror mirrors;
    static RegistryProxy.Args proxyArgs;
    static MaintenanceSchedule.Args scheduleArgs;
    static ContainerdMirror.Args mirrorArgs;
    static RegistryProxy.State proxyState;
    static MaintenanceSchedule.State scheduleState;
    static ContainerdMirror.State mirrorState;
    static Set<String> dockerBefore;
    static Set<String> nodeBefore;
    static int dockerMark;
    static int nodeMark;
    static final List<String> REPORT = new ArrayList<>();

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        docker = new DockerHost(network);
        docker.withCommandRecorder();
        node = NodeHost.containerd16(network);
        node.withCommandRecorder();
        Stream.of(docker, node).parallel().forEach(LabHost::start);
        tokens = TokenServer.start(USER, PASSWORD);
        upstream = LocalRegistry.token(tokens).startedOn(network);
        image = ImageSeeder.to(upstream.url(), USER, PASSWORD).dockerImage("org/app", "1", "behind hostile credentials");
        proxies = new RegistryProxy(new JschRemoteHostFactory(), Optional::empty, RegistryClient.create());
        schedules = new MaintenanceSchedule(new JschRemoteHostFactory(), Optional::empty);
        mirrors = new ContainerdMirror(new JschRemoteHostFactory(), Optional::empty, Clock.systemUTC());
        proxyArgs = new RegistryProxy.Args(conn(docker), new UpstreamArgs(NAME, REGISTRY, upstream.networkUrl() + "/", 5443,
                USER, PASSWORD, null), DockerHost.REGISTRY_IMAGE, "0.0.0.0", DATA_DIR, CONFIG_DIR, true, 120);
        scheduleArgs = new MaintenanceSchedule.Args(conn(docker), CONTAINER, v6Upstream(), GC, false, RESTART, CRON_DIR);
        mirrorArgs = new ContainerdMirror.Args(conn(node), List.of(
                new ContainerdMirror.MirrorArgs(REGISTRY, List.of("http://" + docker.ip() + ":5443"), "http://127.0.0.1:9",
                        null, null, null, null, null, null, Map.of(HEADER_NAME, List.of(HEADER_VALUE)), null),
                new ContainerdMirror.MirrorArgs(CA_REGISTRY, List.of(CA_ENDPOINT), null, List.of("pull", "resolve"), null,
                        List.of(CA), true, null, List.of(new ClientCertificate(CLIENT_CERT, CLIENT_KEY)), null, null),
                new ContainerdMirror.MirrorArgs(V6_REGISTRY, List.of("http://" + V6_REGISTRY), null, null, null, null, null,
                        null),
                new ContainerdMirror.MirrorArgs(LONG_REGISTRY, List.of("http://127.0.0.1:1"), null, null, null, null, null,
                        null)),
                CERTS_DIR, NodeHost.CONFIG_FILE, "systemctl restart containerd", 60, 120);
    }

    @AfterAll
    static void stop() throws Exception {
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "hostile-values.tsv"), REPORT, StandardCharsets.UTF_8);
        for (AutoCloseable c : new AutoCloseable[] {upstream, tokens, node, docker, network}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    static ConnectionArgs conn(LabHost h) {
        return new ConnectionArgs(h.ip(), 22, "root", h.rootKey().privateKey(), null, null, null, null, 10, 3, 1, false);
    }

    /** The upstream as an IPv4-mapped IPv6 literal: brackets, which sh and curl would take for a glob. */
    static String v6Upstream() {
        return "http://[::ffff:" + upstream.ipAddress() + "]:5000";
    }

    static <A> Decoded<A> d(A a) {
        return new Decoded<>(a, Set.of(), Set.of(), List.of());
    }

    static String urn(String type) {
        return "urn:pulumi:hostile::proj::imagecache:index:" + type + "::" + URN_NAME;
    }

    // --- phase 1: what Check accepts -------------------------------------------------------------------

    /** One candidate: the value, where it goes, and whether Check lets it through (refusals name {@code property}). */
    record Candidate<A>(String what, String property, boolean accepted, Function<A, A> apply) {}

    static RegistryProxy.Args withUpstream(RegistryProxy.Args a, Function<UpstreamArgs, UpstreamArgs> f) {
        return new RegistryProxy.Args(a.connection(), f.apply(a.upstream()), a.image(), a.bindAddress(), a.dataDir(),
                a.configDir(), a.purgeDataOnDelete(), a.healthTimeoutSeconds());
    }

    static UpstreamArgs up(UpstreamArgs u, String name, String registry, String remote, String user, String password) {
        return new UpstreamArgs(name == null ? u.name() : name, registry == null ? u.registry() : registry,
                remote == null ? u.remoteUrl() : remote, u.port(), user == null ? u.username() : user,
                password == null ? u.password() : password, u.ttl());
    }

    static RegistryProxy.Args dirs(RegistryProxy.Args a, String data, String config) {
        return new RegistryProxy.Args(a.connection(), a.upstream(), a.image(), a.bindAddress(), data == null ? a.dataDir() : data,
                config == null ? a.configDir() : config, a.purgeDataOnDelete(), a.healthTimeoutSeconds());
    }

    static MaintenanceSchedule.Args sched(MaintenanceSchedule.Args a, String container, String url, String gc, String dir) {
        return new MaintenanceSchedule.Args(a.connection(), container == null ? a.containerName() : container,
                url == null ? a.upstreamUrl() : url, gc == null ? a.gcSchedule() : gc, a.gcDeleteUntagged(),
                a.restartSchedule(), dir == null ? a.cronDir() : dir);
    }

    static ContainerdMirror.Args certs(ContainerdMirror.Args a, String dir) {
        return new ContainerdMirror.Args(a.connection(), a.mirrors(), dir, a.configFile(), a.restartCommand(),
                a.criTimeoutSeconds(), a.restartTimeoutSeconds());
    }

    static ContainerdMirror.Args first(ContainerdMirror.Args a, Function<ContainerdMirror.MirrorArgs, ContainerdMirror.MirrorArgs> f) {
        List<ContainerdMirror.MirrorArgs> m = new ArrayList<>(a.mirrors());
        m.set(0, f.apply(m.get(0)));
        return new ContainerdMirror.Args(a.connection(), m, a.certsDir(), a.configFile(), a.restartCommand(),
                a.criTimeoutSeconds(), a.restartTimeoutSeconds());
    }

    static ContainerdMirror.MirrorArgs mirror(String registry, String endpoint, Map<String, List<String>> header) {
        return new ContainerdMirror.MirrorArgs(registry, List.of(endpoint), "http://127.0.0.1:9", null, null, null, null, null,
                null, header, null);
    }

    static <A extends Record> void sort(String type, CustomResource<A, ?> r, A base, List<Candidate<A>> candidates) {
        assertEquals(List.of(), r.check(d(base)), type + ": the hostile base itself passes Check");
        for (Candidate<A> c : candidates) {
            List<CheckFailure> f = r.check(d(c.apply().apply(base)));
            REPORT.add(String.join("\t", type, c.property(), c.what(), f.isEmpty() ? "accepted"
                    : "refused: " + f.get(0).property() + ": " + f.get(0).reason().replace("\n", "\\n")));
            if (c.accepted()) {
                assertEquals(List.of(), f, type + " " + c.what());
            } else {
                assertFalse(f.isEmpty(), type + " " + c.what() + " was accepted");
                assertTrue(f.stream().allMatch(x -> x.property().startsWith(c.property())), c.what() + ": " + f);
            }
        }
    }

    @Test
    @Order(1)
    void checkSortsTheCandidatesAndContactsNoHost() {
        long dockerSsh = docker.sshConnections();
        long nodeSsh = node.sshConnections();
        String c256 = "c".repeat(256);
        sort("RegistryProxy", proxies, proxyArgs, List.of(
                new Candidate<>("name of 63 with . _ -", "upstream.name", true, a -> a),
                new Candidate<>("name of 64", "upstream.name", false, a -> withUpstream(a, u -> up(u, NAME + "x", null, null, null, null))),
                new Candidate<>("name with $()", "upstream.name", false, a -> withUpstream(a, u -> up(u, "a$(id)", null, null, null, null))),
                new Candidate<>("registry with ;", "upstream.registry", false, a -> withUpstream(a, u -> up(u, null, "r;id", null, null, null))),
                new Candidate<>("registry with '", "upstream.registry", false, a -> withUpstream(a, u -> up(u, null, "r'x", null, null, null))),
                new Candidate<>("remoteUrl with '", "upstream.remoteUrl", false, a -> withUpstream(a, u -> up(u, null, null, "http://h/'x", null, null))),
                new Candidate<>("remoteUrl with ;", "upstream.remoteUrl", false, a -> withUpstream(a, u -> up(u, null, null, "http://h;id", null, null))),
                new Candidate<>("remoteUrl with a query", "upstream.remoteUrl", false, a -> withUpstream(a, u -> up(u, null, null, "http://h/?q=1", null, null))),
                new Candidate<>("remoteUrl with a user", "upstream.remoteUrl", false, a -> withUpstream(a, u -> up(u, null, null, "http://u:p@h", null, null))),
                new Candidate<>("username with quotes, $(), backticks, ; & | \\ and 200 more", "upstream.username", true, a -> a),
                new Candidate<>("username with :", "upstream.username", false, a -> withUpstream(a, u -> up(u, null, null, null, "a:b", null))),
                new Candidate<>("username with a newline", "upstream.username", false, a -> withUpstream(a, u -> up(u, null, null, null, "a\nb", null))),
                new Candidate<>("password with every metacharacter, newline, NUL, DEL, NEL, LS, PS, BOM", "upstream.password", true, a -> a),
                new Candidate<>("dataDir with + @ . _ - and names of 200 and 255", "dataDir", true, a -> a),
                new Candidate<>("dataDir with a space", "dataDir", false, a -> dirs(a, "/srv/a b", null)),
                new Candidate<>("dataDir with $()", "dataDir", false, a -> dirs(a, "/srv/" + pwn("x"), null)),
                new Candidate<>("dataDir with '", "dataDir", false, a -> dirs(a, "/srv/'q'", null)),
                new Candidate<>("dataDir with ..", "dataDir", false, a -> dirs(a, "/srv/x/../../etc", null)),
                new Candidate<>("dataDir /etc/.", "dataDir", false, a -> dirs(a, "/etc/.", null)),
                new Candidate<>("dataDir with a trailing /", "dataDir", false, a -> dirs(a, "/srv/x/", null)),
                new Candidate<>("dataDir with a name of 256", "dataDir", false, a -> dirs(a, "/srv/" + c256, null)),
                new Candidate<>("configDir with a backtick", "configDir", false, a -> dirs(a, null, "/etc/ic/`id`"))));
        String tooLong = "r" + "._".repeat(63) + "x";
        sort("MaintenanceSchedule", schedules, scheduleArgs, List.of(
                new Candidate<>("container name of 72 with . _ -", "containerName", true, a -> a),
                new Candidate<>("container name of 128 whose cron file passes 255", "containerName", false, a -> sched(a, tooLong, null, null, null)),
                new Candidate<>("container name with $()", "containerName", false, a -> sched(a, "r$(id)", null, null, null)),
                new Candidate<>("upstreamUrl an IPv6 literal [::ffff:...]", "upstreamUrl", true, a -> a),
                new Candidate<>("upstreamUrl with %", "upstreamUrl", false, a -> sched(a, null, "http://h/%0a", null, null)),
                new Candidate<>("upstreamUrl with $()", "upstreamUrl", false, a -> sched(a, null, "http://h/$(id)", null, null)),
                new Candidate<>("gcSchedule with */7, lists, ranges, names", "gcSchedule", true, a -> a),
                new Candidate<>("gcSchedule with % (cron's newline)", "gcSchedule", false, a -> sched(a, null, null, "0 3 * * 0 %", null)),
                new Candidate<>("gcSchedule @reboot", "gcSchedule", false, a -> sched(a, null, null, "@reboot", null)),
                new Candidate<>("gcSchedule with a second line", "gcSchedule", false, a -> sched(a, null, null, "0 3 * * 0\n* * * * * root id", null)),
                new Candidate<>("cronDir with + @ . _ -", "cronDir", true, a -> a),
                new Candidate<>("cronDir with ..", "cronDir", false, a -> sched(a, null, null, null, "/etc/cron.d/../x"))));
        sort("ContainerdMirror", mirrors, mirrorArgs, List.of(
                new Candidate<>("certsDir with a space, ', $(), backticks, ; & | * ? [ ] # = , { } and a name of 255", "certsDir", true, a -> a),
                new Candidate<>("certsDir with \"", "certsDir", false, a -> certs(a, "/etc/c\"d")),
                new Candidate<>("certsDir with \\", "certsDir", false, a -> certs(a, "/etc/c\\d")),
                new Candidate<>("certsDir with a newline", "certsDir", false, a -> certs(a, "/etc/c\nd")),
                new Candidate<>("certsDir with ..", "certsDir", false, a -> certs(a, "/etc/x/../y")),
                new Candidate<>("certsDir with a name of 256", "certsDir", false, a -> certs(a, "/etc/" + c256)),
                new Candidate<>("registry with a port and dashes", "mirrors[0].registry", true, a -> a),
                new Candidate<>("registry of 255, an IPv6 literal", "mirrors", true, a -> a),
                new Candidate<>("registry of 259", "mirrors[0].registry", false, a -> first(a, m -> mirror(LONG_REGISTRY.replace(":65535",
                        "dddd:65535"), "http://10.0.0.1:5000", null))),
                new Candidate<>("registry with $()", "mirrors[0].registry", false, a -> first(a, m -> mirror("r$(id)", "http://10.0.0.1:5000", null))),
                new Candidate<>("registry ../etc", "mirrors[0].registry", false, a -> first(a, m -> mirror("../etc", "http://10.0.0.1:5000", null))),
                new Candidate<>("header name and value with quotes, $(), backticks, tab", "mirrors[0].header", true, a -> a),
                new Candidate<>("header value with a newline", "mirrors[0]", false, a -> first(a, m -> mirror(REGISTRY,
                        "http://10.0.0.1:5000", Map.of("X-A", List.of("a\nb"))))),
                new Candidate<>("header name with a space", "mirrors[0]", false, a -> first(a, m -> mirror(REGISTRY,
                        "http://10.0.0.1:5000", Map.of("X A", List.of("a"))))),
                new Candidate<>("ca and client paths with a newline, quotes, $(), backticks", "mirrors[1]", true, a -> a),
                new Candidate<>("endpoint path with ' ; $() & = + , ! * @", "mirrors[1]", true, a -> a),
                new Candidate<>("endpoint with a backtick", "mirrors[0].endpoints[0]", false, a -> first(a, m -> mirror(REGISTRY,
                        "http://10.0.0.1:5000/`id`", null))),
                new Candidate<>("endpoint with a space", "mirrors[0].endpoints[0]", false, a -> first(a, m -> mirror(REGISTRY,
                        "http://10.0.0.1:5000/a b", null))),
                new Candidate<>("endpoint with \"", "mirrors[0].endpoints[0]", false, a -> first(a, m -> mirror(REGISTRY,
                        "http://10.0.0.1:5000/a\"b", null)))));
        assertEquals(dockerSsh, docker.sshConnections(), "Check connected to the Docker host");
        assertEquals(nodeSsh, node.sshConnections(), "Check connected to the node");
    }

    // --- the detectors and their controls ----------------------------------------------------------------

    /** Every path on the host, except the kernel's and the daemons' own state (volumes: -xdev). */
    static Set<String> files(LabHost h) {
        ExecResult r = h.exec("sh", "-c", "find / -xdev \\( -path /proc -o -path /sys -o -path /dev -o -path /run "
                + "-o -path /var/log/journal \\) -prune -o -print0");
        assertEquals(0, r.getExitCode(), r.getStderr());
        return new TreeSet<>(Arrays.asList(r.getStdout().split("\u0000")));
    }

    /** The payload files anywhere on the host (exact names: a directory named after a payload is no payload). */
    static List<String> pwned(LabHost h) {
        String names = PWNED_NAMES.stream().map(n -> "-name " + n).collect(Collectors.joining(" -o "));
        ExecResult r = h.exec("sh", "-c", "find / \\( -path /proc -o -path /sys \\) -prune -o \\( " + names
                + " -o -name pwned-urn \\) -print");
        return r.getStdout().lines().filter(l -> !l.isBlank()).toList();
    }

    /** Paths that are new on the host since {@code before}, minus the noise of sshd and cron. */
    static Set<String> added(LabHost h, Set<String> before) {
        Set<String> now = files(h);
        now.removeAll(before);
        now.removeIf(p -> p.startsWith("/var/log/") && !p.contains("imagecache"));
        return now;
    }

    /** The commands the host's sshd ran from {@code mark} on (an index into {@link LabHost#recordedCommands()}). */
    static List<String> commands(LabHost h, int mark) {
        List<LabHost.RecordedCommand> all = h.recordedCommands();
        return all.subList(mark, all.size()).stream().map(LabHost.RecordedCommand::command).toList();
    }

    /** What sh reads of a command the SSH layer sent: {@code [sudo -n] sh -c '<script>'} -> the script. */
    static String script(String command) {
        List<ShellWords.Word> w = ShellWords.split(command);
        int c = w.stream().map(ShellWords.Word::text).toList().indexOf("-c");
        assertTrue(c >= 1 && w.get(c - 1).text().equals("sh") && c + 2 == w.size(), "not sh -c '<script>': " + command);
        return w.get(c + 1).text();
    }

    @Test
    @Order(2)
    void controlsTheRecorderRecordsAnUnquotedValueIsCaughtAndAPayloadThatRanIsSeen() throws Exception {
        Set<String> before = files(node);
        int mark = node.recordedCommands().size();
        String marker = "recorder-control " + System.nanoTime();
        String bare = "/srv/" + pwn("control");
        try (RemoteHost h = Connections.open(new JschRemoteHostFactory(), conn(node), Map.of(), Optional::empty,
                ObservedContext.create())) {
            assertEquals(marker + "\n", h.exec(CommandLine.of("echo", marker)).stdout());
            h.exec(CommandLine.script("echo " + bare)); // a value put in a script bare: the payload runs
        }
        List<String> cmds = commands(node, mark);
        assertEquals(2, cmds.size(), cmds.toString());
        assertTrue(script(cmds.get(0)).endsWith("echo '" + marker + "'"), cmds.get(0));
        assertEquals(Optional.empty(), ShellWords.unsafeUse(cmds.get(0), marker));
        assertTrue(ShellWords.unsafeUse(cmds.get(1), bare).isPresent(), "the analysis catches the bare value: " + cmds.get(1));
        assertEquals(List.of("/root/pwned-control-rel", "/tmp/pwned-control", "/tmp/pwned-control-bt"),
                pwned(node).stream().sorted().toList(), "the payload check sees what ran");
        assertEquals(Set.of("/root/pwned-control-rel", "/tmp/pwned-control", "/tmp/pwned-control-bt"), added(node, before),
                "the find before/after sees it");
        node.sh("rm -f /tmp/pwned-control /tmp/pwned-control-bt /root/pwned-control-rel");
        assertEquals(List.of(), pwned(node));
        assertEquals(Set.of(), added(node, before), "and nothing else: the SSH sessions leave no file behind");
    }

    // --- phase 2: apply for real -------------------------------------------------------------------------

    @Test
    @Order(3)
    void theAcceptedValuesApplyOnTheDockerHostAndTheNode() throws ResourceException {
        dockerBefore = files(docker);
        nodeBefore = files(node);
        dockerMark = docker.recordedCommands().size();
        nodeMark = node.recordedCommands().size();
        Context ctx = ObservedContext.create();
        proxyState = proxies.create(new CustomResource.CreateRequest<>(urn("RegistryProxy"), URN_NAME, d(proxyArgs), false,
                ctx)).state();
        assertTrue(proxyState.healthy(), "the proxy answers");
        assertEquals(CONTAINER, proxyState.containerName());
        scheduleState = schedules.create(new CustomResource.CreateRequest<>(urn("MaintenanceSchedule"), URN_NAME,
                d(scheduleArgs), false, ctx)).state();
        mirrorState = mirrors.create(new CustomResource.CreateRequest<>(urn("ContainerdMirror"), URN_NAME, d(mirrorArgs), false,
                ctx)).state();
        assertTrue(node.criLoaded(), "containerd came back with config_path at the hostile directory");
        assertEquals(List.of(), pwned(docker), "no payload ran on the Docker host");
        assertEquals(List.of(), pwned(node), "no payload ran on the node");
    }

    @Test
    @Order(4)
    void aPullThroughTheProxyWorksAndTheProxyLoggedInUpstreamWithTheHostileCredentials() {
        int issued = tokens.issued().size();
        ExecResult pull = node.crictl("pull", REGISTRY + "/org/app:1");
        assertEquals(0, pull.getExitCode(), pull.getStderr());
        assertTrue(node.crictl("images", "--digests").getStdout().contains(image.digest().substring(7, 20)),
                "the image pulled is the upstream's");
        List<TokenServer.Issued> now = tokens.issued().subList(issued, tokens.issued().size());
        assertTrue(now.stream().anyMatch(t -> t.subject().equals(USER) && t.scopes().contains("repository:org/app:pull")),
                "the proxy got a token as the hostile user with the hostile password, as distribution read them: " + now);
        assertTrue(docker.docker("logs", CONTAINER).contains("org/app"), "the pull went through the proxy");
    }

    @Test
    @Order(5)
    void everyFileParsesBackToExactlyTheValuesGiven() {
        // config.yml: distribution's, 0600
        String yml = docker.readFile(proxyState.configFile());
        assertEquals(CONFIG_DIR + "/config.yml", proxyState.configFile());
        assertEquals("600 root", docker.sh("stat -c '%a %U' " + CommandLine.quote(proxyState.configFile())).strip());
        Map<?, ?> proxy = (Map<?, ?>) ((Map<?, ?>) new Load(LoadSettings.builder().setSchema(new FailsafeSchema()).build())
                .loadFromString(yml)).get("proxy");
        assertEquals(USER, proxy.get("username"));
        assertEquals(PASSWORD, proxy.get("password"));
        assertEquals(upstream.networkUrl() + "/", proxy.get("remoteurl"));
        assertEquals(Optional.of(CONTAINER), ProxyMarker.parse(docker.readFile(ProxyMarker.path(DATA_DIR))).map(ProxyMarker::owner));
        assertEquals(Optional.of(CONTAINER), ProxyMarker.parse(docker.readFile(ProxyMarker.path(CONFIG_DIR))).map(ProxyMarker::owner));
        assertEquals(DATA_DIR, docker.docker("inspect", "-f", "{{range .Mounts}}{{if eq .Destination \"/var/lib/registry\"}}"
                + "{{.Source}}{{end}}{{end}}", CONTAINER).strip(), "Docker mounts the hostile dataDir as given");

        // hosts.toml of each registry
        TomlParseResult hub = toml(node.readFile(hostsPath(REGISTRY)));
        assertEquals("http://127.0.0.1:9", hub.getString("server"));
        TomlTable host = hub.getTable(List.of("host", "http://" + docker.ip() + ":5443"));
        assertTrue(host != null, hub.toJson());
        assertEquals(HEADER_VALUE, host.getTable("header").getString(List.of(HEADER_NAME)));
        TomlParseResult ca = toml(node.readFile(hostsPath(CA_REGISTRY)));
        TomlTable caHost = ca.getTable(List.of("host", CA_ENDPOINT));
        assertTrue(caHost != null, ca.toJson());
        assertEquals(List.of(CA), caHost.getArray("ca").toList());
        TomlArray client = caHost.getArray("client");
        assertEquals(List.of(CLIENT_CERT, CLIENT_KEY), client.getArray(0).toList());
        assertEquals(Boolean.TRUE, caHost.getBoolean("override_path"));
        assertTrue(toml(node.readFile(hostsPath(V6_REGISTRY))).getTable(List.of("host", "http://" + V6_REGISTRY)) != null);
        assertTrue(toml(node.readFile(hostsPath(LONG_REGISTRY))).getTable(List.of("host", "http://127.0.0.1:1")) != null);
        assertEquals(Set.of(REGISTRY, CA_REGISTRY, V6_REGISTRY, LONG_REGISTRY), mirrorState.hostsFiles().keySet());

        // config.toml points at the hostile directory, and containerd runs with it
        TomlParseResult config = toml(node.readFile(NodeHost.CONFIG_FILE));
        assertEquals(CERTS_DIR, config.getString(List.of("plugins", "io.containerd.grpc.v1.cri", "registry", "config_path")));

        // the cron file: the schedules as given, and what cron hands to sh quotes every value
        String cron = docker.readFile(scheduleState.cronFile());
        MaintenancePlan plan = MaintenanceCron.parse(cron).orElseThrow();
        assertEquals(new MaintenancePlan(CONTAINER, v6Upstream(), GC, false, RESTART), plan);
        assertTrue(cron.contains("\n" + GC + " root "), cron);
        assertTrue(cron.contains("\n" + RESTART + " root "), cron);
        for (String line : cron.split("\n")) {
            if (line.contains(" root ")) {
                String sh = MaintenanceCron.asCronRunsIt(line.substring(line.indexOf(" root ") + 6));
                for (String v : List.of(CONTAINER, v6Upstream() + "/v2/")) {
                    assertEquals(Optional.empty(), ShellWords.unsafeUse(sh, v), "cron's command for " + v);
                }
            }
        }
    }

    static String hostsPath(String registry) {
        return CERTS_DIR + "/" + registry + "/hosts.toml";
    }

    static TomlParseResult toml(String text) {
        TomlParseResult r = Toml.parse(text);
        assertEquals(List.of(), r.errors(), text);
        return r;
    }

    /** The restart job of the cron file, run as cron runs it: it probes the IPv6-literal URL and restarts the proxy. */
    @Test
    @Order(6)
    void theCronFilesRestartJobRunsAsCronWouldRunIt() {
        String cron = docker.readFile(scheduleState.cronFile());
        String line = cron.lines().filter(l -> l.startsWith(RESTART + " root ")).findFirst().orElseThrow();
        String started = docker.docker("inspect", "-f", "{{.State.StartedAt}}", CONTAINER).strip();
        ExecResult r = docker.exec("/bin/sh", "-c", MaintenanceCron.asCronRunsIt(line.substring((RESTART + " root ").length())));
        assertEquals(0, r.getExitCode(), r.getStderr());
        String log = docker.readFile(plan().logFile());
        assertTrue(log.contains("restart: done"), "the probe of " + v6Upstream() + " answered and the proxy restarted: " + log);
        assertFalse(started.equals(docker.docker("inspect", "-f", "{{.State.StartedAt}}", CONTAINER).strip()), "restarted");
        assertEquals(List.of(), pwned(docker));
    }

    static MaintenancePlan plan() {
        return MaintenanceSchedule.plan(scheduleArgs);
    }

    @Test
    @Order(7)
    void everyRecordedCommandCarriesEachValueAsLiteralTextAndTheCredentialsNowhere() {
        List<String> onDocker = commands(docker, dockerMark);
        List<String> onNode = commands(node, nodeMark);
        assertFalse(onDocker.isEmpty() || onNode.isEmpty(), "the recorder saw the applies");
        Map<String, List<String>> values = new LinkedHashMap<>();
        values.put("docker", List.of(NAME, CONTAINER, REGISTRY, DATA_DIR, CONFIG_DIR, CONFIG_DIR + "/config.yml", CRON_DIR,
                scheduleState.cronFile(), upstream.networkUrl() + "/", URN_NAME));
        values.put("node", List.of(CERTS_DIR, REGISTRY, CA_REGISTRY, V6_REGISTRY, LONG_REGISTRY, hostsPath(REGISTRY),
                hostsPath(V6_REGISTRY), HEADER_NAME, HEADER_VALUE, CA, CLIENT_CERT, CLIENT_KEY, CA_ENDPOINT, URN_NAME));
        for (String where : values.keySet()) {
            List<String> cmds = where.equals("docker") ? onDocker : onNode;
            for (String v : values.get(where)) {
                for (String c : cmds) {
                    assertEquals(Optional.empty(), ShellWords.unsafeUse(c, v), where + ": " + v);
                }
            }
            for (String secret : List.of(USER, PASSWORD, PASSWORD.substring(0, 20), "second line")) {
                assertTrue(cmds.stream().noneMatch(c -> c.contains(secret)), where + ": a credential on a command line");
            }
        }
        // the analysis looked at the values where they are: each of these travels in commands
        for (String v : List.of(DATA_DIR, CONFIG_DIR, CONTAINER, scheduleState.cronFile())) {
            assertTrue(onDocker.stream().anyMatch(c -> ShellWords.reads(script(c)).contains(v)), "no command on the Docker host names " + v);
        }
        for (String v : List.of(CERTS_DIR, hostsPath(REGISTRY), hostsPath(LONG_REGISTRY))) {
            assertTrue(onNode.stream().anyMatch(c -> ShellWords.reads(script(c)).contains(v)), "no command on the node names " + v);
        }
        REPORT.add("recorded\tdocker\t" + onDocker.size() + " commands\tnode\t" + onNode.size() + " commands");
    }

    @Test
    @Order(8)
    void onlyTheExpectedFilesWereMade() {
        Set<String> d = added(docker, dockerBefore);
        String logFile = plan().logFile();
        for (String p : d) {
            assertTrue(p.startsWith("/srv/ic-hostile") || p.startsWith("/etc/ic-hostile") || p.equals(logFile),
                    "an unexpected file on the Docker host: " + p + " (all new: " + d + ")");
        }
        assertTrue(d.contains(DATA_DIR + "/" + ProxyMarker.FILE) && d.contains(CONFIG_DIR + "/config.yml")
                && d.contains(scheduleState.cronFile()), d.toString());
        Set<String> n = added(node, nodeBefore);
        for (String p : n) {
            assertTrue(p.startsWith("/etc/containerd/certs.d/h o'st") || p.startsWith(NodeHost.CONFIG_FILE + "."),
                    "an unexpected file on the node: " + p + " (all new: " + n + ")");
        }
        assertTrue(n.contains(hostsPath(REGISTRY)) && n.contains(hostsPath(LONG_REGISTRY)), n.toString());
    }

    // --- phase 3: delete ---------------------------------------------------------------------------------

    @Test
    @Order(9)
    void deleteRemovesExactlyWhatWasMade() throws ResourceException {
        Context ctx = ObservedContext.create();
        mirrors.delete(new CustomResource.DeleteRequest<>("id", urn("ContainerdMirror"), mirrorArgs, mirrorState, ctx));
        schedules.delete(new CustomResource.DeleteRequest<>("id", urn("MaintenanceSchedule"), scheduleArgs, scheduleState, ctx));
        proxies.delete(new CustomResource.DeleteRequest<>("id", urn("RegistryProxy"), proxyArgs, proxyState, ctx));
        assertFalse(docker.docker("ps", "-a", "--format", "{{.Names}}").contains(CONTAINER), "the container is gone");
        Set<String> d = added(docker, dockerBefore);
        // kept: the directories above dataDir and configDir that mkdir -p made, and the job's log
        for (String p : d) {
            assertTrue(p.equals(plan().logFile()) || (!p.startsWith(DATA_DIR) && !p.startsWith(CONFIG_DIR + "/")
                    && !p.equals(scheduleState.cronFile())), "left on the Docker host: " + p + " (all: " + d + ")");
        }
        assertFalse(d.contains(DATA_DIR), "purgeDataOnDelete removed the hostile dataDir");
        Set<String> n = added(node, nodeBefore);
        // kept: certsDir (config.toml still points there) and config.toml's backup
        for (String p : n) {
            assertTrue(p.equals(CERTS_DIR) || CERTS_DIR.startsWith(p + "/") || p.startsWith(NodeHost.CONFIG_FILE + "."),
                    "left on the node: " + p + " (all: " + n + ")");
        }
        assertEquals(List.of(), pwned(docker));
        assertEquals(List.of(), pwned(node));
        for (String c : commands(node, nodeMark)) {
            for (String v : List.of(CERTS_DIR, hostsPath(REGISTRY), hostsPath(CA_REGISTRY))) {
                assertEquals(Optional.empty(), ShellWords.unsafeUse(c, v), "delete on the node: " + v);
            }
        }
        for (String c : commands(docker, dockerMark)) {
            for (String v : List.of(DATA_DIR, CONFIG_DIR, CONTAINER, scheduleState.cronFile())) {
                assertEquals(Optional.empty(), ShellWords.unsafeUse(c, v), "delete on the Docker host: " + v);
            }
        }
    }
}
