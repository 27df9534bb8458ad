package io.imagecache.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Samples the command line of every process on this machine (from /proc) while a test runs, to
 * show a secret never appears in one (where any user could read it with {@code ps}).
 */
final class CommandLineWatcher implements AutoCloseable {
    private final List<String> secrets;
    private final List<String> leaks = Collections.synchronizedList(new ArrayList<>());
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;
    private volatile int samples;
    private volatile int processesSeen;

    private CommandLineWatcher(List<String> secrets) {
        this.secrets = List.copyOf(secrets);
        this.thread = new Thread(this::loop, "cmdline-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    static CommandLineWatcher watch(String... secrets) {
        return new CommandLineWatcher(List.of(secrets));
    }

    private void loop() {
        while (running.get()) {
            int seen = 0;
            try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().matches("\\d+"))) {
                for (Path p : procs) {
                    try {
                        String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                        seen++;
                        for (String s : secrets) {
                            if (cmd.contains(s)) {
                                leaks.add(cmd);
                            }
                        }
                    } catch (IOException e) {
                        // the process ended
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            processesSeen = Math.max(processesSeen, seen);
            samples++;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Command lines that held a secret (none, one hopes), after at least a few samples were taken. */
    List<String> leaks() {
        if (samples < 3 || processesSeen == 0) {
            throw new IllegalStateException("the watcher took " + samples + " samples; the test ran too briefly to say");
        }
        return List.copyOf(leaks);
    }

    @Override
    public void close() {
        running.set(false);
        thread.interrupt();
    }
}
