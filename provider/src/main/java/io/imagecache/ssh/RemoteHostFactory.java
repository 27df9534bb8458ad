package io.imagecache.ssh;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** Opens {@link RemoteHost}s. Production uses SSH; unit tests pass a fake. */
@FunctionalInterface
public interface RemoteHostFactory {
    /**
     * Connects, retrying dials as the target says. {@code progress} receives short human-readable
     * status lines ("Dial 2/10 to 10.0.20.10:22 failed: connection refused; retrying in 2s").
     */
    RemoteHost connect(SshTarget target, Consumer<String> progress) throws RemoteException;

    /**
     * As {@link #connect(SshTarget, Consumer)}, stopping promptly once {@code cancelled} is true: the
     * dial retries and, on the host returned, every command, read and write end with
     * {@link RemoteException.Kind#CANCELLED}. A factory without cancellable hosts (a unit-test fake)
     * only checks before connecting.
     */
    default RemoteHost connect(SshTarget target, Consumer<String> progress, BooleanSupplier cancelled)
            throws RemoteException {
        if (cancelled.getAsBoolean()) {
            throw new RemoteException(RemoteException.Kind.CANCELLED, "cancelled before connecting to " + target);
        }
        return connect(target, progress);
    }
}
