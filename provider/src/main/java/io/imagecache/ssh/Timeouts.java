package io.imagecache.ssh;

import java.time.Duration;
import java.util.Objects;

/**
 * The bounds of every remote operation that does not name its own: a command without
 * {@link CommandLine#withTimeout}, a file read or atomic write, and the opening of one tunnelled
 * connection. An operation that outlives its bound is ended (the remote process with it) and fails
 * with {@link RemoteException.Kind#TIMEOUT}.
 */
public record Timeouts(Duration exec, Duration transfer, Duration tunnelOpen) {

    /** 120 s for a command, 120 s for a file read or write, 30 s to open a tunnelled connection. */
    public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(120), Duration.ofSeconds(120),
            Duration.ofSeconds(30));

    public Timeouts {
        for (Duration d : new Duration[] {exec, transfer, tunnelOpen}) {
            Objects.requireNonNull(d, "timeout");
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("a timeout must be positive: " + d);
            }
        }
    }
}
