package io.imagecache.hosts.docker;

/** What a directory on the host looks like before a proxy takes it. */
public enum DirState {
    MISSING,
    /** Exists and holds nothing but (maybe) the ignored marker file. */
    EMPTY,
    NONEMPTY,
    /** A file, or a symbolic link: never taken, never purged. */
    NOT_A_DIRECTORY;

    /** Reads the single word the probe script of {@link Docker#probe} (its {@code dir} lines) prints. */
    static DirState parse(String word) {
        return switch (word.strip()) {
            case "missing" -> MISSING;
            case "empty" -> EMPTY;
            case "nonempty" -> NONEMPTY;
            default -> NOT_A_DIRECTORY;
        };
    }
}
