package io.imagecache.spi;

import java.util.List;
import java.util.Set;

/** A Pulumi function (invoke): {@code A} its arguments, {@code R} its result. Annotate with {@link ResourceType}. */
public interface ProviderFunction<A extends Record, R extends Record> {

    Class<A> argsType();

    Class<R> resultType();

    default List<CheckFailure> check(Decoded<A> args) {
        return List.of();
    }

    /** Outputs to return as secrets for these arguments, besides those marked {@link Prop#secret()}. */
    default Set<PropertyPath> secretOutputs(A args) {
        return Set.of();
    }

    R invoke(A args, Context context) throws ResourceException;
}
