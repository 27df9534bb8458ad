package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.SshKeys;
import io.imagecache.resources.RegistryVmCloudInit.Args;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.PropertyPath;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** registryVmCloudInit: what it renders (read back with a YAML parser) and every refused input, named by its path. */
class RegistryVmCloudInitTest {
    static final SshKeys USER_KEY = SshKeys.ed25519();
    static final SshKeys HOST_KEY = SshKeys.ed25519();
    static final RegistryVmCloudInit FN = new RegistryVmCloudInit();

    static Args args(String hostname, String address, String gateway) {
        return new Args(hostname, address, gateway, null, null, null, List.of(USER_KEY.publicKey()), null, null, null, null,
                null, null, null, null);
    }

    static Args full() {
        return new Args("registry", "10.0.20.10/24", "10.0.20.1", List.of("10.0.20.1", "9.9.9.9"), List.of("lab.example"),
                "ops", List.of(USER_KEY.publicKey()), null,
                List.of(new UpstreamArgs("docker", "docker.io", null, 5000, null, null, null),
                        new UpstreamArgs("ghcr", "ghcr.io", null, 5010, null, null, null)),
                "/srv/cache", "/srv/etc", "52:54:00:AB:cd:01", List.of("htop"), HOST_KEY.privateKey(), "/dev/vdb");
    }

    static Decoded<Args> d(Args a) {
        return new Decoded<>(a, Set.of(), Set.of(), List.of());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> yaml(String text) {
        return (Map<String, Object>) new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build()).loadFromString(text);
    }

    @Test
    @SuppressWarnings("unchecked")
    void userDataHasTheUserItsKeysSudoDockerAndTheDirectoriesAndNothingElse() {
        RegistryVmCloudInit.Result r = FN.invoke(full(), null);
        assertTrue(r.userData().startsWith("#cloud-config\n"), r.userData());
        Map<String, Object> doc = yaml(r.userData());
        assertEquals(Set.of("hostname", "users", "disable_root", "ssh_pwauth", "ssh_deletekeys", "ssh_keys", "packages", "fs_setup", "mounts",
                "runcmd"),
                doc.keySet());
        Map<String, Object> user = ((List<Map<String, Object>>) doc.get("users")).get(0);
        assertEquals("ops", user.get("name"));
        assertEquals("ALL=(ALL) NOPASSWD:ALL", user.get("sudo"));
        assertEquals(true, user.get("lock_passwd"));
        assertEquals(List.of(USER_KEY.publicKey()), user.get("ssh_authorized_keys"));
        assertEquals(false, doc.get("ssh_pwauth"));
        Map<String, Object> keys = (Map<String, Object>) doc.get("ssh_keys");
        assertEquals(HOST_KEY.privateKey().strip() + "\n", keys.get("ed25519_private"));
        assertEquals(pubWithoutComment(HOST_KEY), keys.get("ed25519_public"));
        assertEquals(pubWithoutComment(HOST_KEY), r.hostKey());
        assertEquals(List.of("htop"), doc.get("packages"));
        assertEquals(List.of(Map.of("label", "imagecache", "filesystem", "ext4", "device", "/dev/vdb", "overwrite", false)), doc.get("fs_setup"),
                "the data disk is formatted only when it has no filesystem");
        assertEquals(List.of(List.of("LABEL=imagecache", "/srv/cache", "ext4", "defaults,nofail", "0", "2")), doc.get("mounts"));
        List<List<String>> runcmd = (List<List<String>>) doc.get("runcmd");
        assertEquals(List.of("systemctl", "enable", "--now", "docker"), runcmd.get(1));
        assertEquals(List.of(List.of("install", "-d", "-m", "0755", "/srv/cache/docker"), List.of("install", "-d", "-m", "0755", "/srv/etc/docker"),
                List.of("install", "-d", "-m", "0755", "/srv/cache/ghcr"), List.of("install", "-d", "-m", "0755", "/srv/etc/ghcr")),
                runcmd.subList(2, runcmd.size()));
    }

