package io.imagecache.hosts.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.hosts.Dash;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.ExecResult;
import io.imagecache.ssh.FakeRemoteHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Docker#probe}: its script run by this machine's /bin/sh (dash, as on the lab's Debian hosts) on directories laid
 * out like a registry host's, with stand-ins for {@code docker} and {@code ss} on PATH that answer with output captured
 * from a real host; its output read by {@link DockerProbe#parse}; and the adapter's fall-backs on a fake host.
 */
class DockerProbeTest {
    private static final String MARKER = ".imagecache-owner";

    @TempDir
    Path dir;

    /** Runs the probe as the host would: {@code sh -c PROBE sh <mode> <name> <image> <marker> <config> <dirs...>}. */
    private String probe(String path, String mode, String name, String image, Path config, Path... dirs)
            throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(mode, name, image, MARKER, config.toString()));
        for (Path d : dirs) {
            args.add(d.toString());
        }
        return Dash.run(path, Docker.PROBE, args);
    }

    /**
     * A stand-in {@code docker}: {@code ps -aq} lists a, b and gone; {@code inspect} prints the captured JSON of a
     * (registry-ghcr) and b (hp-up), and for any other name the daemon's "No such container" on stderr, exit 1, as
     * Docker does for one removed between the two commands; {@code image inspect} knows registry:3.0.0 only.
     */
    private Path bin(String dockerPs) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path data = Path.of("src/test/resources/testdata/docker").toAbsolutePath();
        String docker = "#!/bin/sh\n"
                + "case \"$1\" in\n"
                + "ps) " + dockerPs + " ;;\n"
                + "inspect) shift 5; rc=0; for id in \"$@\"; do case $id in\n"
                + "  a|registry-ghcr) cat " + data.resolve("inspect-running.json") + " ;;\n"
                + "  b|hp-up) cat " + data.resolve("inspect-handmade.json") + " ;;\n"
                + "  *) echo \"Error: No such container: $id\" >&2; rc=1 ;; esac; done; exit $rc ;;\n"
                + "image) [ \"$5\" = registry:3.0.0 ] || { echo 'Error: No such image' >&2; exit 1; }; echo sha256:f4d3 ;;\n"
                + "esac\n";
        for (String[] tool : new String[][] {{"docker", docker}, {"ss", "#!/bin/sh\ncat " + data.resolve("ss-Hltnp.txt") + "\n"}}) {
            Path c = Files.writeString(bin.resolve(tool[0]), tool[1]);
            Files.setPosixFilePermissions(c, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return bin;
    }

    private static final String PS = "printf 'a\\nb\\ngone\\n'";

    @Test
    void everythingAnApplyNeedsComesBackInOneCommand() throws Exception {
        // a data directory that holds a cache and its marker; a config directory that holds its marker and a config
        // file with characters a shell or a line-based reader would trip on
        Path data = Files.createDirectories(dir.resolve("var/lib/imagecache/ghcr"));
        Files.writeString(data.resolve(MARKER), "owner: registry-ghcr\ncreated: true\n");
        Files.createDirectories(data.resolve("docker/registry"));
        Path conf = Files.createDirectories(dir.resolve("etc/imagecache/ghcr"));
        Files.writeString(conf.resolve(MARKER), "owner: registry-ghcr\n");
        String yaml = "# imagecache\nproxy:\n  password: \"p\\ta$s 'x' \\\"y\\\"\"\n\ttab\n";
        Path config = Files.writeString(conf.resolve("config.yml"), yaml);
        DockerProbe p = DockerProbe.parse(probe(bin(PS) + ":/usr/bin:/bin", "all", "registry-ghcr", "registry:3.0.0",
                config, data, conf));

        assertEquals(Optional.empty(), p.dockerError());
        List<ContainerInfo> containers = DockerInspect.parseLines(String.join("\n", p.containerLines()));
        assertEquals(List.of("registry-ghcr", "hp-up"), containers.stream().map(ContainerInfo::name).toList());
        assertTrue(DockerInspect.onlyVanished(String.join("\n", p.inspectErrors())), p.inspectErrors().toString());
        assertEquals(Optional.of("sha256:f4d3"), p.imageId());
        assertEquals(Listener.parseSs(DockerParsersTest.captured("ss-Hltnp.txt")), p.listeners());
        assertEquals(List.of(DirState.NONEMPTY, DirState.NONEMPTY), p.dirs(), "the config directory holds config.yml");
        assertTrue(p.disk().isPresent(), "df of the filesystem that holds the data directory");
        assertEquals(Optional.of(new DockerProbe.Files(Map.of(0, "owner: registry-ghcr\ncreated: true\n", 1,
                "owner: registry-ghcr\n"), Optional.of(yaml))), p.files());
    }

    @Test
    void oneContainerNoListenersAndMissingThings() throws Exception {
        Path missing = dir.resolve("nothing/here");
        Path config = dir.resolve("nothing/config.yml");
        DockerProbe p = DockerProbe.parse(probe(bin(PS) + ":/usr/bin:/bin", "one", "registry-quay", "", config, missing,
                missing.resolveSibling("conf")));
        assertEquals(List.of(), p.containerLines(), "only the one asked for, and it does not exist");
        assertEquals(List.of("Error: No such container: registry-quay"), p.inspectErrors());
        assertEquals(List.of(), p.listeners(), "listeners only with all");
        assertEquals(Optional.empty(), p.imageId(), "no image asked for");
        assertEquals(List.of(DirState.MISSING, DirState.MISSING), p.dirs());
        assertTrue(p.disk().isPresent(), "a missing directory: the filesystem of its nearest parent");
        assertEquals(Optional.of(new DockerProbe.Files(Map.of(), Optional.empty())), p.files());

        DockerProbe one = DockerProbe.parse(probe(bin(PS) + ":/usr/bin:/bin", "one", "registry-ghcr", "registry:2", config,
                missing));
        assertEquals(1, one.containerLines().size());
        assertEquals(List.of(), one.inspectErrors());
        assertEquals(Optional.empty(), one.imageId(), "an image the host does not have");
    }

    @Test
    void aHostilePathAStrayFileAndASymlinkAreToldApart() throws Exception {
        Path odd = Files.createDirectories(dir.resolve("a dir $(touch pwned) 'q'"));
        Files.writeString(odd.resolve(MARKER + "x"), "not our marker, a user's file");
        Path real = Files.createDirectories(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        Path file = Files.writeString(dir.resolve("plain"), "a file");
        DockerProbe p = DockerProbe.parse(probe(bin("true") + ":/usr/bin:/bin", "all", "registry-x", "", odd.resolve("c.yml"),
                odd, link, file));
        assertEquals(List.of(DirState.NONEMPTY, DirState.NOT_A_DIRECTORY, DirState.NOT_A_DIRECTORY), p.dirs());
        assertEquals(List.of(), p.containerLines(), "no containers at all: nothing to inspect");
        assertFalse(Files.exists(dir.resolve("pwned")), "a path is data, never code");
    }

    @Test
    void dockerDownAndNoBase64() throws Exception {
        Path down = bin("echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1");
        DockerProbe p = DockerProbe.parse(probe(down + ":/usr/bin:/bin", "all", "registry-x", "", dir.resolve("c.yml"), dir));
        assertEquals(Optional.of("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"),
                p.dockerError());

        Files.delete(down.resolve("docker"));
        Path bin = bin(PS);
        // every tool the probe uses but base64
        for (String tool : List.of("sed", "tr", "ls", "grep", "dirname", "timeout", "df", "cat")) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of("/usr/bin", tool).toRealPath());
        }
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve(MARKER), "owner: registry-ghcr\n");
        DockerProbe without = DockerProbe.parse(probe(bin.toString(), "all", "registry-ghcr", "registry:3.0.0",
                conf.resolve("config.yml"), conf));
        assertEquals(Optional.empty(), without.files(), "read one by one instead");
        assertEquals(List.of(DirState.EMPTY), without.dirs(), "the rest of the probe still answers");
        assertEquals(2, without.containerLines().size());
    }

    @Test
    void theParserRefusesWhatTheProbeDoesNotPrint() {
        assertThrows(IllegalArgumentException.class, () -> DockerProbe.parse("dir\t0\tempty\n"), "cut short: no done line");
        assertThrows(IllegalArgumentException.class, () -> DockerProbe.parse("something else\ndone\t\n"));
        assertThrows(IllegalArgumentException.class, () -> DockerProbe.parse("marker\t0\tnot-base64!\ndone\t\n"));
        IllegalArgumentException secret = assertThrows(IllegalArgumentException.class,
                () -> DockerProbe.parse("config\tcGFzc3dvcmQ6IGh1bnRlcjI=!\ndone\t\n"));
        assertFalse(secret.getMessage().contains("cGFzc3dvcmQ"), "a file's content never reaches a message: " + secret.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DockerProbe.parse("dir\t1\tempty\ndone\t\n"), "dir 0 missing");
        assertThrows(IllegalArgumentException.class, () -> DockerProbe.parse("dir\tzero\tempty\ndone\t\n"));
        assertEquals(Optional.of("down"), DockerProbe.parse("dockererr\tdown\n").dockerError());
    }

    // --- the adapter: what Docker.probe makes of the probe's answers --------------------------------------

    private static Docker docker(FakeRemoteHost host) {
        return new Docker(host, "root@reg:22");
    }

    @Test
    void withoutTheFilesLineTheAdapterReadsEachFile() throws Exception {
        FakeRemoteHost host = new FakeRemoteHost();
        host.files.put("/d/" + MARKER, "owner: registry-ghcr\n");
        host.files.put("/c/config.yml", "version: 0.1\n");
        host.on("sh -c ", c -> FakeRemoteHost.ok("dir\t0\tempty\ndir\t1\tmissing\ndone\t\n"));
        Docker.HostView v = docker(host).probe("registry-ghcr", true, null, MARKER, "/c/config.yml", List.of("/d", "/c"));
        assertEquals(List.of(new Docker.DirLook("/d", DirState.EMPTY, Optional.of("owner: registry-ghcr\n")),
                new Docker.DirLook("/c", DirState.MISSING, Optional.empty())), v.dirs());
        assertEquals(Optional.of("version: 0.1\n"), v.config());
        assertEquals(1, host.commands.size(), "the probe; the files were read without commands of their own here");
    }

    @Test
    void dockerDownAndAFailedInspectAreRefusedNamingTheHost() {
        FakeRemoteHost down = new FakeRemoteHost().on("sh -c ", c -> FakeRemoteHost.ok("dockererr\tCannot connect\n"));
        ResourceException e = assertThrows(ResourceException.class,
                () -> docker(down).probe("registry-x", true, null, MARKER, "/c/config.yml", List.of("/d", "/c")));
        assertEquals("Docker does not answer on root@reg:22 (`docker ps`: Cannot connect); install Docker (Debian: apt-get "
                + "install docker.io) and start it", e.getMessage());

        FakeRemoteHost broken = new FakeRemoteHost().on("sh -c ", c -> FakeRemoteHost.ok(
                "inspecterr\tError response from daemon: permission denied\ndir\t0\tempty\ndir\t1\tempty\nfiles\tread\ndone\t\n"));
        e = assertThrows(ResourceException.class,
                () -> docker(broken).probe("registry-x", true, null, MARKER, "/c/config.yml", List.of("/d", "/c")));
        assertEquals("could not list the containers on root@reg:22: Error response from daemon: permission denied", e.getMessage());

        FakeRemoteHost cut = new FakeRemoteHost().on("sh -c ", c -> new ExecResult(137, "dir\t0\tempty\n", "Killed"));
        e = assertThrows(ResourceException.class,
                () -> docker(cut).probe("registry-x", false, null, MARKER, "/c/config.yml", List.of("/d", "/c")));
        assertTrue(e.getMessage().contains("root@reg:22"), e.getMessage());
    }
}
