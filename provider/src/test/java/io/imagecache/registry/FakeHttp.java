package io.imagecache.registry;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** A loopback HTTP server answering with a script, recording what it was asked. For unit tests of the client. */
final class FakeHttp implements AutoCloseable {

    record Req(String method, String path, String query, Headers headers) {
        String header(String name) {
            return headers.getFirst(name);
        }
    }

    record Reply(int status, Map<String, String> headers, byte[] body) {
        static Reply of(int status, Map<String, String> headers, String body) {
            return new Reply(status, headers, body.getBytes(StandardCharsets.UTF_8));
        }
    }

    @FunctionalInterface
    interface Script {
        Reply answer(Req request);
    }

    private final HttpServer server;
    final List<Req> requests = new CopyOnWriteArrayList<>();

    FakeHttp(Script script) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", ex -> handle(ex, script));
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange ex, Script script) throws IOException {
        try {
            Req req = new Req(ex.getRequestMethod(), ex.getRequestURI().getPath(), ex.getRequestURI().getQuery(),
                    ex.getRequestHeaders());
            requests.add(req);
            Reply r = script.answer(req);
            r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            boolean head = req.method().equals("HEAD");
            if (head) {
                if (!r.headers().containsKey("Content-Length")) {
                    ex.getResponseHeaders().add("Content-Length", String.valueOf(r.body().length));
                }
                ex.sendResponseHeaders(r.status(), -1);
            } else {
                ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
                ex.getResponseBody().write(r.body());
            }
        } finally {
            ex.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
