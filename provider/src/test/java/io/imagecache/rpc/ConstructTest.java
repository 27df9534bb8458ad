package io.imagecache.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.imagecache.provider.Plugin;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import pulumirpc.Provider;
import pulumirpc.Resource;
import pulumirpc.ResourceProviderGrpc;

/**
 * PullThroughCache through the provider's Construct, with a fake ResourceMonitor standing in for the engine:
 * what is registered, in which order, with which options, and what is not registered when something fails.
 */
class ConstructTest {
    private static final String TYPE = "imagecache:index:PullThroughCache";
    private static final String PROXY = "imagecache:index:RegistryProxy";
    private static final String SCHEDULE = "imagecache:index:MaintenanceSchedule";
    private static final String MIRROR = "imagecache:index:ContainerdMirror";
    private static final String KEY = io.imagecache.lab.SshKeys.ed25519().privateKey();
    private static final String UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    private final AtomicInteger dials = new AtomicInteger();
    private FakeMonitor monitor;
    private Server server;
    private ManagedChannel channel;
    private ResourceProviderGrpc.ResourceProviderBlockingStub stub;

    @BeforeEach
    void start() throws Exception {
        monitor = new FakeMonitor();
        EngineLog log = new EngineLog();
        log.connect(monitor.endpoint());
        Plugin plugin = Plugin.create((target, progress) -> {
            dials.incrementAndGet();
            throw new io.imagecache.ssh.RemoteException(io.imagecache.ssh.RemoteException.Kind.UNREACHABLE, "no network");
        });
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(new ProviderServer("0.1.0", plugin.resources(), plugin.functions(), plugin.components(),
                        plugin::schema, log))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        stub = ResourceProviderGrpc.newBlockingStub(channel);
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow();
        server.shutdownNow();
        monitor.close();
        assertEquals(0, dials.get(), "Construct itself never contacts a host");
    }

    // --- inputs ----------------------------------------------------------------------------------

    static Value s(String v) {
        return Value.newBuilder().setStringValue(v).build();
    }

    static Value n(int v) {
        return Value.newBuilder().setNumberValue(v).build();
    }

    static Value secret(String v) {
        return obj(Map.of(PropertyCodec.SIG_KEY, s(PropertyCodec.SIG_SECRET), "value", s(v)));
    }

    static Value obj(Map<String, Value> m) {
        return Value.newBuilder().setStructValue(Struct.newBuilder().putAllFields(m)).build();
    }

    static Value list(Value... items) {
        return Value.newBuilder().setListValue(ListValue.newBuilder().addAllValues(List.of(items))).build();
    }

    static Value upstream(String name, String registry, int port) {
        return obj(Map.of("name", s(name), "registry", s(registry), "remoteUrl", s("http://10.0.9.9:" + port),
                "port", n(port)));
    }

    static Value node(String host) {
        return obj(Map.of("connection", obj(Map.of("host", s(host), "privateKey", secret(KEY)))));
    }

