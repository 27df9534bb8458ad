package io.imagecache.ssh;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A shell command as a value: arguments are quoted for {@code sh}; {@link #toString()} is safe to
 * log. Secrets never belong in a command line (they would show in {@code ps}); send them on stdin.
 * Every command runs with a timeout: its own ({@link #withTimeout}) or the host's default.
 */
public final class CommandLine {
    private final List<String> parts;
    private final Duration timeout;

    private CommandLine(List<String> parts) {
        this(parts, null);
    }

    private CommandLine(List<String> parts, Duration timeout) {
        this.parts = List.copyOf(parts);
        this.timeout = timeout;
    }

    /** Each argument is quoted: {@code of("mkdir", "-p", dir)}. */
    public static CommandLine of(String... args) {
        List<String> p = new ArrayList<>();
        for (String a : args) {
            p.add(quote(a));
        }
        return new CommandLine(p);
    }

    /** A script passed to {@code sh -c} as it is: the caller quotes what needs quoting with {@link #quote}. */
    public static CommandLine script(String script) {
        return new CommandLine(List.of(script));
    }

    /** Appends a quoted argument. */
    public CommandLine arg(String a) {
        List<String> p = new ArrayList<>(parts);
        p.add(quote(a));
        return new CommandLine(p, timeout);
    }

    /** The same command, ended (and reported as timed out) when it runs longer than {@code t}. */
    public CommandLine withTimeout(Duration t) {
        if (t == null || t.isNegative() || t.isZero()) {
            throw new IllegalArgumentException("a command timeout must be positive: " + t);
        }
        return new CommandLine(parts, t);
    }

    /** This command's own timeout; empty means the host's default for commands. */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    /** The text given to {@code sh -c}. */
    public String render() {
        return String.join(" ", parts);
    }

    /** Single-quotes {@code s} for POSIX sh unless it is made of safe characters only. */
    public static String quote(String s) {
        if (!s.isEmpty() && s.matches("[A-Za-z0-9_@%+=:,./-]+")) {
            return s;
        }
        return "'" + s.replace("'", "'\"'\"'") + "'";
    }

    @Override
    public String toString() {
        return render();
    }
}
