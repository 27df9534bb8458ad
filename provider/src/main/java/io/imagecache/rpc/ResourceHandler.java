package io.imagecache.rpc;

import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Context;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Unknowns;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.DiffResult;
import io.imagecache.spi.Diffs;
import io.imagecache.spi.PropertyPath;
import io.imagecache.spi.PropertyValue;
import io.imagecache.spi.Records;
import io.imagecache.spi.ResourceException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Drives one {@link CustomResource} from property objects: decoding, defaults, secrets, unknowns and
 * the merge of inputs and computed outputs into the state the engine stores. No protobuf here.
 */
final class ResourceHandler<A extends Record, S extends Record> {
    private final CustomResource<A, S> resource;
    /** Found by reflection on first Diff, not at start-up (every type's handler is made before the port is printed). */
    private volatile Set<String> replacePaths;

    ResourceHandler(CustomResource<A, S> resource) {
        this.resource = resource;
    }

    private Set<String> replacePaths() {
        Set<String> p = replacePaths;
        if (p == null) {
            p = Diffs.replaceOnChangesPaths(resource.argsType());
            replacePaths = p;
        }
        return p;
    }

    record CheckOutcome(PropertyValue.Obj inputs, List<CheckFailure> failures) {}

    record Outputs(String id, PropertyValue.Obj properties, PropertyValue.Obj inputs) {}

    CheckOutcome check(PropertyValue.Obj news) {
        Decoded<A> d = Records.decode(resource.argsType(), news, Records.Mode.STRICT);
        List<CheckFailure> failures = new ArrayList<>(d.failures());
        if (!failures.isEmpty()) {
            return new CheckOutcome(news, failures);
        }
        A withDefaults;
        try {
            withDefaults = resource.withDefaults(d);
            Decoded<A> full = new Decoded<>(withDefaults, d.unknowns(), d.secrets(), List.of());
            failures.addAll(resource.check(full));
        } catch (IllegalArgumentException e) {
            // a rule that threw instead of returning its failure: still a failure of the inputs
            return new CheckOutcome(news, List.of(new CheckFailure("", e.getMessage() == null ? e.toString()
                    : e.getMessage())));
        }
        return new CheckOutcome(Records.encode(withDefaults, d.secrets(), d.unknowns()), failures);
    }

    DiffResult diff(String id, String urn, PropertyValue.Obj olds, PropertyValue.Obj oldInputs, PropertyValue.Obj news) {
        PropertyValue.Obj inputs = oldInputs.fields().isEmpty() ? argsSubset(olds) : oldInputs;
        A oldArgs = Records.decode(resource.argsType(), inputs, Records.Mode.LENIENT).value();
        S oldState = Records.decode(resource.stateType(), olds, Records.Mode.LENIENT).value();
        Decoded<A> newArgs = Records.decode(resource.argsType(), news, Records.Mode.LENIENT);
        try {
            return resource.diff(new CustomResource.DiffRequest<>(id, urn, oldArgs, oldState, newArgs, inputs, news, olds,
                    replacePaths()));
        } catch (RuntimeException e) {
            // inputs that do not pass Check are the caller's to fix; with valid ones it is our bug
            List<CheckFailure> bad = Records.decode(resource.argsType(), news, Records.Mode.STRICT).failures();
            if (e instanceof IllegalArgumentException || bad.isEmpty()) {
                throw e;
            }
            throw new IllegalArgumentException("the new inputs do not pass Check: " + bad.get(0).property() + " "
                    + bad.get(0).reason(), e);
        }
    }

    Outputs create(String urn, String name, PropertyValue.Obj props, boolean preview, Context ctx) throws ResourceException {
        Decoded<A> news = Records.decode(resource.argsType(), props, Records.Mode.LENIENT);
        CustomResource.CreateResult<S> r = resource.create(new CustomResource.CreateRequest<>(urn, name, news, preview, ctx));
        return new Outputs(r.id(), merge(news.value(), news.secrets(), news.unknowns(), r.state(), preview), null);
    }

