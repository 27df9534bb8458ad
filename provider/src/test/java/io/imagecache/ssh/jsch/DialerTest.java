package io.imagecache.ssh.jsch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.ssh.RemoteException;
import io.imagecache.ssh.RemoteException.Kind;
import io.imagecache.ssh.SshTarget;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DialerTest {
    final List<Duration> sleeps = new ArrayList<>();
    final List<String> progress = new ArrayList<>();
    final Dialer dialer = new Dialer((d, cancelled) -> sleeps.add(d));
    final SshTarget target = SshTarget.withKey("10.0.0.5", 22, "root", "KEY")
            .withRetries(5, Duration.ofSeconds(2), Duration.ofSeconds(3));

    @Test
    void succeedsAfterFailedAttemptsAndReportsEachOne() throws Exception {
        String result = dialer.dial(target, progress::add, attempt -> {
            if (attempt < 3) {
                throw unreachable();
            }
            return "connected on " + attempt;
        });
        assertEquals("connected on 3", result);
        assertEquals(List.of(
                "Dial 1/5 to 10.0.0.5:22 failed: Connection refused; retrying in 2s",
                "Dial 2/5 to 10.0.0.5:22 failed: Connection refused; retrying in 2s"), progress);
        assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(2)), sleeps);
    }

    @Test
    void givesUpAfterAllAttemptsWithTheLastCause() {
        ConnectException cause = new ConnectException("Connection refused");
        RemoteException e = assertThrows(RemoteException.class, () -> dialer.dial(target, progress::add, attempt -> {
            throw new RemoteException(Kind.UNREACHABLE, "Connection refused", cause);
        }));
        assertEquals(Kind.UNREACHABLE, e.kind());
        assertEquals("cannot reach 10.0.0.5:22 after 5 attempts: Connection refused", e.getMessage());
        assertSame(cause, e.getCause());
        assertEquals(5, progress.size());
        assertTrue(progress.get(4).endsWith("; giving up"), progress.get(4));
        assertEquals(4, sleeps.size(), "no wait after the last attempt");
    }

    @Test
    void authFailuresAndHostKeyMismatchesAreNotRetried() {
        for (Kind kind : List.of(Kind.AUTH_FAILED, Kind.HOST_KEY_MISMATCH, Kind.IO)) {
            int[] calls = {0};
            RemoteException e = assertThrows(RemoteException.class, () -> dialer.dial(target, progress::add, attempt -> {
                calls[0]++;
                throw new RemoteException(kind, "no");
            }));
            assertEquals(kind, e.kind());
            assertEquals(1, calls[0]);
        }
        assertEquals(List.of(), progress);
        assertEquals(List.of(), sleeps);
    }

    @Test
    void oneAttemptMeansNoRetry() {
        SshTarget once = target.withRetries(1, Duration.ofSeconds(2), Duration.ofSeconds(3));
        RemoteException e = assertThrows(RemoteException.class, () -> dialer.dial(once, progress::add, attempt -> {
            throw unreachable();
        }));
        assertEquals("cannot reach 10.0.0.5:22 after 1 attempt: Connection refused", e.getMessage());
        assertEquals(List.of("Dial 1/1 to 10.0.0.5:22 failed: Connection refused; giving up"), progress);
    }

    @Test
    void aCancelStopsTheRetriesAtOnce() {
        boolean[] cancel = {false};
        int[] calls = {0};
        RemoteException e = assertThrows(RemoteException.class, () -> dialer.dial(target, progress::add,
                () -> cancel[0], attempt -> {
                    calls[0]++;
                    if (attempt == 2) {
                        cancel[0] = true;
                    }
                    throw unreachable();
                }));
        assertEquals(Kind.CANCELLED, e.kind());
        assertEquals("cancelled while connecting to 10.0.0.5:22 (after 2 failed attempts)", e.getMessage());
        assertEquals(2, calls[0], "no attempt after the cancel");
        assertEquals(1, sleeps.size(), "no wait after the cancel");
    }

    @Test
    void aCancelledDialMakesNoAttempt() {
        int[] calls = {0};
        RemoteException e = assertThrows(RemoteException.class, () -> dialer.dial(target, progress::add,
                () -> true, attempt -> {
                    calls[0]++;
                    return "connected";
                }));
        assertEquals(Kind.CANCELLED, e.kind());
        assertEquals("cancelled while connecting to 10.0.0.5:22", e.getMessage());
        assertEquals(0, calls[0]);
    }

    @Test
    void theRealWaitEndsSoonAfterACancel() throws Exception {
        long start = System.nanoTime();
        long[] cancelAt = {start + 300_000_000L};
        Dialer.REAL.sleep(Duration.ofSeconds(30), () -> System.nanoTime() > cancelAt[0]);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= 300 && ms < 2_000, "waited " + ms + " ms");
    }

    @Test
    void humanDurations() {
        assertEquals("500ms", Dialer.human(Duration.ofMillis(500)));
        assertEquals("2s", Dialer.human(Duration.ofSeconds(2)));
        assertEquals("1.5s", Dialer.human(Duration.ofMillis(1500)));
        assertEquals("2m", Dialer.human(Duration.ofMinutes(2)));
        assertEquals("0ms", Dialer.human(Duration.ZERO));
    }

    private static RemoteException unreachable() {
        return new RemoteException(Kind.UNREACHABLE, "Connection refused", new ConnectException("Connection refused"));
    }
}
