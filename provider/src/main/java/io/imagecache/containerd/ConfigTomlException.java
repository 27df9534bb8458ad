package io.imagecache.containerd;

/**
 * A config.toml that {@link ConfigToml#edit} cannot (or must not) edit, with a message a person can act on and,
 * where it points into the file, the 1-based line and column (0 when it does not).
 */
public final class ConfigTomlException extends Exception {

    public enum Kind {
        /** The given file is not valid TOML (line and column say where). */
        INVALID_TOML,
        /** The file's {@code version} is not one this containerd reads. */
        UNSUPPORTED_CONFIG_VERSION,
        /** The registry table has a shape containerd would not accept either (e.g. {@code registry = "x"}). */
        UNEDITABLE,
        /** The certs directory given is not one absolute directory. */
        INVALID_CERTS_DIR,
        /** The edited text did not parse back to the intended settings (a bug in the editor; nothing is written). */
        RESULT_INVALID
    }

    private final Kind kind;
    private final int line;
    private final int column;

    public ConfigTomlException(Kind kind, String message, int line, int column) {
        super(message);
        this.kind = kind;
        this.line = line;
        this.column = column;
    }

    public ConfigTomlException(Kind kind, String message) {
        this(kind, message, 0, 0);
    }

    public Kind kind() {
        return kind;
    }

    public int line() {
        return line;
    }

    public int column() {
        return column;
    }
}
