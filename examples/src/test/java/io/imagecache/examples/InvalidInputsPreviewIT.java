package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.LabHost;
import io.imagecache.lab.LabNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a user sees for an invalid input: a few of InvalidInputsIT's cases (a resource, the function, the component)
 * as YAML programs through the real Pulumi CLI. {@code pulumi preview} fails naming the property and what to do,
 * and the lab host every connection points at sees no SSH connection (its sshd's own log).
 */
class InvalidInputsPreviewIT {
    static LabNetwork network;
    static LabHost host;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        host = LabHost.plain(network);
        host.start();
    }

    @AfterAll
    static void stop() {
        host.stop();
        network.close();
    }

    private static final String CONFIG = """
            config:
              host: {type: string}
              hostKey: {type: string}
              sshKey: {type: string, secret: true}
            """;
    private static final String CONNECTION = "{ host: \"${host}\", privateKey: \"${sshKey}\", hostKey: \"${hostKey}\", dialAttempts: 1 }";

    static String program(String kind) {
        return switch (kind) {
            case "resource" -> """
                    resources:
                      proxy:
                        type: imagecache:index:RegistryProxy
                        properties:
                          connection: %s
                          upstream: { name: ghcr, registry: ghcr.io, remoteUrl: "http://${host}:5999", port: 70000 }
                    """.formatted(CONNECTION);
            case "function" -> """
                    variables:
                      resolved:
                        fn::invoke:
                          function: imagecache:index:resolveDigest
                          arguments:
                            image: library/Alpine:3.20
                            registryUrl: http://${host}:5999
                    outputs:
                      digest: ${resolved.digest}
                    """;
            case "component" -> """
                    resources:
                      cache:
                        type: imagecache:index:PullThroughCache
                        properties:
                          registryHost: %s
                          advertiseAddress: ${host}
                          upstreams:
                            - { name: docker, registry: docker.io, remoteUrl: "http://${host}:5999", port: 5000 }
                            - { name: ghcr, registry: ghcr.io, remoteUrl: "http://${host}:5999", port: 5000 }
                          nodes:
                            - connection: %s
                    """.formatted(CONNECTION, CONNECTION);
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "resource  | upstream.port       | must be between 1 and 65535",
            "function  | image               | has uppercase letters",
            "component | upstreams[1].port   | each proxy needs a port of its own"})
    void previewFailsNamingThePropertyAndContactsNoHost(String kind, String property, String message, @TempDir Path dir)
            throws IOException {
        Path project = Files.createDirectories(dir.resolve("invalid-" + kind));
        Files.writeString(project.resolve("Pulumi.yaml"), "name: invalid-" + kind + "\nruntime: yaml\n" + CONFIG + program(kind));
        long before = host.sshConnections();
        try (PulumiCli cli = PulumiCli.forProgram(project, "dev")) {
            cli.config("host", host.ip()).config("hostKey", host.hostKeyLine())
                    .secretConfig("sshKey", host.rootKey().privateKey());
            PulumiCli.Result r = cli.preview();
            assertNotEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains(property), "the output names " + property + ":\n" + r.output());
            assertTrue(r.output().contains(message), "the output says \"" + message + "\":\n" + r.output());
            System.out.println("InvalidInputsPreviewIT " + kind + ":\n" + r.output());
        }
        assertEquals(before, host.sshConnections(), "the lab host's sshd saw a connection");
    }
}
