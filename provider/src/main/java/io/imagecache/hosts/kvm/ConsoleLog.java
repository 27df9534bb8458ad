package io.imagecache.hosts.kvm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A VM's serial console as an operator reads it in an error message. The raw log is written for a terminal:
 * colours, cursor moves, and systemd's "A start job is running" spinner, which redraws one line every half
 * second (a slow boot's last 30 lines can all be that one line). Parsed here, it is plain text with each
 * redrawn line kept once, its last state; and the kernel's own clock (the {@code [  83.613613]} stamps) says how far
 * the guest got in its own time, which tells a slow boot (an emulated CPU on a busy host) from a stuck one.
 */
public record ConsoleLog(List<String> lines, OptionalDouble guestSeconds) {
    /** CSI sequences (colours, erase line) and the two-character escapes (ESC M, the spinner's cursor-up). */
    private static final Pattern ESCAPES = Pattern.compile("\u001B\\[[0-9;?]*[ -/]*[@-~]|\u001B[@-Z\\\\-_]");
    private static final Pattern CONTROLS = Pattern.compile("[\\x00-\\x08\\x0B-\\x1F\\x7F]");
    private static final Pattern KERNEL_STAMP = Pattern.compile("^\\[\\s*(\\d+\\.\\d+)\\]");
    /** systemd's spinner: {@code [ ***  ] } before the job's text; the text's own counters change on every redraw. */
    private static final Pattern SPINNER = Pattern.compile("^\\[[ *]{6}\\]\\s*");

    public ConsoleLog {
        lines = List.copyOf(lines);
    }

    public static ConsoleLog parse(String raw) {
        List<String> out = new ArrayList<>();
        String lastKey = null;
        double guest = -1;
        for (String rawLine : raw.split("\n", -1)) {
            String line = ESCAPES.matcher(rawLine).replaceAll("").stripTrailing();  // also a CRLF's CR
            line = line.substring(line.lastIndexOf('\r') + 1);  // what a terminal shows after carriage returns: the last redraw
            line = CONTROLS.matcher(line).replaceAll("");
            if (line.isBlank()) {
                continue;
            }
            Matcher stamp = KERNEL_STAMP.matcher(line);
            if (stamp.find()) {
                guest = Math.max(guest, Double.parseDouble(stamp.group(1)));
            }
            String key = redrawKey(line);
            if (key != null && key.equals(lastKey)) {
                out.set(out.size() - 1, line);
            } else {
                out.add(line);
            }
            lastKey = key;
        }
        return new ConsoleLog(out, guest < 0 ? OptionalDouble.empty() : OptionalDouble.of(guest));
    }

    /** Two lines are one redrawn line when they are both spinner lines and differ only in their numbers. */
    private static String redrawKey(String line) {
        Matcher m = SPINNER.matcher(line);
        return m.find() ? line.substring(m.end()).replaceAll("\\d+", "#") : null;
    }

    /** The last {@code n} lines, joined. */
    public String tail(int n) {
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    /**
     * One sentence on how far the guest got in {@code waitedSeconds} of the host's time, or empty when its kernel
     * printed no stamp (it never started).
     */
    public String progress(long waitedSeconds) {
        if (guestSeconds.isEmpty()) {
            return "the VM's kernel printed nothing on its console in " + waitedSeconds + " s";
        }
        return String.format(Locale.ROOT, "the VM's kernel clock reached %.0f s in %d s of waiting", guestSeconds.getAsDouble(),
                waitedSeconds);
    }
}
