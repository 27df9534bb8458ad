package io.imagecache.spi;

import java.util.List;
import java.util.Optional;

/**
 * One Pulumi custom resource: {@code A} is its inputs record, {@code S} its computed outputs
 * (the engine stores inputs and outputs together as the resource's state). Annotate the class with
 * {@link ResourceType}. Only {@link #create} is mandatory; the defaults are:
 * <ul>
 *   <li>check: the framework decodes the inputs, applies {@link Prop#defaultValue()}s and reports
 *       missing, unknown and mistyped properties; {@link #check} adds the resource's own rules;</li>
 *   <li>diff: structural comparison of old and new inputs; changes of components marked
 *       {@link Prop#hostNeutral()} are left out, components marked {@link Prop#replaceOnChanges()}
 *       replace, everything else updates, or replaces too when the resource has no {@link #update}
 *       ({@link #supportsUpdate()});</li>
 *   <li>read: the stored state is returned as it is (no drift detection);</li>
 *   <li>update: not supported, so every change must be a replacement;</li>
 *   <li>delete: nothing to do.</li>
 * </ul>
 */
public interface CustomResource<A extends Record, S extends Record> {

    Class<A> argsType();

    Class<S> stateType();

    /** Computed defaults (e.g. one property derived from another). Unknown parts are null: leave them. */
    default A withDefaults(Decoded<A> news) {
        return news.value();
    }

    /** The resource's own validation, after decoding; {@code news.isUnknown(path)} tells what to skip. */
    default List<CheckFailure> check(Decoded<A> news) {
        return List.of();
    }

    default DiffResult diff(DiffRequest<A, S> request) {
        DiffResult d = request.inputDiff();
        return supportsUpdate() ? d : Diffs.replacing(d);
    }

    /** True when the class implements {@link #update}: without it, every change must be a replacement. */
    default boolean supportsUpdate() {
        try {
            return getClass().getMethod("update", UpdateRequest.class).getDeclaringClass() != CustomResource.class;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates the resource, or in preview computes what can be known without touching any host. */
    CreateResult<S> create(CreateRequest<A> request) throws ResourceException;

    default ReadResult<A, S> read(ReadRequest<A, S> request) throws ResourceException {
        if (request.isImport()) {
            throw new ResourceException(ResourceException.Kind.INVALID,
                    "this resource type cannot be imported");
        }
        return ReadResult.of(request.id(), request.inputs().orElseThrow(), request.state().orElseThrow());
    }

    default S update(UpdateRequest<A, S> request) throws ResourceException {
        throw new ResourceException(ResourceException.Kind.INVALID, "this resource cannot be updated in place");
    }

    default void delete(DeleteRequest<A, S> request) throws ResourceException {}

    // --- requests and results -------------------------------------------------------------------

    record CreateRequest<A>(String urn, String name, Decoded<A> news, boolean preview, Context context) {
        public A args() {
            return news.value();
        }
    }

    /** @param state outputs; in preview a null component means "not known yet" */
    record CreateResult<S>(String id, S state) {}

    /**
     * Old inputs/outputs and the new checked inputs. {@code oldInputs}/{@code newInputs} are the raw
     * property objects the structural diff works on.
     */
    record DiffRequest<A, S>(String id, String urn, A olds, S oldState, Decoded<A> news,
                             PropertyValue.Obj oldInputs, PropertyValue.Obj newInputs,
                             PropertyValue.Obj oldOutputs, java.util.Set<String> replacePaths) {
        /** The default diff: old inputs against new inputs, without the changes of {@link Prop#hostNeutral()} properties. */
        public DiffResult inputDiff() {
            Object args = olds != null ? olds : news == null ? null : news.value();
            return Diffs.inputs(oldInputs, newInputs, replacePaths,
                    args == null ? java.util.Set.of() : Diffs.hostNeutralPaths(args.getClass()));
        }
    }

    /** {@code inputs} and {@code state} are both empty for {@code pulumi import} (only the id is known). */
    record ReadRequest<A, S>(String id, String urn, Optional<A> inputs, Optional<S> state, Context context) {
        public boolean isImport() {
            return inputs.isEmpty() && state.isEmpty();
        }
    }

    /** An empty id means the resource no longer exists. */
    record ReadResult<A, S>(Optional<String> id, A inputs, S state) {
        public static <A, S> ReadResult<A, S> of(String id, A inputs, S state) {
            return new ReadResult<>(Optional.of(id), inputs, state);
        }

        public static <A, S> ReadResult<A, S> gone() {
            return new ReadResult<>(Optional.empty(), null, null);
        }
    }

    record UpdateRequest<A, S>(String id, String urn, A olds, S oldState, Decoded<A> news, boolean preview,
                               Context context) {
        public A args() {
            return news.value();
        }
    }

    record DeleteRequest<A, S>(String id, String urn, A inputs, S state, Context context) {}
}
