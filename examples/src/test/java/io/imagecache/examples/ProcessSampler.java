package io.imagecache.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Samples every process on this machine (from /proc, which shows the lab containers' processes too) while a
 * test runs: its command line, where any user sees it with {@code ps}, and its environment, where its owner and
 * root see it. A process whose command line contains {@code watch} (e.g. the provider's main class) is noted,
 * so a test can show the sampler saw it and read its environment.
 */
final class ProcessSampler implements AutoCloseable {
    /** A process that held a secret: pid, where (cmdline or environ), the forms, its command cut short. */
    record Leak(long pid, String where, List<String> forms, String command) {}

    private final SecretForms secrets;
    private final String watch;
    private final List<Leak> leaks = Collections.synchronizedList(new ArrayList<>());
    private final Map<Long, Integer> seen = new HashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile int samples;
    private volatile int watchedWithEnvironment;

    ProcessSampler(SecretForms secrets, String watch) {
        this.secrets = secrets;
        this.watch = watch;
        this.thread = new Thread(this::loop, "process-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop() {
        while (running.get()) {
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"),
                    p -> p.getFileName().toString().matches("\\d+"))) {
                for (Path p : procs) {
                    look(Long.parseLong(p.getFileName().toString()), p);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            samples++;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void look(long pid, Path p) {
        String cmd;
        String env;
        try {
            cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.ISO_8859_1).replace('\0', ' ');
        } catch (IOException e) {
            return; // the process ended
        }
        try {
            env = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.ISO_8859_1).replace('\0', ' ');
        } catch (IOException e) {
            env = null; // ended, or not ours to read
        }
        int hash = (cmd + '\0' + env).hashCode();
        Integer before = seen.put(pid, hash);
        if (before != null && before == hash) {
            return;
        }
        String shortCmd = cmd.length() > 120 ? cmd.substring(0, 120) + "..." : cmd;
        List<String> inCmd = secrets.find(cmd);
        if (!inCmd.isEmpty()) {
            leaks.add(new Leak(pid, "cmdline", inCmd, mask(shortCmd)));
        }
        if (env != null) {
            List<String> inEnv = secrets.find(env);
            if (!inEnv.isEmpty()) {
                leaks.add(new Leak(pid, "environ", inEnv, mask(shortCmd)));
            }
            if (cmd.contains(watch)) {
                watchedWithEnvironment++;
            }
        }
    }

    /** The command line with anything that looks like a long token (a secret, a key line) cut out. */
    private static String mask(String s) {
        return s.replaceAll("[A-Za-z0-9+/=_-]{12,}", "<...>");
    }

    /** The processes that held a secret, after the sampler took enough samples to say. */
    List<Leak> leaks() {
        if (samples < 3) {
            throw new IllegalStateException("the sampler took " + samples + " samples; the test ran too briefly to say");
        }
        synchronized (leaks) {
            return List.copyOf(leaks);
        }
    }

    int samples() {
        return samples;
    }

    /** How many distinct states of watched processes were seen with their environment readable. */
    int watchedWithEnvironment() {
        return watchedWithEnvironment;
    }

    @Override
    public void close() {
        running.set(false);
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
