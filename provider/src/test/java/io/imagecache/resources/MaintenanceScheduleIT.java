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
import io.imagecache.maintenance.MaintenanceCron;
import io.imagecache.spi.Context;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.PropertyPath;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.jsch.JschRemoteHostFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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

/**
 * MaintenanceSchedule on a real Docker host (the lab's registry VM) with a real distribution proxy
 * in front of a real upstream registry: the cron file's jobs are run exactly as cron runs them, and
 * once by cron itself.
 */
@Order(1) // among the longest: started early, the short ones fill in beside it
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MaintenanceScheduleIT {
    private static final String PROXY = "registry-ghcr";
    private static LabNetwork network;
    private static DockerHost host;
    private static LocalRegistry upstream;
    private static ImageSeeder.Pushed image;
    private static MaintenanceSchedule resource;
    private static MaintenanceSchedule.State state;
    private static MaintenanceSchedule.Args args;
    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        host = new DockerHost(network);
        host.start();
        resource = new MaintenanceSchedule(new JschRemoteHostFactory(),
                () -> Optional.of(new DefaultCredentials.Found(host.rootKey().privateKey(), null)));
        upstream = LocalRegistry.plain().startedOn(network);
        image = ImageSeeder.to(upstream).dockerImage("org/app", "1", "app v1");
        // The proxy the seed's way: config file + data directory on the host, published port.
        host.writeFile("/etc/docker-registry/ghcr/config.yml", """
                version: 0.1
                storage:
                  cache:
                    blobdescriptor: inmemory
                  filesystem:
                    rootdirectory: /var/lib/registry
                  delete:
                    enabled: true
                http:
                  addr: :5000
                proxy:
                  remoteurl: %s
                """.formatted(upstream.networkUrl()));
        host.docker("run", "-d", "--restart", "always", "--name", PROXY, "-p", "5010:5000",
                "-v", "/etc/docker-registry/ghcr/config.yml:/etc/docker/registry/config.yml",
                "-v", "/var/lib/imagecache/ghcr:/var/lib/registry", DockerHost.REGISTRY_IMAGE);
        awaitHttp(proxyUrl("/v2/"), 200);
        // Pull the manifest and its blobs through the proxy so it has the whole image cached.
        assertEquals(image.digest(), ImagePuller.from(proxyUrl("")).pull("org/app", "1"));
        args = new MaintenanceSchedule.Args(connection(), PROXY, upstream.networkUrl(), "0 3 * * 0", false, "0 * * * *",
                "/etc/cron.d");
    }

    @AfterAll
    static void stop() {
        if (upstream != null) {
            upstream.stop();
        }
        if (host != null) {
            host.stop();
        }
        if (network != null) {
            network.close();
        }
    }

    static ConnectionArgs connection() {
        return new ConnectionArgs(host.ip(), 22, "root", host.rootKey().privateKey(), null, null, null, null, 10, 3, 1, false);
    }

    static String proxyUrl(String path) {
        return "http://" + host.ip() + ":5010" + path;
    }

    static HttpResponse<String> get(String url) {
        return get(url, Duration.ofSeconds(20));
    }

    static HttpResponse<String> get(String url, Duration timeout) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .header("Accept", ImageSeeder.DOCKER_MANIFEST).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("GET " + url + " failed: " + e, e);
        }
    }

    static void awaitHttp(String url, int status) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == status) {
                    return;
                }
            } catch (Exception e) {
                // not yet
            }
            sleep(200);
        }
        throw new AssertionError(url + " did not answer " + status);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static Decoded<MaintenanceSchedule.Args> decoded(MaintenanceSchedule.Args a) {
        return new Decoded<>(a, Set.of(), Set.of(PropertyPath.of("connection").key("privateKey")), List.of());
    }

    static String startedAt() {
        return host.docker("inspect", "-f", "{{.State.StartedAt}} {{.State.Running}}", PROXY).strip();
    }

    /** Runs the job on the line of the cron file that contains {@code marker} exactly as cron would. */
    static String runJob(String marker) {
        String content = host.readFile(state.cronFile());
        String line = content.lines().filter(l -> !l.startsWith("#") && l.contains(marker)).findFirst().orElseThrow();
        String command = line.split("\\s+root\\s+", 2)[1];
        host.exec("sh", "-c", MaintenanceCron.asCronRunsIt(command));
        return host.readFile("/var/log/imagecache-" + PROXY + ".log");
    }

    @Test
    @Order(1)
    void createWritesTheCronFileAndRecordsTheHostKey() throws ResourceException {
        var created = resource.create(new CustomResource.CreateRequest<>("urn", "ghcr", decoded(args), false, ObservedContext.create()));
        state = created.state();
        assertEquals("/etc/cron.d/imagecache-registry-ghcr", state.cronFile());
        assertEquals("root@" + host.ip() + ":22/etc/cron.d/imagecache-registry-ghcr", created.id());
        String onHost = host.readFile(state.cronFile());
        assertEquals(state.content(), onHost);
        assertTrue(onHost.startsWith(MaintenanceCron.HEADER));
        assertEquals("644", host.sh("stat -c %a " + state.cronFile()).strip());
        String key = host.hostKeyLine();
        assertEquals(key.substring(0, key.lastIndexOf(' ')), state.hostKeys().get(host.ip() + ":22"),
                "trust on first use recorded the host's real key");
    }

    @Test
    @Order(2)
    void garbageCollectionRunsWithTheProxyStoppedAndLeavesItHealthy() {
        String before = startedAt();
        String log = runJob("garbage-collect");
        assertTrue(log.contains("gc: done (exit 0)"), log);
        assertTrue(log.contains("org/app: marking manifest " + image.digest()), "registry garbage-collect ran over the proxy's storage:\n" + log);
        assertTrue(log.contains("0 blobs and 0 manifests eligible for deletion"), "nothing cached and complete is collected:\n" + log);
        String after = startedAt();
        assertNotEquals(before, after, "the proxy was stopped for GC and started again");
        assertTrue(after.endsWith("true"), "running again after GC");
        awaitHttp(proxyUrl("/v2/"), 200);
        assertEquals(image.digest(), get(proxyUrl("/v2/org/app/manifests/1")).headers()
                .firstValue("Docker-Content-Digest").orElseThrow(), "the cached image survives GC");
    }

    @Test
    @Order(3)
    void restartRunsWhileTheUpstreamAnswers() {
        String before = startedAt();
        String log = runJob("docker restart");
        assertTrue(log.contains("restart: done"), log);
        assertNotEquals(before, startedAt());
        awaitHttp(proxyUrl("/v2/"), 200);
    }

    @Test
    @Order(4)
    void updateRewritesOnlyWhatChangedAndANoOpWritesNothing() throws ResourceException {
        MaintenanceSchedule.Args changed = new MaintenanceSchedule.Args(connection(), PROXY, upstream.networkUrl(),
                "15 4 * * 6", false, "0 * * * *", "/etc/cron.d");
        state = resource.update(new CustomResource.UpdateRequest<>("id", "urn", args, state, decoded(changed), false,
                ObservedContext.create()));
        args = changed;
        assertTrue(host.readFile(state.cronFile()).contains("\n15 4 * * 6 root flock"));
        String mtime = host.sh("stat -c %Y.%i " + state.cronFile());
        sleep(1100);
        resource.update(new CustomResource.UpdateRequest<>("id", "urn", args, state, decoded(args), false, ObservedContext.create()));
        assertEquals(mtime, host.sh("stat -c %Y.%i " + state.cronFile()), "an unchanged file is not rewritten");
    }

    @Test
    @Order(5)
    void readReportsAHandEditAndImportAdoptsTheFile() throws ResourceException {
        host.sh("sed -i 's/^0 \\* \\* \\* \\* root/30 * * * * root/' " + state.cronFile());
        var read = resource.read(new CustomResource.ReadRequest<>("id", "urn", Optional.of(args), Optional.of(state),
                ObservedContext.create()));
        assertEquals("30 * * * *", read.inputs().restartSchedule(), "drift shows in the inputs refresh reports");
        assertNotEquals(state.content(), read.state().content());

        var imported = resource.read(new CustomResource.ReadRequest<MaintenanceSchedule.Args, MaintenanceSchedule.State>(
                "root@" + host.ip() + ":22/etc/cron.d/imagecache-registry-ghcr", "urn", Optional.empty(), Optional.empty(),
                ObservedContext.create()));
        assertEquals(PROXY, imported.inputs().containerName());
        assertEquals(upstream.networkUrl(), imported.inputs().upstreamUrl());
        assertEquals("15 4 * * 6", imported.inputs().gcSchedule());
        assertEquals(null, imported.inputs().connection().privateKey(), "no credentials in imported inputs");
        // repair
        state = resource.update(new CustomResource.UpdateRequest<>("id", "urn", args, read.state(), decoded(args), false,
                ObservedContext.create()));
        assertEquals(state.content(), host.readFile(state.cronFile()));
    }

    @Test
    @Order(6)
    void restartIsSkippedWhileTheUpstreamIsDownAndTheCacheKeepsServing() {
        String upstreamUrl = upstream.networkUrl();
        upstream.stop();
        String before = startedAt();
        String log = runJob("docker restart");
        assertTrue(log.contains("restart: skipped, upstream " + upstreamUrl + "/v2/ answered 000"), log);
        assertEquals(before, startedAt(), "the proxy was not restarted");
        assertEquals(200, get(proxyUrl("/v2/org/app/manifests/" + image.digest())).statusCode(),
                "cached content is still served by digest");
        long t0 = System.nanoTime();
        assertEquals(200, get(proxyUrl("/v2/org/app/manifests/1"), Duration.ofSeconds(150)).statusCode(),
                "and by tag, once the proxy gives up on the upstream");
        System.out.printf("tag served from cache with the upstream gone after %d s%n", (System.nanoTime() - t0) / 1_000_000_000);
    }

    @Test
    @Order(7)
    void cronItselfRunsTheFile() throws ResourceException {
        MaintenanceSchedule.Args everyMinute = new MaintenanceSchedule.Args(connection(), PROXY, args.upstreamUrl(),
                "0 3 * * 0", false, "* * * * *", "/etc/cron.d");
        state = resource.update(new CustomResource.UpdateRequest<>("id", "urn", args, state, decoded(everyMinute), false,
                ObservedContext.create()));
        args = everyMinute;
        host.sh(": > /var/log/imagecache-" + PROXY + ".log");
        long deadline = System.nanoTime() + Duration.ofSeconds(130).toNanos();
        String log = "";
        while (System.nanoTime() < deadline && !log.contains("restart: skipped")) {
            sleep(2000);
            log = host.readFile("/var/log/imagecache-" + PROXY + ".log");
        }
        assertTrue(log.contains("restart: skipped"), "cron ran the restart job from " + state.cronFile() + ":\n" + log
                + "\ncron log: " + host.sh("cat /var/log/syslog /var/log/cron.log 2>/dev/null | tail -20; true"));
    }

    @Test
    @Order(8)
    void deleteRemovesOnlyAFileThatStillCarriesTheHeader() throws ResourceException {
        resource.delete(new CustomResource.DeleteRequest<>("id", "urn", args, state, ObservedContext.create()));
        assertFalse(host.exec("test", "-e", state.cronFile()).getExitCode() == 0, "the cron file is gone");

        host.writeFile(state.cronFile(), "0 3 * * 0 root echo hand-made\n");
        resource.delete(new CustomResource.DeleteRequest<>("id", "urn", args, state, ObservedContext.create()));
        assertEquals("0 3 * * 0 root echo hand-made\n", host.readFile(state.cronFile()), "a hand-made file stays");
        assertTrue(host.docker("ps", "--format", "{{.Names}}").contains(PROXY), "the proxy itself is untouched");
    }

    @Test
    @Order(9)
    void aCronFileWithoutOurHeaderIsNeitherOverwrittenByCreateNorByUpdate() throws ResourceException {
        String path = "/etc/cron.d/imagecache-" + PROXY;
        String theirs = "0 3 * * 0 root echo hand-made\n";
        host.writeFile(path, theirs);
        String before = host.sh("stat -c '%Y %i %a' " + path);
        ResourceException e = assertThrows(ResourceException.class, () -> resource.create(
                new CustomResource.CreateRequest<>("urn", "ghcr", decoded(args), false, ObservedContext.create())));
        assertEquals(ResourceException.Kind.FAILED_PRECONDITION, e.kind());
        assertTrue(e.getMessage().startsWith(path + " on root@" + host.ip() + ":22 exists and was not written by "
                + "imagecache (it lacks the header \"" + MaintenanceCron.HEADER + "\"), so it is not overwritten: move it"
                + " away"), e.getMessage());
        MaintenanceSchedule.Args changed = new MaintenanceSchedule.Args(connection(), PROXY, args.upstreamUrl(),
                "15 4 * * 6", false, "0 * * * *", "/etc/cron.d");
        e = assertThrows(ResourceException.class, () -> resource.update(new CustomResource.UpdateRequest<>("id", "urn",
                args, state, decoded(changed), false, ObservedContext.create())));
        assertTrue(e.getMessage().contains(path + " on root@" + host.ip() + ":22 no longer carries the imagecache header"),
                e.getMessage());
        assertEquals(theirs, host.readFile(path), "their file is unchanged");
        assertEquals(before, host.sh("stat -c '%Y %i %a' " + path), "not even rewritten with the same bytes");
        host.sh("rm -f " + path);
    }

    @Test
    @Order(10)
    void aWrongPinnedHostKeyRefusesToConnect() {
        ConnectionArgs c = connection();
        ConnectionArgs pinnedWrong = new ConnectionArgs(c.host(), c.port(), c.user(), c.privateKey(), null, null,
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx0ZXN0a2V5dGVzdGtleXRlc3RrZXl0ZXN0a2V5dGVzdA", null, 10, 1, 1, false);
        MaintenanceSchedule.Args a = new MaintenanceSchedule.Args(pinnedWrong, "registry-other", "https://quay.io",
                "0 3 * * 0", false, "", "/etc/cron.d");
        ResourceException e = assertThrows(ResourceException.class, () -> resource.create(
                new CustomResource.CreateRequest<>("urn", "x", decoded(a), false, ObservedContext.create())));
        assertEquals(ResourceException.Kind.PERMISSION_DENIED, e.kind());
        assertFalse(host.exec("test", "-e", "/etc/cron.d/imagecache-registry-other").getExitCode() == 0);
    }

    /** Names that differ only in . and _ get their own files, which cron reads, and keep them apart. */
    @Test
    @Order(11)
    void containersNamedWithDotAndUnderscoreKeepTheirOwnCronFiles() throws ResourceException {
        List<MaintenanceSchedule.State> made = new java.util.ArrayList<>();
        for (String name : List.of("registry.ghcr", "registry_ghcr")) {
            MaintenanceSchedule.Args a = new MaintenanceSchedule.Args(connection(), name, "https://ghcr.io",
                    "0 3 * * 0", false, "", "/etc/cron.d");
            made.add(resource.create(new CustomResource.CreateRequest<>("urn", name, decoded(a), false,
                    ObservedContext.create())).state());
        }
        String dot = made.get(0).cronFile();
        String underscore = made.get(1).cronFile();
        assertFalse(dot.equals(underscore), dot);
        // cron reads only files whose names run-parts would run (letters, digits, _ and -)
        String valid = host.sh("run-parts --list /etc/cron.d");
        assertTrue(valid.contains(dot + "\n") && valid.contains(underscore + "\n"), valid);

        MaintenanceSchedule.Args a = new MaintenanceSchedule.Args(connection(), "registry.ghcr", "https://ghcr.io",
                "0 3 * * 0", false, "", "/etc/cron.d");
        resource.delete(new CustomResource.DeleteRequest<>("id", "urn", a, made.get(0), ObservedContext.create()));
        assertFalse(host.exec("test", "-e", dot).getExitCode() == 0, dot + " is gone");
        assertTrue(host.readFile(underscore).contains("# imagecache:container=registry_ghcr\n"), "the other stays");
    }
}
