package io.imagecache.rpc;

import com.google.protobuf.Empty;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.ManagedChannel;
import io.grpc.okhttp.OkHttpChannelBuilder;
import java.util.concurrent.TimeUnit;
import pulumirpc.Provider;
import pulumirpc.ResourceProviderGrpc;

/**
 * What the engine asks the provider in a no-op preview of one resource, asked over gRPC of a server on this machine:
 * GetPluginInfo, GetSchema, CheckConfig, Configure, Check and Diff of a MaintenanceSchedule (none contacts a host).
 * The training run of the launcher's class-data archive ({@code provider.Training}) makes these calls so that the
 * classes they load are archived too.
 */
public final class PreviewCalls {
    private static final String TYPE = "imagecache:index:MaintenanceSchedule";
    private static final String URN = "urn:pulumi:train::imagecache::" + TYPE + "::training";

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
        } finally {
            channel.shutdownNow();
            channel.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static Value struct(Struct s) {
        return Value.newBuilder().setStructValue(s).build();
    }
}
