package io.imagecache.ssh.jsch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.ssh.SshTarget;
import io.imagecache.ssh.Tunnel;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tunnels to a registry that the docker host's inner dockerd publishes on its 127.0.0.1 only: the
 * provider's health check ({@code GET /v2/} through SSH) in miniature.
 */
class JschTunnelIT {
    static LabNetwork network;
    static DockerHost docker;
    static LabHost jump;
    static String registryIp;

    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        docker = new DockerHost(network);
        jump = LabHost.plain(network);
        docker.start();
        jump.start();
        docker.docker("run", "-d", "--name", "registry-tunnel", "-p", "127.0.0.1:5010:5000", DockerHost.REGISTRY_IMAGE);
        registryIp = docker.docker("inspect", "-f", "{{.NetworkSettings.IPAddress}}", "registry-tunnel").strip();
        // wait until the registry answers on the docker host itself
        docker.sh("for i in $(seq 100); do curl -fsS -o /dev/null http://127.0.0.1:5010/v2/ && exit 0; sleep 0.1; done; exit 1");
    }

    @AfterAll
    static void stop() {
        jump.stop();
        docker.stop();
        network.close();
    }

    static SshTarget root(LabHost host) {
        return SshTarget.withKey(host.ip(), 22, "root", host.rootKey().privateKey())
                .withRetries(1, Duration.ofMillis(100), Duration.ofSeconds(10));
    }

    int get(int localPort) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + localPort + "/v2/"))
                .timeout(Duration.ofSeconds(10)).GET().build();
        return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void theRegistryIsNotReachableFromOutside() {
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + docker.ip() + ":5010/v2/"))
                .timeout(Duration.ofSeconds(5)).GET().build();
        assertThrows(IOException.class, () -> http.send(req, HttpResponse.BodyHandlers.discarding()));
    }

    @Test
    void aTunnelToTheRemoteLoopback() throws Exception {
        try (RemoteHost h = new JschRemoteHostFactory().connect(root(docker), s -> {})) {
            int port;
            try (Tunnel t = h.tunnel("127.0.0.1", 5010)) {
                port = t.localPort();
                assertEquals(200, get(port));
                assertEquals(200, get(port), "a tunnel carries more than one connection");
            }
            // Closing the tunnel closes our listener. (Asking whether the port still accepts connections would
            // race with any other process on this machine that binds an ephemeral port in the meantime.)
            Process ss = new ProcessBuilder("ss", "-Hltnp", "sport = :" + port).redirectErrorStream(true).start();
            String listeners = new String(ss.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertEquals(0, ss.waitFor());
            assertFalse(listeners.contains("pid=" + ProcessHandle.current().pid() + ","),
                    "closing the tunnel stops listening: " + listeners);
        }
    }

    @Test
    void theTunnelTargetIsResolvedOnTheRemoteHost() throws Exception {
        // the registry container's own address on the inner docker bridge exists only on the docker host
        try (RemoteHost h = new JschRemoteHostFactory().connect(root(docker), s -> {});
                Tunnel t = h.tunnel(registryIp, 5000)) {
            assertEquals(200, get(t.localPort()));
        }
    }

    @Test
    void aTunnelThroughAJumpHost() throws Exception {
        try (RemoteHost h = new JschRemoteHostFactory().connect(root(docker).withProxy(root(jump)), s -> {});
                Tunnel t = h.tunnel("127.0.0.1", 5010)) {
            assertEquals(200, get(t.localPort()));
        }
    }
}
