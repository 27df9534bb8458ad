package io.imagecache.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Empty;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.imagecache.provider.Plugin;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Prop;
import io.imagecache.spi.ResourceException;
import io.imagecache.spi.ResourceType;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import pulumirpc.Provider;
import pulumirpc.ResourceProviderGrpc;

/** The gRPC surface, in process, with an SSH layer that counts (and refuses) every connection. */
class ProviderServerTest {
    private static final String MS = "imagecache:index:MaintenanceSchedule";
    private static final String URN = "urn:pulumi:dev::p::" + MS + "::ghcr";
    private static final String KEY = io.imagecache.lab.SshKeys.ed25519().privateKey();
    private static final String OTHER_KEY = io.imagecache.lab.SshKeys.ed25519().privateKey();

    private final AtomicInteger dials = new AtomicInteger();
    private Server server;
    private ManagedChannel channel;
    private ResourceProviderGrpc.ResourceProviderBlockingStub stub;

    /** A resource that fails after making something, to check the partial-failure detail. */
    @ResourceType(token = "imagecache:index:Broken", description = "test only")
    static final class Broken implements CustomResource<Broken.Args, Broken.State> {
        record Args(@Prop(description = "x") String name) {}

        record State(@Prop(description = "y") String made) {}

        @Override
        public Class<Args> argsType() {
            return Args.class;
        }

        @Override
        public Class<State> stateType() {
            return State.class;
        }

        @Override
        public CreateResult<State> create(CreateRequest<Args> req) throws ResourceException {
            throw ResourceException.partial(ResourceException.Kind.FAILED_PRECONDITION, "id-1", req.args(),
                    new State("half"), "containerd did not load its CRI plugin");
        }
    }

    @BeforeEach
    void start() throws Exception {
        Plugin plugin = Plugin.create((target, progress) -> {
            dials.incrementAndGet();
            throw new io.imagecache.ssh.RemoteException(io.imagecache.ssh.RemoteException.Kind.UNREACHABLE,
                    "no network in unit tests");
        });
        List<CustomResource<?, ?>> resources = new java.util.ArrayList<>(plugin.resources());
        resources.add(new Broken());
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(new ProviderServer("0.1.0", resources, plugin.functions(), plugin::schema, new EngineLog()))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        stub = ResourceProviderGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.shutdownNow();
    }

    private static Value s(String v) {
        return Value.newBuilder().setStringValue(v).build();
    }

    private static Value obj(Map<String, Value> m) {
        return Value.newBuilder().setStructValue(Struct.newBuilder().putAllFields(m)).build();
    }

    private static Value secret(String v) {
        return obj(Map.of(PropertyCodec.SIG_KEY, s(PropertyCodec.SIG_SECRET), "value", s(v)));
    }

    private static Struct validInputs(String gc) {
        return Struct.newBuilder()
                .putFields("connection", obj(Map.of("host", s("10.0.20.10"),
                        "privateKey", secret(KEY))))
                .putFields("containerName", s("registry-ghcr"))
                .putFields("upstreamUrl", s("https://ghcr.io"))
                .putFields("gcSchedule", s(gc))
                .build();
    }

    private Provider.CheckResponse check(Struct news) {
        return stub.check(Provider.CheckRequest.newBuilder().setUrn(URN).setType(MS).setNews(news).build());
    }

    @Test
    void pluginInfoAndSchema() {
        assertEquals("0.1.0", stub.getPluginInfo(Empty.getDefaultInstance()).getVersion());
        assertTrue(stub.getSchema(Provider.GetSchemaRequest.getDefaultInstance()).getSchema().contains(MS));
        Provider.ProviderHandshakeResponse h = stub.handshake(Provider.ProviderHandshakeRequest.getDefaultInstance());
        assertTrue(h.getAcceptSecrets() && h.getAcceptResources());
        Provider.ConfigureResponse c = stub.configure(Provider.ConfigureRequest.getDefaultInstance());
        assertTrue(c.getAcceptSecrets() && c.getAcceptResources() && c.getSupportsPreview());
    }

    @Test
    void checkFillsDefaultsAndKeepsSecretsSecret() {
        Provider.CheckResponse r = check(validInputs("0 3 * * 0"));
        assertEquals(List.of(), r.getFailuresList());
        Struct in = r.getInputs();
        assertEquals("0 * * * *", in.getFieldsOrThrow("restartSchedule").getStringValue());
        assertEquals("/etc/cron.d", in.getFieldsOrThrow("cronDir").getStringValue());
        Struct conn = in.getFieldsOrThrow("connection").getStructValue();
        assertEquals(22, conn.getFieldsOrThrow("port").getNumberValue());
        assertEquals(PropertyCodec.SIG_SECRET, conn.getFieldsOrThrow("privateKey").getStructValue()
                .getFieldsOrThrow(PropertyCodec.SIG_KEY).getStringValue());
        assertEquals(0, dials.get(), "Check never connects");
    }

