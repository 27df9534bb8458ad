package io.imagecache.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;
import pulumirpc.Provider;

/**
 * The table of invalid inputs ({@code invalid-inputs.yaml}) through the built plugin, called over gRPC as the
 * engine calls it: Check for the resources, Invoke for the functions, Construct for the component. Each case's
 * connections point at two real lab hosts (a node and a Docker host) and its registry URLs at a listener that
 * counts connections: every case must be refused at its property path with a message that says what to do,
 * and neither host's sshd (its own log, {@link LabHost#sshConnections()}) nor the registry may see a
 * connection, per case and over the whole table. The controls at the end show the counters do count: a Read
 * that does connect, and a valid resolveDigest that does dial.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InvalidInputsIT {
    private static final String PREFIX = "imagecache:index:";
    private static final InputTable TABLE = InputTable.load("invalid-inputs.yaml");
    private static final Set<String> FUNCTIONS = Set.of("resolveDigest", "registryVmCloudInit");
    private static final Set<String> COMPONENTS = Set.of("PullThroughCache");
    /** The Construct error lists one failure per line: "  path: reason". */
    private static final Pattern FAILURE_LINE = Pattern.compile("^  (\\S+): (.*)$", Pattern.MULTILINE);

    record Failure(String path, String reason) {
        @Override
        public String toString() {
            return path + ": " + reason;
        }
    }

    static LabNetwork network;
    static NodeHost node;
    static DockerHost docker;
    static PluginProcess plugin;
    static FakeMonitor monitor;
    static ConnectionCounter registry;
    static long nodeBaseline;
    static long dockerBaseline;
    /** What each case got, for the record: target/invalid-inputs.tsv (token, mistake, path, the provider's reason). */
    static final List<String> REPORT = java.util.Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() throws Exception {
        network = LabNetwork.create();
        node = new NodeHost(network);
        docker = new DockerHost(network);
        Stream.of(node, docker).parallel().forEach(LabHost::start);
        plugin = PluginProcess.start(Path.of("target", "invalid-inputs-plugin.log"));
        monitor = new FakeMonitor();
        registry = new ConnectionCounter();
        nodeBaseline = node.sshConnections();
        dockerBaseline = docker.sshConnections();
    }

    @AfterAll
    static void stop() throws Exception {
        java.nio.file.Files.write(Path.of("target", "invalid-inputs.tsv"), REPORT);
        if (plugin != null) {
            plugin.close();
        }
        if (monitor != null) {
            monitor.close();
        }
        if (registry != null) {
            registry.close();
        }
        Stream.of(node, docker).filter(h -> h != null).forEach(LabHost::stop);
        if (network != null) {
            network.close();
        }
    }

    // --- placeholders ------------------------------------------------------------------------------

    static Object resolve(String name) {
        if (name.equals("registry")) {
            return registry.url();
        }
        String[] p = name.split("\\.", 2);
        LabHost host = switch (p[0]) {
            case "node" -> node;
            case "docker" -> docker;
            default -> throw new IllegalArgumentException("no lab host " + p[0] + " in placeholder ${" + name + "}");
        };
        if (p.length == 1) {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("host", host.ip());
            c.put("port", 22);
            c.put("user", "root");
            c.put("privateKey", host.rootKey().privateKey());
            c.put("hostKey", host.hostKeyLine());
            c.put("dialAttempts", 1);
            c.put("dialTimeoutSeconds", 10);
            return c;
        }
        return switch (p[1]) {
            case "host" -> host.ip();
            case "hostKey" -> host.hostKeyLine();
            case "publicKey" -> host.rootKey().publicKey();
            case "key" -> host.rootKey().privateKey();
            default -> throw new IllegalArgumentException("no placeholder ${" + name + "}");
        };
    }

    // --- one call as the engine makes it -----------------------------------------------------------

    /** The failures the plugin reports for {@code inputs} of {@code token}; empty if it accepted them. */
    static List<Failure> failures(String token, Map<String, Object> inputs) {
        var stub = plugin.stub;
        String type = PREFIX + token;
        if (FUNCTIONS.contains(token)) {
            Provider.InvokeResponse r = stub.invoke(Provider.InvokeRequest.newBuilder().setTok(type)
                    .setArgs(InputTable.struct(inputs)).build());
            return r.getFailuresList().stream().map(f -> new Failure(f.getProperty(), f.getReason())).toList();
        }
        if (COMPONENTS.contains(token)) {
            try {
                stub.construct(Provider.ConstructRequest.newBuilder().setProject("proj").setStack("test").setType(type)
                        .setName("cache").setDryRun(true).setMonitorEndpoint(monitor.endpoint())
                        .setInputs(InputTable.struct(inputs)).build());
                return List.of();
            } catch (StatusRuntimeException e) {
                assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), String.valueOf(e.getStatus()));
                String d = e.getStatus().getDescription();
                assertTrue(d.contains("nothing was registered and no host was contacted"), d);
                List<Failure> out = new ArrayList<>();
                Matcher m = FAILURE_LINE.matcher(d);
                while (m.find()) {
                    out.add(new Failure(m.group(1).equals("(inputs)") ? "" : m.group(1), m.group(2)));
                }
                assertFalse(out.isEmpty(), "a Construct refusal without failure lines: " + d);
                return out;
            }
        }
        Provider.CheckResponse r = stub.check(Provider.CheckRequest.newBuilder()
                .setUrn("urn:pulumi:test::proj::" + type + "::r").setType(type)
                .setNews(InputTable.struct(inputs)).build());
        return r.getFailuresList().stream().map(f -> new Failure(f.getProperty(), f.getReason())).toList();
    }

    // --- the table ---------------------------------------------------------------------------------

    @Test
    @Order(1)
    void theTableCoversEveryResourceTheComponentAndEveryFunctionOfThePlugin() {
        JsonObject schema = JsonParser.parseString(plugin.stub.getSchema(Provider.GetSchemaRequest.getDefaultInstance())
                .getSchema()).getAsJsonObject();
        Set<String> tokens = new TreeSet<>();
        schema.getAsJsonObject("resources").keySet().forEach(k -> tokens.add(k.substring(PREFIX.length())));
        schema.getAsJsonObject("functions").keySet().forEach(k -> tokens.add(k.substring(PREFIX.length())));
        Map<String, Long> perToken = TABLE.cases.stream()
                .collect(Collectors.groupingBy(InputTable.Case::token, TreeMap::new, Collectors.counting()));
        assertEquals(tokens, perToken.keySet(), "every token the plugin serves has cases, and only those");
        perToken.forEach((t, n) -> assertTrue(n >= 8, t + " has only " + n + " cases"));
        assertTrue(TABLE.cases.size() >= 60, TABLE.cases.size() + " cases");
        System.out.println("InvalidInputsIT: " + TABLE.cases.size() + " cases " + perToken);
    }

    /** Each base is valid, so the one change a case makes is what is refused (resolveDigest's: see the controls). */
    @Test
    @Order(2)
    void everyBaseIsAccepted() {
        for (String token : TABLE.bases.keySet()) {
            if (token.equals("resolveDigest") || COMPONENTS.contains(token)) {
                continue; // valid ones dial the registry / register children: they are the controls below
            }
            assertEquals(List.of(), failures(token, TABLE.base(token, InvalidInputsIT::resolve)), token);
        }
    }

    @TestFactory
    @Order(3)
    Stream<DynamicTest> everyInvalidInputIsRefusedAtItsPathAndNoHostIsContacted() {
        return TABLE.cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            long nodeBefore = node.sshConnections();
            long dockerBefore = docker.sshConnections();
            long registryBefore = registry.accepted();
            int registeredBefore = monitor.registered.size();
            List<Failure> got = failures(c.token(), TABLE.inputs(c, InvalidInputsIT::resolve));
            if (got.isEmpty()) {
                fail("accepted: " + c);
            }
            List<Failure> elsewhere = got.stream().filter(f -> !f.path().equals(c.path())).toList();
            assertEquals(List.of(), elsewhere, "failures at other paths than " + c.path() + "; all: " + got);
            got.forEach(f -> REPORT.add(String.join("\t", c.token(), c.what(), f.path(), f.reason().replace("\n", "\\n"))));
            assertTrue(got.stream().anyMatch(f -> f.reason().contains(c.message())),
                    "no failure at " + c.path() + " says \"" + c.message() + "\": " + got);
            assertEquals(nodeBefore, node.sshConnections(), "the node's sshd saw a connection");
            assertEquals(dockerBefore, docker.sshConnections(), "the Docker host's sshd saw a connection");
            assertEquals(registryBefore, registry.accepted(), "the registry was dialled");
            assertEquals(registeredBefore, monitor.registered.size(), "Construct registered something");
        }));
    }

    @Test
    @Order(4)
    void overTheWholeTableNeitherHostNorTheRegistrySawAConnection() {
        assertEquals(nodeBaseline, node.sshConnections(), "connections to the node's sshd");
        assertEquals(dockerBaseline, docker.sshConnections(), "connections to the Docker host's sshd");
        assertEquals(0, registry.accepted(), "connections to the registry");
        assertEquals(List.of(), monitor.names(), "registrations");
    }

    // --- controls: the counters count --------------------------------------------------------------

    /** A Read of a MaintenanceSchedule does connect (and finds no cron file): each host's count goes up. */
    @Test
    @Order(5)
    void controlAReadThatConnectsIsCounted() {
        for (String target : List.of("docker", "node")) {
            LabHost host = target.equals("docker") ? docker : node;
            long before = host.sshConnections();
            long loginsBefore = host.sshLogins();
            Map<String, Object> inputs = TABLE.base("MaintenanceSchedule", InvalidInputsIT::resolve);
            inputs.put("connection", resolve(target));
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("cronFile", "/etc/cron.d/imagecache-invalid-inputs-control");
            state.put("content", "");
            state.put("hostKeys", Map.of());
            String type = PREFIX + "MaintenanceSchedule";
            Provider.ReadResponse r = plugin.stub.read(Provider.ReadRequest.newBuilder().setId("control")
                    .setUrn("urn:pulumi:test::proj::" + type + "::control").setType(type)
                    .setProperties(InputTable.struct(state)).setInputs(InputTable.struct(inputs)).build());
            assertEquals("", r.getId(), "no cron file there: gone");
            assertTrue(host.sshConnections() > before, target + "'s sshd counted the Read's connection");
            assertTrue(host.sshLogins() > loginsBefore, target + "'s sshd counted the Read's login");
        }
    }

    /** The valid resolveDigest dials the registry (which closes the connection: an error, not a Check failure). */
    @Test
    @Order(6)
    void controlAValidResolveDigestDialsTheRegistry() {
        long before = registry.accepted();
        try {
            List<Failure> f = failures("resolveDigest", TABLE.base("resolveDigest", InvalidInputsIT::resolve));
            fail("a registry that closes every connection answered: " + f);
        } catch (StatusRuntimeException e) {
            assertTrue(e.getStatus().getCode() != Status.Code.INVALID_ARGUMENT, String.valueOf(e.getStatus()));
        }
        assertTrue(registry.accepted() > before, "the registry counted the connection");
    }

    /** The valid component registers its children (a dry run: the engine, not Construct, would contact hosts). */
    @Test
    @Order(7)
    void controlTheValidComponentRegistersItsChildrenAndContactsNoHost() {
        long nodeBefore = node.sshConnections();
        long dockerBefore = docker.sshConnections();
        assertEquals(List.of(), failures("PullThroughCache", TABLE.base("PullThroughCache", InvalidInputsIT::resolve)));
        assertTrue(monitor.names().contains("ContainerdMirror:cache-" + node.ip()), monitor.names().toString());
        assertEquals(nodeBefore, node.sshConnections());
        assertEquals(dockerBefore, docker.sshConnections());
    }
}
