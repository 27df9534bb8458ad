package io.imagecache.ssh;

import java.util.function.Consumer;

/** Opens {@link RemoteHost}s. Production uses SSH; unit tests pass a fake. */
@FunctionalInterface
public interface RemoteHostFactory {
    /**
     * Connects, retrying dials as the target says. {@code progress} receives short human-readable
     * status lines ("Dial 2/10 to 10.0.20.10:22 failed: connection refused; retrying in 2s").
     */
    RemoteHost connect(SshTarget target, Consumer<String> progress) throws RemoteException;
}
