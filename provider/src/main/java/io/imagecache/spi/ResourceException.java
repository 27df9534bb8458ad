package io.imagecache.spi;

import java.util.List;
import java.util.Optional;

/**
 * An expected failure of a resource operation. {@link Kind} decides the gRPC status the engine sees
 * (never UNKNOWN/INTERNAL, which mean "state unknown"). A failure after something was already made
 * carries that resource's id and state ({@link #partial}): the engine records it and the next
 * {@code pulumi up} continues from there.
 */
public class ResourceException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** The inputs cannot work (found only at run time, e.g. a port already in use). */
        INVALID,
        /** The host or service is not reachable, or refused our credentials. */
        UNAVAILABLE,
        /** The host is not in a state that allows the operation (e.g. containerd rejected the config). */
        FAILED_PRECONDITION,
        /** The thing to read or delete does not exist. */
        NOT_FOUND,
        /** Refused for safety: e.g. a host key that does not match the pinned one. */
        PERMISSION_DENIED,
        /** The engine cancelled the operation. */
        CANCELLED,
        /** A step on a host did not finish within its time bound and was ended. */
        DEADLINE_EXCEEDED
    }

    private final Kind kind;
    private final transient Partial partial;

    /** What exists after a failed create/update: its id, outputs, inputs and the reasons. */
    public record Partial(String id, Record inputs, Record state, List<String> reasons) {}

    public ResourceException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    public ResourceException(Kind kind, String message, Throwable cause) {
        this(kind, message, cause, null);
    }

    private ResourceException(Kind kind, String message, Throwable cause, Partial partial) {
        super(message, cause);
        this.kind = kind;
        this.partial = partial;
    }

    public static ResourceException partial(Kind kind, String id, Record inputs, Record state, String message) {
        return new ResourceException(kind, message, null, new Partial(id, inputs, state, List.of(message)));
    }

    public Kind kind() {
        return kind;
    }

    public Optional<Partial> partialResult() {
        return Optional.ofNullable(partial);
    }
}
