package io.imagecache.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import pulumirpc.Provider;

/**
 * The launcher's class-data archive (Java 17's AppCDS, Java 25's AOT cache) as an installed plugin meets it: the
 * launcher, the jar and lib/ copied into a directory of their own (the tarball's layout), the user cache in a
 * directory of the test's. In each case the plugin prints only its port on stdout and answers GetSchema: with the
 * archive (which it then must load: sharing required), with a damaged one, with one made for another jar, with none
 * (when it starts without and builds one in the background for the next start), and with the cache switched off
 * or not writable.
 */
class LauncherIT {
    private static final String RESOURCE = "imagecache:index:MaintenanceSchedule";

    @TempDir
    Path tmp;
    Path install;
    Path launcher;
    Path cache;

    @BeforeEach
    void install() throws IOException {
        Path module = Path.of(System.getProperty("user.dir"));
        PluginProcess.launcher();
        install = Files.createDirectories(tmp.resolve("plugin"));
        launcher = install.resolve("pulumi-resource-imagecache");
        Files.copy(module.resolve("bin/pulumi-resource-imagecache"), launcher, StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(module.resolve("target/dist/imagecache-provider.jar"), install.resolve("imagecache-provider.jar"),
                StandardCopyOption.COPY_ATTRIBUTES);
        Files.createDirectories(install.resolve("lib"));
        try (Stream<Path> jars = Files.list(module.resolve("target/dist/lib"))) {
            for (Path j : jars.toList()) {
                Files.copy(j, install.resolve("lib").resolve(j.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        cache = tmp.resolve("xdg-cache");
    }

    /** The environment of every start: the test's cache; a build only where a case asks for it. */
    private Map<String, String> env(String jvmCache, String javaOpts) {
        Map<String, String> env = new HashMap<>();
        env.put("XDG_CACHE_HOME", cache.toString());
        env.put("IMAGECACHE_JVM_CACHE", jvmCache);
        env.put("IMAGECACHE_JAVA_OPTS", javaOpts);
        // the JDK the launcher would use here; IMAGECACHE_JAVA_HOME of the test run picks another (Temurin 25: AOT cache)
        env.put("IMAGECACHE_JAVA_HOME", System.getenv().getOrDefault("IMAGECACHE_JAVA_HOME", ""));
        return env;
    }

    private String launcherSays(Map<String, String> env, String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(Stream.concat(Stream.of(launcher.toString()), Stream.of(args)).toList())
                .redirectError(tmp.resolve("launcher-" + args[0].replace("-", "") + ".log").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("`pulumi-resource-imagecache " + String.join(" ", args) + "` did not end");
        }
        assertEquals(0, p.exitValue(), "pulumi-resource-imagecache " + String.join(" ", args) + ": "
                + Files.readString(tmp.resolve("launcher-" + args[0].replace("-", "") + ".log")));
        return out;
    }

    private Path buildArchive() throws Exception {
        Path built = Path.of(launcherSays(env("use", ""), "--build-jvm-cache", cache.resolve("imagecache/jvm").toString()));
        assertTrue(Files.size(built) > 0, built.toString());
        assertEquals(built.toString(), launcherSays(env("use", ""), "--jvm-cache-path"), "the start would use what was built");
        return built;
    }

    /** Starts the plugin, asks for its schema, ends it: stdout held nothing but the port. Returns its stderr. */
    private String startAndAskForTheSchema(Map<String, String> env, String name) throws Exception {
        Path log = tmp.resolve(name + ".log");
        PluginProcess plugin = PluginProcess.start(launcher, env, log);
        String schema;
        try {
            schema = plugin.stub.withDeadlineAfter(2, TimeUnit.MINUTES)
                    .getSchema(Provider.GetSchemaRequest.getDefaultInstance()).getSchema();
        } finally {
            plugin.close();
        }
        assertTrue(schema.contains("\"" + RESOURCE + "\""), "GetSchema answered with the package's schema");
        assertEquals("", plugin.restOfStdout(), "stdout after the port line (the engine reads the port from it)");
        return Files.readString(log);
    }

    /** The option that makes the JVM refuse to start unless it maps the archive. */
    private static String requireSharing(Path archive) {
        return archive.toString().endsWith(".aot") ? "-XX:AOTMode=on" : "-Xshare:on";
    }

    @Test
    void startsWithTheArchiveItBuilt() throws Exception {
        Path archive = buildArchive();
        String stderr = startAndAskForTheSchema(env("use", requireSharing(archive)), "with-archive");
        assertFalse(stderr.contains("[warning]") || stderr.contains("[error"), "no JVM notice on stderr:\n" + stderr);
    }

    @Test
    void aDamagedArchiveIsPassedOver() throws Exception {
        Path archive = buildArchive();
        long size = Files.size(archive);
        // bytes in the middle, the size kept: the header still looks right, the checksums do not
        byte[] noise = new byte[64 * 1024];
        new Random(11).nextBytes(noise);
        try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
            f.seek(size / 3);
            f.write(noise);
        }
        startAndAskForTheSchema(env("use", ""), "damaged");
        // cut short: the size no longer matches the one it was written with, so it is not even offered
        try (RandomAccessFile f = new RandomAccessFile(archive.toFile(), "rw")) {
            f.setLength(size / 2);
        }
        assertEquals("none", launcherSays(env("use", ""), "--jvm-cache-path"));
        startAndAskForTheSchema(env("use", ""), "truncated");
        // zeros of the size it was written with: offered, and refused by the JVM (no archive header)
        Files.write(archive, new byte[(int) size]);
        assertEquals(archive.toString(), launcherSays(env("use", ""), "--jvm-cache-path"));
        startAndAskForTheSchema(env("use", ""), "zeros");
    }

    @Test
    void anArchiveOfAnotherJarIsRefusedByTheJvm() throws Exception {
        Path archive = buildArchive();
        // the jar changes (a rebuild, a reinstall): another key, so the old archive is no longer offered
        Path jar = install.resolve("imagecache-provider.jar");
        Files.setLastModifiedTime(jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        assertEquals("none", launcherSays(env("use", ""), "--jvm-cache-path"));
        // and put under the new key's name by hand, the JVM itself refuses it (the jar's mtime is not the one it
        // recorded) and starts without
        String name = launcherSays(env("use", ""), "--jvm-cache-name").replace("SIZE", Long.toString(Files.size(archive)));
        Path renamed = archive.resolveSibling(name);
        Files.move(archive, renamed);
        assertEquals(renamed.toString(), launcherSays(env("use", ""), "--jvm-cache-path"));
        String stderr = startAndAskForTheSchema(env("use", ""), "other-jar");
        assertFalse(stderr.contains("[warning][cds") || stderr.contains("[error][aot"),
                "a refused archive only makes the start slower; no notice:\n" + stderr);
    }

    @Test
    void withoutAnArchiveItStartsAndBuildsOneForTheNextStart() throws Exception {
        assertEquals("none", launcherSays(env("on", ""), "--jvm-cache-path"));
        startAndAskForTheSchema(env("on", ""), "first-start");
        // the training run the first start left in the background (niced, up to 300 s) puts the archive in place
        Path found = null;
        for (int i = 0; i < 600 && found == null; i++) {
            String p = launcherSays(env("use", ""), "--jvm-cache-path");
            if (!p.equals("none")) {
                found = Path.of(p);
            } else {
                Thread.sleep(1000);
            }
        }
        assertNotEquals(null, found, "no archive in " + cache + " after the first start; its build log: "
                + listing(cache.resolve("imagecache/jvm")));
        assertTrue(found.startsWith(cache), found + " is in the user cache");
        try (Stream<Path> left = Files.list(found.getParent())) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList(),
                    "no temporary file left");
        }
        startAndAskForTheSchema(env("use", requireSharing(found)), "second-start");
    }

    @Test
    void withTheCacheOffOrUnwritableItStartsWithoutAndBuildsNothing() throws Exception {
        buildArchive();
        assertEquals("none", launcherSays(env("off", ""), "--jvm-cache-path"), "off: not even an archive that is there");
        startAndAskForTheSchema(env("off", ""), "off");

        // a cache home under a regular file: nothing can be made there (root ignores permission bits)
        Path file = Files.writeString(tmp.resolve("not-a-directory"), "x");
        cache = file.resolve("cache");
        startAndAskForTheSchema(env("on", ""), "unwritable");
        assertFalse(Files.isDirectory(cache));
    }

    @Test
    void aFlightRecordingLeavesStdoutToThePortAndIsWrittenOnStop() throws Exception {
        Map<String, String> env = env("use", "");
        env.put("IMAGECACHE_JFR", tmp.resolve("jfr/provider-%p.jfr").toString());
        env.put("IMAGECACHE_JFR_SETTINGS", "profile");
        String stderr = startAndAskForTheSchema(env, "jfr");
        Path recording;
        try (Stream<Path> files = Files.list(tmp.resolve("jfr"))) {
            List<Path> all = files.toList();
            assertEquals(1, all.size(), all.toString());
            recording = all.get(0);
        }
        assertTrue(recording.getFileName().toString().matches("provider-\\d+\\.jfr"), recording + ": %p is the process ID");
        assertTrue(stderr.contains("flight recording (profile) to " + recording), stderr);
        assertTrue(Files.isRegularFile(recording), "the recording is written when the provider stops:\n" + stderr);
        // a recording the JDK reads back, of this provider: its gRPC server's threads ran in it
        boolean ourThreads = false;
        try (RecordingFile file = new RecordingFile(recording)) {
            while (file.hasMoreEvents() && !ourThreads) {
                RecordedEvent e = file.readEvent();
                ourThreads = e.getThread() != null && e.getThread().getJavaName() != null
                        && e.getThread().getJavaName().startsWith("grpc-");
            }
        }
        assertTrue(ourThreads, "the recording has events of the provider's gRPC threads");

        // the JVM option would print its notice on stdout, before the port: refused, naming what to use instead
        ProcessBuilder pb = new ProcessBuilder(launcher.toString())
                .redirectError(tmp.resolve("jfr-option.log").toFile());
        pb.environment().putAll(env("use", "-XX:StartFlightRecording=filename=" + tmp.resolve("jfr/option.jfr")));
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher ends");
        assertEquals(1, p.exitValue());
        assertEquals("", out, "nothing on stdout, where the engine reads the port");
        assertTrue(Files.readString(tmp.resolve("jfr-option.log")).contains("use IMAGECACHE_JFR=<file.jfr>"),
                Files.readString(tmp.resolve("jfr-option.log")));
        assertFalse(Files.exists(tmp.resolve("jfr/option.jfr")), "no JVM was started");
    }

    private static String listing(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return "(no " + dir + ")";
        }
        StringBuilder b = new StringBuilder();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                b.append('\n').append(p.getFileName());
                if (p.toString().endsWith(".log")) {
                    b.append(":\n").append(Files.readString(p));
                }
            }
        }
        return b.toString();
    }
}