    static String pubWithoutComment(SshKeys k) {
        String[] p = k.publicKey().split(" ");
        return p[0] + " " + p[1];
    }

    @Test
    @SuppressWarnings("unchecked")
    void networkConfigIsStaticWithTheGatewayRouteAndNoDhcp() {
        Map<String, Object> doc = yaml(FN.invoke(full(), null).networkConfig());
        assertEquals(2, doc.get("version"));
        Map<String, Object> nic = (Map<String, Object>) ((Map<String, Object>) doc.get("ethernets")).get("eth0");
        assertEquals(Map.of("macaddress", "52:54:00:ab:cd:01"), nic.get("match"));
        assertEquals("eth0", nic.get("set-name"), "cloud-init renames the NIC with that MAC to the entry's name");
        assertEquals(false, nic.get("dhcp4"));
        assertEquals(false, nic.get("dhcp6"));
        assertEquals(List.of("10.0.20.10/24"), nic.get("addresses"));
        assertEquals(List.of(Map.of("to", "0.0.0.0/0", "via", "10.0.20.1")), nic.get("routes"));
        assertEquals(Map.of("addresses", List.of("10.0.20.1", "9.9.9.9"), "search", List.of("lab.example")), nic.get("nameservers"));
        Map<String, Object> byName = (Map<String, Object>) ((Map<String, Object>) yaml(FN.invoke(args("r", "10.0.20.10/24", "10.0.20.1"), null)
                .networkConfig()).get("ethernets")).get("e*");
        assertEquals(Map.of("name", "e*"), byName.get("match"));
        assertFalse(byName.containsKey("nameservers"));
    }

    @Test
    void defaultsAreTheComponentsFiveUpstreamsUnderItsRootsAndUserImagecache() {
        Map<String, Object> doc = yaml(FN.invoke(CloudInitChecks.normalized(args("registry", "10.0.20.10/24", "10.0.20.1")), null).userData());
        assertTrue(doc.toString().contains("name=imagecache"), doc.toString());
        for (UpstreamArgs u : UpstreamArgs.RUNBOOK) {
            assertTrue(doc.get("runcmd").toString().contains("/var/lib/imagecache/" + u.name() + "]"), u.name());
            assertTrue(doc.get("runcmd").toString().contains("/etc/imagecache/" + u.name() + "]"), u.name());
        }
        assertFalse(doc.containsKey("ssh_keys"), "without sshHostKey the VM makes its own");
        assertFalse(doc.containsKey("packages"));
    }

    @Test
    void metaDataNamesTheHostAndAnInstanceIdThatChangesWithTheAddress() {
        RegistryVmCloudInit.Result a = FN.invoke(full(), null);
        Map<String, Object> meta = yaml(a.metaData());
        assertEquals("registry", meta.get("local-hostname"));
        assertEquals(a.instanceId(), meta.get("instance-id"));
        assertEquals(a.instanceId(), FN.invoke(full(), null).instanceId(), "the same inputs, the same instance");
        Args moved = new Args("registry", "10.0.20.11/24", "10.0.20.1", full().nameservers(), full().searchDomains(), "ops",
                full().sshAuthorizedKeys(), null, full().upstreams(), "/srv/cache", "/srv/etc", full().interfaceMatch(),
                full().packages(), full().sshHostKey(), null);
        assertNotEquals(a.instanceId(), FN.invoke(moved, null).instanceId());
        assertEquals("ip=10.0.20.10/24,gw=10.0.20.1", a.proxmoxIpConfig());
    }

    @Test
    void userDataIsSecretOnlyWhenItHoldsTheHostKeyOrAPasswordHash() {
        assertEquals(Set.of(PropertyPath.of("userData")), FN.secretOutputs(full()));
        assertEquals(Set.of(), FN.secretOutputs(args("registry", "10.0.20.10/24", "10.0.20.1")));
        Args withPassword = new Args("registry", "10.0.20.10/24", "10.0.20.1", null, null, null, List.of(), "$6$salt$abc", null,
                null, null, null, null, null, null);
        assertEquals(Set.of(PropertyPath.of("userData")), FN.secretOutputs(withPassword));
        assertEquals(List.of(), FN.check(d(withPassword)), "a password alone is enough to log in");
    }

