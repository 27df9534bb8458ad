package io.imagecache.lab.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the host tools the fixtures need (htpasswd, openssl) and returns their stdout. */
final class HostTools {
    private HostTools() {}

    static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            byte[] err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not finish within 60 s");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(command.get(0) + " exited with " + p.exitValue() + ": "
                        + new String(err, StandardCharsets.UTF_8).strip()
                        + " (is it installed? scripts/install-tools.sh installs it)");
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0) + " (scripts/install-tools.sh installs it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
    }

    /** A bcrypt htpasswd line ({@code user:$2y$...}) as distribution's {@code auth.htpasswd} wants it. */
    static String htpasswdLine(String user, String password) {
        return run(List.of("htpasswd", "-Bbn", user, password)).strip() + "\n";
    }
}
