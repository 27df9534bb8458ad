package io.imagecache.provider;

import com.google.protobuf.Empty;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.imagecache.rpc.Server;
import io.imagecache.ssh.Ed25519HostKeys;
import java.util.concurrent.TimeUnit;
import pulumirpc.Provider;
import pulumirpc.ResourceProviderGrpc;

/**
 * The training run of the JVM's class-data archive (Java 17's AppCDS, Java 25's AOT cache): what the launcher runs
 * with {@code -XX:ArchiveClassesAtExit} or {@code -XX:AOTCacheOutput} (the launcher's {@code --build-jvm-cache}).
 * It starts the server as {@link Main} does, then asks it what a no-op preview of one resource asks
 * (GetPluginInfo, GetSchema, CheckConfig, Configure, Check and Diff of a MaintenanceSchedule, which contact no host),
 * stops it and exits 0, so that the classes those calls load are archived too. Prints nothing on stdout.
 */
public final class Training {
    private static final String TYPE = "imagecache:index:MaintenanceSchedule";
    private static final String URN = "urn:pulumi:train::imagecache::" + TYPE + "::training";

    private Training() {}

    public static void main(String[] args) throws Exception {
        System.setOut(System.err);
        Server server = Main.serve(null);
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
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
                            .putFields("privateKey", text(throwawayKey()))
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
            server.close();
        }
        System.exit(0);
    }

    /** A key made here and dropped at exit: Check wants the text of a real private key (an OpenSSH one, as users'). */
    private static String throwawayKey() {
        return Ed25519HostKeys.generate("imagecache-training").privateKey();
    }

    private static Value text(String s) {
        return Value.newBuilder().setStringValue(s).build();
    }

    private static Value struct(Struct s) {
        return Value.newBuilder().setStructValue(s).build();
    }
}
