package io.imagecache.rpc;

import com.google.protobuf.Empty;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.ManagedChannel;
import io.grpc.okhttp.OkHttpChannelBuilder;
import java.util.List;
import java.util.concurrent.TimeUnit;
import pulumirpc.Provider;
import pulumirpc.ResourceProviderGrpc;

/**
 * What the engine asks the provider in a no-op preview of one resource, asked over gRPC of a server on this machine:
 * GetPluginInfo, GetSchema, CheckConfig, Configure, Check and Diff of a MaintenanceSchedule; then what a fleet's
 * preview asks of every node's ContainerdMirror (Check, Diff and the preview Update of a new registry, and the Diff of
 * an unchanged node, which reads its recorded hosts.toml). None contacts a host. The training run of the launcher's
 * class-data archive ({@code provider.Training}) makes these calls so that the classes they load are archived too.
 */
public final class PreviewCalls {
    private static final String TYPE = "imagecache:index:MaintenanceSchedule";
    private static final String URN = "urn:pulumi:train::imagecache::" + TYPE + "::training";
    private static final String MIRROR = "imagecache:index:ContainerdMirror";
    private static final String MIRROR_URN = "urn:pulumi:train::imagecache::" + MIRROR + "::training";

    private PreviewCalls() {}

    /** Asks the server on 127.0.0.1:{@code port}; {@code privateKey} is the text of a throwaway key for Check. */
    public static void ask(int port, String privateKey) throws InterruptedException {
        ManagedChannel channel = OkHttpChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            ResourceProviderGrpc.ResourceProviderBlockingStub stub = ResourceProviderGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(60, TimeUnit.SECONDS);
            stub.getPluginInfo(Empty.getDefaultInstance());
            stub.getSchema(Provider.GetSchemaRequest.getDefaultInstance());
            stub.checkConfig(Provider.CheckRequest.newBuilder().setUrn(URN).build());
            stub.configure(Provider.ConfigureRequest.getDefaultInstance());
            Struct inputs = Struct.newBuilder()
                    .putFields("connection", struct(Struct.newBuilder()
                            .putFields("host", text("192.0.2.10"))
                            .putFields("privateKey", text(privateKey))
                            .build()))
                    .putFields("containerName", text("registry-training"))
                    .putFields("upstreamUrl", text("https://registry.example.com"))
                    .putFields("gcSchedule", text("0 3 * * 0"))
                    .build();
            Provider.CheckResponse checked = stub.check(Provider.CheckRequest.newBuilder().setUrn(URN).setType(TYPE)
                    .setNews(inputs).build());
            if (checked.getFailuresCount() > 0) {
                throw new IllegalStateException("training inputs refused by Check: " + checked.getFailuresList());
            }
            stub.diff(Provider.DiffRequest.newBuilder().setUrn(URN).setType(TYPE).setId("training")
                    .setOlds(checked.getInputs()).setOldInputs(checked.getInputs()).setNews(checked.getInputs()).build());
            mirrorChange(stub, inputs.getFieldsOrThrow("connection"));
        } finally {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** A node's ContainerdMirror gaining a second registry, as a PullThroughCache's preview asks it; and unchanged. */
    private static void mirrorChange(ResourceProviderGrpc.ResourceProviderBlockingStub stub, Value connection) {
        Struct before = checkedMirror(stub, connection, mirror("docker.io", 5000));
        Struct after = checkedMirror(stub, connection, mirror("docker.io", 5000), mirror("ghcr.io", 5010));
        // the state an apply left: what the preview renders (the hosts.toml files), with the node's answers filled in
        Struct.Builder olds = update(stub, before, before, before).toBuilder()
                .putFields("containerdVersion", text("1.7.27"))
                .putFields("configVersion", Value.newBuilder().setNumberValue(2).build())
                .putFields("configUpToDate", Value.newBuilder().setBoolValue(true).build())
                .putFields("restartsContainerd", Value.newBuilder().setBoolValue(false).build());
        for (Provider.DiffRequest.Builder diff : List.of(diff(olds.build(), before, after), diff(olds.build(), before, before))) {
            stub.diff(diff.build());
        }
        update(stub, olds.build(), before, after);
    }

    private static Struct checkedMirror(ResourceProviderGrpc.ResourceProviderBlockingStub stub, Value connection,
                                        Value... mirrors) {
        Struct news = Struct.newBuilder().putFields("connection", connection)
                .putFields("mirrors", Value.newBuilder().setListValue(ListValue.newBuilder().addAllValues(List.of(mirrors))).build())
                .build();
        Provider.CheckResponse checked = stub.check(Provider.CheckRequest.newBuilder().setUrn(MIRROR_URN).setType(MIRROR)
                .setNews(news).build());
        if (checked.getFailuresCount() > 0) {
            throw new IllegalStateException("training inputs refused by Check: " + checked.getFailuresList());
        }
        return checked.getInputs();
    }

    private static Provider.DiffRequest.Builder diff(Struct olds, Struct oldInputs, Struct news) {
        return Provider.DiffRequest.newBuilder().setUrn(MIRROR_URN).setType(MIRROR).setId("training").setOlds(olds)
                .setOldInputs(oldInputs).setNews(news);
    }

    private static Struct update(ResourceProviderGrpc.ResourceProviderBlockingStub stub, Struct olds, Struct oldInputs,
                                 Struct news) {
        return stub.update(Provider.UpdateRequest.newBuilder().setUrn(MIRROR_URN).setType(MIRROR).setId("training")
                .setOlds(olds).setOldInputs(oldInputs).setNews(news).setPreview(true).build()).getProperties();
    }

    private static Value mirror(String registry, int port) {
        return struct(Struct.newBuilder().putFields("registry", text(registry))
                .putFields("endpoints", Value.newBuilder().setListValue(ListValue.newBuilder()
                        .addValues(text("http://192.0.2.20:" + port))).build())
                .build());
    }

    private static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static Value struct(Struct s) {
        return Value.newBuilder().setStructValue(s).build();
    }
}
