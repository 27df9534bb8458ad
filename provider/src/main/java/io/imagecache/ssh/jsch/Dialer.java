package io.imagecache.ssh.jsch;

import io.imagecache.ssh.RemoteException;
import io.imagecache.ssh.SshTarget;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The retry loop around one hop's dial: {@link SshTarget#dialAttempts()} attempts,
 * {@link SshTarget#retryDelay()} apart. Only {@link RemoteException.Kind#UNREACHABLE} failures are
 * retried; a refused login or a wrong host key fails at once. Every failed attempt sends one
 * progress line. Once {@code cancelled} is true no attempt starts and no wait goes on: the dial fails
 * with {@link RemoteException.Kind#CANCELLED}. Pure apart from the injected {@link Sleeper}, so the
 * policy is unit-tested.
 */
final class Dialer {

    /** Waits between attempts, returning early once {@code cancelled}; tests pass one that records instead. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration d, BooleanSupplier cancelled) throws InterruptedException;
    }

    /** One dial; {@code attempt} counts from 1. */
    @FunctionalInterface
    interface Attempt<T> {
        T dial(int attempt) throws RemoteException;
    }

    /** How often a wait looks at the cancel flag. */
    static final long POLL_MILLIS = 100;

    /** Sleeps in slices of {@link #POLL_MILLIS}, ending early once cancelled. */
    static final Sleeper REAL = (d, cancelled) -> {
        long end = System.nanoTime() + d.toNanos();
        for (long left = d.toMillis(); left > 0 && !cancelled.getAsBoolean();
                left = (end - System.nanoTime()) / 1_000_000) {
            Thread.sleep(Math.min(left, POLL_MILLIS));
        }
    };

    private final Sleeper sleeper;

    Dialer(Sleeper sleeper) {
        this.sleeper = sleeper;
    }

    <T> T dial(SshTarget target, Consumer<String> progress, Attempt<T> attempt) throws RemoteException {
        return dial(target, progress, () -> false, attempt);
    }

    <T> T dial(SshTarget target, Consumer<String> progress, BooleanSupplier cancelled, Attempt<T> attempt)
            throws RemoteException {
        int attempts = target.dialAttempts();
        RemoteException last = null;
        for (int i = 1; i <= attempts; i++) {
            if (cancelled.getAsBoolean()) {
                throw cancelled(target, i);
            }
            try {
                return attempt.dial(i);
            } catch (RemoteException e) {
                if (e.kind() != RemoteException.Kind.UNREACHABLE) {
                    throw e;
                }
                if (cancelled.getAsBoolean()) {
                    throw cancelled(target, i + 1);
                }
                last = e;
                boolean more = i < attempts;
                progress.accept("Dial " + i + "/" + attempts + " to " + target.hostAndPort() + " failed: "
                        + e.getMessage() + (more ? "; retrying in " + human(target.retryDelay()) : "; giving up"));
                if (more) {
                    try {
                        sleeper.sleep(target.retryDelay(), cancelled);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new RemoteException(RemoteException.Kind.UNREACHABLE,
                                "interrupted while waiting to dial " + target.hostAndPort() + " again", e);
                    }
                }
            }
        }
        throw new RemoteException(RemoteException.Kind.UNREACHABLE, "cannot reach " + target.hostAndPort()
                + " after " + attempts + (attempts == 1 ? " attempt: " : " attempts: ") + last.getMessage(),
                last.getCause() != null ? last.getCause() : last);
    }

    private static RemoteException cancelled(SshTarget target, int attempt) {
        return new RemoteException(RemoteException.Kind.CANCELLED, "cancelled while connecting to "
                + target.hostAndPort() + (attempt > 1 ? " (after " + (attempt - 1) + " failed "
                + (attempt == 2 ? "attempt)" : "attempts)") : ""));
    }

    /** "2s", "500ms", "1.5s", "2m". */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms % 60_000 == 0) {
            return (ms / 60_000) + "m";
        }
        if (ms % 1000 == 0) {
            return (ms / 1000) + "s";
        }
        return String.format(java.util.Locale.ROOT, "%.1fs", ms / 1000.0);
    }
}
