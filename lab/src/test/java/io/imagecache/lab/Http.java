package io.imagecache.lab;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Test helper: GET with retries while a freshly started server comes up. */
final class Http {
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private Http() {}

    /** The status of {@code GET url}, retried on connection errors for up to {@code within}. */
    static int getStatus(String url, Duration within) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try {
                HttpRequest req = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build();
                return CLIENT.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                last = e;
                Thread.sleep(250);
            }
        }
        throw new AssertionError("GET " + url + " got no answer within " + within, last);
    }
}
