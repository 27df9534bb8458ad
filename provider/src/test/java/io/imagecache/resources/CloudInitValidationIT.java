package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.resources.RegistryVmCloudInit.Args;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * registryVmCloudInit's documents as Debian 12's own cloud-init (22.4, what the VM image runs) reads them:
 * `cloud-init schema` for the user-data, and its network-config v2 parser and networkd renderer
 * (`cloud-init devel net-convert`) for the network config, asserting the .network file systemd-networkd
 * would get. `make tools` installs cloud-init (scripts/install-vm-tools.sh).
 */
class CloudInitValidationIT {
    @TempDir
    Path dir;

    record Run(int exit, String output) {}

    Run run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not finish in 60 s");
        }
        return new Run(p.exitValue(), out);
    }

    Run schema(String userData) throws Exception {
        Path f = Files.writeString(dir.resolve("user-data-" + System.nanoTime()), userData);
        return run("cloud-init", "schema", "--config-file", f.toString());
    }

    /** The networkd files cloud-init renders from {@code networkConfig}, concatenated. */
    String networkd(String networkConfig) throws Exception {
        Path f = Files.writeString(dir.resolve("network-config"), networkConfig);
        Path out = Files.createDirectories(dir.resolve("out-" + System.nanoTime()));
        Run r = run("cloud-init", "devel", "net-convert", "--network-data", f.toString(), "--kind", "yaml",
                "--output-kind", "networkd", "--directory", out.toString(), "--distro", "debian");
        assertEquals(0, r.exit(), r.output());
        try (Stream<Path> files = Files.walk(out)) {
            List<Path> network = files.filter(p -> p.toString().endsWith(".network")).sorted().toList();
            assertEquals(1, network.size(), "one .network file: " + network);
            return Files.readString(network.get(0));
        }
    }

    static List<Args> variants() {
        List<Args> out = new ArrayList<>();
        out.add(CloudInitChecks.normalized(RegistryVmCloudInitTest.args("registry", "10.0.20.10/24", "10.0.20.1")));
        out.add(CloudInitChecks.normalized(RegistryVmCloudInitTest.full()));
        Args f = RegistryVmCloudInitTest.full();
        out.add(CloudInitChecks.normalized(new Args("r2", "172.16.5.4/16", "172.16.0.1", List.of(), List.of(), null, List.of(),
                "$6$rounds=5000$salt$" + "a".repeat(86), null, null, null, "ens18", null, null, null)));
        out.add(CloudInitChecks.normalized(RegistryVmCloudInitTest.with(f, "sshHostKey",
                io.imagecache.lab.SshKeys.rsa().privateKey())));
        return out;
    }

    @Test
    void everyRenderedUserDataIsValidCloudConfig() throws Exception {
        for (Args a : variants()) {
            assertEquals(List.of(), new RegistryVmCloudInit().check(RegistryVmCloudInitTest.d(a)), a.toString());
            String userData = new RegistryVmCloudInit().invoke(a, null).userData();
            Run r = schema(userData);
            assertEquals(0, r.exit(), r.output() + "\n" + userData.replaceAll("(?s)-----BEGIN.*?-----END[^\n]*", "<key>"));
            assertTrue(r.output().contains("Valid cloud-config"), r.output());
        }
    }

    @Test
    void theValidatorRefusesWhatIsNotCloudConfig() throws Exception {
        Run r = schema("#cloud-config\nusers: 5\n");
        assertTrue(r.exit() != 0 && r.output().contains("users"), r.output());
    }

    @Test
    void networkdGetsTheStaticAddressTheGatewayAndNoDhcp() throws Exception {
        String byGlob = networkd(new RegistryVmCloudInit().invoke(variants().get(0), null).networkConfig());
        assertEquals(Set.of("Name=e*", "Address=10.0.20.10/24", "DHCP=no", "Destination=0.0.0.0/0", "Gateway=10.0.20.1"),
                keyLines(byGlob, "Name", "Address", "DHCP", "Destination", "Gateway"), byGlob);

        String byMac = networkd(new RegistryVmCloudInit().invoke(variants().get(1), null).networkConfig());
        assertEquals(Set.of("MACAddress=52:54:00:ab:cd:01", "Name=eth0", "Address=10.0.20.10/24", "DHCP=no", "DNS=10.0.20.1 9.9.9.9",
                "Domains=lab.example", "Gateway=10.0.20.1"), keyLines(byMac, "MACAddress", "Name", "Address", "DHCP", "DNS", "Domains", "Gateway"),
                byMac);

        String byName = networkd(new RegistryVmCloudInit().invoke(variants().get(2), null).networkConfig());
        assertEquals(Set.of("Name=ens18", "Address=172.16.5.4/16", "DHCP=no", "Gateway=172.16.0.1"),
                keyLines(byName, "Name", "Address", "DHCP", "Gateway"), byName);
    }

    /** The file's {@code key=value} lines for these keys. */
    static Set<String> keyLines(String file, String... keys) {
        List<String> want = List.of(keys);
        return file.lines().filter(l -> l.contains("=") && want.contains(l.substring(0, l.indexOf('=')))).collect(Collectors.toSet());
    }
}
