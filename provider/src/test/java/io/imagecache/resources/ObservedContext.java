package io.imagecache.resources;

import io.imagecache.lab.guard.LabSecrets;
import io.imagecache.spi.Context;

/**
 * The Context the integration tests give the resources: every status line, info and warning goes to the
 * lab's secrets guard, which fails the test class if one carries a lab secret.
 */
final class ObservedContext implements Context {
    /** The status line after which the engine cancels (null: never), and how long after it. */
    private final String cancelAfter;
    private final java.time.Duration delay;
    private volatile long cancelAt = Long.MAX_VALUE;
    private final java.util.List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();

    private ObservedContext(String cancelAfter, java.time.Duration delay) {
        this.cancelAfter = cancelAfter;
        this.delay = delay;
    }

    static Context create() {
        return new ObservedContext(null, java.time.Duration.ZERO);
    }

    /** One whose warnings a test reads ({@link #warnings()}). */
    static ObservedContext keepingWarnings() {
        return new ObservedContext(null, java.time.Duration.ZERO);
    }

    /** Every warning so far, in order. */
    java.util.List<String> warnings() {
        return java.util.List.copyOf(warnings);
    }

    /** As the engine's Cancel arriving {@code delay} after the first status line that starts with {@code status}. */
    static Context cancelledAfter(String status, java.time.Duration delay) {
        return new ObservedContext(status, delay);
    }

    @Override
    public void status(String message) {
        LabSecrets.observe("context status", message);
        if (cancelAfter != null && cancelAt == Long.MAX_VALUE && message.startsWith(cancelAfter)) {
            cancelAt = System.nanoTime() + delay.toNanos();
        }
    }

    @Override
    public void info(String message) {
        LabSecrets.observe("context info", message);
    }

    @Override
    public void warn(String message) {
        LabSecrets.observe("context warn", message);
        warnings.add(message);
    }

    @Override
    public boolean cancelled() {
        return cancelAt != Long.MAX_VALUE && System.nanoTime() - cancelAt >= 0;
    }
}
