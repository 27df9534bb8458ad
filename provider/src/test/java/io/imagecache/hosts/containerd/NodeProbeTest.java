package io.imagecache.hosts.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ContainerdNode#probe}: its script run by this machine's /bin/sh (dash, as on the lab's Debian nodes) on a
 * directory laid out like a node's, with a stand-in {@code containerd} on PATH, and its output read by
 * {@link NodeProbe#parse}.
 */
class NodeProbeTest {
    @TempDir
    Path dir;

    /** Runs the probe as the node would: {@code sh -c PROBE sh <configFile> <candidates...>}. */
    private String probe(Path bin, String configFile, String... candidates) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/bin/sh", "-c", ContainerdNode.PROBE, "sh", configFile));
        cmd.addAll(List.of(candidates));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("PATH", bin + ":/usr/bin:/bin");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    /**
     * A bin directory with a stand-in {@code containerd} and {@code ps} (this machine's own containerd processes, the
     * lab's, would otherwise answer: here {@code ps} says no containerd runs).
     */
    private Path bin(String containerdScript) throws IOException {
        return bin(containerdScript, "true");
    }

    private Path bin(String containerdScript, String psScript) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String[] tool : new String[][] {{"containerd", containerdScript}, {"ps", psScript}}) {
            Path c = Files.writeString(bin.resolve(tool[0]), "#!/bin/sh\n" + tool[1] + "\n");
            Files.setPosixFilePermissions(c, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return bin;
    }

    @Test
    void aSymlinkedConfigIsFollowedAndEverythingComesBackInOneCommand() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real"));
        Path target = Files.writeString(real.resolve("config.toml"), "version = 2\n");
        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-r-----"));
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Files.createSymbolicLink(etc.resolve("config.toml"), target);
        Path bin = bin("echo 'containerd github.com/containerd/containerd v1.7.27 05044ec0a9a75232cad458027ca83437aae3f4da'");
        NodeProbe p = NodeProbe.parse(probe(bin, etc.resolve("config.toml").toString(), dir.resolve("k3s.toml").toString()),
                etc.resolve("config.toml").toString());
        assertEquals(target.toString(), p.target());
        assertEquals(List.of(), p.rancherSigns());
        assertEquals(0, p.versionExit());
        assertEquals("containerd github.com/containerd/containerd v1.7.27 05044ec0a9a75232cad458027ca83437aae3f4da", p.versionOut());
        String uid = String.valueOf(Files.getAttribute(target, "unix:uid"));
        String gid = String.valueOf(Files.getAttribute(target, "unix:gid"));
        assertEquals(Optional.of("640 " + uid + " " + gid), p.stat());
        // no containerd process runs (ps prints nothing): the node cannot say, so not "changed since"
        assertFalse(p.changedSinceContainerdStarted());
        assertEquals(Optional.empty(), p.startedAndChanged());
    }

    @Test
    void aConfigWrittenAfterContainerdStartedIsSeen() throws Exception {
        Path config = Files.writeString(dir.resolve("config.toml"), "version = 2\n");
        String version = "echo 'containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3'";
        // the youngest containerd has run for 100 s (ps -o etimes=), the file was written just now
        NodeProbe cutShort = NodeProbe.parse(probe(bin(version, "printf ' 4000\\n  100\\n'"), config.toString()), config.toString());
        assertTrue(cutShort.changedSinceContainerdStarted(), cutShort.toString());
        // a file older than containerd's start: loaded
        Files.setLastModifiedTime(config, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        NodeProbe loaded = NodeProbe.parse(probe(bin(version, "printf '  100\\n'"), config.toString()), config.toString());
        assertFalse(loaded.changedSinceContainerdStarted(), loaded.toString());
        // ps printing something that is no number is not trusted
        NodeProbe garbage = NodeProbe.parse(probe(bin(version, "echo 'ps: unknown option'"), config.toString()), config.toString());
        assertEquals(Optional.empty(), garbage.startedAndChanged());
        assertTrue(garbage.stat().isPresent(), "the rest of the probe still answers");
    }

    @Test
    void rancherSignsInTheOrderAskedAndTheTemplateBesideTheTarget() throws Exception {
        Path k3s = Files.writeString(dir.resolve("k3s-config.toml"), "");
        Path config = Files.writeString(dir.resolve("config.toml"), "");
        Files.writeString(dir.resolve("config.toml.tmpl"), "{{ template \"base\" . }}\n");
        Path bin = bin("echo 'containerd github.com/k3s-io/containerd v1.7.23-k3s2'");
        NodeProbe p = NodeProbe.parse(probe(bin, config.toString(), dir.resolve("rke2.toml").toString(), k3s.toString()),
                config.toString());
        assertEquals(List.of(k3s.toString(), config + ".tmpl"), p.rancherSigns());
    }

    @Test
    void aMissingConfigAndAFailingContainerdAreSaidNotHidden() throws Exception {
        Path bin = bin("echo 'containerd: error while loading shared libraries' >&2; exit 127");
        String missing = dir.resolve("nowhere/config.toml").toString();
        NodeProbe p = NodeProbe.parse(probe(bin, missing), missing);
        assertEquals(missing, p.target(), "readlink cannot say: the path itself");
        assertEquals(127, p.versionExit());
        assertEquals("containerd: error while loading shared libraries", p.versionErr());
        assertEquals(Optional.empty(), p.stat());
        assertFalse(p.changedSinceContainerdStarted());
    }

    @Test
    void aPathWithSpacesQuotesAndDollarsIsOnlyAnArgument() throws Exception {
        Path odd = Files.createDirectories(dir.resolve("a dir 'with' $(touch pwned) `x`"));
        Path config = Files.writeString(odd.resolve("config.toml"), "");
        Path bin = bin("echo 'containerd github.com/containerd/containerd/v2 v2.2.0 1c4457e00facac03ce1d75f7b6777a7a851e5c41'");
        NodeProbe p = NodeProbe.parse(probe(bin, config.toString()), config.toString());
        assertEquals(config.toString(), p.target());
        assertTrue(p.stat().isPresent());
        assertFalse(Files.exists(Path.of("pwned")) || Files.exists(dir.resolve("pwned")), "nothing in the path ran");
    }

    @Test
    void theParserRefusesWhatTheProbeDoesNotPrint() {
        assertThrows(IllegalArgumentException.class, () -> NodeProbe.parse("target\t/etc/containerd/config.toml\n", "/c"),
                "no version line");
        assertThrows(IllegalArgumentException.class, () -> NodeProbe.parse("version\t0\tx\nsomething else\n", "/c"));
        assertThrows(IllegalArgumentException.class, () -> NodeProbe.parse("version\tzero\tx\n", "/c"));
        NodeProbe relative = NodeProbe.parse("target\trelative/path\nversion\t0\tcontainerd x 1.6.20\n", "/etc/c.toml");
        assertEquals("/etc/c.toml", relative.target(), "only an absolute target is taken");
        NodeProbe newer = NodeProbe.parse("version\t0\tx\nstarted\t1700000000 1700000100\n", "/c");
        assertTrue(newer.changedSinceContainerdStarted());
    }
}
