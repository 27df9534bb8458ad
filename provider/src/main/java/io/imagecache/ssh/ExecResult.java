package io.imagecache.ssh;

/** What a remote command did. */
public record ExecResult(int exitCode, String stdout, String stderr) {

    public boolean ok() {
        return exitCode == 0;
    }

    /**
     * Why the command failed, for a message: its stderr, or its exit status when stderr is empty. Never its stdout,
     * which can hold what the command read (a file's contents, a containerd config dump with registry credentials,
     * containers' environment).
     */
    public String message() {
        String err = stderr.strip();
        return err.isEmpty() ? "exit status " + exitCode : err;
    }

    /**
     * As {@link #message()}, but with stdout when stderr is empty: only for a command the user wrote (a restart
     * command that reports on stdout), whose output is theirs to see.
     */
    public String messageOrStdout() {
        String err = stderr.strip();
        String out = stdout.strip();
        return !err.isEmpty() ? err : out.isEmpty() ? "exit status " + exitCode : out;
    }
}