    @Test
    @SuppressWarnings("unchecked")
    void yamlMetacharactersInAKeyCommentComeBackVerbatim() {
        String key = pubWithoutComment(USER_KEY) + " ops: #1 {a: [b]} 'q' \"dq\" & *x !tag";
        Args a = new Args("registry", "10.0.20.10/24", "10.0.20.1", null, null, null, List.of(key), null, null, null, null, null,
                null, null, null);
        assertEquals(List.of(), FN.check(d(a)));
        Map<String, Object> user = ((List<Map<String, Object>>) yaml(FN.invoke(a, null).userData()).get("users")).get(0);
        assertEquals(List.of(key), user.get("ssh_authorized_keys"));
    }

    @Test
    void validArgumentsPassCheck() {
        assertEquals(List.of(), FN.check(d(full())));
        assertEquals(List.of(), FN.check(d(args("registry-01", "192.168.1.254/24", "192.168.1.1"))));
        assertEquals(List.of(), FN.check(d(args("r", "10.0.20.10/32", "10.0.20.10".replace("10.0.20.10", "10.0.20.10")))).stream()
                .filter(f -> !f.property().equals("gateway")).toList());
    }

    static Stream<Arguments> invalid() {
        Args ok = full();
        return Stream.of(
                Arguments.of("hostname with a dot", "hostname", args("registry.lab", "10.0.20.10/24", "10.0.20.1"), "DNS label"),
                Arguments.of("hostname with a newline", "hostname", args("reg\nistry", "10.0.20.10/24", "10.0.20.1"), "reg\\x0aistry"),
                Arguments.of("hostname ending in a hyphen", "hostname", args("registry-", "10.0.20.10/24", "10.0.20.1"), "DNS label"),
                Arguments.of("hostname of 64 characters", "hostname", args("a".repeat(64), "10.0.20.10/24", "10.0.20.1"), "1-63"),
                Arguments.of("address without prefix", "address", args("r", "10.0.20.10", "10.0.20.1"), "CIDR"),
                Arguments.of("address with a bad octet", "address", args("r", "10.0.20.300/24", "10.0.20.1"), "0-255"),
                Arguments.of("address that is a name", "address", args("r", "registry/24", "10.0.20.1"), "IPv4"),
                Arguments.of("prefix 33", "address", args("r", "10.0.20.10/33", "10.0.20.1"), "1-32"),
                Arguments.of("the network address", "address", args("r", "10.0.20.0/24", "10.0.20.1"), "network address"),
                Arguments.of("the broadcast address", "address", args("r", "10.0.20.255/24", "10.0.20.1"), "broadcast"),
                Arguments.of("gateway outside the subnet", "gateway", args("r", "10.0.20.10/24", "10.0.21.1"), "outside 10.0.20.0/24"),
                Arguments.of("gateway that is the VM", "gateway", args("r", "10.0.20.10/24", "10.0.20.10"), "own address"),
                Arguments.of("gateway that is a name", "gateway", args("r", "10.0.20.10/24", "router"), "IPv4"),
                Arguments.of("nameserver that is a name", "nameservers[1]", with(ok, "nameservers", List.of("10.0.20.1", "dns.lab")), "IPv4"),
                Arguments.of("search domain with a space", "searchDomains[0]", with(ok, "searchDomains", List.of("lab example")), "DNS domain"),
                Arguments.of("user root", "user", with(ok, "user", "root"), "not root"),
                Arguments.of("user with a shell character", "user", with(ok, "user", "ops;rm"), "user name"),
                Arguments.of("key that is not a key", "sshAuthorizedKeys[0]", with(ok, "sshAuthorizedKeys", List.of("hello")), "authorized_keys"),
                Arguments.of("two keys in one item", "sshAuthorizedKeys[0]", with(ok, "sshAuthorizedKeys",
                        List.of(USER_KEY.publicKey() + "\n" + USER_KEY.publicKey())), "one line"),
                Arguments.of("no key and no password", "sshAuthorizedKeys", with(ok, "sshAuthorizedKeys", List.of()), "no one could log in"),
                Arguments.of("a plain password", "passwordHash", with(ok, "passwordHash", "hunter2"), "crypt(3)"),
                Arguments.of("upstream name with $()", "upstreams[0].name", with(ok, "upstreams",
                        List.of(new UpstreamArgs("$(reboot)", "docker.io", null, 5000, null, null, null))), "upstream name"),
                Arguments.of("upstream name ..", "upstreams[0].name", with(ok, "upstreams",
                        List.of(new UpstreamArgs("..", "docker.io", null, 5000, null, null, null))), "upstream name"),
                Arguments.of("upstream given twice", "upstreams[1].name", with(ok, "upstreams", List.of(
                        new UpstreamArgs("ghcr", "ghcr.io", null, 5010, null, null, null),
                        new UpstreamArgs("ghcr", "ghcr.io", null, 5011, null, null, null))), "twice"),
                Arguments.of("relative dataRoot", "dataRoot", with(ok, "dataRoot", "cache"), "absolute path"),
                Arguments.of("configRoot with ..", "configRoot", with(ok, "configRoot", "/etc/../root"), "absolute path"),
                Arguments.of("dataRoot /", "dataRoot", with(ok, "dataRoot", "/"), "absolute path"),
                Arguments.of("interface with a space", "interfaceMatch", with(ok, "interfaceMatch", "eth 0"), "MAC"),
                Arguments.of("package with a flag", "packages[0]", with(ok, "packages", List.of("--allow-unauthenticated")), "Debian package"),
                Arguments.of("data device outside /dev", "dataDevice", with(ok, "dataDevice", "/tmp/disk"), "device path"),
                Arguments.of("data device with ..", "dataDevice", with(ok, "dataDevice", "/dev/../etc/passwd"), "device path"),
                Arguments.of("host key that is a public key", "sshHostKey", with(ok, "sshHostKey", USER_KEY.publicKey()), "OpenSSH private key"),
                Arguments.of("encrypted host key", "sshHostKey", with(ok, "sshHostKey", SshKeys.ed25519("pass-phrase").privateKey()), "encrypted"));
    }

