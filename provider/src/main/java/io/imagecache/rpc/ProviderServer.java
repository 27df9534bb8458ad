package io.imagecache.rpc;

import com.google.protobuf.Any;
import com.google.protobuf.Empty;
import com.google.protobuf.Struct;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.ComponentResource;
import io.imagecache.spi.Context;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.DiffResult;
import io.imagecache.spi.PropertyDiff;
import io.imagecache.spi.PropertyValue;
import io.imagecache.spi.ProviderFunction;
import io.imagecache.spi.Records;
import io.imagecache.spi.ResourceException;
import io.imagecache.spi.ResourceType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import pulumirpc.Plugin;
import pulumirpc.Provider;
import pulumirpc.ResourceProviderGrpc;

/**
 * The gRPC face of the provider: translates engine requests into calls on registered resources and
 * functions and maps every expected failure to a status the engine understands. Only this package
 * sees protobuf and grpc.
 */
public final class ProviderServer extends ResourceProviderGrpc.ResourceProviderImplBase {
    private final String version;
    private final Map<String, ResourceHandler<?, ?>> resources = new LinkedHashMap<>();
    private final Map<String, ProviderFunction<?, ?>> functions = new LinkedHashMap<>();
    private final Map<String, ComponentResource<?, ?>> components = new LinkedHashMap<>();
    private final Supplier<String> schema;
    private final EngineLog engine;
    /** This process's own provider reference ({@code urn::id}), as Configure names it; null until then or if not. */
    private volatile String self;

    public ProviderServer(String version, List<CustomResource<?, ?>> resources, List<ProviderFunction<?, ?>> functions,
                          Supplier<String> schema, EngineLog engine) {
        this(version, resources, functions, List.of(), schema, engine);
    }

    public ProviderServer(String version, List<CustomResource<?, ?>> resources, List<ProviderFunction<?, ?>> functions,
                          List<ComponentResource<?, ?>> components, Supplier<String> schema, EngineLog engine) {
        this.version = version;
        this.schema = schema;
        this.engine = engine;
        for (CustomResource<?, ?> r : resources) {
            this.resources.put(token(r.getClass()), handler(r));
        }
        for (ProviderFunction<?, ?> f : functions) {
            this.functions.put(token(f.getClass()), f);
        }
        for (ComponentResource<?, ?> c : components) {
            this.components.put(token(c.getClass()), c);
        }
    }

    private static <A extends Record, S extends Record> ResourceHandler<A, S> handler(CustomResource<A, S> r) {
        return new ResourceHandler<>(r);
    }

    static String token(Class<?> c) {
        ResourceType t = c.getAnnotation(ResourceType.class);
        if (t == null) {
            throw new IllegalStateException(c + " has no @ResourceType");
        }
        return t.token();
    }

    // --- plugin lifecycle -------------------------------------------------------------------------

    @Override
    public void handshake(Provider.ProviderHandshakeRequest request,
                          StreamObserver<Provider.ProviderHandshakeResponse> out) {
        engine.connect(request.getEngineAddress());
        reply(out, Provider.ProviderHandshakeResponse.newBuilder()
                .setAcceptSecrets(true).setAcceptResources(true).setAcceptOutputs(false).build());
    }

    @Override
    public void getPluginInfo(Empty request, StreamObserver<Plugin.PluginInfo> out) {
        reply(out, Plugin.PluginInfo.newBuilder().setVersion(version).build());
    }

    @Override
    public void attach(Plugin.PluginAttach request, StreamObserver<Empty> out) {
        engine.connect(request.getAddress());
        reply(out, Empty.getDefaultInstance());
    }

    @Override
    public void getSchema(Provider.GetSchemaRequest request, StreamObserver<Provider.GetSchemaResponse> out) {
        reply(out, Provider.GetSchemaResponse.newBuilder().setSchema(schema.get()).build());
    }

    @Override
    public void checkConfig(Provider.CheckRequest request, StreamObserver<Provider.CheckResponse> out) {
        // No provider-level configuration yet: every setting lives on the resources.
        reply(out, Provider.CheckResponse.newBuilder().setInputs(request.getNews()).build());
    }

    @Override
    public void diffConfig(Provider.DiffRequest request, StreamObserver<Provider.DiffResponse> out) {
        reply(out, Provider.DiffResponse.newBuilder().setChanges(Provider.DiffResponse.DiffChanges.DIFF_NONE).build());
    }

