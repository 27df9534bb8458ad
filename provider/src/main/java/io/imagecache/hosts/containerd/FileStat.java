package io.imagecache.hosts.containerd;

/**
 * A file's permission bits and owner as {@code stat -L -c '%a %u %g'} prints them (of the file itself, never of a
 * link to it).
 */
public record FileStat(int mode, int uid, int gid) {

    /** Parses {@code "644 0 0"}; throws IllegalArgumentException for anything else. */
    public static FileStat parse(String statOutput) {
        String[] f = statOutput.strip().split("\\s+");
        if (f.length != 3) {
            throw new IllegalArgumentException("stat printed " + f.length + " fields, expected mode, uid and gid");
        }
        try {
            return new FileStat(Integer.parseInt(f[0], 8), Integer.parseInt(f[1]), Integer.parseInt(f[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("stat printed something that is not a mode, uid and gid");
        }
    }

    /** The mode a file replacing this one gets: the same bits, never group- or world-writable, no set-id or sticky bit. */
    public int safeMode() {
        return mode & 0755;
    }

    /** {@code uid:gid} for chown. */
    public String owner() {
        return uid + ":" + gid;
    }
}
