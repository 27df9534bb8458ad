package io.imagecache.provider;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A stream that writes to stderr and appends the same bytes to a log file (mode 0600 when it creates it). */
final class LogTee extends OutputStream {
    private final OutputStream first;
    private final OutputStream second;

    private LogTee(OutputStream first, OutputStream second) {
        this.first = first;
        this.second = second;
    }

    static PrintStream to(PrintStream err, Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            }
            OutputStream log = Files.newOutputStream(file, StandardOpenOption.APPEND);
            return new PrintStream(new LogTee(err, log), true, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open IMAGECACHE_PROVIDER_LOG " + file, e);
        }
    }

    @Override
    public synchronized void write(int b) throws IOException {
        first.write(b);
        second.write(b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        first.write(b, off, len);
        second.write(b, off, len);
    }

    @Override
    public synchronized void flush() throws IOException {
        first.flush();
        second.flush();
    }
}