    Outputs read(String id, String urn, PropertyValue.Obj props, PropertyValue.Obj oldInputs, Context ctx)
            throws ResourceException {
        CustomResource.ReadRequest<A, S> req;
        Set<PropertyPath> secrets = new HashSet<>();
        if (props.fields().isEmpty() && oldInputs.fields().isEmpty()) {
            req = new CustomResource.ReadRequest<>(id, urn, Optional.empty(), Optional.empty(), ctx);
        } else {
            PropertyValue.Obj inputs = oldInputs.fields().isEmpty() ? argsSubset(props) : oldInputs;
            Decoded<A> a = Records.decode(resource.argsType(), inputs, Records.Mode.LENIENT);
            secrets.addAll(a.secrets());
            S s = Records.decode(resource.stateType(), props, Records.Mode.LENIENT).value();
            req = new CustomResource.ReadRequest<>(id, urn, Optional.of(a.value()), Optional.of(s), ctx);
        }
        CustomResource.ReadResult<A, S> r = resource.read(req);
        if (r.id().isEmpty()) {
            return new Outputs("", new PropertyValue.Obj(Map.of()), new PropertyValue.Obj(Map.of()));
        }
        return new Outputs(r.id().get(), merge(r.inputs(), secrets, Set.of(), r.state()),
                Records.encode(r.inputs(), secrets, Set.of()));
    }

    Outputs update(String id, String urn, PropertyValue.Obj olds, PropertyValue.Obj oldInputs, PropertyValue.Obj news,
                   boolean preview, Context ctx) throws ResourceException {
        PropertyValue.Obj inputs = oldInputs.fields().isEmpty() ? argsSubset(olds) : oldInputs;
        A oldArgs = Records.decode(resource.argsType(), inputs, Records.Mode.LENIENT).value();
        S oldState = Records.decode(resource.stateType(), olds, Records.Mode.LENIENT).value();
        Decoded<A> newArgs = Records.decode(resource.argsType(), news, Records.Mode.LENIENT);
        S state = resource.update(new CustomResource.UpdateRequest<>(id, urn, oldArgs, oldState, newArgs, preview, ctx));
        return new Outputs(id, merge(newArgs.value(), newArgs.secrets(), newArgs.unknowns(), state, preview), null);
    }

    void delete(String id, String urn, PropertyValue.Obj props, PropertyValue.Obj oldInputs, Context ctx)
            throws ResourceException {
        PropertyValue.Obj inputs = oldInputs.fields().isEmpty() ? argsSubset(props) : oldInputs;
        A args = Records.decode(resource.argsType(), inputs, Records.Mode.LENIENT).value();
        S state = Records.decode(resource.stateType(), props, Records.Mode.LENIENT).value();
        resource.delete(new CustomResource.DeleteRequest<>(id, urn, args, state, ctx));
    }

    /** The stored state: inputs (with their secrets and unknowns) plus computed outputs. */
    PropertyValue.Obj merge(Record args, Set<PropertyPath> secrets, Set<PropertyPath> unknowns, Record state) {
        return merge(args, secrets, unknowns, state, false);
    }

    /** In a preview every output is there: a null one is an unknown of its type. */
    PropertyValue.Obj merge(Record args, Set<PropertyPath> secrets, Set<PropertyPath> unknowns, Record state,
                            boolean preview) {
        Map<String, PropertyValue> m = new LinkedHashMap<>();
        if (args != null) {
            m.putAll(Records.encode(args, secrets, unknowns).fields());
        }
        if (state != null) {
            m.putAll((preview ? Records.encodePreview(state) : Records.encode(state)).fields());
        } else if (preview) {
            for (RecordComponent c : resource.stateType().getRecordComponents()) {
                m.put(c.getName(), new PropertyValue.Unknown(Unknowns.kindOf(c.getGenericType())));
            }
        }
        return new PropertyValue.Obj(m);
    }

    /** Old states written without {@code old_inputs}: the input properties are among the outputs. */
    private PropertyValue.Obj argsSubset(PropertyValue.Obj outputs) {
        Map<String, PropertyValue> m = new LinkedHashMap<>();
        for (RecordComponent c : resource.argsType().getRecordComponents()) {
            PropertyValue v = outputs.fields().get(c.getName());
            if (v != null) {
                m.put(c.getName(), v);
            }
        }
        return new PropertyValue.Obj(m);
    }

    /** Converts a partial result (a failed create/update that left something behind) to property objects. */
    Outputs partialOutputs(ResourceException.Partial p) {
        PropertyValue.Obj props = merge(p.inputs(), Set.of(), Set.of(), p.state());
        PropertyValue.Obj inputs = p.inputs() == null ? new PropertyValue.Obj(Map.of()) : Records.encode(p.inputs());
        return new Outputs(p.id(), props, inputs);
    }
}
