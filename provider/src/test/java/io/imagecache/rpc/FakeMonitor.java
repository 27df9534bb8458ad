package io.imagecache.rpc;

import com.google.protobuf.Empty;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.Status;
import io.grpc.InsecureServerCredentials;
import io.grpc.okhttp.OkHttpServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import pulumirpc.EngineGrpc;
import pulumirpc.EngineOuterClass;
import pulumirpc.Resource;
import pulumirpc.ResourceMonitorGrpc;

/**
 * A ResourceMonitor on a loopback port that stands in for the engine in Construct tests: it records every
 * registration (with when it started and ended), answers with a URN the way the engine builds them and with
 * outputs a real child would have, and can be told to fail a child or report a proxy unhealthy. It is the engine's
 * Log service too: what the provider tells the user is in {@link #logged}.
 */
final class FakeMonitor implements AutoCloseable {
    record Event(String what, String name) {}

    final List<Resource.RegisterResourceRequest> registered = Collections.synchronizedList(new ArrayList<>());
    final List<Event> events = Collections.synchronizedList(new ArrayList<>());
    final Map<String, Struct> outputs = new ConcurrentHashMap<>();
    final Set<String> failing = ConcurrentHashMap.newKeySet();
    final Set<String> unhealthy = ConcurrentHashMap.newKeySet();
    volatile boolean dryRun;
    volatile long delayMillis = 20;
    /**
     * Registrations (by name) that are held until every one of them has started, or 10 s have passed: a batch run
     * together meets there whatever the machine's load; one run alone waits the 10 s and ends before the next starts.
     */
    final Set<String> together = ConcurrentHashMap.newKeySet();
    private final Set<String> arrived = ConcurrentHashMap.newKeySet();
    /** The messages sent to the engine's Log service (severity: message), in order. */
    final List<String> logged = Collections.synchronizedList(new ArrayList<>());
    private final io.grpc.Server server;

    FakeMonitor() throws IOException {
        server = OkHttpServerBuilder.forPort(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
                .addService(new Service()).addService(new Log()).build().start();
    }

    private final class Log extends EngineGrpc.EngineImplBase {
        @Override
        public void log(EngineOuterClass.LogRequest request, StreamObserver<Empty> out) {
            logged.add(request.getSeverity() + ": " + request.getMessage());
            out.onNext(Empty.getDefaultInstance());
            out.onCompleted();
        }
    }

    String endpoint() {
        return "127.0.0.1:" + server.getPort();
    }

    List<Resource.RegisterResourceRequest> ofType(String type) {
        synchronized (registered) {
            return registered.stream().filter(r -> r.getType().equals(type)).toList();
        }
    }

    Resource.RegisterResourceRequest named(String type, String name) {
        return ofType(type).stream().filter(r -> r.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type + " named " + name + " in " + names()));
    }

    List<String> names() {
        synchronized (registered) {
            return registered.stream().map(r -> r.getType().replaceAll(".*:", "") + ":" + r.getName()).toList();
        }
    }

    int indexOf(String what, String name) {
        return events.indexOf(new Event(what, name));
    }

    static String urn(Resource.RegisterResourceRequest r) {
        String parentType = r.getParent().isEmpty() ? "" : r.getParent().split("::")[2] + "$";
        return "urn:pulumi:test::proj::" + parentType + r.getType() + "::" + r.getName();
    }

    private static Value s(String v) {
        return Value.newBuilder().setStringValue(v).build();
    }

    private Struct outputsOf(Resource.RegisterResourceRequest r) {
        Struct.Builder b = r.getObject().toBuilder();
        String unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        switch (r.getType()) {
            case "imagecache:index:RegistryProxy" -> {
                b.putFields("healthy", dryRun ? s(unknown)
                        : Value.newBuilder().setBoolValue(!unhealthy.contains(r.getName())).build());
                b.putFields("containerName", s("registry-" + r.getName()));
            }
            case "imagecache:index:MaintenanceSchedule" -> b.putFields("cronFile",
                    s("/etc/cron.d/imagecache-" + r.getObject().getFieldsOrThrow("containerName").getStringValue()));
            case "imagecache:index:ContainerdMirror" -> {
                b.putFields("containerdVersion", s(dryRun ? unknown : "2.2.9"));
                b.putFields("configChanged", dryRun ? s(unknown) : Value.newBuilder().setBoolValue(true).build());
            }
            default -> { }
        }
        return b.build();
    }

    private final class Service extends ResourceMonitorGrpc.ResourceMonitorImplBase {
        @Override
        public void registerResource(Resource.RegisterResourceRequest r,
                                     StreamObserver<Resource.RegisterResourceResponse> out) {
            registered.add(r);
            events.add(new Event("start", r.getName() + "/" + r.getType()));
            try {
                Thread.sleep(delayMillis);
                if (together.contains(r.getName())) {
                    arrived.add(r.getName());
                    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
                    while (!arrived.containsAll(together) && System.nanoTime() - deadline < 0) {
                        Thread.sleep(5);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            events.add(new Event("end", r.getName() + "/" + r.getType()));
            if (failing.contains(r.getName())) {
                out.onError(Status.UNKNOWN.withDescription("resource monitor shut down while waiting on step's done channel")
                        .asRuntimeException());
                return;
            }
            out.onNext(Resource.RegisterResourceResponse.newBuilder().setUrn(urn(r))
                    .setId(r.getCustom() && !dryRun ? r.getName() + "-id" : "")
                    .setObject(r.getCustom() ? outputsOf(r) : Struct.getDefaultInstance()).build());
            out.onCompleted();
        }

        @Override
        public void registerResourceOutputs(Resource.RegisterResourceOutputsRequest r, StreamObserver<Empty> out) {
            outputs.put(r.getUrn(), r.getOutputs());
            out.onNext(Empty.getDefaultInstance());
            out.onCompleted();
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