    @Test
    void checkReportsEachBadInputByPropertyWithoutTouchingAnyHost() {
        Struct bad = validInputs("0 3 * *").toBuilder()
                .putFields("containerName", s("registry ghcr"))
                .putFields("upstreamUrl", s("ghcr.io"))
                .putFields("restartSchedule", s("61 * * * *"))
                .putFields("connection", obj(Map.of("host", s("10.0.20.10"), "port", Value.newBuilder().setNumberValue(70000).build(),
                        "privateKey", secret("/root/.ssh/id_ed25519"))))
                .putFields("colour", s("red"))
                .build();
        Map<String, String> failures = check(bad).getFailuresList().stream()
                .collect(Collectors.toMap(Provider.CheckFailure::getProperty, Provider.CheckFailure::getReason));
        // "colour" is reported alone first: decoding problems stop before the resource's own rules.
        assertEquals(List.of("colour"), List.copyOf(failures.keySet()));
        failures = check(bad.toBuilder().removeFields("colour").build()).getFailuresList().stream()
                .collect(Collectors.toMap(Provider.CheckFailure::getProperty, Provider.CheckFailure::getReason));
        assertEquals(java.util.Set.of("gcSchedule", "containerName", "upstreamUrl", "restartSchedule", "connection.port",
                "connection.privateKey"), failures.keySet());
        assertTrue(failures.get("gcSchedule").contains("has 4 fields"), failures.get("gcSchedule"));
        assertFalse(failures.get("connection.privateKey").contains("id_ed25519"), "a secret is never echoed");
        assertEquals(0, dials.get());
    }

    @Test
    void previewCreateRendersTheFileWithoutConnecting() {
        Struct in = check(validInputs("0 3 * * 0")).getInputs();
        Provider.CreateResponse r = stub.create(Provider.CreateRequest.newBuilder().setUrn(URN).setType(MS)
                .setProperties(in).setPreview(true).build());
        assertTrue(r.getProperties().getFieldsOrThrow("content").getStringValue().contains("0 3 * * 0 root flock"));
        assertEquals("/etc/cron.d/imagecache-registry-ghcr", r.getProperties().getFieldsOrThrow("cronFile").getStringValue());
        assertEquals(0, dials.get());
    }

    /** The schema's required outputs of MaintenanceSchedule: exactly what every operation returns. */
    private List<String> requiredOutputs() {
        com.google.gson.JsonObject schema = com.google.gson.JsonParser.parseString(
                stub.getSchema(Provider.GetSchemaRequest.getDefaultInstance()).getSchema()).getAsJsonObject();
        List<String> out = new java.util.ArrayList<>();
        schema.getAsJsonObject("resources").getAsJsonObject(MS).getAsJsonArray("required")
                .forEach(e -> out.add(e.getAsString()));
        return out;
    }

    @Test
    void previewReturnsEveryRequiredOutputKnownOrAsATypedUnknown() {
        String unknownString = PropertyCodec.sentinel(io.imagecache.spi.PropertyValue.UnknownKind.STRING);
        Struct known = check(validInputs("0 3 * * 0")).getInputs();
        Struct unknown = check(validInputs("0 3 * * 0").toBuilder().putFields("containerName", s(unknownString)).build())
                .getInputs();
        List<String> required = requiredOutputs();
        assertTrue(required.containsAll(List.of("cronFile", "content", "hostKeys")), required.toString());
        for (Struct in : List.of(known, unknown)) {
            Struct out = stub.create(Provider.CreateRequest.newBuilder().setUrn(URN).setType(MS)
                    .setProperties(in).setPreview(true).build()).getProperties();
            assertTrue(out.getFieldsMap().keySet().containsAll(required), required + " vs " + out.getFieldsMap().keySet());
            Struct upd = stub.update(Provider.UpdateRequest.newBuilder().setUrn(URN).setType(MS).setId("x")
                    .setOlds(out).setOldInputs(known).setNews(in).setPreview(true).build()).getProperties();
            assertTrue(upd.getFieldsMap().keySet().containsAll(required), required + " vs " + upd.getFieldsMap().keySet());
        }
        Struct out = stub.create(Provider.CreateRequest.newBuilder().setUrn(URN).setType(MS)
                .setProperties(unknown).setPreview(true).build()).getProperties();
        assertEquals(unknownString, out.getFieldsOrThrow("cronFile").getStringValue());
        assertEquals(unknownString, out.getFieldsOrThrow("content").getStringValue());
        assertEquals(PropertyCodec.sentinel(io.imagecache.spi.PropertyValue.UnknownKind.OBJECT),
                out.getFieldsOrThrow("hostKeys").getStringValue(), "a map is an unknown object, not an unknown string");
        assertEquals(0, dials.get());
    }

