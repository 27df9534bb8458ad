package io.imagecache.examples;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.testcontainers.containers.GenericContainer;

/**
 * The demo's lab: a registry host (Docker in Docker, the stand-in for the registry VM, known on the lab network
 * by the DNS name {@link #REGISTRY_HOST_NAME} too), three nodes on containerd 1.6, 1.7 and 2.x, and two local
 * registries seeded with images that stand in for docker.io and ghcr.io (nothing here reaches a real registry).
 * Closing it removes every container and the network; a shutdown hook does the same when the demo is interrupted.
 */
final class DemoLab implements AutoCloseable {
    /** The registry host's alias on the lab network: Docker's DNS answers it to every container there. */
    static final String REGISTRY_HOST_NAME = "registry-host";
    static final String DOCKER_IMAGE = "docker.io/library/hello:1";
    static final String GHCR_IMAGE = "ghcr.io/org/app:1.0";

    final LabNetwork network;
    final DockerHost registryHost;
    final List<NodeHost> nodes;
    final LocalRegistry dockerHub;
    final LocalRegistry ghcr;
    private final Thread onInterrupt = new Thread(this::closeQuietly, "demo-lab-teardown");

    private DemoLab(LabNetwork network, DockerHost registryHost, List<NodeHost> nodes, LocalRegistry dockerHub,
            LocalRegistry ghcr) {
        this.network = network;
        this.registryHost = registryHost;
        this.nodes = nodes;
        this.dockerHub = dockerHub;
        this.ghcr = ghcr;
    }

    /** Creates and starts every container (the nodes accept the registry host's root key: one key for all). */
    static DemoLab start() {
        LabNetwork network = LabNetwork.create();
        DockerHost vm = new DockerHost(network);
        vm.withNetworkAliases(REGISTRY_HOST_NAME);
        List<NodeHost> nodes = List.of(NodeHost.containerd16(network), NodeHost.containerd17(network),
                NodeHost.containerd2(network));
        DemoLab lab = new DemoLab(network, vm, nodes, LocalRegistry.plain(), LocalRegistry.plain());
        Runtime.getRuntime().addShutdownHook(lab.onInterrupt);
        try {
            vm.start();
            for (NodeHost n : nodes) {
                n.withAuthorizedKey(vm.rootKey());
                n.start();
            }
            for (LocalRegistry r : List.of(lab.dockerHub, lab.ghcr)) {
                r.withNetwork(network.network());
                r.start();
            }
            ImageSeeder.to(lab.dockerHub).dockerImage("library/hello", "1", "hello from the docker.io stand-in");
            ImageSeeder.to(lab.ghcr).ociIndex("org/app", "1.0", "app from the ghcr.io stand-in");
            return lab;
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
    }

    /** The containers' names, for removing them by hand if the demo was killed before it could. */
    String containerNames() {
        return containers().map(c -> c.getContainerName().replaceFirst("^/", "")).collect(Collectors.joining(" "));
    }

    private Stream<GenericContainer<?>> containers() {
        List<GenericContainer<?>> all = new ArrayList<>();
        all.add(registryHost);
        all.addAll(nodes);
        all.add(dockerHub);
        all.add(ghcr);
        return all.stream().filter(GenericContainer::isCreated);
    }

    @Override
    public void close() {
        closeQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(onInterrupt);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is what runs this
        }
    }

    private synchronized void closeQuietly() {
        List<AutoCloseable> all = new ArrayList<>(List.of(ghcr, dockerHub));
        all.addAll(nodes);
        all.add(registryHost);
        all.add(network);
        for (AutoCloseable c : all) {
            try {
                c.close();
            } catch (Exception e) {
                // best effort: the rest still goes
            }
        }
    }
}
