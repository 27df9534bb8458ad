package io.imagecache.examples;

import io.imagecache.lab.guard.LabSecrets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs one toolchain command (tsc, python, go, npm, a built example) and keeps what it printed. */
final class Proc {
    private Proc() {}

    /** What one command did; stdout and stderr together, in the order written. */
    record Result(int exitCode, String output, List<String> command, Path dir) {
        Result assertOk() {
            if (exitCode != 0) {
                throw new AssertionError("`" + String.join(" ", command) + "` in " + dir + " failed (" + exitCode + "):\n" + output);
            }
            return this;
        }
    }

    static Result run(Path dir, Map<String, String> env, int timeoutMinutes, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        try {
            Path out = Files.createTempFile("imagecache-proc", ".txt");
            pb.redirectOutput(out.toFile());
            Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(timeoutMinutes, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("`" + String.join(" ", command) + "` did not finish in " + timeoutMinutes
                        + " minutes:\n" + Files.readString(out));
            }
            Result r = new Result(p.exitValue(), Files.readString(out), List.copyOf(command), dir);
            Files.deleteIfExists(out);
            LabSecrets.observe(Path.of(command.get(0)).getFileName() + " " + String.join(" ", command.subList(1, Math.min(3, command.size()))), r.output());
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static Result run(Path dir, Map<String, String> env, String... command) {
        return run(dir, env, 15, List.of(command));
    }
}