    @Override
    public void configure(Provider.ConfigureRequest request, StreamObserver<Provider.ConfigureResponse> out) {
        // engines since v3.1xx say which provider resource this process is: Construct registers its children with
        // it, so they are served by this process instead of a default provider of their own (another plugin start)
        if (request.hasUrn() && request.hasId() && !request.getUrn().isEmpty() && !request.getId().isEmpty()) {
            self = request.getUrn() + "::" + request.getId();
        }
        reply(out, Provider.ConfigureResponse.newBuilder()
                .setAcceptSecrets(true).setAcceptResources(true).setSupportsPreview(true).setAcceptOutputs(false)
                .build());
    }

    @Override
    public void cancel(Empty request, StreamObserver<Empty> out) {
        engine.cancel();
        reply(out, Empty.getDefaultInstance());
    }

    // --- resources --------------------------------------------------------------------------------

    @Override
    public void check(Provider.CheckRequest request, StreamObserver<Provider.CheckResponse> out) {
        run(out, () -> {
            ResourceHandler<?, ?> h = resource(request.getType(), request.getUrn());
            ResourceHandler.CheckOutcome o = h.check(PropertyCodec.decode(request.getNews()));
            Provider.CheckResponse.Builder b = Provider.CheckResponse.newBuilder().setInputs(PropertyCodec.encode(o.inputs()));
            for (CheckFailure f : o.failures()) {
                b.addFailures(Provider.CheckFailure.newBuilder().setProperty(f.property()).setReason(f.reason()));
            }
            return b.build();
        });
    }

    @Override
    public void diff(Provider.DiffRequest request, StreamObserver<Provider.DiffResponse> out) {
        run(out, () -> {
            ResourceHandler<?, ?> h = resource(request.getType(), request.getUrn());
            DiffResult d = h.diff(request.getId(), request.getUrn(), PropertyCodec.decode(request.getOlds()),
                    PropertyCodec.decode(request.getOldInputs()), PropertyCodec.decode(request.getNews()));
            return diffResponse(d);
        });
    }

    static Provider.DiffResponse diffResponse(DiffResult d) {
        Provider.DiffResponse.Builder b = Provider.DiffResponse.newBuilder()
                .setChanges(d.hasChanges() ? Provider.DiffResponse.DiffChanges.DIFF_SOME
                        : Provider.DiffResponse.DiffChanges.DIFF_NONE)
                .setHasDetailedDiff(true)
                .setDeleteBeforeReplace(d.replaces() && d.deleteBeforeReplace())
                .addAllDiffs(d.changedKeys())
                .addAllReplaces(d.replaceKeys());
        d.detailed().forEach((path, pd) -> b.putDetailedDiff(path, Provider.PropertyDiff.newBuilder()
                .setKind(kind(pd.kind())).setInputDiff(pd.inputDiff()).build()));
        return b.build();
    }

    private static Provider.PropertyDiff.Kind kind(PropertyDiff.Kind k) {
        return switch (k) {
            case ADD -> Provider.PropertyDiff.Kind.ADD;
            case ADD_REPLACE -> Provider.PropertyDiff.Kind.ADD_REPLACE;
            case DELETE -> Provider.PropertyDiff.Kind.DELETE;
            case DELETE_REPLACE -> Provider.PropertyDiff.Kind.DELETE_REPLACE;
            case UPDATE -> Provider.PropertyDiff.Kind.UPDATE;
            case UPDATE_REPLACE -> Provider.PropertyDiff.Kind.UPDATE_REPLACE;
        };
    }

