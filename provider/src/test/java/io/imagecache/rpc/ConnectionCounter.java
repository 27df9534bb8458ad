package io.imagecache.rpc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP listener on 127.0.0.1 that counts the connections it accepts and closes each at once: where a registry
 * that must not be dialled would be (an HTTP client that reaches it sees the connection closed).
 */
final class ConnectionCounter implements AutoCloseable {
    private final ServerSocket socket;
    private final AtomicLong accepted = new AtomicLong();

    ConnectionCounter() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::serve, "connection-counter");
        t.setDaemon(true);
        t.start();
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket s = socket.accept()) {
                accepted.incrementAndGet();
            } catch (IOException e) {
                // closed: done
            }
        }
    }

    String url() {
        return "http://127.0.0.1:" + socket.getLocalPort();
    }

    long accepted() {
        return accepted.get();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
