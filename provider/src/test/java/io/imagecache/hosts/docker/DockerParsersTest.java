package io.imagecache.hosts.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The parsers of what a Docker host prints, on output captured from the lab's Docker 20.10 (testdata/docker). */
public class DockerParsersTest {
    public static String captured(String name) throws IOException {
        return Files.readString(Path.of("src/test/resources/testdata/docker", name));
    }

    @Test
    void inspectOfAProxyStartedOurWay() throws IOException {
        ContainerInfo c = DockerInspect.parse(captured("inspect-running.json"));
        assertEquals("registry-ghcr", c.name());
        assertEquals("imagecache-lab/registry:2.8", c.image());
        assertEquals("sha256:f4d340739fb85d392b8a5b8ab804e73e920bac71eb5d24c2bd8923133e5461ba", c.imageId(),
                "the image it was made from, by ID (the tag may have moved since)");
        assertTrue(c.running());
        assertEquals(List.of("registry"), c.entrypoint());
        assertEquals(List.of("serve", "/etc/imagecache/config.yml"), c.cmd());
        assertEquals(Optional.of("true"), c.label("io.imagecache.managed"));
        assertEquals(Optional.of("/tmp/hp/proxy.yml"), c.mountSource("/etc/imagecache/config.yml"));
        assertEquals(Optional.of("/tmp/hp/data"), c.mountSource("/var/lib/registry"));
        assertEquals(Optional.of(new ContainerInfo.PortBinding("5000/tcp", "127.0.0.1", 5982)), c.published("5000/tcp"));
    }

    @Test
    void inspectOfAStoppedContainerWithTheImagesOwnEntrypoint() throws IOException {
        ContainerInfo c = DockerInspect.parse(captured("inspect-stopped.json"));
        assertFalse(c.running());
        assertEquals("exited", c.status());
        assertEquals(List.of("/bin/registry"), c.entrypoint());
        assertEquals(List.of("serve", "/etc/distribution/config.yml"), c.cmd());
        assertEquals("0.0.0.0", c.published("5000/tcp").orElseThrow().address(), "an empty HostIp means all addresses");
        assertEquals(5984, c.published("5000/tcp").orElseThrow().hostPort());
    }

    @Test
    void inspectLinesOfSeveralContainers() throws IOException {
        String lines = captured("inspect-running.json").strip() + "\n" + captured("inspect-handmade.json").strip() + "\n";
        List<ContainerInfo> all = DockerInspect.parseLines(lines);
        assertEquals(List.of("registry-ghcr", "hp-up"), all.stream().map(ContainerInfo::name).toList());
        assertEquals(Optional.of("/tmp/hp/plain.yml"), all.get(1).mountSource("/etc/docker/registry/config.yml"));
    }

    @Test
    void ssListenersWithAndWithoutProcess() throws IOException {
        List<Listener> l = Listener.parseSs(captured("ss-Hltnp.txt"));
        assertEquals(5, l.size());
        assertEquals(new Listener("127.0.0.1", 5981, Optional.of("docker-proxy"), Optional.of(27591)), l.get(0));
        assertEquals(new Listener("0.0.0.0", 2024, Optional.empty(), Optional.empty()), l.get(2));
        assertEquals("::", l.get(4).address());
        assertEquals(5984, l.get(4).port());
    }

    @Test
    void addressesOverlapOnlyWhenTheSameOrAWildcard() {
        assertTrue(Listener.overlaps("127.0.0.1", "127.0.0.1"));
        assertTrue(Listener.overlaps("0.0.0.0", "10.0.0.5"));
        assertTrue(Listener.overlaps("10.0.0.5", "::"));
        assertFalse(Listener.overlaps("127.0.0.1", "127.0.0.2"));
    }

    /** A container gone between `docker ps` and `docker inspect` (another step's `docker run --rm`): the rest is the list. */
    @Test
    void aContainerThatVanishedDuringTheListingIsNotAFailure() {
        org.junit.jupiter.api.Assertions.assertTrue(DockerInspect.onlyVanished("Error: No such container: 4355fe4a7de0\n"));
        org.junit.jupiter.api.Assertions.assertTrue(DockerInspect.onlyVanished("Error: No such object: 4355fe4a7de0\n"
                + "Error response from daemon: No such container: 99aa\n"));
        org.junit.jupiter.api.Assertions.assertFalse(DockerInspect.onlyVanished(""), "a failure with nothing said is a failure");
        org.junit.jupiter.api.Assertions.assertFalse(DockerInspect.onlyVanished("Cannot connect to the Docker daemon at "
                + "unix:///var/run/docker.sock. Is the docker daemon running?\n"));
        org.junit.jupiter.api.Assertions.assertFalse(DockerInspect.onlyVanished("Error: No such container: a\npermission denied\n"));
    }
}