    @Test
    void diffNamesTheChangedPathAndTheRenderedContent() {
        Struct olds = check(validInputs("0 3 * * 0")).getInputs();
        Struct oldOutputs = stub.create(Provider.CreateRequest.newBuilder().setUrn(URN).setType(MS)
                .setProperties(olds).setPreview(true).build()).getProperties();
        Struct news = check(validInputs("0 4 * * 0")).getInputs();
        Provider.DiffResponse d = stub.diff(Provider.DiffRequest.newBuilder().setUrn(URN).setType(MS).setId("x")
                .setOlds(oldOutputs).setOldInputs(olds).setNews(news).build());
        assertEquals(Provider.DiffResponse.DiffChanges.DIFF_SOME, d.getChanges());
        assertEquals(java.util.Set.of("gcSchedule"), d.getDetailedDiffMap().keySet());
        assertTrue(d.getDetailedDiffMap().get("gcSchedule").getInputDiff());
        assertEquals(List.of(), d.getReplacesList());

        Struct newKey = validInputs("0 3 * * 0").toBuilder().putFields("connection", obj(Map.of("host", s("10.0.20.10"),
                "user", s("ops"), "sudo", Value.newBuilder().setBoolValue(true).build(),
                "privateKey", secret(OTHER_KEY)))).build();
        Provider.DiffResponse same = stub.diff(Provider.DiffRequest.newBuilder().setUrn(URN).setType(MS).setId("x")
                .setOlds(oldOutputs).setOldInputs(olds).setNews(check(newKey).getInputs()).build());
        assertEquals(Provider.DiffResponse.DiffChanges.DIFF_NONE, same.getChanges(), "new credentials change nothing on the host");

        Struct newHost = validInputs("0 3 * * 0").toBuilder().putFields("connection", obj(Map.of("host", s("10.0.20.11"),
                "privateKey", secret(KEY)))).build();
        Provider.DiffResponse moved = stub.diff(Provider.DiffRequest.newBuilder().setUrn(URN).setType(MS).setId("x")
                .setOlds(oldOutputs).setOldInputs(olds).setNews(check(newHost).getInputs()).build());
        assertEquals(List.of("connection"), moved.getReplacesList());
        assertEquals(Provider.PropertyDiff.Kind.UPDATE_REPLACE, moved.getDetailedDiffMap().get("connection.host").getKind());
    }

    @Test
    void aHandEditedFileWithUnchangedInputsIsDriftOnContent() {
        Struct in = check(validInputs("0 3 * * 0")).getInputs();
        Struct outputs = stub.create(Provider.CreateRequest.newBuilder().setUrn(URN).setType(MS)
                .setProperties(in).setPreview(true).build()).getProperties();
        String edited = outputs.getFieldsOrThrow("content").getStringValue().replace("docker restart", "docker kill");
        Struct drifted = outputs.toBuilder().putFields("content", s(edited)).build();
        Provider.DiffResponse d = stub.diff(Provider.DiffRequest.newBuilder().setUrn(URN).setType(MS).setId("x")
                .setOlds(drifted).setOldInputs(in).setNews(in).build());
        assertEquals(java.util.Set.of("content"), d.getDetailedDiffMap().keySet());
        assertFalse(d.getDetailedDiffMap().get("content").getInputDiff());
        Provider.DiffResponse clean = stub.diff(Provider.DiffRequest.newBuilder().setUrn(URN).setType(MS).setId("x")
                .setOlds(outputs).setOldInputs(in).setNews(in).build());
        assertEquals(Provider.DiffResponse.DiffChanges.DIFF_NONE, clean.getChanges());
    }

