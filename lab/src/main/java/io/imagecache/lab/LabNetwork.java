package io.imagecache.lab;

import org.testcontainers.containers.Network;

/**
 * A user-defined Docker bridge network that lab containers join. Each container gets its own
 * address on it, reachable from the test JVM (Linux routes to local bridges) and from the other
 * containers, so tests address hosts by {@link LabHost#ip()} and their real ports (22, 5000) rather
 * than by mapped ports: a jump host reaches its target, and a node reaches a registry, the same way.
 */
public final class LabNetwork implements AutoCloseable {
    private final Network network;

    private LabNetwork(Network network) {
        this.network = network;
    }

    /** A new network; Docker creates it when the first container joins (or {@link #id()} is called). */
    public static LabNetwork create() {
        return new LabNetwork(Network.newNetwork());
    }

    /** The Testcontainers handle, for {@code GenericContainer.withNetwork}. */
    public Network network() {
        return network;
    }

    /** Docker's id of the network (creates it if needed). */
    public String id() {
        return network.getId();
    }

    @Override
    public void close() {
        network.close();
    }

    @Override
    public String toString() {
        return "LabNetwork[" + network.getId() + "]";
    }
}
