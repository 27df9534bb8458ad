package io.imagecache.hosts.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.hosts.Dash;
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

    /** Runs the probe as the node would: {@code sh -c PROBE sh <configFile> <certsDir> <candidates...>}. */
    private String probe(Path bin, String configFile, String... candidates) throws IOException, InterruptedException {
        return probeIn(bin + ":/usr/bin:/bin", configFile, certs().toString(), candidates);
    }

    /** The probe told the containerd binary an earlier probe recorded. */
    private String probeKnowing(Path bin, String configFile, String recordedBinary) throws IOException, InterruptedException {
        return Dash.run(bin + ":/usr/bin:/bin", ContainerdNode.PROBE, List.of(configFile, certs().toString(), recordedBinary));
    }

    private Path certs() {
        return dir.resolve("certs.d");
    }

    private String probeIn(String path, String configFile, String certsDir, String... candidates) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(configFile, certsDir, ""));
        args.addAll(List.of(candidates));
        return Dash.run(path, ContainerdNode.PROBE, args);
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
                etc.resolve("config.toml").toString(), certs().toString());
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
        NodeProbe cutShort = NodeProbe.parse(probe(bin(version, "printf ' 4000\\n  100\\n'"), config.toString()), config.toString(), certs().toString());
        assertTrue(cutShort.changedSinceContainerdStarted(), cutShort.toString());
        // a file older than containerd's start: loaded
        Files.setLastModifiedTime(config, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        NodeProbe loaded = NodeProbe.parse(probe(bin(version, "printf '  100\\n'"), config.toString()), config.toString(), certs().toString());
        assertFalse(loaded.changedSinceContainerdStarted(), loaded.toString());
        // ps printing something that is no number is not trusted
        NodeProbe garbage = NodeProbe.parse(probe(bin(version, "echo 'ps: unknown option'"), config.toString()), config.toString(), certs().toString());
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
                config.toString(), certs().toString());
        assertEquals(List.of(k3s.toString(), config + ".tmpl"), p.rancherSigns());
    }

    @Test
    void aMissingConfigAndAFailingContainerdAreSaidNotHidden() throws Exception {
        Path bin = bin("echo 'containerd: error while loading shared libraries' >&2; exit 127");
        String missing = dir.resolve("nowhere/config.toml").toString();
        NodeProbe p = NodeProbe.parse(probe(bin, missing), missing, certs().toString());
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
        NodeProbe p = NodeProbe.parse(probe(bin, config.toString()), config.toString(), certs().toString());
        assertEquals(config.toString(), p.target());
        assertTrue(p.stat().isPresent());
        assertFalse(Files.exists(Path.of("pwned")) || Files.exists(dir.resolve("pwned")), "nothing in the path ran");
    }

    @Test
    void theConfigAndEveryHostsFileComeInTheSameCommandWhateverTheyHold() throws Exception {
        Path config = Files.writeString(dir.resolve("config.toml"), "version = 2\n# caf\u00e9 \t tab, 'quotes' and $(x)\n");
        Files.writeString(Files.createDirectories(certs().resolve("docker.io")).resolve("hosts.toml"), "server = \"https://registry-1.docker.io\"\n");
        Files.writeString(Files.createDirectories(certs().resolve("registry.local:5000")).resolve("hosts.toml"), "");
        // someone's other files: a README beside the registries, a directory with no hosts.toml, one named hosts.toml
        Files.writeString(certs().resolve("README"), "hands off\n");
        Files.createDirectories(certs().resolve("empty.io"));
        Files.createDirectories(certs().resolve("odd.io/hosts.toml"));
        Path bin = bin("echo 'containerd github.com/containerd/containerd v1.7.27 05044ec0a9a75232cad458027ca83437aae3f4da'");
        NodeProbe p = NodeProbe.parse(probe(bin, config.toString()), config.toString(), certs().toString());
        NodeProbe.Files f = p.files().orElseThrow(() -> new AssertionError("the files were not read: " + p));
        assertEquals(Optional.of(Files.readString(config)), f.config());
        assertEquals(java.util.Map.of("docker.io", "server = \"https://registry-1.docker.io\"\n", "registry.local:5000", ""), f.hostsFiles());
        assertEquals(certs().toString(), p.certsDir());
    }

    @Test
    void noConfigNoCertsDirIsAnAnswerToo() throws Exception {
        String missing = dir.resolve("nowhere/config.toml").toString();
        NodeProbe p = NodeProbe.parse(probe(bin("echo 'containerd github.com/containerd/containerd 1.6.20~ds1 x'"), missing), missing,
                certs().toString());
        assertEquals(Optional.of(new NodeProbe.Files(Optional.empty(), java.util.Map.of())), p.files());
    }

    @Test
    void aNodeWithoutBase64OrAFileItCannotReadLeavesTheFilesToBeReadOneByOne() throws Exception {
        Path config = Files.writeString(dir.resolve("config.toml"), "version = 2\n");
        Path bin = bin("echo 'containerd github.com/containerd/containerd 1.6.20~ds1 x'");
        // every tool the probe uses but base64
        for (String tool : List.of("readlink", "tr", "stat", "date", "cat")) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of("/usr/bin", tool).toRealPath());
        }
        NodeProbe without = NodeProbe.parse(probeIn(bin.toString(), config.toString(), certs().toString()), config.toString(),
                certs().toString());
        assertEquals(Optional.empty(), without.files());
        assertEquals(0, without.versionExit(), "the rest of the probe still answers");
        assertTrue(without.stat().isPresent());
        // a config.toml that is a directory cannot be read: the one-by-one read says why
        Path odd = Files.createDirectories(dir.resolve("odd/config.toml"));
        NodeProbe unreadable = NodeProbe.parse(probe(bin, odd.toString()), odd.toString(), certs().toString());
        assertEquals(Optional.empty(), unreadable.files());
    }

    @Test
    void aRegistryDirectoryWithANewlineInItsNameLeavesTheFilesToBeReadOneByOne() throws Exception {
        Path config = Files.writeString(dir.resolve("config.toml"), "version = 2\n");
        Files.writeString(Files.createDirectories(certs().resolve("docker.io")).resolve("hosts.toml"), "a\n");
        Files.writeString(Files.createDirectories(certs().resolve("odd\nname")).resolve("hosts.toml"), "b\n");
        NodeProbe p = NodeProbe.parse(probe(bin("echo 'containerd github.com/containerd/containerd 1.6.20~ds1 x'"), config.toString()),
                config.toString(), certs().toString());
        assertEquals(Optional.empty(), p.files());
        assertTrue(p.stat().isPresent(), "the rest of the probe still answers");
    }

    @Test
    void theProbeRunsAsManyProcessesForTenHostsFilesAsForOne() throws Exception {
        Path config = Files.writeString(dir.resolve("config.toml"), "version = 2\n");
        Path bin = bin("echo 'containerd github.com/containerd/containerd v1.7.27 x'", "printf '  100\\n'");
        // every tool the probe may run, as a wrapper that notes its name
        Path calls = dir.resolve("calls");
        for (String tool : List.of("readlink", "tr", "stat", "date", "cat", "base64", "head", "sort", "sed", "ls")) {
            Path w = Files.writeString(bin.resolve(tool), "#!/bin/sh\necho " + tool + " >> " + calls + "\nexec /usr/bin/" + tool
                    + " \"$@\"\n");
            Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        List<Integer> counts = new ArrayList<>();
        for (int registries : List.of(1, 10)) {
            for (int i = 0; i < registries; i++) {
                Files.writeString(Files.createDirectories(certs().resolve("r" + i + ".io")).resolve("hosts.toml"), "server = \"x\"\n");
            }
            Files.deleteIfExists(calls);
            NodeProbe p = NodeProbe.parse(probeIn(bin.toString(), config.toString(), certs().toString()), config.toString(),
                    certs().toString());
            assertEquals(registries, p.files().orElseThrow().hostsFiles().size());
            counts.add(Files.readAllLines(calls).size());
        }
        assertEquals(counts.get(0), counts.get(1), "tools run for 1 and for 10 hosts.toml files");
        // cat and base64 run side by side in one pipeline, so they are noted in either order
        assertEquals(List.of("base64", "cat", "date", "readlink", "stat", "stat", "stat"), Files.readAllLines(calls).stream().sorted().toList(),
                "the tools a probe runs on a containerd node (besides containerd and ps)");
    }

    @Test
    void containerdIsNotAskedAgainWhileItIsTheBinaryRecordedAndIsWhenItIsReplaced() throws Exception {
        Path config = Files.writeString(dir.resolve("config.toml"), "version = 2\n");
        Path asked = dir.resolve("asked");
        Path bin = bin("echo asked >> " + asked + "; echo 'containerd github.com/containerd/containerd v1.7.27 x'");
        NodeProbe first = NodeProbe.parse(probe(bin, config.toString()), config.toString(), certs().toString());
        String binary = first.binary().orElseThrow();
        assertTrue(binary.startsWith(bin.resolve("containerd") + " "), binary);
        assertFalse(first.versionRecorded());
        assertEquals(1, Files.readAllLines(asked).size());

        Optional<NodeProbe.Recorded> recorded = Optional.of(new NodeProbe.Recorded(binary, "1.7.27"));
        NodeProbe again = NodeProbe.parse(probeKnowing(bin, config.toString(), binary), config.toString(),
                certs().toString(), recorded);
        assertTrue(again.versionRecorded());
        assertEquals(0, again.versionExit());
        assertEquals("1.7.27", again.versionOut());
        assertEquals(Optional.of(binary), again.binary());
        assertEquals(1, Files.readAllLines(asked).size(), "containerd was not run for the second probe");
        assertTrue(again.files().isPresent(), "the rest of the probe still answers");

        // an upgrade replaces the file (dpkg renames a new one into place): another inode, and it is asked
        Path next = Files.writeString(bin.resolve("containerd.new"), "#!/bin/sh\necho asked >> " + asked
                + "; echo 'containerd github.com/containerd/containerd/v2 v2.2.9'\n");
        Files.setPosixFilePermissions(next, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.move(next, bin.resolve("containerd"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        NodeProbe upgraded = NodeProbe.parse(probeKnowing(bin, config.toString(), binary), config.toString(),
                certs().toString(), recorded);
        assertFalse(upgraded.versionRecorded());
        assertTrue(upgraded.versionOut().contains("v2.2.9"), upgraded.versionOut());
        assertTrue(upgraded.binary().isPresent() && !upgraded.binary().get().equals(binary), "a new binary is recorded");
        assertEquals(2, Files.readAllLines(asked).size());
    }

    @Test
    void aKnownVersionWithNothingRecordedIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> NodeProbe.parse("version\tknown\n", "/c", "/etc/containerd/certs.d"));
        assertThrows(IllegalArgumentException.class, () -> new NodeProbe.Recorded("/usr/bin/containerd 1 2\n3", "1.7.27"));
    }

    @Test
    void theParserRefusesWhatTheProbeDoesNotPrint() {
        assertThrows(IllegalArgumentException.class, () -> NodeProbe.parse("target\t/etc/containerd/config.toml\n", "/c", "/etc/containerd/certs.d"),
                "no version line");
        assertThrows(IllegalArgumentException.class, () -> NodeProbe.parse("version\t0\tx\nsomething else\n", "/c", "/etc/containerd/certs.d"));
        assertThrows(IllegalArgumentException.class, () -> NodeProbe.parse("version\tzero\tx\n", "/c", "/etc/containerd/certs.d"));
        NodeProbe relative = NodeProbe.parse("target\trelative/path\nversion\t0\tcontainerd x 1.6.20\n", "/etc/c.toml", "/etc/containerd/certs.d");
        assertEquals("/etc/c.toml", relative.target(), "only an absolute target is taken");
        NodeProbe newer = NodeProbe.parse("version\t0\tx\nstarted\t1700000000 1700000100\n", "/c", "/etc/containerd/certs.d");
        assertEquals(Optional.empty(), newer.files(), "no files line: the files were not all read");
        assertThrows(IllegalArgumentException.class, () -> NodeProbe.parse("version\t0\tx\nhosts\ta.io\nsize\t1\ndata\tnot-base64!\n"
                + "files\tread\n", "/c", "/d"));
        // sizes that do not account for the data exactly (a file changed between stat and cat): read one by one
        for (String sizes : List.of("size\t1\n", "size\t2\nsize\t2\n", "size\t1\nsize\t0\n", "size\tx\nsize\t1\n", "")) {
            NodeProbe p = NodeProbe.parse("version\t0\tx\nconfig\t-\nhosts\ta.io\n" + sizes + "data\teHk=\nfiles\tread\n", "/c", "/d");
            assertEquals(Optional.empty(), p.files(), sizes);
        }
        NodeProbe exact = NodeProbe.parse("version\t0\tx\nconfig\t-\nhosts\ta.io\nsize\t1\nsize\t1\ndata\teHk=\nfiles\tread\n", "/c", "/d");
        assertEquals(Optional.of(new NodeProbe.Files(Optional.of("x"), java.util.Map.of("a.io", "y"))), exact.files());
        assertTrue(newer.changedSinceContainerdStarted());
    }
}
