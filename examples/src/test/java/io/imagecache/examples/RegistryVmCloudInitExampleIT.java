package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.imagecache.lab.SshKeys;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * examples/registry-vm-cloud-init through the real Pulumi CLI: the function's outputs as a stack exports them,
 * with a real ed25519 host key given as secret config. The user-data, which carries that key's private half,
 * is a secret in state; the host key's public line, the network config and Proxmox's ipconfig0 are plain.
 * A bad argument fails the preview with the property's name (the function's Check, through the engine).
 */
class RegistryVmCloudInitExampleIT {
    /** Pulumi's marker of a secret value in state and in {@code stack export}. */
    private static final String SECRET_SIG = "4dabf18193072939515e22adb298388d";

    @Test
    void outputsFitAStaticAddressAndTheUserDataStaysSecret() {
        SshKeys operator = SshKeys.ed25519();
        SshKeys hostKey = SshKeys.ed25519();
        try (PulumiCli cli = PulumiCli.forExample("registry-vm-cloud-init", "dev")) {
            cli.config("sshPublicKey", operator.publicKey()).secretConfig("hostKey", hostKey.privateKey());
            PulumiCli.Result preview = cli.preview().assertOk();
            assertTrue(preview.stdout().contains("ip=10.0.20.10/24,gw=10.0.20.1"), preview.stdout());
            assertTrue(preview.stdout().matches("(?s).*userData\\s*: \\[secret].*"), preview.stdout());
            PulumiCli.Result up = cli.up().assertOk();
            assertFalse(up.output().contains("#cloud-config"), "the user-data is not printed:\n" + up.output());

            JsonObject out = JsonParser.parseString(
                    cli.run("stack", "output", "--json", "--show-secrets").assertOk().stdout()).getAsJsonObject();
            assertEquals("ip=10.0.20.10/24,gw=10.0.20.1", out.get("proxmoxIpConfig").getAsString());
            // the .pub file ssh-keygen wrote, without its comment
            String pub = String.join(" ", List.of(hostKey.publicKey().split(" ")).subList(0, 2));
            assertEquals(pub, out.get("hostKey").getAsString());
            String userData = out.get("userData").getAsString();
            assertTrue(userData.startsWith("#cloud-config\n"), userData);
            assertTrue(userData.contains(operator.publicKey()), "the operator's key is authorized:\n" + userData);
            assertTrue(userData.contains(keyBody(hostKey.privateKey()).get(0)), "the host key is delivered in ssh_keys");
            Map<?, ?> network = yaml(out.get("networkConfig").getAsString());
            assertEquals(2, network.get("version"));
            Map<?, ?> nic = (Map<?, ?>) ((Map<?, ?>) network.get("ethernets")).values().iterator().next();
            assertEquals(List.of("10.0.20.10/24"), nic.get("addresses"));
            assertEquals(false, nic.get("dhcp4"));
            assertEquals(List.of(Map.of("to", "0.0.0.0/0", "via", "10.0.20.1")), nic.get("routes"));
            Map<?, ?> meta = yaml(out.get("metaData").getAsString());
            assertEquals("registry", meta.get("local-hostname"));
            assertEquals(out.get("instanceId").getAsString(), meta.get("instance-id"));

            String state = cli.exportState();
            for (String line : keyBody(hostKey.privateKey())) {
                assertFalse(state.contains(line), "the host key's private half is not in plain state");
            }
            assertFalse(state.contains("cloud-config"), "the user-data is not in plain state");
            assertFalse(state.contains("ssh_keys"), "the user-data is not in plain state");
            JsonObject outputs = stackOutputs(JsonParser.parseString(state).getAsJsonObject());
            assertTrue(outputs.get("userData").isJsonObject() && outputs.getAsJsonObject("userData").has(SECRET_SIG),
                    "userData is stored as a secret: " + outputs.get("userData"));
            assertEquals(pub, outputs.get("hostKey").getAsString(), "the public line is plain, to pin");
            assertEquals("ip=10.0.20.10/24,gw=10.0.20.1", outputs.get("proxmoxIpConfig").getAsString());
            assertTrue(outputs.get("networkConfig").getAsString().contains("10.0.20.10/24"));
        }
    }

    @Test
    void aGatewayOutsideTheSubnetFailsThePreviewNamingTheProperty() {
        SshKeys hostKey = SshKeys.ed25519();
        try (PulumiCli cli = PulumiCli.forExample("registry-vm-cloud-init", "bad")) {
            cli.config("sshPublicKey", SshKeys.ed25519().publicKey()).secretConfig("hostKey", hostKey.privateKey())
                    .config("gateway", "10.0.30.1");
            PulumiCli.Result r = cli.preview();
            assertNotEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("gateway"), r.output());
            assertTrue(r.output().contains("10.0.30.1 is outside 10.0.20.0/24"), r.output());
            assertFalse(r.output().contains(keyBody(hostKey.privateKey()).get(0)), "the host key is not printed");

            cli.config("gateway", "10.0.20.1").config("hostname", "registry_1");
            r = cli.preview();
            assertNotEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("hostname"), r.output());
            assertTrue(r.output().contains("\"registry_1\" is not a DNS label"), r.output());
        }
    }

    /** The base64 lines of an OpenSSH private key file. */
    static List<String> keyBody(String privateKey) {
        return privateKey.lines().filter(l -> !l.startsWith("-----") && !l.isBlank()).toList();
    }

    static Map<?, ?> yaml(String text) {
        return (Map<?, ?>) new Load(LoadSettings.builder().build()).loadFromString(text);
    }

    static JsonObject stackOutputs(JsonObject export) {
        for (JsonElement r : export.getAsJsonObject("deployment").getAsJsonArray("resources")) {
            JsonObject res = r.getAsJsonObject();
            if (res.get("type").getAsString().equals("pulumi:pulumi:Stack")) {
                return res.getAsJsonObject("outputs");
            }
        }
        throw new AssertionError("no stack resource in the export");
    }
}
