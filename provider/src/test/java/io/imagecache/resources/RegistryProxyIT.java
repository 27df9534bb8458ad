package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.registry.ImagePuller;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import io.imagecache.lab.registry.TokenServer;
import io.imagecache.maintenance.MaintenanceCron;
import io.imagecache.registry.ImageRef;
import io.imagecache.registry.RegistryClient;
import io.imagecache.spi.Context;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.PropertyPath;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.jsch.JschRemoteHostFactory;
import java.io.IOException;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.DockerClientFactory;

/**
 * RegistryProxy on a real Docker host (the lab's registry VM): the seed's five upstreams, each stood
 * in for by a local registry (ghcr's behind Bearer tokens with a password), get five real
 * distribution proxies; images pulled through them are cached; updates touch only what changed.
 */
@Order(2) // among the longest: started early, the short ones fill in beside it
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryProxyIT {
    private static final String IMAGE = "imagecache-lab/registry:2.8";
    private static final String PASSWORD = "gh-token-s3cret";
    private static final String[][] UPSTREAMS = {
            {"docker", "docker.io", "5000"}, {"ghcr", "ghcr.io", "5010"}, {"quay", "quay.io", "5020"},
            {"k8s", "registry.k8s.io", "5030"}, {"kyverno", "reg.kyverno.io", "5040"}};

    private static LabNetwork network;
    private static DockerHost host;
    private static TokenServer tokens;
    private static final Map<String, LocalRegistry> upstreams = new LinkedHashMap<>();
    private static final Map<String, ImageSeeder.Pushed> images = new LinkedHashMap<>();
    private static final Map<String, RegistryProxy.Args> args = new LinkedHashMap<>();
    private static final Map<String, RegistryProxy.State> states = new LinkedHashMap<>();
    private static RegistryProxy resource;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        host = new DockerHost(network);
        host.start();
        tokens = TokenServer.start("gh-user", PASSWORD);
        for (String[] u : UPSTREAMS) {
            LocalRegistry r = u[0].equals("ghcr") ? LocalRegistry.token(tokens) : LocalRegistry.plain();
            r.withNetwork(network.network());
            r.start();
            upstreams.put(u[0], r);
            ImageSeeder seeder = u[0].equals("ghcr") ? ImageSeeder.to(r.url(), "gh-user", PASSWORD) : ImageSeeder.to(r);
            images.put(u[0], seeder.dockerImage("org/" + u[0], "1", "image of " + u[1]));
        }
        resource = new RegistryProxy(new JschRemoteHostFactory(),
                () -> Optional.of(new DefaultCredentials.Found(host.rootKey().privateKey(), null)), RegistryClient.create());
    }

    @AfterAll
    static void stop() {
        List<AutoCloseable> all = new ArrayList<>(upstreams.values());
        all.add(tokens);
        all.add(host);
        all.add(network);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort
            }
        }
    }

    static ConnectionArgs conn() {
        return new ConnectionArgs(host.ip(), 22, "root", null, null, null, null, null, 10, 3, 1, false);
    }

    static RegistryProxy.Args args(String name, String registry, int port, String remote, String user, String password) {
        UpstreamArgs u = new UpstreamArgs(name, registry, remote, port, user, password, null);
        return new RegistryProxy.Args(conn(), u, IMAGE, "0.0.0.0", "/var/lib/imagecache/" + name, "/etc/imagecache/" + name,
                false, 60);
    }

    static RegistryProxy.Args argsFor(String[] u) {
        boolean auth = u[0].equals("ghcr");
        return args(u[0], u[1], Integer.parseInt(u[2]), upstreams.get(u[0]).networkUrl(), auth ? "gh-user" : null,
                auth ? PASSWORD : null);
    }

    static Decoded<RegistryProxy.Args> d(RegistryProxy.Args a) {
        return new Decoded<>(a, Set.of(), Set.of(PropertyPath.of("upstream").key("password")), List.of());
    }

    static RegistryProxy.State create(RegistryProxy.Args a) throws ResourceException {
        return resource.create(new CustomResource.CreateRequest<>("urn", a.upstream().name(), d(a), false, ObservedContext.create())).state();
    }

    static RegistryProxy.State update(String name, RegistryProxy.Args news) throws ResourceException {
        RegistryProxy.State s = resource.update(new CustomResource.UpdateRequest<>("id", "urn", args.get(name), states.get(name),
                d(news), false, ObservedContext.create()));
        args.put(name, news);
        states.put(name, s);
        return s;
    }

    /** The count of requests for {@code path} once the registry's access log has stopped growing. */
    static int settled(LocalRegistry r, String path) throws InterruptedException {
        int last = -1;
        int now = r.requests(path);
        while (now != last) {
            Thread.sleep(1000);
            last = now;
            now = r.requests(path);
        }
        return now;
    }

    static String proxyUrl(String name) {
        return "http://" + host.ip() + ":" + args.get(name).upstream().port();
    }

    static String started(String name) {
        return host.docker("inspect", "-f", "{{.State.StartedAt}} {{.Id}}", "registry-" + name).strip();
    }

    @Test
    @Order(1)
    void fiveUpstreamsGetFiveProxiesThatCacheWhatIsPulledThroughThem() throws Exception {
        for (String[] u : UPSTREAMS) {
            RegistryProxy.Args a = argsFor(u);
            RegistryProxy.State s = create(a);
            args.put(u[0], a);
            states.put(u[0], s);
            assertTrue(s.healthy(), u[0]);
            assertEquals("http://" + host.ip() + ":" + u[2], s.endpoint());
            assertEquals("registry-" + u[0], s.containerName());
        }
        for (String[] u : UPSTREAMS) {
            String digest = ImagePuller.from(proxyUrl(u[0])).pull("org/" + u[0], "1");
            assertEquals(images.get(u[0]).digest(), digest, u[0]);
            int upstreamBlobs = settled(upstreams.get(u[0]), "/v2/org/" + u[0] + "/blobs/.*");
            assertTrue(upstreamBlobs >= 2, u[0] + ": the first pull fetched config and layer from the upstream");
            ImagePuller.from(proxyUrl(u[0])).pull("org/" + u[0], images.get(u[0]).digest());
            assertEquals(upstreamBlobs, settled(upstreams.get(u[0]), "/v2/org/" + u[0] + "/blobs/.*"),
                    u[0] + ": the second pull was served from the cache");
        }
    }

    @Test
    @Order(2)
    void thePasswordLivesOnlyInA0600ConfigFile() {
        String file = states.get("ghcr").configFile();
        assertEquals("600 root", host.sh("stat -c '%a %U' " + file).strip());
        assertTrue(host.readFile(file).contains(PASSWORD));
        String inspect = host.docker("inspect", "registry-ghcr");
        assertFalse(inspect.contains(PASSWORD), "not in docker inspect");
        assertFalse(host.docker("logs", "registry-ghcr").contains(PASSWORD), "not in the container's log");
        assertFalse(host.sh("ps -eo args").contains(PASSWORD), "not on a command line");
    }

    @Test
    @Order(3)
    void resolveDigestThroughAProxyGivesTheUpstreamsDigest() throws Exception {
        var r = RegistryClient.create().resolve(ImageRef.parse("quay.io/org/quay:1"), Optional.of(proxyUrl("quay")),
                Optional.empty(), Optional.empty());
        assertEquals(images.get("quay").digest(), r.digest());
        assertEquals("quay.io/org/quay@" + images.get("quay").digest(), r.pinned());
    }

    @Test
    @Order(4)
    void changingNothingTouchesNothing() throws ResourceException {
        Map<String, String> before = new LinkedHashMap<>();
        for (String[] u : UPSTREAMS) {
            before.put(u[0], started(u[0]) + " " + host.sh("stat -c '%Y %i' " + states.get(u[0]).configFile()).strip());
        }
        for (String[] u : UPSTREAMS) {
            update(u[0], args.get(u[0]));
        }
        for (String[] u : UPSTREAMS) {
            assertEquals(before.get(u[0]), started(u[0]) + " " + host.sh("stat -c '%Y %i' " + states.get(u[0]).configFile()).strip(),
                    u[0] + ": no restart, no write");
        }
    }

    @Test
    @Order(5)
    void changingTheRemoteUrlRecreatesOnlyThatContainer() throws ResourceException {
        String quayBefore = started("quay");
        String dockerBefore = started("docker");
        LocalRegistry other = upstreams.get("k8s");
        RegistryProxy.Args a = args.get("quay");
        update("quay", args("quay", "quay.io", 5020, other.networkUrl(), null, null));
        assertNotEquals(quayBefore, started("quay"));
        assertEquals(dockerBefore, started("docker"));
        assertTrue(host.readFile(states.get("quay").configFile()).contains(other.networkUrl()));
        update("quay", a);
    }

    @Test
    @Order(6)
    void aWrongPasswordIsAClearErrorAtCreateAndNothingIsMade() {
        RegistryProxy.Args wrong = args("ghcr2", "ghcr.io", 5011, upstreams.get("ghcr").networkUrl(), "gh-user", "wrong-password");
        ResourceException e = assertThrows(ResourceException.class, () -> create(wrong));
        assertEquals(ResourceException.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().startsWith("upstream.password: "), e.getMessage());
        assertTrue(e.getMessage().contains("check username and password"), e.getMessage());
        assertFalse(e.getMessage().contains("wrong-password"));
        assertFalse(host.docker("ps", "-a", "--format", "{{.Names}}").contains("registry-ghcr2"));
        assertFalse(host.exec("test", "-e", "/etc/imagecache/ghcr2/config.yml").getExitCode() == 0);
    }

    @Test
    @Order(7)
    void aPortInUseFailsNamingThePortAndWhatHoldsIt() {
        RegistryProxy.Args clash = args("clash", "clash.io", 5010, upstreams.get("quay").networkUrl(), null, null);
        ResourceException e = assertThrows(ResourceException.class, () -> create(clash));
        assertEquals(ResourceException.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().contains("port 5010") && e.getMessage().contains("the container registry-ghcr"), e.getMessage());
        assertFalse(host.docker("ps", "-a", "--format", "{{.Names}}").contains("registry-clash"));
        assertFalse(host.exec("test", "-e", "/etc/imagecache/clash/config.yml").getExitCode() == 0, "nothing half-made");
    }

    @Test
    @Order(8)
    void aStoppedContainerIsDriftAndTheNextApplyStartsIt() throws ResourceException {
        host.docker("stop", "registry-k8s");
        var read = resource.read(new CustomResource.ReadRequest<>("id", "urn", Optional.of(args.get("k8s")),
                Optional.of(states.get("k8s")), ObservedContext.create()));
        assertFalse(read.state().running());
        var diff = resource.diff(new CustomResource.DiffRequest<>("id", "urn", args.get("k8s"), read.state(), d(args.get("k8s")),
                io.imagecache.spi.Records.encode(args.get("k8s")), io.imagecache.spi.Records.encode(args.get("k8s")),
                io.imagecache.spi.Records.encode(read.state()), Set.of()));
        assertEquals(Set.of("running"), diff.detailed().keySet());
        states.put("k8s", read.state());
        update("k8s", args.get("k8s"));
        assertTrue(states.get("k8s").healthy());
        assertEquals("true", host.docker("inspect", "-f", "{{.State.Running}}", "registry-k8s").strip());
    }

    @Test
    @Order(9)
    void maintenanceJobsWorkOnProxiesMadeByThisResource() throws Exception {
        MaintenanceSchedule schedule = new MaintenanceSchedule(new JschRemoteHostFactory(),
                () -> Optional.of(new DefaultCredentials.Found(host.rootKey().privateKey(), null)));
        String upstreamUrl = upstreams.get("kyverno").networkUrl();
        MaintenanceSchedule.Args ms = new MaintenanceSchedule.Args(conn(), "registry-kyverno", upstreamUrl, "0 3 * * 0", false,
                "0 * * * *", "/etc/cron.d");
        var created = schedule.create(new CustomResource.CreateRequest<>("urn", "k", new Decoded<>(ms, Set.of(), Set.of(), List.of()),
                false, ObservedContext.create())).state();
        String gcLine = created.content().lines().filter(l -> l.contains("garbage-collect") && !l.startsWith("#")).findFirst().orElseThrow();
        String restartLine = created.content().lines().filter(l -> l.contains("docker restart") && !l.startsWith("#")).findFirst().orElseThrow();

        String before = started("kyverno");
        host.exec("sh", "-c", MaintenanceCron.asCronRunsIt(gcLine.split("\\s+root\\s+", 2)[1]));
        String log = host.readFile("/var/log/imagecache-registry-kyverno.log");
        assertTrue(log.contains("gc: done (exit 0)") && log.contains("marking manifest"), log);
        assertNotEquals(before, started("kyverno"), "GC ran with the proxy stopped");
        assertEquals(images.get("kyverno").digest(), ImagePuller.from(proxyUrl("kyverno")).pull("org/kyverno", "1"),
                "healthy and serving after GC");

        upstreams.get("kyverno").stop();
        String beforeRestart = started("kyverno");
        host.exec("sh", "-c", MaintenanceCron.asCronRunsIt(restartLine.split("\\s+root\\s+", 2)[1]));
        assertTrue(host.readFile("/var/log/imagecache-registry-kyverno.log").contains("restart: skipped"));
        assertEquals(beforeRestart, started("kyverno"), "not restarted while the upstream is down");
        ImagePuller.from(proxyUrl("kyverno")).pull("org/kyverno", images.get("kyverno").digest());
    }

    @Test
    @Order(10)
    void changingThePortReplacesAndDeleteKeepsTheCache() throws Exception {
        RegistryProxy.Args a = args.get("docker");
        RegistryProxy.Args moved = args("docker", "docker.io", 5001, a.upstream().remoteUrl(), null, null);
        var diff = resource.diff(new CustomResource.DiffRequest<>("id", "urn", a, states.get("docker"), d(moved),
                io.imagecache.spi.Records.encode(a), io.imagecache.spi.Records.encode(moved),
                io.imagecache.spi.Records.encode(states.get("docker")), io.imagecache.spi.Diffs.replaceOnChangesPaths(RegistryProxy.Args.class)));
        assertTrue(diff.replaces(), diff.detailed().toString());
        assertTrue(diff.deleteBeforeReplace());

        String blobs = host.sh("find /var/lib/imagecache/docker -type f | wc -l").strip();
        resource.delete(new CustomResource.DeleteRequest<>("id", "urn", a, states.get("docker"), ObservedContext.create()));
        assertFalse(host.docker("ps", "-a", "--format", "{{.Names}}").contains("registry-docker\n"));
        assertEquals(blobs, host.sh("find /var/lib/imagecache/docker -type f | wc -l").strip(), "the cache is kept");
        RegistryProxy.State s = create(moved);
        assertTrue(s.healthy());
        assertEquals(images.get("docker").digest(), ImagePuller.from("http://" + host.ip() + ":5001").pull("org/docker",
                images.get("docker").digest()), "the kept cache serves the new proxy");
    }

    @Test
    @Order(11)
    void importAdoptsAContainerMadeByHandTheSeedsWay() throws Exception {
        host.writeFile("/etc/docker-registry/seed/config.yml", "version: 0.1\nstorage:\n  cache:\n    blobdescriptor: inmemory\n"
                + "  filesystem:\n    rootdirectory: /var/lib/registry\nhttp:\n  addr: :5000\nproxy:\n  remoteurl: "
                + upstreams.get("quay").networkUrl() + "\n");
        host.docker("run", "-p", "5050:5000", "-d", "--restart", "always", "--name", "registry-seed",
                "-v", "/etc/docker-registry/seed/config.yml:/etc/docker/registry/config.yml", IMAGE);
        var imported = resource.read(new CustomResource.ReadRequest<RegistryProxy.Args, RegistryProxy.State>(
                "root@" + host.ip() + ":22/registry-seed", "urn", Optional.empty(), Optional.empty(), ObservedContext.create()));
        RegistryProxy.Args in = imported.inputs();
        assertEquals("seed", in.upstream().name());
        assertEquals(5050, in.upstream().port());
        assertEquals(upstreams.get("quay").networkUrl(), in.upstream().remoteUrl());
        assertEquals("/etc/docker-registry/seed", in.configDir());
        assertEquals(IMAGE, in.image());
        assertTrue(imported.state().running());
    }

    @Test
    @Order(12)
    void onDistribution3TheTtlBoundsTheCache() throws ResourceException {
        host.loadImage(DockerHost.REGISTRY3_IMAGE);
        UpstreamArgs u = new UpstreamArgs("quay3", "quay.io", upstreams.get("quay").networkUrl(), 5060, null, null, "1h");
        RegistryProxy.Args a = new RegistryProxy.Args(conn(), u, DockerHost.REGISTRY3_IMAGE, "0.0.0.0", "/var/lib/imagecache/quay3",
                "/etc/imagecache/quay3", false, 60);
        RegistryProxy.State s = create(a);
        assertTrue(s.healthy());
        assertTrue(s.distributionVersion().startsWith("3."), s.distributionVersion());
        assertTrue(host.readFile("/etc/imagecache/quay3/config.yml").contains("  ttl: 1h\n"));
        assertEquals(images.get("quay").digest(), ImagePuller.from("http://" + host.ip() + ":5060").pull("org/quay", "1"));
    }

    @Test
    @Order(13)
    void aTtlOnA28ImageIsAClearErrorEvenWhenItsTagDoesNotSay() {
        host.docker("tag", IMAGE, "imagecache-lab/registry:latest");
        UpstreamArgs u = new UpstreamArgs("quay4", "quay.io", upstreams.get("quay").networkUrl(), 5061, null, null, "1h");
        RegistryProxy.Args a = new RegistryProxy.Args(conn(), u, "imagecache-lab/registry:latest", "0.0.0.0",
                "/var/lib/imagecache/quay4", "/etc/imagecache/quay4", false, 60);
        ResourceException e = assertThrows(ResourceException.class, () -> create(a));
        assertEquals(ResourceException.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().contains("upstream.ttl needs distribution 3.x") && e.getMessage().contains("2.8.2"), e.getMessage());
        assertFalse(host.docker("ps", "-a", "--format", "{{.Names}}").contains("registry-quay4"));
    }

    @Test
    @Order(14)
    void changingThePasswordRecreatesOnlyThatContainer() throws ResourceException {
        // The k8s upstream needs no login, so any credentials pass the check; the proxy just carries them.
        String remote = args.get("k8s").upstream().remoteUrl();
        update("k8s", args("k8s", "registry.k8s.io", 5030, remote, "puller", "first-pass"));
        String k8sBefore = started("k8s");
        String ghcrBefore = started("ghcr");
        update("k8s", args("k8s", "registry.k8s.io", 5030, remote, "puller", "second-pass"));
        assertNotEquals(k8sBefore, started("k8s"), "new credentials: new container");
        assertEquals(ghcrBefore, started("ghcr"), "the other proxies are untouched");
        String config = host.readFile(states.get("k8s").configFile());
        assertTrue(config.contains("second-pass") && !config.contains("first-pass"));
        assertFalse(host.docker("inspect", "registry-k8s").contains("second-pass"));
        assertTrue(states.get("k8s").healthy());
    }

    @Test
    @Order(15)
    void anEditedConfigAndAMissingContainerAreDriftRepairedByTheNextApply() throws ResourceException {
        String file = states.get("k8s").configFile();
        host.sh("sed -i 's/level: info/level: debug/' " + file);
        host.docker("rm", "-f", "registry-k8s");
        var read = resource.read(new CustomResource.ReadRequest<>("id", "urn", Optional.of(args.get("k8s")),
                Optional.of(states.get("k8s")), ObservedContext.create()));
        assertFalse(read.state().running(), "the missing container shows");
        assertNotEquals(states.get("k8s").configSha256(), read.state().configSha256(), "the edited config shows");
        var diff = resource.diff(new CustomResource.DiffRequest<>("id", "urn", args.get("k8s"), read.state(), d(args.get("k8s")),
                io.imagecache.spi.Records.encode(args.get("k8s")), io.imagecache.spi.Records.encode(args.get("k8s")),
                io.imagecache.spi.Records.encode(read.state()), Set.of()));
        assertEquals(Set.of("running", "configSha256"), diff.detailed().keySet());
        states.put("k8s", read.state());
        update("k8s", args.get("k8s"));
        assertTrue(states.get("k8s").healthy());
        assertTrue(host.readFile(file).contains("level: info"), "the config is ours again");
        assertEquals("true", host.docker("inspect", "-f", "{{.State.Running}}", "registry-k8s").strip());
        String backup = host.sh("ls " + file + ".imagecache-*.bak").strip();
        assertTrue(host.readFile(backup).contains("level: debug"), "the hand edit was saved first");
        assertEquals("600 root", host.sh("stat -c '%a %U' " + backup).strip(), "like the config: it holds the password");
        host.sh("rm -f " + backup);
    }

    @Test
    @Order(16)
    void aConfigEditedIntoInvalidYamlIsReportedBySavedAndRepairedByTheNextApply() throws ResourceException {
        String file = states.get("k8s").configFile();
        host.sh("sed -i 's/^http:$/http: [/' " + file);
        String broken = host.readFile(file);
        List<String> seen = new ArrayList<>();
        var read = resource.read(new CustomResource.ReadRequest<>("id", "urn", Optional.of(args.get("k8s")),
                Optional.of(states.get("k8s")), warnings(seen)));
        assertTrue(seen.stream().anyMatch(w -> w.startsWith(file + " on root@" + host.ip() + ":22 is not valid YAML: line ")
                && w.contains(", column ") && w.contains("distribution cannot start with it")), seen.toString());
        assertTrue(seen.stream().noneMatch(w -> w.contains(PASSWORD) || w.contains("first-pass") || w.contains("second-pass")),
                "the file's text is not repeated: " + seen);
        var diff = resource.diff(new CustomResource.DiffRequest<>("id", "urn", args.get("k8s"), read.state(), d(args.get("k8s")),
                io.imagecache.spi.Records.encode(args.get("k8s")), io.imagecache.spi.Records.encode(args.get("k8s")),
                io.imagecache.spi.Records.encode(read.state()), Set.of()));
        assertEquals(Set.of("configSha256"), diff.detailed().keySet(), "refresh shows it as drift");
        seen.clear();
        RegistryProxy.State s = resource.update(new CustomResource.UpdateRequest<>("id", "urn", args.get("k8s"), read.state(),
                d(args.get("k8s")), false, warnings(seen)));
        states.put("k8s", s);
        String backup = host.sh("ls " + file + ".imagecache-*.bak").strip();
        assertEquals(broken, host.readFile(backup), "their edit is kept, byte for byte");
        assertEquals("600 root", host.sh("stat -c '%a %U' " + backup).strip());
        assertTrue(seen.stream().anyMatch(w -> w.contains(file) && w.contains("is not valid YAML")
                && w.contains("it was saved as " + backup + " (0600) and written again")), seen.toString());
        assertTrue(host.readFile(file).startsWith(io.imagecache.distribution.DistributionConfig.HEADER), "repaired");
        assertTrue(s.healthy(), "the proxy serves with the repaired config");
        host.sh("rm -f " + backup);
    }

    @Test
    @Order(17)
    void purgeOnDeleteNeverRemovesADirectoryThatHeldSomeonesFiles() throws ResourceException {
        host.sh("mkdir -p /srv/ops && echo keep > /srv/ops/notes.txt");
        UpstreamArgs u = new UpstreamArgs("srv", "srv.io", upstreams.get("quay").networkUrl(), 5070, null, null, null);
        RegistryProxy.Args purge = new RegistryProxy.Args(conn(), u, IMAGE, "0.0.0.0", "/srv", "/etc/imagecache/srv", true, 60);
        ResourceException e = assertThrows(ResourceException.class, () -> create(purge));
        assertEquals(ResourceException.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().contains("purgeDataOnDelete would delete them"), e.getMessage());
        assertFalse(host.docker("ps", "-a", "--format", "{{.Names}}").contains("registry-srv"), "nothing made");
        // made without purge, then purge switched on (a change that never touches the host) and deleted
        RegistryProxy.Args keep = new RegistryProxy.Args(conn(), u, IMAGE, "0.0.0.0", "/srv", "/etc/imagecache/srv", false, 60);
        RegistryProxy.State s = create(keep);
        assertTrue(host.readFile("/srv/.imagecache-owner").contains("created: false"));
        List<String> warnings = new ArrayList<>();
        resource.delete(new CustomResource.DeleteRequest<>("id", "urn", purge, s, warnings(warnings)));
        assertEquals("keep", host.readFile("/srv/ops/notes.txt").strip(), "someone's files are still there");
        assertTrue(warnings.stream().anyMatch(w -> w.contains("already held files")), warnings.toString());
        assertFalse(host.docker("ps", "-a", "--format", "{{.Names}}").contains("registry-srv"), "the proxy is gone");
    }

    @Test
    @Order(18)
    void purgeRemovesTheDataOfAProxyThatMadeItButNotAnUnmarkedOne() throws ResourceException {
        UpstreamArgs u = new UpstreamArgs("purged", "purged.io", upstreams.get("quay").networkUrl(), 5071, null, null, null);
        RegistryProxy.Args a = new RegistryProxy.Args(conn(), u, IMAGE, "0.0.0.0", "/var/lib/imagecache/purged",
                "/etc/imagecache/purged", true, 60);
        RegistryProxy.State s = create(a);
        resource.delete(new CustomResource.DeleteRequest<>("id", "urn", a, s, ObservedContext.create()));
        assertFalse(host.exec("test", "-e", "/var/lib/imagecache/purged").getExitCode() == 0, "made from nothing: purged");
        assertFalse(host.exec("test", "-e", "/etc/imagecache/purged").getExitCode() == 0, "its config directory is gone too");

        s = create(a);
        host.sh("rm /var/lib/imagecache/purged/.imagecache-owner");
        List<String> warnings = new ArrayList<>();
        resource.delete(new CustomResource.DeleteRequest<>("id", "urn", a, s, warnings(warnings)));
        assertTrue(host.exec("test", "-d", "/var/lib/imagecache/purged").getExitCode() == 0, "no marker: kept");
        assertTrue(warnings.stream().anyMatch(w -> w.contains("has no marker")), warnings.toString());
    }

    @Test
    @Order(19)
    void twoProxiesCannotShareADirectory() {
        UpstreamArgs u = new UpstreamArgs("twin", "twin.io", upstreams.get("quay").networkUrl(), 5072, null, null, null);
        RegistryProxy.Args shared = new RegistryProxy.Args(conn(), u, IMAGE, "0.0.0.0", "/var/lib/imagecache/quay",
                "/etc/imagecache/twin", false, 60);
        ResourceException e = assertThrows(ResourceException.class, () -> create(shared));
        assertEquals(ResourceException.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().contains("registry-quay"), e.getMessage());
        assertFalse(host.docker("ps", "-a", "--format", "{{.Names}}").contains("registry-twin"));
        assertFalse(host.exec("test", "-e", "/etc/imagecache/twin").getExitCode() == 0, "nothing was changed");
    }

    @Test
    @Order(20)
    void anImageWhoseEntrypointNamesItsOwnConfigStillGetsAWorkingProxy() throws Exception {
        host.sh("docker rm -f own-ep >/dev/null 2>&1; docker create --name own-ep " + IMAGE + " >/dev/null && docker commit "
                + "--change 'ENTRYPOINT [\"/bin/registry\", \"serve\", \"/etc/docker/registry/config.yml\"]' --change 'CMD []' "
                + "own-ep imagecache-lab/registry:own-entrypoint >/dev/null && docker rm own-ep >/dev/null");
        UpstreamArgs u = new UpstreamArgs("ownep", "ownep.io", upstreams.get("quay").networkUrl(), 5073, null, null, null);
        RegistryProxy.Args a = new RegistryProxy.Args(conn(), u, "imagecache-lab/registry:own-entrypoint", "0.0.0.0",
                "/var/lib/imagecache/ownep", "/etc/imagecache/ownep", false, 60);
        RegistryProxy.State s = create(a);
        assertTrue(s.healthy());
        assertEquals("[\"registry\"] [\"serve\",\"/etc/imagecache/config.yml\"]",
                host.docker("inspect", "-f", "{{json .Config.Entrypoint}} {{json .Config.Cmd}}", "registry-ownep").strip());
        assertEquals(images.get("quay").digest(), ImagePuller.from("http://" + host.ip() + ":5073").pull("org/quay", "1"),
                "it proxies");
    }

    @Test
    @Order(21)
    void a28ImageWithABasicUpstreamIsRefusedNamingVersionChallengeAndFix() {
        LocalRegistry basic = LocalRegistry.htpasswd("basic-user", "basic-pass").startedOn(network);
        try {
            RegistryProxy.Args a = args("basic", "basic.io", 5074, basic.networkUrl(), "basic-user", "basic-pass");
            ResourceException e = assertThrows(ResourceException.class, () -> create(a));
            assertEquals(ResourceException.Kind.INVALID, e.kind());
            assertTrue(e.getMessage().contains("2.8.2") && e.getMessage().contains("challenges Basic")
                    && e.getMessage().contains("distribution 3"), e.getMessage());
            assertFalse(host.docker("ps", "-a", "--format", "{{.Names}}").contains("registry-basic"));
        } finally {
            basic.stop();
        }
    }

    @Test
    @Order(22)
    void importOfAPasswordWithBackslashNAndYamlSpecialsKeepsItExactly() throws Exception {
        String password = "p\\nw: #'\"x";
        host.writeFile("/etc/docker-registry/special/config.yml", "version: 0.1\nstorage:\n  filesystem:\n"
                + "    rootdirectory: /var/lib/registry\nhttp:\n  addr: :5000\nproxy:\n  remoteurl: "
                + upstreams.get("k8s").networkUrl() + "\n  username: puller\n  password: '" + password.replace("'", "''") + "'\n");
        host.docker("run", "-p", "5075:5000", "-d", "--name", "registry-special",
                "-v", "/etc/docker-registry/special/config.yml:/etc/docker/registry/config.yml", IMAGE);
        var imported = resource.read(new CustomResource.ReadRequest<RegistryProxy.Args, RegistryProxy.State>(
                "root@" + host.ip() + ":22/registry-special", "urn", Optional.empty(), Optional.empty(), ObservedContext.create()));
        assertEquals(password, imported.inputs().upstream().password());
        var diff = resource.diff(new CustomResource.DiffRequest<>("id", "urn", imported.inputs(), imported.state(),
                d(imported.inputs()), io.imagecache.spi.Records.encode(imported.inputs()),
                io.imagecache.spi.Records.encode(imported.inputs()), io.imagecache.spi.Records.encode(imported.state()), Set.of()));
        assertFalse(diff.hasChanges(), diff.detailed().toString());
    }

    @Test
    @Order(23)
    void aPortUsedOnAnotherAddressIsNoConflictButOnTheSameOneIs() throws ResourceException {
        UpstreamArgs lo = new UpstreamArgs("lo", "lo.io", upstreams.get("quay").networkUrl(), 5080, null, null, null);
        RegistryProxy.State first = create(new RegistryProxy.Args(conn(), lo, IMAGE, "127.0.0.1", "/var/lib/imagecache/lo",
                "/etc/imagecache/lo", false, 60));
        assertTrue(first.healthy());
        UpstreamArgs lan = new UpstreamArgs("lan", "lan.io", upstreams.get("quay").networkUrl(), 5080, null, null, null);
        RegistryProxy.State second = create(new RegistryProxy.Args(conn(), lan, IMAGE, host.ip(), "/var/lib/imagecache/lan",
                "/etc/imagecache/lan", false, 60));
        assertTrue(second.healthy(), "the same port on another address");
        assertEquals(images.get("quay").digest(), ImagePuller.from("http://" + host.ip() + ":5080").pull("org/quay", "1"));
        UpstreamArgs all = new UpstreamArgs("all", "all.io", upstreams.get("quay").networkUrl(), 5080, null, null, null);
        ResourceException e = assertThrows(ResourceException.class, () -> create(new RegistryProxy.Args(conn(), all, IMAGE,
                "0.0.0.0", "/var/lib/imagecache/all", "/etc/imagecache/all", false, 60)));
        assertEquals(ResourceException.Kind.INVALID, e.kind());
        assertTrue(e.getMessage().contains("port 5080") && e.getMessage().matches("(?s).*the container registry-(lo|lan) .*"),
                e.getMessage());
    }

    @Test
    @Order(25)
    void aProxyOfAnImageTheHostsProxiesRunStartsOneContainerAndHasTheImagesVersion() throws ResourceException {
        host.loadImage(DockerHost.REGISTRY3_IMAGE);
        UpstreamArgs u5 = new UpstreamArgs("quay5", "quay.io", upstreams.get("quay").networkUrl(), 5062, null, null, null);
        RegistryProxy.State first = create(new RegistryProxy.Args(conn(), u5, DockerHost.REGISTRY3_IMAGE, "0.0.0.0",
                "/var/lib/imagecache/quay5", "/etc/imagecache/quay5", false, 60));
        String since = host.docker("info", "--format", "{{.SystemTime}}").strip();
        UpstreamArgs u6 = new UpstreamArgs("quay6", "quay.io", upstreams.get("quay").networkUrl(), 5063, null, null, null);
        RegistryProxy.State second = create(new RegistryProxy.Args(conn(), u6, DockerHost.REGISTRY3_IMAGE, "0.0.0.0",
                "/var/lib/imagecache/quay6", "/etc/imagecache/quay6", false, 60));
        String until = host.docker("info", "--format", "{{.SystemTime}}").strip();
        String created = host.docker("events", "--since", since, "--until", until, "--filter", "type=container",
                "--filter", "event=create", "--format", "{{.Actor.Attributes.name}}");
        assertEquals(List.of("registry-quay6"), created.lines().toList(),
                "the version comes from the label of the host's proxies of that image: no throw-away `registry --version`");
        String truth = host.docker("run", "--rm", "--entrypoint", "registry", DockerHost.REGISTRY3_IMAGE, "--version");
        assertTrue(truth.contains(first.distributionVersion()), first.distributionVersion() + " vs " + truth);
        assertEquals(first.distributionVersion(), second.distributionVersion());
        assertEquals(second.distributionVersion(), host.docker("inspect", "--format",
                "{{index .Config.Labels \"io.imagecache.distribution-version\"}}", "registry-quay6").strip());
        assertTrue(second.healthy());
    }

    @Test
    @Order(24)
    void aProxyBoundToOneAddressAnswersThereAndNotOnTheHostsOtherAddresses() throws Exception {
        // a second address: the host joins a second lab network (an interface of its own, as a second NIC)
        try (LabNetwork second = LabNetwork.create()) {
            var docker = DockerClientFactory.instance().client();
            docker.connectToNetworkCmd().withNetworkId(second.id()).withContainerId(host.getContainerId()).exec();
            try {
                String bound = docker.inspectContainerCmd(host.getContainerId()).exec().getNetworkSettings().getNetworks()
                        .values().stream().filter(n -> second.id().equals(n.getNetworkID())).findFirst().orElseThrow()
                        .getIpAddress();
                assertNotEquals(host.ip(), bound);
                UpstreamArgs u = new UpstreamArgs("bound", "bound.io", upstreams.get("quay").networkUrl(), 5090, null, null, null);
                RegistryProxy.Args a = new RegistryProxy.Args(conn(), u, IMAGE, bound, "/var/lib/imagecache/bound",
                        "/etc/imagecache/bound", false, 60);
                RegistryProxy.State s = create(a);
                assertTrue(s.healthy(), "healthy, checked on the bound address");
                assertEquals("http://" + bound + ":5090", s.endpoint(), "the endpoint names the bound address");
                try {
                    // from this machine, over each network
                    assertEquals(200, status("http://" + bound + ":5090/v2/"));
                    assertEquals(images.get("quay").digest(), ImagePuller.from("http://" + bound + ":5090").pull("org/quay", "1"));
                    ConnectException refused = assertThrows(ConnectException.class,
                            () -> status("http://" + host.ip() + ":5090/v2/"), "the host's other address");
                    assertTrue(String.valueOf(refused.getMessage()).contains("refused"), refused.toString());
                    // on the host itself: the bound address answers, loopback and the other address refuse (curl: 7)
                    assertEquals("200", host.sh("curl -s -o /dev/null -w '%{http_code}' --max-time 5 http://" + bound
                            + ":5090/v2/").strip());
                    for (String other : List.of("127.0.0.1", host.ip())) {
                        var r = host.exec("curl", "-s", "-o", "/dev/null", "--max-time", "5", "http://" + other + ":5090/v2/");
                        assertEquals(7, r.getExitCode(), other + ":5090 on the host must refuse the connection: " + r.getStderr());
                    }
                } finally {
                    resource.delete(new CustomResource.DeleteRequest<>("id", "urn", a, s, ObservedContext.create()));
                }
            } finally {
                docker.disconnectFromNetworkCmd().withNetworkId(second.id()).withContainerId(host.getContainerId())
                        .withForce(true).exec();
            }
        }
    }

    /** The HTTP status of a GET; a refused connection is thrown as {@link ConnectException}. */
    static int status(String url) throws IOException {
        var c = (HttpURLConnection) URI.create(url).toURL().openConnection();
        c.setConnectTimeout(5000);
        c.setReadTimeout(10000);
        try {
            return c.getResponseCode();
        } finally {
            c.disconnect();
        }
    }

    static Context warnings(List<String> out) {
        return new Context() {
            @Override
            public void status(String message) {}

            @Override
            public void info(String message) {}

            @Override
            public void warn(String message) {
                out.add(message);
            }

            @Override
            public boolean cancelled() {
                return false;
            }
        };
    }
}
