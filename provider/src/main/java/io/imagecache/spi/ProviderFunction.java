package io.imagecache.spi;

import java.util.List;

/** A Pulumi function (invoke): {@code A} its arguments, {@code R} its result. Annotate with {@link ResourceType}. */
public interface ProviderFunction<A extends Record, R extends Record> {

    Class<A> argsType();

    Class<R> resultType();

    default List<CheckFailure> check(Decoded<A> args) {
        return List.of();
    }

    R invoke(A args, Context context) throws ResourceException;
}
