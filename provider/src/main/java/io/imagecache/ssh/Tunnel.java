package io.imagecache.ssh;

/** A local port forwarded through SSH; {@link #localPort()} is on 127.0.0.1. */
public interface Tunnel extends AutoCloseable {
    int localPort();

    @Override
    void close();
}
