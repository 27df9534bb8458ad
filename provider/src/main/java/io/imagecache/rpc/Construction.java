package io.imagecache.rpc;

import io.grpc.StatusRuntimeException;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Children;
import io.imagecache.spi.ComponentResource;
import io.imagecache.spi.Context;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.PropertyValue;
import io.imagecache.spi.Records;
import io.imagecache.spi.ResourceException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import pulumirpc.Provider;
import pulumirpc.Resource;

/**
 * One Construct call: decode and check the inputs, register the component with the caller's options,
 * let it register its children (parented to it, with the caller's provider, protect, retainOnDelete,
 * deletedWith, custom timeouts and dependencies, as the Go SDK passes them on), register its outputs,
 * and answer {@code {urn, state}}. Nothing is registered when the inputs are refused.
 */
final class Construction<A extends Record, O extends Record> {
    private final ComponentResource<A, O> component;
    private final String version;
    private final String ownProvider;
    private final BiFunction<String, PropertyValue.Obj, List<CheckFailure>> childCheck;
    private final Context context;

    /**
     * @param ownProvider the provider reference ({@code urn::id}) of the process running Construct, null where the engine
     *             did not say it at Configure: the children are then registered with {@code version}
     */
    Construction(ComponentResource<A, O> component, String version, String ownProvider,
                 BiFunction<String, PropertyValue.Obj, List<CheckFailure>> childCheck, Context context) {
        this.component = component;
        this.version = version;
        this.ownProvider = ownProvider;
        this.childCheck = childCheck;
        this.context = context;
    }

    Provider.ConstructResponse run(Provider.ConstructRequest req, MonitorFactory monitors) throws ResourceException {
        PropertyValue.Obj inputs = PropertyCodec.decode(req.getInputs());
        Decoded<A> args = Records.decode(component.argsType(), inputs, Records.Mode.STRICT);
        List<CheckFailure> failures = new ArrayList<>(args.failures());
        if (failures.isEmpty()) {
            failures.addAll(component.check(args));
        }
        if (!failures.isEmpty()) {
            throw invalid(req.getType(), failures);
        }
        try (MonitorClient monitor = monitors.connect(req.getMonitorEndpoint())) {
            Resource.RegisterResourceRequest.Builder self = Resource.RegisterResourceRequest.newBuilder()
                    .setType(req.getType()).setName(req.getName()).setParent(req.getParent()).setCustom(false)
                    .addAllDependencies(req.getDependenciesList()).putAllProviders(req.getProvidersMap())
                    .setAliasSpecs(true).setDeletedWith(req.getDeletedWith())
                    .setAcceptSecrets(true).setAcceptResources(true);
            // the caller's aliases, as the engine's alias objects: with aliasSpecs the engine also derives each
            // child's aliases from them (a child named after the component follows a rename)
            self.addAllAliases(aliases(req));
            if (req.hasProtect()) {
                self.setProtect(req.getProtect());
            }
            if (req.hasRetainOnDelete()) {
                self.setRetainOnDelete(req.getRetainOnDelete());
            }
            if (req.hasCustomTimeouts()) {
                self.setCustomTimeouts(timeouts(req.getCustomTimeouts()));
            }
            ChildrenOverMonitor children = new ChildrenOverMonitor(monitor, req,
                    () -> call(() -> monitor.register(self.build()), "registering " + req.getName()).getUrn());
            PropertyValue.Obj outputs = component.construct(req.getName(), args, inputs, children);
            String urn = children.parent();
            call(() -> {
                monitor.registerOutputs(urn, PropertyCodec.encode(outputs));
                return null;
            }, "registering the outputs of " + req.getName());
            return Provider.ConstructResponse.newBuilder().setUrn(urn).setState(PropertyCodec.encode(outputs)).build();
        }
    }

    /** Field 29 of ConstructRequest in engines from v3.1xx: the caller's aliases as alias objects. */
    static final int ALIAS_OBJECTS = 29;

    /**
     * The caller's aliases: URNs (field 14, older engines) and alias objects (field 29, which the protocol
     * stubs we build against predate, so it arrives as an unknown field and is parsed here).
     */
    static List<pulumirpc.AliasOuterClass.Alias> aliases(Provider.ConstructRequest req) {
        List<pulumirpc.AliasOuterClass.Alias> out = new ArrayList<>();
        for (String urn : req.getAliasesList()) {
            out.add(pulumirpc.AliasOuterClass.Alias.newBuilder().setUrn(urn).build());
        }
        var field = req.getUnknownFields().getField(ALIAS_OBJECTS);
        if (field != null) {
            for (com.google.protobuf.ByteString bytes : field.getLengthDelimitedList()) {
                try {
                    out.add(pulumirpc.AliasOuterClass.Alias.parseFrom(bytes));
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    throw new IllegalArgumentException("the engine sent an alias this provider cannot read: "
                            + e.getMessage(), e);
                }
            }
        }
        return out;
    }

