package io.imagecache.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.imagecache.hosts.HostOps;
import io.imagecache.provider.Plugin;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.DiffResult;
import io.imagecache.spi.Prop;
import io.imagecache.spi.ResourceException;
import io.imagecache.spi.ResourceType;
import io.imagecache.ssh.RemoteException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import pulumirpc.Provider;
import pulumirpc.ResourceProviderGrpc;

/**
 * Walks the error paths of the gRPC layer: every expected failure reaches the engine as a typed
 * status (never UNKNOWN, and INTERNAL only for a real provider bug), and bad input is a Check failure.
 */
class ErrorPathsTest {
    private static final String T = "imagecache:index:Thrower";
    private static final String URN = "urn:pulumi:dev::p::" + T + "::t";

    /** Fails in the way its only input says. */
    @ResourceType(token = T, description = "test only")
    static final class Thrower implements CustomResource<Thrower.Args, Thrower.State> {
        record Args(@Prop(description = "how to fail") String how) {}

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
        public List<CheckFailure> check(Decoded<Args> news) {
            if ("check-iae".equals(news.value().how())) {
                throw new IllegalArgumentException("a host key needs a type and a base64 key");
            }
            return List.of();
        }

        @Override
        public DiffResult diff(DiffRequest<Args, State> request) {
            if ("diff-iae".equals(request.news().value().how())) {
                throw new IllegalArgumentException("cannot compare");
            }
            return request.inputDiff();
        }

        @Override
        public CreateResult<State> create(CreateRequest<Args> req) throws ResourceException {
            String how = req.args().how();
            if (how.startsWith("kind:")) {
                throw new ResourceException(ResourceException.Kind.valueOf(how.substring(5)), "failed as " + how);
            }
            if (how.equals("iae")) {
                throw new IllegalArgumentException("\"x\" is not a file path");
            }
            throw new NullPointerException("a real bug");
        }
    }

    private Server server;
    private ManagedChannel channel;
    private ResourceProviderGrpc.ResourceProviderBlockingStub stub;

