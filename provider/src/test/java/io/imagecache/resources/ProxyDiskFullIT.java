package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.hosts.docker.DiskFree;
import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import io.imagecache.registry.RegistryClient;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.jsch.JschRemoteHostFactory;
import java.time.Clock;
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
import org.testcontainers.containers.Container.ExecResult;

/**
 * The disk under a proxy's data directory full (FAULTS.md). On the registry host two proxies keep their data on a
 * 16 MiB tmpfs each, mounted at their {@code dataDir} before they are made: docker.io's on distribution 2.8, quay.io's
 * on distribution 3; the ghcr.io proxy beside them keeps its data on the host's own filesystem. Nodes on containerd
 * 1.6 and 2.x mirror the three registries through the proxies (ContainerdMirror), each with its local stand-in
 * upstream as {@code server}. The tmpfs filesystems are filled with dd; then what the nodes, the proxies and Read
 * show, what else on the host still works, and that freeing space is all it takes to recover.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProxyDiskFullIT {
    /** A proxy whose data directory is a small filesystem, and its upstream stand-in. */
    record Small(String name, String registry, int port, String image, String repoPrefix) {
        String dataDir() {
            return "/var/lib/imagecache/" + name;
        }

        String filler() {
            return dataDir() + "/filler";
        }

        String container() {
            return "registry-" + name;
        }

        String cachedRef() {
            return registry + "/" + repoPrefix + "cached:1";
        }

        String freshRepo(NodeHost n) {
            return repoPrefix + "fresh-" + n.containerd().series();
        }
    }

    private static final List<Small> SMALL = List.of(
            new Small("docker", "docker.io", 5000, DockerHost.REGISTRY_IMAGE, "library/"),
            new Small("quay", "quay.io", 5020, DockerHost.REGISTRY3_IMAGE, "org/"));

    private static LabNetwork network;
    private static DockerHost host;
    private static List<NodeHost> nodes;
    private static final Map<String, LocalRegistry> upstreams = new LinkedHashMap<>();
    private static LocalRegistry ghcr;
    private static RegistryProxy proxies;
    private static ContainerdMirror mirrors;
    private static final Map<String, RegistryProxy.Args> args = new LinkedHashMap<>();
    private static final Map<String, RegistryProxy.State> states = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        host = new DockerHost(network);
        host.start();
        host.loadImage(DockerHost.REGISTRY3_IMAGE);
        nodes = List.of(NodeHost.containerd16(network), NodeHost.containerd2(network));
        for (NodeHost n : nodes) {
            n.withAuthorizedKey(host.rootKey());
            n.start();
        }
        for (Small p : SMALL) {
            LocalRegistry r = LocalRegistry.plain().startedOn(network);
            upstreams.put(p.name(), r);
            ImageSeeder seed = ImageSeeder.to(r);
            seed.dockerImage(p.repoPrefix() + "cached", "1", "pulled from " + p.registry() + " before the disk filled");
            for (NodeHost n : nodes) {
                seed.dockerImage(p.freshRepo(n), "1", "first pulled from " + p.registry() + " while the disk is full");
            }
        }
        ghcr = LocalRegistry.plain().startedOn(network);
        ImageSeeder.to(ghcr).ociImage("org/app", "1", "the other proxy's image");
        proxies = new RegistryProxy(new JschRemoteHostFactory(),
                () -> Optional.of(new DefaultCredentials.Found(host.rootKey().privateKey(), null)), RegistryClient.create());
        mirrors = new ContainerdMirror(new JschRemoteHostFactory(),
                () -> Optional.of(new DefaultCredentials.Found(host.rootKey().privateKey(), null)), Clock.systemUTC());
    }

    @AfterAll
    static void stop() {
        List<AutoCloseable> all = new ArrayList<>(upstreams.values());
        all.add(ghcr);
        all.addAll(nodes);
        all.addAll(List.of(host, network));
        for (AutoCloseable c : all) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private static ConnectionArgs conn(String ip) {
        return new ConnectionArgs(ip, 22, "root", null, null, null, null, null, 10, 3, 1, false);
    }

    private static RegistryProxy.Args proxy(String name, String registry, int port, String image, LocalRegistry upstream) {
        return new RegistryProxy.Args(conn(host.ip()), new UpstreamArgs(name, registry, upstream.networkUrl(), port, null, null, null),
                image, "0.0.0.0", "/var/lib/imagecache/" + name, "/etc/imagecache/" + name, false, 60);
    }

    private static <A> Decoded<A> d(A a) {
        return new Decoded<>(a, Set.of(), Set.of(), List.of());
    }

    /** Read (refresh) of the proxy {@code name}; its warnings go to {@code w}. */
    private static RegistryProxy.State read(String name, ObservedContext w) throws ResourceException {
        var r = proxies.read(new CustomResource.ReadRequest<>("id", "urn", Optional.of(args.get(name)),
                Optional.of(states.get(name)), w));
        states.put(name, r.state());
        return r.state();
    }

    /** The host's own df of {@code dir}. */
    private static DiskFree hostDf(String dir) {
        return DiskFree.parseDf(host.sh("df -P -B1 -- " + dir)).orElseThrow();
    }

    /**
     * The free space once the proxy has finished writing what a pull made it cache (it writes the blob's link files
     * and cleans up its upload after the pull has been answered): the same df twice, half a second apart.
     */
    private static DiskFree settledDf(String dir) throws InterruptedException {
        DiskFree last = hostDf(dir);
        for (int i = 0; i < 60; i++) {
            Thread.sleep(500);
            DiskFree now = hostDf(dir);
            if (now.equals(last)) {
                return now;
            }
            last = now;
        }
        throw new AssertionError("the free space of " + dir + " kept changing for 30 s");
    }

    /** Lines of a registry's access log from {@code ip} naming {@code path}. */
    private static long linesFrom(String log, String ip, String path) {
        return log.lines().filter(l -> l.startsWith(ip + " ") && l.contains(path)).count();
    }

    /** As above, answered with {@code status}: {@code 172.20.0.3 - - [...] "GET /v2/... HTTP/1.1" 500 308 ...}. */
    private static long linesFrom(String log, String ip, String path, int status) {
        return log.lines().filter(l -> l.startsWith(ip + " ") && l.contains(path) && l.contains("\" " + status + " ")).count();
    }

    private static String logOf(String container) {
        return host.sh("docker logs " + container + " 2>&1");
    }

    private static ExecResult pull(NodeHost n, String ref) {
        n.crictl("rmi", ref);
        return n.crictl("pull", ref);
    }

    @Test
    @Order(1)
    void theProxiesServeAndReadShowsTheFreeSpaceOfTheDataDirectorysFilesystem() throws Exception {
        ObservedContext w = ObservedContext.keepingWarnings();
        for (Small p : SMALL) {
            host.sh("mkdir -p " + p.dataDir() + " && mount -t tmpfs -o size=16m imagecache-" + p.name() + " " + p.dataDir());
            args.put(p.name(), proxy(p.name(), p.registry(), p.port(), p.image(), upstreams.get(p.name())));
        }
        args.put("ghcr", proxy("ghcr", "ghcr.io", 5010, DockerHost.REGISTRY_IMAGE, ghcr));
        for (var e : args.entrySet()) {
            RegistryProxy.State s = proxies.create(new CustomResource.CreateRequest<>("urn", e.getKey(), d(e.getValue()), false, w))
                    .state();
            assertTrue(s.healthy(), e.getKey());
            states.put(e.getKey(), s);
        }
        assertEquals(List.of(), w.warnings(), "16 MiB with nothing in it is not low");
        for (Small p : SMALL) {
            long free = states.get(p.name()).diskFreeBytes();
            assertTrue(free > 15L << 20 && free <= 16L << 20, p.name() + ": the tmpfs's free space, not the host's: " + free);
        }
        assertTrue(states.get("ghcr").diskFreeBytes() > 16L << 20, "the other proxy's filesystem: " + states.get("ghcr").diskFreeBytes());

        for (NodeHost n : nodes) {
            List<ContainerdMirror.MirrorArgs> m = new ArrayList<>();
            for (Small p : SMALL) {
                m.add(new ContainerdMirror.MirrorArgs(p.registry(), List.of(states.get(p.name()).endpoint()),
                        upstreams.get(p.name()).networkUrl(), null, null, null, null, null));
            }
            m.add(new ContainerdMirror.MirrorArgs("ghcr.io", List.of(states.get("ghcr").endpoint()), ghcr.networkUrl(),
                    null, null, null, null, null));
            mirrors.create(new CustomResource.CreateRequest<>("urn", "node", d(new ContainerdMirror.Args(conn(n.ip()), m,
                    NodeHost.CERTS_DIR, NodeHost.CONFIG_FILE, "systemctl restart containerd", 60)), false, ObservedContext.create()));
            for (Small p : SMALL) {
                ExecResult cached = pull(n, p.cachedRef());
                assertEquals(0, cached.getExitCode(), n.containerd() + ": " + cached.getStderr());
                assertTrue(linesFrom(logOf(p.container()), n.ip(), "/v2/" + p.repoPrefix() + "cached/manifests/1") >= 1,
                        p.name() + ": " + n.containerd() + " pulled through the proxy");
            }
        }
        for (Small p : SMALL) {
            assertTrue(upstreams.get(p.name()).requests("/v2/" + p.repoPrefix() + "cached/blobs/.*") >= 2,
                    p.name() + ": the proxy fetched config and layer");
            long created = states.get(p.name()).diskFreeBytes();
            settledDf(p.dataDir());
            RegistryProxy.State s = read(p.name(), w);
            assertTrue(s.diskFreeBytes() < created, p.name() + ": the cached image takes room: " + s.diskFreeBytes());
            assertEquals(hostDf(p.dataDir()).freeBytes(), s.diskFreeBytes(), p.name() + ": what df shows on the host");
        }
        assertEquals(List.of(), w.warnings());
    }

    @Test
    @Order(2)
    void filledReadShowsNoSpaceLeftAndWarns() throws Exception {
        for (Small p : SMALL) {
            ExecResult dd = host.exec("dd", "if=/dev/zero", "of=" + p.filler(), "bs=64k");
            assertTrue(dd.getStderr().contains("No space left on device"), dd.getStderr());
            ObservedContext w = ObservedContext.keepingWarnings();
            RegistryProxy.State s = read(p.name(), w);
            assertEquals(0L, s.diskFreeBytes(), p.name());
            assertEquals(1, w.warnings().size(), w.warnings().toString());
            String warning = w.warnings().get(0);
            assertTrue(warning.startsWith("the cache of " + p.container() + " on root@" + host.ip()
                    + ":22 is nearly out of disk: 0 B of 16.0 MiB free (0%)"), warning);
            assertTrue(warning.contains("dataDir " + p.dataDir()), warning);
            assertTrue(s.healthy() && s.running(), p.name() + ": it still runs and answers");
        }
        ObservedContext w = ObservedContext.keepingWarnings();
        read("ghcr", w);
        assertEquals(List.of(), w.warnings(), "the proxy on the host's own filesystem does not warn");
    }

    @Test
    @Order(3)
    void whileFullAnImageItHoldsStillPullsThroughIt() {
        for (Small p : SMALL) {
            for (NodeHost n : nodes) {
                String manifests = "/v2/" + p.repoPrefix() + "cached/manifests/1";
                long before = linesFrom(logOf(p.container()), n.ip(), manifests);
                int upstreamBlobs = upstreams.get(p.name()).requests("/v2/" + p.repoPrefix() + "cached/blobs/.*");
                ExecResult cached = pull(n, p.cachedRef());
                assertEquals(0, cached.getExitCode(), p.name() + ", " + n.containerd() + ": " + cached.getStderr());
                assertTrue(linesFrom(logOf(p.container()), n.ip(), manifests) > before, p.name() + ": served by the proxy");
                assertEquals(upstreamBlobs, upstreams.get(p.name()).requests("/v2/" + p.repoPrefix() + "cached/blobs/.*"),
                        p.name() + ", " + n.containerd() + ": from its cache");
            }
        }
    }

    /**
     * What the proxies do with an image they do not hold: distribution 2.8 answers the manifest requests 500 (it
     * cannot write the tag link or the manifest) and serves the blobs from the upstream without keeping them;
     * distribution 3 answers the blobs 500 too. containerd 1.6 and 2.x fall back to {@code server} for what failed,
     * so the pull succeeds, from the upstream; nothing is cached.
     */
    @Test
    @Order(4)
    void whileFullANewImageFailsAtTheProxyAndNodesFetchItFromTheUpstream() {
        for (Small p : SMALL) {
            for (NodeHost n : nodes) {
                String repo = p.freshRepo(n);
                String what = p.name() + " (" + p.image() + "), " + n.containerd();
                ExecResult fresh = pull(n, p.registry() + "/" + repo + ":1");
                assertEquals(0, fresh.getExitCode(), what + ": " + fresh.getStderr());
                String log = logOf(p.container());
                String upstream = upstreams.get(p.name()).getLogs();
                assertTrue(linesFrom(log, n.ip(), "/v2/" + repo + "/manifests/1", 500) >= 1, what + ": the proxy answered 500");
                assertTrue(log.lines().anyMatch(l -> l.contains("/v2/" + repo) && l.contains("no space left on device")),
                        what + ": the proxy's log says why");
                assertTrue(linesFrom(upstream, n.ip(), "/v2/" + repo + "/manifests/", 200) >= 1,
                        what + ": the node fetched the manifest from server, the upstream");
                if (p.image().equals(DockerHost.REGISTRY_IMAGE)) {
                    assertTrue(linesFrom(log, n.ip(), "/v2/" + repo + "/blobs/", 200) >= 2, what + ": blobs served through");
                    assertEquals(0, linesFrom(upstream, n.ip(), "/v2/" + repo + "/blobs/"), what);
                    assertTrue(log.contains("Error committing to storage"), what + ": and not kept");
                } else {
                    assertTrue(linesFrom(log, n.ip(), "/v2/" + repo + "/blobs/", 500) >= 2, what + ": blobs refused too");
                    assertTrue(linesFrom(upstream, n.ip(), "/v2/" + repo + "/blobs/", 200) >= 2, what + ": from the upstream");
                }
            }
        }
    }

    @Test
    @Order(5)
    void whileFullEverythingElseOnTheHostWorks() {
        assertTrue(host.docker("run", "--rm", "--entrypoint", "registry", DockerHost.REGISTRY_IMAGE, "--version").contains("2.8"),
                "docker runs other containers");
        for (NodeHost n : nodes) {
            ExecResult app = pull(n, "ghcr.io/org/app:1");
            assertEquals(0, app.getExitCode(), n.containerd() + ": " + app.getStderr());
            assertTrue(linesFrom(logOf("registry-ghcr"), n.ip(), "/v2/org/app/manifests/1") >= 1,
                    "the other proxy served " + n.containerd());
            assertTrue(n.criLoaded(), n.containerd() + ": CRI loaded");
        }
    }

    @Test
    @Order(6)
    void freeingSpaceIsAllItTakesToRecover() throws Exception {
        for (Small p : SMALL) {
            host.sh("rm -f " + p.filler());
            ObservedContext w = ObservedContext.keepingWarnings();
            RegistryProxy.State s = read(p.name(), w);
            assertEquals(List.of(), w.warnings(), p.name() + ": no warning once there is room");
            assertTrue(s.diskFreeBytes() > 15L << 20, p.name() + ": " + s.diskFreeBytes());
            for (NodeHost n : nodes) {
                String repo = p.freshRepo(n);
                ExecResult fresh = pull(n, p.registry() + "/" + repo + ":1");
                assertEquals(0, fresh.getExitCode(), p.name() + ", " + n.containerd() + ": " + fresh.getStderr());
                assertTrue(linesFrom(logOf(p.container()), n.ip(), "/v2/" + repo + "/manifests/1", 200) >= 1,
                        p.name() + ", " + n.containerd() + ": through the proxy again");
                int upstreamBlobs = upstreams.get(p.name()).requests("/v2/" + repo + "/blobs/.*");
                ExecResult again = pull(n, p.registry() + "/" + repo + ":1");
                assertEquals(0, again.getExitCode(), again.getStderr());
                assertEquals(upstreamBlobs, upstreams.get(p.name()).requests("/v2/" + repo + "/blobs/.*"),
                        p.name() + ", " + n.containerd() + ": now cached");
            }
        }
    }
}
