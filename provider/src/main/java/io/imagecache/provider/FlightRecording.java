package io.imagecache.provider;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.Optional;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;

/**
 * A flight recording of the provider, asked for with {@code IMAGECACHE_JFR=<file>} (a {@code .jfr} file, written when
 * the provider stops; {@code %p} in it is the process ID) and, optionally, {@code IMAGECACHE_JFR_SETTINGS=profile} (the JDK's sampling settings; the
 * default is {@code default}). It is started from here rather than with {@code -XX:StartFlightRecording} because the
 * JVM prints that option's start-up notice on stdout whatever {@code -Xlog} says, ahead of the port line the engine
 * reads: the engine would wait for a port forever. The launcher refuses that option for the same reason.
 */
final class FlightRecording {
    private FlightRecording() {}

    /** The recording {@code env} asks for, started; empty when it asks for none. Its file is written by {@link Recording#stop}. */
    static Optional<Recording> startIfAsked(java.util.Map<String, String> env) throws IOException {
        String file = env.getOrDefault("IMAGECACHE_JFR", "");
        if (file.isBlank()) {
            return Optional.empty();
        }
        String settings = env.getOrDefault("IMAGECACHE_JFR_SETTINGS", "").isBlank() ? "default"
                : env.get("IMAGECACHE_JFR_SETTINGS");
        Configuration configuration;
        try {
            configuration = Configuration.getConfiguration(settings);
        } catch (ParseException | IOException e) {
            throw new IOException("IMAGECACHE_JFR_SETTINGS=" + settings + ": not a JDK recording configuration (use default "
                    + "or profile): " + e.getMessage(), e);
        }
        // %p: this process's ID, for a file per provider process when the engine starts several (one per command)
        Path destination = Path.of(file.replace("%p", Long.toString(ProcessHandle.current().pid()))).toAbsolutePath();
        Files.createDirectories(destination.getParent());
        Recording recording = new Recording(configuration);
        recording.setName("imagecache-provider");
        recording.setToDisk(true);
        recording.setDestination(destination);
        recording.start();
        System.err.println("imagecache provider: flight recording (" + settings + ") to " + destination
                + ", written when the provider stops");
        return Optional.of(recording);
    }
}