    @Override
    public void create(Provider.CreateRequest request, StreamObserver<Provider.CreateResponse> out) {
        ResourceHandler<?, ?> h;
        try {
            h = resource(request.getType(), request.getUrn());
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        run(out, h, () -> {
            ResourceHandler.Outputs o = h.create(request.getUrn(), request.getName(),
                    PropertyCodec.decode(request.getProperties()), request.getPreview(), context(request.getUrn()));
            if (!request.getPreview() && (o.id() == null || o.id().isEmpty())) {
                throw new IllegalStateException("resource returned an empty id");
            }
            return Provider.CreateResponse.newBuilder().setId(o.id() == null ? "" : o.id())
                    .setProperties(PropertyCodec.encode(o.properties())).build();
        });
    }

    @Override
    public void read(Provider.ReadRequest request, StreamObserver<Provider.ReadResponse> out) {
        run(out, () -> {
            ResourceHandler<?, ?> h = resource(request.getType(), request.getUrn());
            ResourceHandler.Outputs o = h.read(request.getId(), request.getUrn(), PropertyCodec.decode(request.getProperties()),
                    PropertyCodec.decode(request.getInputs()), context(request.getUrn()));
            Provider.ReadResponse.Builder b = Provider.ReadResponse.newBuilder().setId(o.id());
            if (!o.id().isEmpty()) {
                b.setProperties(PropertyCodec.encode(o.properties())).setInputs(PropertyCodec.encode(o.inputs()));
            }
            return b.build();
        });
    }

    @Override
    public void update(Provider.UpdateRequest request, StreamObserver<Provider.UpdateResponse> out) {
        ResourceHandler<?, ?> h;
        try {
            h = resource(request.getType(), request.getUrn());
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        run(out, h, () -> {
            ResourceHandler.Outputs o = h.update(request.getId(), request.getUrn(), PropertyCodec.decode(request.getOlds()),
                    PropertyCodec.decode(request.getOldInputs()), PropertyCodec.decode(request.getNews()),
                    request.getPreview(), context(request.getUrn()));
            return Provider.UpdateResponse.newBuilder().setProperties(PropertyCodec.encode(o.properties())).build();
        });
    }

    @Override
    public void delete(Provider.DeleteRequest request, StreamObserver<Empty> out) {
        run(out, () -> {
            ResourceHandler<?, ?> h = resource(request.getType(), request.getUrn());
            h.delete(request.getId(), request.getUrn(), PropertyCodec.decode(request.getProperties()),
                    PropertyCodec.decode(request.getOldInputs()), context(request.getUrn()));
            return Empty.getDefaultInstance();
        });
    }

    // --- components -------------------------------------------------------------------------------

    @Override
    public void construct(Provider.ConstructRequest request, StreamObserver<Provider.ConstructResponse> out) {
        run(out, () -> {
            ComponentResource<?, ?> c = components.get(request.getType());
            if (c == null) {
                throw Status.NOT_FOUND.withDescription("unknown component " + request.getType() + "; this provider has: "
                        + String.join(", ", components.keySet())).asRuntimeException();
            }
            return new Construction<>(c, version, self, this::checkChild, engine.context("")).run(request, monitors);
        });
    }

    /** Where Construct reaches the engine's monitor (a test points it elsewhere). */
    private Construction.MonitorFactory monitors = MonitorClient::new;

    private List<CheckFailure> checkChild(String type, PropertyValue.Obj inputs) {
        ResourceHandler<?, ?> h = resources.get(type);
        if (h == null) {
            return List.of(new CheckFailure("", "no resource type " + type + " in this provider"));
        }
        return h.check(inputs).failures();
    }

    // --- functions --------------------------------------------------------------------------------

    @Override
    public void invoke(Provider.InvokeRequest request, StreamObserver<Provider.InvokeResponse> out) {
        run(out, () -> {
            ProviderFunction<?, ?> f = functions.get(request.getTok());
            if (f == null) {
                throw Status.NOT_FOUND.withDescription("unknown function " + request.getTok()
                        + "; this provider has: " + String.join(", ", functions.keySet())).asRuntimeException();
            }
            return invoke(f, PropertyCodec.decode(request.getArgs()));
        });
    }

    private <A extends Record, R extends Record> Provider.InvokeResponse invoke(ProviderFunction<A, R> f, PropertyValue.Obj args)
            throws ResourceException {
        Decoded<A> d = Records.decode(f.argsType(), args, Records.Mode.STRICT);
        List<CheckFailure> failures = new ArrayList<>(d.failures());
        if (failures.isEmpty()) {
            failures.addAll(f.check(d));
        }
        Provider.InvokeResponse.Builder b = Provider.InvokeResponse.newBuilder();
        if (!failures.isEmpty()) {
            for (CheckFailure cf : failures) {
                b.addFailures(Provider.CheckFailure.newBuilder().setProperty(cf.property()).setReason(cf.reason()));
            }
            return b.build();
        }
        R result = f.invoke(d.value(), engine.context(""));
        return b.setReturn(PropertyCodec.encode(Records.encode(result, f.secretOutputs(d.value()), Set.of()))).build();
    }

    // --- plumbing ---------------------------------------------------------------------------------

    private ResourceHandler<?, ?> resource(String type, String urn) {
        String t = type.isEmpty() ? typeFromUrn(urn) : type;
        ResourceHandler<?, ?> h = resources.get(t);
        if (h == null) {
            throw Status.NOT_FOUND.withDescription("unknown resource type " + t + "; this provider has: "
                    + String.join(", ", resources.keySet())).asRuntimeException();
        }
        return h;
    }

    /** urn:pulumi:stack::project::[parent$]type::name */
    static String typeFromUrn(String urn) {
        String[] parts = urn.split("::");
        if (parts.length < 4) {
            return "";
        }
        String qualified = parts[2];
        int dollar = qualified.lastIndexOf('$');
        return dollar >= 0 ? qualified.substring(dollar + 1) : qualified;
    }

    private Context context(String urn) {
        return engine.context(urn);
    }

    interface Call<T> {
        T get() throws Exception;
    }

    private <T> void run(StreamObserver<T> out, Call<T> call) {
        run(out, null, call);
    }

    private <T> void run(StreamObserver<T> out, ResourceHandler<?, ?> handler, Call<T> call) {
        T result;
        try {
            result = call.get();
        } catch (ResourceException e) {
            out.onError(Errors.toStatus(e, handler));
            return;
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        } catch (IllegalArgumentException e) {
            // bad input that got past Check (a property the engine encoded in a way we do not know, a
            // recorded value that no longer parses): the caller's to fix, not a provider bug
            out.onError(Errors.invalid(e));
            return;
        } catch (Exception e) {
            out.onError(Errors.internal(e));
            return;
        }
        reply(out, result);
    }

    private static <T> void reply(StreamObserver<T> out, T value) {
        out.onNext(value);
        out.onCompleted();
    }

    /** Exception to gRPC status mapping. */
    static final class Errors {
        private Errors() {}

        static StatusRuntimeException toStatus(ResourceException e, ResourceHandler<?, ?> handler) {
            com.google.rpc.Code code = switch (e.kind()) {
                case INVALID -> com.google.rpc.Code.INVALID_ARGUMENT;
                case UNAVAILABLE -> com.google.rpc.Code.UNAVAILABLE;
                case FAILED_PRECONDITION -> com.google.rpc.Code.FAILED_PRECONDITION;
                case NOT_FOUND -> com.google.rpc.Code.NOT_FOUND;
                case PERMISSION_DENIED -> com.google.rpc.Code.PERMISSION_DENIED;
                case CANCELLED -> com.google.rpc.Code.CANCELLED;
                case DEADLINE_EXCEEDED -> com.google.rpc.Code.DEADLINE_EXCEEDED;
            };
            com.google.rpc.Status.Builder s = com.google.rpc.Status.newBuilder()
                    .setCode(code.getNumber()).setMessage(e.getMessage() == null ? e.toString() : e.getMessage());
            if (e.partialResult().isPresent() && handler != null) {
                ResourceException.Partial p = e.partialResult().get();
                ResourceHandler.Outputs o = handler.partialOutputs(p);
                Provider.ErrorResourceInitFailed detail = Provider.ErrorResourceInitFailed.newBuilder()
                        .setId(p.id())
                        .setProperties(PropertyCodec.encode(o.properties()))
                        .setInputs(o.inputs() == null ? Struct.getDefaultInstance() : PropertyCodec.encode(o.inputs()))
                        .addAllReasons(p.reasons())
                        .build();
                s.addDetails(Any.pack(detail));
            }
            return StatusProto.toStatusRuntimeException(s.build());
        }

        static StatusRuntimeException invalid(IllegalArgumentException e) {
            return Status.INVALID_ARGUMENT.withDescription(e.getMessage() == null ? e.toString() : e.getMessage())
                    .asRuntimeException();
        }

        static StatusRuntimeException internal(Throwable e) {
            e.printStackTrace(System.err);
            String msg = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            return Status.INTERNAL.withDescription("imagecache provider bug: " + msg).asRuntimeException();
        }
    }
}