    /** How to reach the engine's monitor; tests give a fake one's address. */
    interface MonitorFactory {
        MonitorClient connect(String endpoint);
    }

    static ResourceException invalid(String type, List<CheckFailure> failures) {
        String name = type.substring(type.lastIndexOf(':') + 1);
        return new ResourceException(ResourceException.Kind.INVALID, CheckFailure.describe(name + ": invalid inputs "
                + "(nothing was registered and no host was contacted):", failures));
    }

    private static Resource.RegisterResourceRequest.CustomTimeouts timeouts(Provider.ConstructRequest.CustomTimeouts t) {
        return Resource.RegisterResourceRequest.CustomTimeouts.newBuilder()
                .setCreate(t.getCreate()).setUpdate(t.getUpdate()).setDelete(t.getDelete()).build();
    }

    interface Registration {
        String register() throws ResourceException;
    }

    interface Rpc<T> {
        T get();
    }

    private static <T> T call(Rpc<T> rpc, String what) throws ResourceException {
        try {
            return rpc.get();
        } catch (StatusRuntimeException e) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, what + ": the engine answered "
                    + e.getStatus().getCode() + (e.getStatus().getDescription() == null ? ""
                    : " (" + e.getStatus().getDescription() + ")"), e);
        }
    }

    /** The children of one component, registered through the engine's monitor. */
    private final class ChildrenOverMonitor implements Children {
        private final MonitorClient monitor;
        private final Provider.ConstructRequest req;
        private final Registration self;
        private String parent;

        ChildrenOverMonitor(MonitorClient monitor, Provider.ConstructRequest req, Registration self) {
            this.monitor = monitor;
            this.req = req;
            this.self = self;
        }

        /**
         * The component's URN, registering it on first use: a component registers itself just before its first
         * child, so one whose inputs its children refuse leaves nothing behind.
         */
        synchronized String parent() throws ResourceException {
            if (parent == null) {
                parent = self.register();
            }
            return parent;
        }

        @Override
        public List<CheckFailure> check(Child child) {
            return childCheck.apply(child.type(), child.inputs());
        }

        @Override
        public Registered register(Child child) throws ResourceException {
            Set<String> deps = new LinkedHashSet<>(child.dependsOn());
            deps.addAll(req.getDependenciesList());
            Resource.RegisterResourceRequest.Builder b = Resource.RegisterResourceRequest.newBuilder()
                    .setType(child.type()).setName(child.name()).setParent(parent()).setCustom(true)
                    .setObject(PropertyCodec.encode(child.inputs())).addAllDependencies(deps)
                    .setVersion(version).setDeletedWith(req.getDeletedWith())
                    .setAcceptSecrets(true).setAcceptResources(true).setSupportsPartialValues(true).setAliasSpecs(true);
            // each property depends on what the component inputs it comes from depend on
            for (Map.Entry<String, Set<String>> e : child.sources().entrySet()) {
                Set<String> urns = new LinkedHashSet<>();
                for (String input : e.getValue()) {
                    Provider.ConstructRequest.PropertyDependencies d = req.getInputDependenciesMap().get(input);
                    if (d != null) {
                        urns.addAll(d.getUrnsList());
                    }
                }
                b.putPropertyDependencies(e.getKey(),
                        Resource.RegisterResourceRequest.PropertyDependencies.newBuilder().addAllUrns(urns).build());
            }
            String pkg = child.type().substring(0, child.type().indexOf(':'));
            // the caller's provider for the package; else the one running this Construct (the same process serves
            // the children); else the engine's default provider of this version
            String provider = req.getProvidersMap().getOrDefault(pkg,
                    req.getType().startsWith(pkg + ":") ? ownProvider : null);
            if (provider != null) {
                b.setProvider(provider);
            }
            if (req.hasProtect()) {
                b.setProtect(req.getProtect());
            }
            if (req.hasRetainOnDelete()) {
                b.setRetainOnDelete(req.getRetainOnDelete());
            }
            if (req.hasCustomTimeouts()) {
                b.setCustomTimeouts(timeouts(req.getCustomTimeouts()));
            }
            Resource.RegisterResourceResponse r = call(() -> monitor.register(b.build()),
                    child.type().substring(child.type().lastIndexOf(':') + 1) + " " + child.name());
            return new Registered(r.getUrn(), r.getId(), PropertyCodec.decode(r.getObject()));
        }

        @Override
        public boolean dryRun() {
            return req.getDryRun();
        }

        @Override
        public int parallel() {
            return Math.max(0, req.getParallel());
        }

        @Override
        public Context context() {
            return context;
        }
    }
}
