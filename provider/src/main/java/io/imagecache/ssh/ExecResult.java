package io.imagecache.ssh;

/** What a remote command did. */
public record ExecResult(int exitCode, String stdout, String stderr) {

    public boolean ok() {
        return exitCode == 0;
    }

    /** stderr if it has text, else stdout: the part a person needs to see when the command failed. */
    public String message() {
        String err = stderr.strip();
        return err.isEmpty() ? stdout.strip() : err;
    }
}