    @Test
    void unreachableHostIsUnavailableNotUnknown() {
        Struct in = check(validInputs("0 3 * * 0")).getInputs();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.create(
                Provider.CreateRequest.newBuilder().setUrn(URN).setType(MS).setProperties(in).build()));
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("root@10.0.20.10:22"), e.getStatus().getDescription());
        assertFalse(e.getStatus().getDescription().contains("BEGIN OPENSSH"));
    }

    @Test
    void partialFailuresCarryErrorResourceInitFailed() throws Exception {
        String urn = "urn:pulumi:dev::p::imagecache:index:Broken::b";
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.create(
                Provider.CreateRequest.newBuilder().setUrn(urn).setType("imagecache:index:Broken")
                        .setProperties(Struct.newBuilder().putFields("name", s("n"))).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        com.google.rpc.Status st = StatusProto.fromThrowable(e);
        Provider.ErrorResourceInitFailed detail = st.getDetails(0).unpack(Provider.ErrorResourceInitFailed.class);
        assertEquals("id-1", detail.getId());
        assertEquals("half", detail.getProperties().getFieldsOrThrow("made").getStringValue());
        assertEquals(List.of("containerd did not load its CRI plugin"), detail.getReasonsList());
    }

    @Test
    void unknownTypesAreNotFound() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.check(Provider.CheckRequest.newBuilder()
                .setUrn("urn:pulumi:dev::p::imagecache:index:Nope::n").setType("imagecache:index:Nope").build()));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    }

    /**
     * The engine's Cancel reaches a command running on a host: ProviderServer.cancel -> the operation's
     * Context -> Connections.open -> the host's cancel flag, which ends the command.
     */
    @Test
    void cancelFromTheEngineEndsARunningRemoteCommand() throws Exception {
        java.util.concurrent.CountDownLatch running = new java.util.concurrent.CountDownLatch(1);
        io.imagecache.ssh.RemoteHostFactory hanging = new io.imagecache.ssh.RemoteHostFactory() {
            @Override
            public io.imagecache.ssh.RemoteHost connect(io.imagecache.ssh.SshTarget t, java.util.function.Consumer<String> p) {
                throw new AssertionError("the resources connect with a cancel flag");
            }

            @Override
            public io.imagecache.ssh.RemoteHost connect(io.imagecache.ssh.SshTarget t, java.util.function.Consumer<String> p,
                    java.util.function.BooleanSupplier cancelled) {
                return new HangingHost(running, cancelled);
            }
        };
        Plugin plugin = Plugin.create(hanging);
        String name = InProcessServerBuilder.generateName();
        Server s2 = InProcessServerBuilder.forName(name).executor(java.util.concurrent.Executors.newCachedThreadPool())
                .addService(new ProviderServer("0.1.0", plugin.resources(), plugin.functions(), plugin::schema, new EngineLog()))
                .build().start();
        ManagedChannel ch = InProcessChannelBuilder.forName(name).build();
        try {
            ResourceProviderGrpc.ResourceProviderBlockingStub st = ResourceProviderGrpc.newBlockingStub(ch);
            Struct in = st.check(Provider.CheckRequest.newBuilder().setUrn(URN).setType(MS)
                    .setNews(validInputs("0 3 * * 0")).build()).getInputs();
            java.util.concurrent.CompletableFuture<StatusRuntimeException> create =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> assertThrows(StatusRuntimeException.class,
                            () -> st.create(Provider.CreateRequest.newBuilder().setUrn(URN).setType(MS).setProperties(in).build())));
            assertTrue(running.await(10, java.util.concurrent.TimeUnit.SECONDS), "the create runs a command");
            st.cancel(Empty.getDefaultInstance());
            StatusRuntimeException e = create.get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(Status.Code.CANCELLED, e.getStatus().getCode(), e.getStatus().toString());
            assertTrue(e.getStatus().getDescription().contains("root@10.0.20.10:22"), e.getStatus().getDescription());
        } finally {
            ch.shutdownNow();
            s2.shutdownNow();
        }
    }

    /** A host whose every command runs until cancelled, then fails as the SSH layer does. */
    private record HangingHost(java.util.concurrent.CountDownLatch running, java.util.function.BooleanSupplier cancelled)
            implements io.imagecache.ssh.RemoteHost {
        @Override
        public io.imagecache.ssh.ExecResult exec(io.imagecache.ssh.CommandLine command, byte[] stdin)
                throws io.imagecache.ssh.RemoteException {
            running.countDown();
            while (!cancelled.getAsBoolean()) {
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            throw new io.imagecache.ssh.RemoteException(io.imagecache.ssh.RemoteException.Kind.CANCELLED,
                    "`" + command + "` on root@10.0.20.10:22 was cancelled and ended");
        }

        @Override
        public java.util.Optional<byte[]> read(String path) {
            return java.util.Optional.empty();
        }

        @Override
        public void writeAtomically(String path, byte[] content, int mode) {}

        @Override
        public io.imagecache.ssh.Tunnel tunnel(String host, int port) {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.imagecache.ssh.RemoteHost uncancellable() {
            throw new UnsupportedOperationException("nothing here needs to finish once begun");
        }

        @Override
        public List<io.imagecache.ssh.ObservedHostKey> hostKeys() {
            return List.of();
        }

        @Override
        public void close() {}
    }
}
