package io.imagecache.rpc;

import io.grpc.ManagedChannel;
import io.grpc.okhttp.OkHttpChannelBuilder;
import java.util.concurrent.TimeUnit;
import pulumirpc.Resource;
import pulumirpc.ResourceMonitorGrpc;

/**
 * A connection to the engine's ResourceMonitor (the {@code monitorEndpoint} of a Construct request):
 * what a language SDK uses to register resources, here used by the provider to register a component's
 * children. One per Construct call.
 */
final class MonitorClient implements AutoCloseable {
    private static final int MAX_MESSAGE_BYTES = 400 * 1024 * 1024;

    private final ManagedChannel channel;
    private final ResourceMonitorGrpc.ResourceMonitorBlockingStub stub;

    MonitorClient(String endpoint) {
        this.channel = OkHttpChannelBuilder.forTarget(endpoint).usePlaintext()
                .maxInboundMessageSize(MAX_MESSAGE_BYTES).build();
        this.stub = ResourceMonitorGrpc.newBlockingStub(channel);
    }

    /** Blocks until the engine has carried out the registration (in a preview: planned it). */
    Resource.RegisterResourceResponse register(Resource.RegisterResourceRequest request) {
        return stub.registerResource(request);
    }

    void registerOutputs(String urn, com.google.protobuf.Struct outputs) {
        stub.registerResourceOutputs(Resource.RegisterResourceOutputsRequest.newBuilder()
                .setUrn(urn).setOutputs(outputs).build());
    }

    @Override
    public void close() {
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            channel.shutdownNow();
        }
    }
}
