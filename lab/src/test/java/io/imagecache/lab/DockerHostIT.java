package io.imagecache.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DockerHostIT {
    static LabNetwork network;
    static DockerHost host;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        host = new DockerHost(network);
        host.start();
    }

    @AfterAll
    static void stop() {
        host.stop();
        network.close();
    }

    @Test
    void innerDockerdHasTheRegistryImage() {
        assertTrue(host.docker("version", "--format", "{{.Server.Version}}").startsWith("20.10"));
        assertTrue(host.docker("image", "ls", "--format", "{{.Repository}}:{{.Tag}}").contains(DockerHost.REGISTRY_IMAGE));
    }

    @Test
    void aRegistryRunByTheInnerDockerdAnswersOnTheHostAddress() throws Exception {
        host.docker("run", "-d", "--name", "registry-it", "-p", "5010:5000", DockerHost.REGISTRY_IMAGE);
        try {
            assertEquals(200, Http.getStatus("http://" + host.ip() + ":5010/v2/", Duration.ofSeconds(30)));
        } finally {
            host.docker("rm", "-f", "registry-it");
        }
    }
}