    /** {@code ok} with one argument changed. */
    static Args with(Args o, String field, Object v) {
        return new Args(o.hostname(), o.address(), o.gateway(),
                field.equals("nameservers") ? cast(v) : o.nameservers(), field.equals("searchDomains") ? cast(v) : o.searchDomains(),
                field.equals("user") ? (String) v : o.user(), field.equals("sshAuthorizedKeys") ? cast(v) : o.sshAuthorizedKeys(),
                field.equals("passwordHash") ? (String) v : o.passwordHash(), field.equals("upstreams") ? cast(v) : o.upstreams(),
                field.equals("dataRoot") ? (String) v : o.dataRoot(), field.equals("configRoot") ? (String) v : o.configRoot(),
                field.equals("interfaceMatch") ? (String) v : o.interfaceMatch(), field.equals("packages") ? cast(v) : o.packages(),
                field.equals("sshHostKey") ? (String) v : o.sshHostKey(), field.equals("dataDevice") ? (String) v : o.dataDevice());
    }

    @SuppressWarnings("unchecked")
    static <T> List<T> cast(Object v) {
        return (List<T>) v;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void invalidArgumentsAreNamedByTheirPath(String why, String path, Args a, String says) {
        List<CheckFailure> f = FN.check(d(a));
        assertEquals(1, f.size(), why + ": " + f);
        assertEquals(path, f.get(0).property(), why + ": " + f);
        assertTrue(f.get(0).reason().contains(says), why + ": " + f.get(0).reason());
        if (a.sshHostKey() != null) {
            for (String line : a.sshHostKey().split("\n")) {
                assertFalse(!line.startsWith("-----") && !line.isBlank() && f.get(0).reason().contains(line), "a message never quotes a key");
            }
        }
    }
}
