package io.imagecache.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tomlj.Toml;

/**
 * config.toml can hold registry credentials ({@code configs."<host>".auth}): no message about it carries its
 * content, only what is wrong and where.
 */
class ConfigTomlSecretsTest {
    private static final String SECRET = "s3cr3t-Pa55w0rd";
    private static final String WITH_AUTH = """
            version = 2
            [plugins."io.containerd.grpc.v1.cri".registry.configs."registry.example.com".auth]
              username = "ci"
              password = "%s"
            """.formatted(SECRET);

    @Test
    void aResultThatDoesNotVerifyNamesTheKeysNotTheirValues() {
        List<TomlEditor.Op> ops = List.of(new TomlEditor.Set(
                List.of("plugins", "io.containerd.grpc.v1.cri", "registry", "config_path"), "/etc/containerd/certs.d"));
        String lost = WITH_AUTH.replace(SECRET, "other");
        ConfigTomlException e = assertThrows(ConfigTomlException.class,
                () -> EditCheck.verify(Toml.parse(WITH_AUTH), lost, ops));
        assertEquals(ConfigTomlException.Kind.RESULT_INVALID, e.kind());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertFalse(e.getMessage().contains("other"), e.getMessage());
        assertTrue(e.getMessage().contains("password (different value)"), e.getMessage());
        assertTrue(e.getMessage().contains("config_path (missing)"), e.getMessage());
    }

    @Test
    void invalidTomlIsReportedByLineAndColumnWithoutTheTextThere() {
        String broken = WITH_AUTH.replace("password = \"" + SECRET + "\"", "password = \"x\" " + SECRET);
        ConfigTomlException e = assertThrows(ConfigTomlException.class,
                () -> ConfigToml.edit(broken, ContainerdVersion.of(1, 6, 20), "/etc/containerd/certs.d"));
        assertEquals(ConfigTomlException.Kind.INVALID_TOML, e.kind());
        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        assertTrue(e.getMessage().contains("line 4"), e.getMessage());
    }

    @Test
    void theSocketIsTheGrpcAddressInEveryConfigVersion() {
        assertEquals("/run/k3s/containerd/containerd.sock",
                ConfigToml.grpcAddress("version = 3\n[grpc]\n  address = '/run/k3s/containerd/containerd.sock'\n").orElseThrow());
        assertEquals("/x.sock", ConfigToml.grpcAddress("grpc.address = \"/x.sock\"").orElseThrow());
        assertTrue(ConfigToml.grpcAddress("version = 2\n[grpc]\n  address = \"\"\n").isEmpty());
        assertTrue(ConfigToml.grpcAddress("version = 2\n").isEmpty());
    }
}