    @BeforeEach
    void start() throws Exception {
        Plugin plugin = Plugin.create((target, progress) -> {
            throw new RemoteException(RemoteException.Kind.UNREACHABLE, "no network in unit tests");
        });
        List<CustomResource<?, ?>> resources = new ArrayList<>(plugin.resources());
        resources.add(new Thrower());
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

    private static Struct how(String how) {
        return Struct.newBuilder().putFields("how", Value.newBuilder().setStringValue(how).build()).build();
    }

    private Status.Code createFails(String how) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.create(
                Provider.CreateRequest.newBuilder().setUrn(URN).setType(T).setProperties(how(how)).build()));
        return e.getStatus().getCode();
    }

    @Test
    void everyResourceExceptionKindHasItsOwnTypedCode() {
        Map<ResourceException.Kind, Status.Code> expected = new EnumMap<>(Map.of(
                ResourceException.Kind.INVALID, Status.Code.INVALID_ARGUMENT,
                ResourceException.Kind.UNAVAILABLE, Status.Code.UNAVAILABLE,
                ResourceException.Kind.FAILED_PRECONDITION, Status.Code.FAILED_PRECONDITION,
                ResourceException.Kind.NOT_FOUND, Status.Code.NOT_FOUND,
                ResourceException.Kind.PERMISSION_DENIED, Status.Code.PERMISSION_DENIED,
                ResourceException.Kind.CANCELLED, Status.Code.CANCELLED,
                ResourceException.Kind.DEADLINE_EXCEEDED, Status.Code.DEADLINE_EXCEEDED));
        assertEquals(List.of(ResourceException.Kind.values()), List.copyOf(expected.keySet()), "every kind is walked");
        expected.forEach((kind, code) -> assertEquals(code, createFails("kind:" + kind), kind.toString()));
    }

    /** Each way the SSH layer fails, through HostOps.translate, to the engine. */
    @Test
    void everyRemoteFailureReachesTheEngineTyped() {
        Map<RemoteException.Kind, Status.Code> expected = new EnumMap<>(Map.of(
                RemoteException.Kind.UNREACHABLE, Status.Code.UNAVAILABLE,
                RemoteException.Kind.AUTH_FAILED, Status.Code.UNAVAILABLE,
                RemoteException.Kind.HOST_KEY_MISMATCH, Status.Code.PERMISSION_DENIED,
                RemoteException.Kind.SUDO_FAILED, Status.Code.FAILED_PRECONDITION,
                RemoteException.Kind.IO, Status.Code.UNAVAILABLE,
                RemoteException.Kind.TIMEOUT, Status.Code.DEADLINE_EXCEEDED,
                RemoteException.Kind.CANCELLED, Status.Code.CANCELLED));
        assertEquals(List.of(RemoteException.Kind.values()), List.copyOf(expected.keySet()), "every kind is walked");
        expected.forEach((kind, code) -> {
            ResourceException re = HostOps.translate(new RemoteException(kind, "`sleep 9` on root@h:22 failed"), "root@h:22");
            StatusRuntimeException s = ProviderServer.Errors.toStatus(re, null);
            assertEquals(code, s.getStatus().getCode(), kind.toString());
            assertTrue(s.getStatus().getDescription().contains("root@h:22"), s.getStatus().getDescription());
        });
    }

    @Test
    void aCheckRuleThatThrowsIsACheckFailureNotAProviderBug() {
        Provider.CheckResponse r = stub.check(Provider.CheckRequest.newBuilder().setUrn(URN).setType(T)
                .setNews(how("check-iae")).build());
        assertEquals(1, r.getFailuresCount());
        assertEquals("a host key needs a type and a base64 key", r.getFailures(0).getReason());
    }

    @Test
    void badInputPastCheckIsInvalidArgument() {
        assertEquals(Status.Code.INVALID_ARGUMENT, createFails("iae"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.diff(Provider.DiffRequest
                .newBuilder().setUrn(URN).setType(T).setId("x").setOlds(how("a")).setOldInputs(how("a"))
                .setNews(how("diff-iae")).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }

    @Test
    void anEncodingWeDoNotKnowIsInvalidArgument() {
        Struct odd = Struct.newBuilder().putFields("how", Value.newBuilder().setStructValue(Struct.newBuilder()
                .putFields(PropertyCodec.SIG_KEY, Value.newBuilder().setStringValue("not-a-signature").build())).build())
                .build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub.check(
                Provider.CheckRequest.newBuilder().setUrn(URN).setType(T).setNews(odd).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("not-a-signature"), e.getStatus().getDescription());
    }

    @Test
    void onlyARealBugIsInternal() {
        assertEquals(Status.Code.INTERNAL, createFails("npe"));
    }

    /** Every resource's Check on inputs of the wrong shapes gives failures; Diff on them is a typed error at worst. */
    @Test
    void theResourcesCheckAndDiffWrongShapesWithoutThrowing() {
        Value str = Value.newBuilder().setStringValue("x\n%").build();
        Value num = Value.newBuilder().setNumberValue(-1.5).build();
        Value list = Value.newBuilder().setListValue(com.google.protobuf.ListValue.newBuilder().addValues(str)).build();
        Value obj = Value.newBuilder().setStructValue(Struct.newBuilder().putFields("host", num)).build();
        for (String type : List.of("imagecache:index:MaintenanceSchedule", "imagecache:index:RegistryProxy",
                "imagecache:index:ContainerdMirror")) {
            String urn = "urn:pulumi:dev::p::" + type + "::r";
            Provider.CheckResponse schema = stub.check(Provider.CheckRequest.newBuilder().setUrn(urn).setType(type)
                    .setNews(Struct.getDefaultInstance()).build());
            List<String> props = new ArrayList<>(List.of("connection"));
            schema.getFailuresList().forEach(f -> props.add(f.getProperty()));
            for (Value v : List.of(str, num, list, obj)) {
                Struct.Builder news = Struct.newBuilder();
                for (String p : props) {
                    if (!p.contains(".") && !p.contains("[")) {
                        news.putFields(p, v);
                    }
                }
                Provider.CheckResponse r = stub.check(Provider.CheckRequest.newBuilder().setUrn(urn).setType(type)
                        .setNews(news).build());
                assertFalse(r.getFailuresList().isEmpty(), type + " " + v);
                for (Provider.CheckFailure f : r.getFailuresList()) {
                    assertNotEquals("", f.getReason(), type + " " + f);
                }
                try {
                    Provider.DiffResponse d = stub.diff(Provider.DiffRequest.newBuilder().setUrn(urn).setType(type)
                            .setId("x").setOlds(news).setOldInputs(news).setNews(news.build()).build());
                    assertEquals(Provider.DiffResponse.DiffChanges.DIFF_NONE, d.getChanges(), type + " " + v);
                } catch (StatusRuntimeException e) {
                    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), type + " " + v + ": " + e);
                }
            }
        }
    }
}
