package io.imagecache.hosts.containerd;

/** Reads the "started" line of {@link ContainerdNode#probe}: containerd's start against config.toml's change. Pure. */
final class ContainerdStart {
    /** Seconds a file must be newer than containerd's start to count: the two clocks are read a moment apart. */
    static final long SLACK_SECONDS = 2;

    private ContainerdStart() {}

    /** {@code "<containerd started, epoch s> <file changed, epoch s>"}: whether the file is newer; false when unreadable. */
    static boolean newerThanStart(String output) {
        String[] f = output.strip().split("\\s+");
        if (f.length != 2) {
            return false;
        }
        try {
            return Long.parseLong(f[1]) > Long.parseLong(f[0]) + SLACK_SECONDS;
        } catch (NumberFormatException e) {
            return false;
        }
    }
}
