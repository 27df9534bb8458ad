package io.imagecache.examples;

import io.imagecache.lab.LabHost;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * What a lab host shows of a secret, looked at from the outside ({@code docker exec}, for tests only): every
 * process's command line and environment, sampled by a loop on the host ({@code ps e} every 50 ms, each line
 * kept once) between {@link #startSampling} and {@link #stopSampling}; and every regular file created or changed
 * since {@link #mark} (ctime, which {@code cp -p} cannot carry over), with its mode and owner, outside /proc,
 * /sys and /dev. The loop writes to /dev/shm, which the file sweep leaves out.
 */
final class HostSweep {
    private static final String MARK = "/tmp/secrets-sweep.start";
    private static final String DIR = "/dev/shm/secrets-sweep";

    /** One regular file as tar carried it: path (absolute), mode bits, numeric owner, content. */
    record HostFile(String path, int mode, long uid, long gid, byte[] content) {
        String modeOctal() {
            return Integer.toOctalString(mode & 07777);
        }
    }

    /** A line of a ps sample that held a secret: the host, the forms found, its first two words (each cut short). */
    record Sample(String host, List<String> forms, String command) {}

    private final String name;
    private final LabHost host;

    HostSweep(String name, LabHost host) {
        this.name = name;
        this.host = host;
    }

    String name() {
        return name;
    }

    LabHost host() {
        return host;
    }

    /** Marks now: {@link #changedFiles()} returns what was created or changed after this. */
    void mark() {
        host.sh("rm -f " + MARK + " && touch " + MARK + " && sleep 0.01");
    }

    void startSampling() {
        host.sh("rm -rf " + DIR + " && mkdir -m 0700 " + DIR);
        String loop = "n=0; while [ ! -e " + DIR + "/stop ]; do ps -e ww -o pid=,args= e; n=$((n+1));"
                + " echo $n > " + DIR + "/ticks; sleep 0.05; done | awk '!s[$0]++ {print; fflush()}' > " + DIR + "/ps;"
                + " touch " + DIR + "/done";
        var r = host.exec("sh", "-c", "nohup sh -c \"$0\" >/dev/null 2>&1 &", loop);
        if (r.getExitCode() != 0) {
            throw new IllegalStateException("cannot start the ps sampler on " + name + ": " + r.getStderr());
        }
    }

    /** Ends the loop (it stops by itself when told) and returns how many samples it took. */
    int stopSampling() {
        host.sh("touch " + DIR + "/stop; i=0; while [ ! -e " + DIR + "/done ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done;"
                + " [ -e " + DIR + "/done ]");
        return Integer.parseInt(host.sh("cat " + DIR + "/ticks").strip());
    }

    /** Every distinct ps line the loop saw that holds a form of a secret. */
    List<Sample> leakedSamples(SecretForms secrets) {
        List<Sample> out = new ArrayList<>();
        for (String line : host.sh("cat " + DIR + "/ps").split("\n")) {
            List<String> f = secrets.find(line);
            if (!f.isEmpty()) {
                String[] w = line.strip().split("\\s+");
                String command = Stream.of(w).skip(1).limit(2).map(x -> x.length() > 20 ? x.substring(0, 20) + "..." : x)
                        .collect(Collectors.joining(" "));
                out.add(new Sample(name, f, command));
            }
        }
        return out;
    }

    /** The number of distinct process lines sampled (each process with its environment, once). */
    int sampledLines() {
        return Integer.parseInt(host.sh("wc -l < " + DIR + "/ps").strip());
    }

    void removeSamples() {
        host.sh("rm -rf " + DIR);
    }

    /** Every regular file (up to 64 MB) created or changed since {@link #mark}, read through tar. */
    List<HostFile> changedFiles() {
        String script = "find / \\( -path /proc -o -path /sys -o -path /dev \\) -prune -o -type f -cnewer " + MARK
                + " -size -64M -print0 | tar --null --no-recursion -cf - -T - 2>/dev/null; exit 0";
        List<String> cmd = List.of("docker", "exec", host.getContainerId(), "sh", "-c", script);
        try {
            Path err = Files.createTempFile("sweep", ".err");
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            List<HostFile> files = new ArrayList<>();
            try (InputStream in = p.getInputStream(); TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                    if (e.isFile()) {
                        files.add(new HostFile("/" + e.getName().replaceFirst("^/", ""), e.getMode(), e.getLongUserId(),
                                e.getLongGroupId(), tar.readAllBytes()));
                    }
                }
            }
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("the file sweep on " + name + " did not finish in 5 minutes");
            }
            String stderr = Files.readString(err, StandardCharsets.UTF_8);
            Files.delete(err);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("the file sweep on " + name + " failed: " + stderr);
            }
            if (files.isEmpty()) {
                throw new IllegalStateException("the file sweep on " + name + " found no file at all: " + stderr);
            }
            return files;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run docker exec for the file sweep on " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
