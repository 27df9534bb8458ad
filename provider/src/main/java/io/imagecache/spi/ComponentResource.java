package io.imagecache.spi;

import java.util.List;

/**
 * A component resource the provider constructs for any language (the engine's Construct): it registers
 * its children through {@link Children} and returns its outputs. The {@code rpc} package registers the
 * component itself with the caller's options, parents every child to it and passes those options on.
 */
public interface ComponentResource<A extends Record, O extends Record> {
    Class<A> argsType();

    /** The outputs' record: it gives the schema's output properties. */
    Class<O> outputsType();

    /**
     * Failures the types alone do not catch (duplicates, ranges). Called before any child is
     * registered; a failure stops the construction with nothing registered and no host touched.
     * Values that are unknown (a preview) are checked weakly or not at all.
     */
    List<CheckFailure> check(Decoded<A> args);

    /**
     * Registers the children and returns the component's outputs (unknowns where a preview does not
     * know them yet).
     *
     * @param name   the component's name (children's names start with it, so two components do not clash)
     * @param args   the checked inputs with their defaults
     * @param inputs the inputs as the engine sent them: secrets and unknowns are kept, so they are what
     *               children are given
     */
    PropertyValue.Obj construct(String name, Decoded<A> args, PropertyValue.Obj inputs, Children children)
            throws ResourceException;
}
