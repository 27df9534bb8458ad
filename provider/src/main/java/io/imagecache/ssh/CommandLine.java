package io.imagecache.ssh;

import java.util.ArrayList;
import java.util.List;

/**
 * A shell command as a value: arguments are quoted for {@code sh}; {@link #toString()} is safe to
 * log. Secrets never belong in a command line (they would show in {@code ps}); send them on stdin.
 */
public final class CommandLine {
    private final List<String> parts;

    private CommandLine(List<String> parts) {
        this.parts = List.copyOf(parts);
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
        return new CommandLine(p);
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