    static Map<String, Value> inputs(int nodes) {
        Map<String, Value> m = new LinkedHashMap<>();
        m.put("registryHost", obj(Map.of("host", s("10.0.20.10"), "privateKey", secret(KEY))));
        m.put("advertiseAddress", s("10.0.20.10"));
        m.put("upstreams", list(upstream("docker", "docker.io", 5000), upstream("ghcr", "ghcr.io", 5010)));
        List<Value> ns = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            ns.add(node("10.0.30." + i));
        }
        m.put("nodes", list(ns.toArray(Value[]::new)));
        return m;
    }

    Provider.ConstructResponse construct(Map<String, Value> inputs, boolean dryRun) {
        return construct(inputs, dryRun, b -> { });
    }

    Provider.ConstructResponse construct(Map<String, Value> inputs, boolean dryRun,
                                         java.util.function.Consumer<Provider.ConstructRequest.Builder> options) {
        monitor.dryRun = dryRun;
        Provider.ConstructRequest.Builder b = Provider.ConstructRequest.newBuilder()
                .setProject("proj").setStack("test").setType(TYPE).setName("cache").setDryRun(dryRun)
                .setMonitorEndpoint(monitor.endpoint()).setInputs(Struct.newBuilder().putAllFields(inputs));
        options.accept(b);
        return stub.construct(b.build());
    }

    static String field(Resource.RegisterResourceRequest r, String key) {
        return r.getObject().getFieldsOrThrow(key).getStringValue();
    }

    // --- tests -----------------------------------------------------------------------------------

    @Test
    void eachChildPropertyDependsOnWhatTheComponentInputsItComesFromDependOn() {
        String vm = "urn:pulumi:test::proj::imagecache:index:RegistryVm::vm";
        String nodeVm = "urn:pulumi:test::proj::some:index:Machine::node1";
        construct(inputs(1), false, b -> b.addDependencies(vm).addDependencies(nodeVm)
                .putInputDependencies("registryHost", Provider.ConstructRequest.PropertyDependencies.newBuilder().addUrns(vm).build())
                .putInputDependencies("advertiseAddress", Provider.ConstructRequest.PropertyDependencies.newBuilder().addUrns(vm).build())
                .putInputDependencies("nodes", Provider.ConstructRequest.PropertyDependencies.newBuilder().addUrns(nodeVm).build()));
        Resource.RegisterResourceRequest proxy = monitor.named(PROXY, "cache-docker");
        assertEquals(List.of(vm), proxy.getPropertyDependenciesOrThrow("connection").getUrnsList());
        assertEquals(List.of(), proxy.getPropertyDependenciesOrThrow("upstream").getUrnsList());
        Resource.RegisterResourceRequest mirror = monitor.named(MIRROR, "cache-10.0.30.1");
        // a replaced registry VM reaches a node's mirror only through its endpoints: the engine then updates it,
        // it does not replace it (which a dependency of `connection` would, as every property without these does)
        assertEquals(List.of(nodeVm), mirror.getPropertyDependenciesOrThrow("connection").getUrnsList());
        assertTrue(mirror.getPropertyDependenciesOrThrow("mirrors").getUrnsList().containsAll(List.of(vm, nodeVm)),
                mirror.getPropertyDependenciesMap().toString());
    }

    @Test
    void theComponentThenItsChildrenParentedToItWithTheCallersOptions() {
        Provider.ConstructResponse r = construct(inputs(2), false, b -> b.setProtect(true).setRetainOnDelete(true)
                .putProviders("imagecache", "urn:pulumi:test::proj::pulumi:providers:imagecache::p::id-1")
                .addDependencies("urn:pulumi:test::proj::imagecache:index:RegistryVm::vm")
                .addAliases("urn:pulumi:test::proj::imagecache:index:PullThroughCache::old")
                // what engines since v3.1xx send: alias objects in field 29, unknown to the stubs we build against
                .setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder().addField(Construction.ALIAS_OBJECTS,
                        com.google.protobuf.UnknownFieldSet.Field.newBuilder().addLengthDelimited(
                                pulumirpc.AliasOuterClass.Alias.newBuilder().setSpec(pulumirpc.AliasOuterClass.Alias.Spec
                                        .newBuilder().setName("older")).build().toByteString()).build()).build()));
        Resource.RegisterResourceRequest self = monitor.registered.get(0);
        assertEquals(TYPE, self.getType());
        assertFalse(self.getCustom());
        assertTrue(self.getProtect());
        assertEquals(List.of("urn:pulumi:test::proj::imagecache:index:RegistryVm::vm"), self.getDependenciesList());
        assertTrue(self.getAliasSpecs());
        assertEquals("urn:pulumi:test::proj::imagecache:index:PullThroughCache::old", self.getAliases(0).getUrn());
        assertEquals("older", self.getAliases(1).getSpec().getName());
        String urn = FakeMonitor.urn(self);
        assertEquals(urn, r.getUrn());

        assertEquals(List.of("cache-docker", "cache-ghcr"), monitor.ofType(PROXY).stream().map(x -> x.getName()).sorted().toList());
        assertEquals(2, monitor.ofType(SCHEDULE).size());
        assertEquals(List.of("cache-10.0.30.1", "cache-10.0.30.2"), monitor.ofType(MIRROR).stream().map(x -> x.getName()).toList());
        for (Resource.RegisterResourceRequest c : monitor.registered.subList(1, monitor.registered.size())) {
            assertEquals(urn, c.getParent(), c.getName());
            assertTrue(c.getCustom());
            assertEquals("urn:pulumi:test::proj::pulumi:providers:imagecache::p::id-1", c.getProvider());
            assertTrue(c.getProtect() && c.getRetainOnDelete(), c.getName());
            assertTrue(c.getDependenciesList().contains("urn:pulumi:test::proj::imagecache:index:RegistryVm::vm"));
            assertTrue(c.getAcceptSecrets());
        }
        // the schedule is registered once its proxy is there, the mirrors once every proxy is; by waiting, not as
        // engine dependencies (a proxy replaced would make the engine replace every mirror)
        Resource.RegisterResourceRequest ghcrSchedule = monitor.named(SCHEDULE, "cache-ghcr");
        assertTrue(monitor.indexOf("start", "cache-ghcr/" + SCHEDULE) > monitor.indexOf("end", "cache-ghcr/" + PROXY));
        assertEquals(List.of("urn:pulumi:test::proj::imagecache:index:RegistryVm::vm"), ghcrSchedule.getDependenciesList());
        assertEquals("registry-ghcr", field(ghcrSchedule, "containerName"));
        assertEquals("http://10.0.9.9:5010", field(ghcrSchedule, "upstreamUrl"));
        for (Resource.RegisterResourceRequest m : monitor.ofType(MIRROR)) {
            for (String proxy : List.of("cache-docker", "cache-ghcr")) {
                assertTrue(monitor.indexOf("start", m.getName() + "/" + MIRROR) > monitor.indexOf("end", proxy + "/" + PROXY));
            }
        }
        // what the children were given
        Resource.RegisterResourceRequest ghcr = monitor.named(PROXY, "cache-ghcr");
        assertEquals("/var/lib/imagecache/ghcr", field(ghcr, "dataDir"));
        assertEquals("/etc/imagecache/ghcr", field(ghcr, "configDir"));
        Value key = ghcr.getObject().getFieldsOrThrow("connection").getStructValue().getFieldsOrThrow("privateKey");
        assertEquals(PropertyCodec.SIG_SECRET, key.getStructValue().getFieldsOrThrow(PropertyCodec.SIG_KEY).getStringValue(),
                "the registry host's key stays secret in the child's inputs");
        Struct mirror = monitor.named(MIRROR, "cache-10.0.30.2").getObject();
        Struct ghcrMirror = mirror.getFieldsOrThrow("mirrors").getListValue().getValues(1).getStructValue();
        assertEquals("ghcr.io", ghcrMirror.getFieldsOrThrow("registry").getStringValue());
        assertEquals("http://10.0.20.10:5010", ghcrMirror.getFieldsOrThrow("endpoints").getListValue().getValues(0).getStringValue());
        assertEquals("http://10.0.9.9:5010", ghcrMirror.getFieldsOrThrow("server").getStringValue());

        // outputs, registered and answered
        Struct out = r.getState();
        assertEquals("http://10.0.20.10:5000", out.getFieldsOrThrow("endpoints").getStructValue().getFieldsOrThrow("docker.io").getStringValue());
        assertEquals("2.2.9", out.getFieldsOrThrow("nodes").getStructValue().getFieldsOrThrow("10.0.30.1").getStructValue()
                .getFieldsOrThrow("containerdVersion").getStringValue());
        assertEquals("/etc/cron.d/imagecache-registry-ghcr", out.getFieldsOrThrow("cronFiles").getStructValue()
                .getFieldsOrThrow("ghcr").getStringValue());
        assertEquals(out, monitor.outputs.get(urn));
    }

    @Test
    void nodesRollOutInBatchesEachAfterThePreviousOneAndOnlyOnceEveryProxyIsThere() {
        Map<String, Value> in = inputs(5);
        in.put("rollout", obj(Map.of("batchSize", n(2))));
        monitor.together.addAll(List.of("cache-10.0.30.1", "cache-10.0.30.2"));
        construct(in, false);
        int lastProxyEnd = Math.max(monitor.indexOf("end", "cache-docker/" + PROXY), monitor.indexOf("end", "cache-ghcr/" + PROXY));
        List<List<Integer>> batches = List.of(List.of(1, 2), List.of(3, 4), List.of(5));
        int previousEnd = lastProxyEnd;
        for (List<Integer> batch : batches) {
            int batchEnd = -1;
            for (int i : batch) {
                int start = monitor.indexOf("start", "cache-10.0.30." + i + "/" + MIRROR);
                assertTrue(start > previousEnd, "node " + i + " started before the batch before it ended: " + monitor.events);
                batchEnd = Math.max(batchEnd, monitor.indexOf("end", "cache-10.0.30." + i + "/" + MIRROR));
            }
            previousEnd = batchEnd;
        }
        // a batch's nodes run together
        assertTrue(monitor.indexOf("start", "cache-10.0.30.2/" + MIRROR) < monitor.indexOf("end", "cache-10.0.30.1/" + MIRROR),
                monitor.events.toString());
    }

    @Test
    void theChildrenAreServedByTheProviderThatRunsConstructUnlessTheCallerNamesOne() {
        // no Configure yet (an engine that does not say which provider this is): the default provider of our version
        construct(inputs(1), false);
        for (Resource.RegisterResourceRequest c : monitor.ofType(MIRROR)) {
            assertEquals("", c.getProvider());
            assertEquals("0.1.0", c.getVersion());
        }
        // Configure names this process's provider resource: the children are registered with it, so the engine
        // does not start a default provider of its own for them
        String own = "urn:pulumi:test::proj::pulumi:providers:imagecache::default";
        stub.configure(Provider.ConfigureRequest.newBuilder().setUrn(own).setId(UNKNOWN).build());
        monitor.registered.clear();
        construct(inputs(1), true);
        assertEquals(6, monitor.registered.size());
        for (Resource.RegisterResourceRequest c : monitor.registered.subList(1, monitor.registered.size())) {
            assertEquals(own + "::" + UNKNOWN, c.getProvider(), c.getName());
        }
        // the caller's own provider for the package still wins
        monitor.registered.clear();
        construct(inputs(1), false, b -> b.putProviders("imagecache", "urn:pulumi:test::proj::pulumi:providers:imagecache::p::id-1"));
        for (Resource.RegisterResourceRequest c : monitor.registered.subList(1, monitor.registered.size())) {
            assertEquals("urn:pulumi:test::proj::pulumi:providers:imagecache::p::id-1", c.getProvider(), c.getName());
        }
    }

    @Test
    void aPreviewAsksAboutEveryNodeAtOnceStillAfterTheProxies() {
        Map<String, Value> in = inputs(5);
        in.put("rollout", obj(Map.of("batchSize", n(2))));
        // nodes of the first and the last batch meet: the last one's registration starts before the first one's ends
        monitor.together.addAll(List.of("cache-10.0.30.1", "cache-10.0.30.5"));
        construct(in, true);
        int lastProxyEnd = Math.max(monitor.indexOf("end", "cache-docker/" + PROXY), monitor.indexOf("end", "cache-ghcr/" + PROXY));
        for (int i = 1; i <= 5; i++) {
            assertTrue(monitor.indexOf("start", "cache-10.0.30." + i + "/" + MIRROR) > lastProxyEnd, monitor.events.toString());
        }
        assertTrue(monitor.indexOf("start", "cache-10.0.30.5/" + MIRROR) < monitor.indexOf("end", "cache-10.0.30.1/" + MIRROR),
                "a preview does not wait for one batch before the next: " + monitor.events);
    }

    @Test
    void aBatchLargerThanTheEnginesParallelismIsToldWithTheFlagThatFitsIt() {
        Map<String, Value> in = inputs(12);
        in.put("rollout", obj(Map.of("batchSize", n(6))));
        construct(in, true, b -> b.setParallel(4));
        assertTrue(monitor.logged.contains("INFO: a rollout batch has 6 nodes (rollout.batchSize) but this deployment runs at most 4 "
                + "resource operations at once (`--parallel`, by default four per CPU): each batch is changed in 2 rounds; "
                + "`pulumi up --parallel 6` (or more) changes a whole batch at once"), monitor.logged.toString());
        monitor.logged.clear();
        construct(in, true, b -> b.setParallel(6));
        assertTrue(monitor.logged.stream().noneMatch(m -> m.contains("rollout batch")), monitor.logged.toString());
    }

    @Test
    void theFirstFailingNodeStopsTheRolloutAndTheRestAreNotRegistered() {
        monitor.failing.add("cache-10.0.30.2");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> construct(inputs(4), false));
        String msg = e.getStatus().getDescription();
        assertTrue(msg.contains("node 10.0.30.2 failed") && msg.contains("not touched: 10.0.30.3, 10.0.30.4"), msg);
        assertEquals(List.of("cache-10.0.30.1", "cache-10.0.30.2"), monitor.ofType(MIRROR).stream().map(x -> x.getName()).toList());
    }

    @Test
    void anUnhealthyProxyStopsTheRolloutBeforeAnyNode() {
        monitor.unhealthy.add("cache-ghcr");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> construct(inputs(2), false));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("registry-ghcr is not healthy"), e.getStatus().getDescription());
        assertEquals(List.of(), monitor.ofType(MIRROR));
        assertEquals(2, monitor.ofType(SCHEDULE).size(), "the proxies' schedules are still kept up to date");
    }

    @Test
    void aFailingProxyStopsTheRolloutBeforeAnyNode() {
        monitor.failing.add("cache-docker");
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> construct(inputs(2), false));
        assertTrue(e.getStatus().getDescription().contains("the proxy of upstream docker failed"), e.getStatus().getDescription());
        assertTrue(e.getStatus().getDescription().contains("no node was changed"));
        assertEquals(List.of(), monitor.ofType(MIRROR));
    }

    @Test
    void invalidInputsRegisterNothingAndNameTheComponentsProperties() {
        Map<String, Value> in = inputs(3);
        in.put("upstreams", list(upstream("docker", "docker.io", 5000), upstream("ghcr", "ghcr.io", 5000),
                upstream("ghcr", "quay.io", 5020)));
        in.put("nodes", list(node("10.0.30.1"), node("10.0.30.1"),
                obj(Map.of("connection", obj(Map.of("host", s("10.0.30.3"), "port", n(70000)))))));
        in.put("advertiseAddress", s("http://10.0.20.10:5000"));
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> construct(in, false));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        String msg = e.getStatus().getDescription();
        for (String p : List.of("upstreams[1].port", "upstreams[2].name", "nodes[1].connection.host", "advertiseAddress")) {
            assertTrue(msg.contains("\n  " + p + ": "), p + " in:\n" + msg);
        }
        assertEquals(List.of(), monitor.registered, "nothing registered");

        // what only a child's own Check sees is named by the component's property too
        Map<String, Value> bad = inputs(0);
        bad.put("nodes", list(obj(Map.of("connection", obj(Map.of("host", s("10.0.30.3"), "port", n(70000)))))));
        bad.put("maintenance", obj(Map.of("restartSchedule", s("61 * * * *"))));
        String child = assertThrows(StatusRuntimeException.class, () -> construct(bad, false)).getStatus().getDescription();
        assertTrue(child.contains("\n  nodes[0].connection.port: "), child);
        assertTrue(child.contains("\n  maintenance.restartSchedule: "), child);
        assertEquals(List.of(), monitor.registered);
    }

    @Test
    void aPreviewRegistersTheSameChildrenWithUnknownsWhereOutputsAreNotKnownYet() {
        Map<String, Value> in = inputs(2);
        in.put("advertiseAddress", s(UNKNOWN));
        Provider.ConstructResponse r = construct(in, true);
        assertEquals(2, monitor.ofType(PROXY).size());
        assertEquals(2, monitor.ofType(SCHEDULE).size());
        assertEquals(2, monitor.ofType(MIRROR).size());
        Struct mirror = monitor.named(MIRROR, "cache-10.0.30.1").getObject();
        assertEquals(UNKNOWN, mirror.getFieldsOrThrow("mirrors").getListValue().getValues(0).getStructValue()
                .getFieldsOrThrow("endpoints").getListValue().getValues(0).getStringValue());
        Struct node = r.getState().getFieldsOrThrow("nodes").getStructValue().getFieldsOrThrow("10.0.30.1").getStructValue();
        assertEquals(UNKNOWN, node.getFieldsOrThrow("containerdVersion").getStringValue());
    }

    @Test
    void withoutUpstreamsTheRunbooksFiveWithStaggeredCollections() {
        Map<String, Value> in = inputs(1);
        in.remove("upstreams");
        construct(in, false);
        Map<String, String> gc = new LinkedHashMap<>();
        for (String u : List.of("docker", "ghcr", "quay", "k8s", "kyverno")) {
            gc.put(u, field(monitor.named(SCHEDULE, "cache-" + u), "gcSchedule"));
        }
        assertEquals(Map.of("docker", "0 3 * * 0", "ghcr", "30 3 * * 0", "quay", "0 4 * * 0", "k8s", "30 4 * * 0",
                "kyverno", "0 5 * * 0"), gc);
        assertEquals("https://registry-1.docker.io", field(monitor.named(SCHEDULE, "cache-docker"), "upstreamUrl"));
        Struct mirror = monitor.named(MIRROR, "cache-10.0.30.1").getObject();
        assertEquals(5, mirror.getFieldsOrThrow("mirrors").getListValue().getValuesCount());
        assertEquals("http://10.0.20.10:5040", mirror.getFieldsOrThrow("mirrors").getListValue().getValues(4).getStructValue()
                .getFieldsOrThrow("endpoints").getListValue().getValues(0).getStringValue());
    }
}
