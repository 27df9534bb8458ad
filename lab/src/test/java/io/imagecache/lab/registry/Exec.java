package io.imagecache.lab.registry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a host tool (skopeo, curl) for a test and returns what it did. */
record Exec(int exitCode, String stdout, String stderr) {

    static Exec run(String... command) {
        try {
            Process p = new ProcessBuilder(List.of(command)).start();
            p.getOutputStream().close();
            var out = p.getInputStream();
            var err = p.getErrorStream();
            byte[] o = out.readAllBytes();
            byte[] e = err.readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " hung");
            }
            return new Exec(p.exitValue(), new String(o, StandardCharsets.UTF_8), new String(e, StandardCharsets.UTF_8));
        } catch (IOException ex) {
            throw new IllegalStateException("cannot run " + command[0], ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** stdout, or a failure that shows stderr. */
    String ok() {
        if (exitCode != 0) {
            throw new AssertionError("exit " + exitCode + ": " + stderr + stdout);
        }
        return stdout;
    }
}
