package io.imagecache.hosts.docker;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The filesystem that holds a directory, as {@code df -P -B1 -- <dir>} prints it (POSIX format, 1-byte blocks):
 * <pre>
 * Filesystem     1-blocks    Used Available Capacity Mounted on
 * tmpfs           8388608 8388608         0     100% /var/lib/imagecache/docker
 * </pre>
 *
 * @param sizeBytes  the filesystem's size
 * @param freeBytes  what an unprivileged writer may still use ({@code Available}; root may have a few reserved blocks more)
 * @param mountPoint where the filesystem is mounted
 */
public record DiskFree(long sizeBytes, long freeBytes, String mountPoint) {
    /** Below this share of the filesystem free (or {@link #LOW_CEILING_BYTES}, whichever is smaller) is low. */
    public static final int LOW_PERCENT = 5;
    /** Free space above this is never low, however large the filesystem (5% of 20 GiB). */
    public static final long LOW_CEILING_BYTES = 1L << 30;

    /**
     * Filesystem name (may hold spaces), size, used, available, capacity ({@code 12%}, or {@code -} on some
     * filesystems), mount point (may hold spaces).
     */
    private static final Pattern LINE = Pattern.compile("^(.*?)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+%|-)\\s+(/.*)$");

    /** What {@link #TAGGED_SCRIPT} puts before each line of df's output, to tell it from the command that follows. */
    public static final String TAG = "df: ";

    /**
     * A shell fragment printing {@code df -P -B1} of the filesystem that holds {@code $d} (or, while {@code $d} does not
     * exist, of its nearest existing parent: the one that will hold it), each line prefixed with {@link #TAG}; prints
     * nothing when df fails or hangs (10 s). Set {@code d} first.
     */
    public static final String TAGGED_SCRIPT = "while [ ! -e \"$d\" ] && [ \"$d\" != / ]; do d=$(dirname -- \"$d\"); done; "
            + "timeout 10 df -P -B1 -- \"$d\" 2>/dev/null | sed 's/^/" + TAG + "/'";

    /** The df lines of {@code output} (those with {@link #TAG}), parsed. */
    public static Optional<DiskFree> parseTagged(String output) {
        StringBuilder df = new StringBuilder();
        for (String line : output.split("\n")) {
            if (line.startsWith(TAG)) {
                df.append(line.substring(TAG.length())).append('\n');
            }
        }
        return parseDf(df.toString());
    }

    /** The last data line of {@code df -P -B1} output; empty when there is none (df failed, or another format). */
    public static Optional<DiskFree> parseDf(String output) {
        Optional<DiskFree> found = Optional.empty();
        for (String line : output.split("\n")) {
            Matcher m = LINE.matcher(line.strip());
            if (m.matches()) {
                try {
                    found = Optional.of(new DiskFree(Long.parseLong(m.group(2)), Long.parseLong(m.group(4)), m.group(6)));
                } catch (NumberFormatException e) {
                    // more than 2^63 bytes: not a df we read
                }
            }
        }
        return found;
    }

    /** Free bytes below which {@link #low()}: {@value #LOW_PERCENT}% of the filesystem, at most 1 GiB. */
    public long lowThresholdBytes() {
        return Math.min(sizeBytes / 100 * LOW_PERCENT, LOW_CEILING_BYTES);
    }

    /** Less than {@link #lowThresholdBytes()} is free. */
    public boolean low() {
        return freeBytes < lowThresholdBytes();
    }

    /** For messages: {@code 0 B of 8.0 MiB free (0%) on /var/lib/imagecache/docker}. */
    public String describe() {
        long pct = sizeBytes == 0 ? 0 : Math.round(100.0 * freeBytes / sizeBytes);
        return bytes(freeBytes) + " of " + bytes(sizeBytes) + " free (" + pct + "%) on the filesystem mounted at " + mountPoint;
    }

    /** {@code 512 B}, {@code 8.0 MiB}, {@code 1.5 GiB}. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
