package io.imagecache.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.containerd.ConfigTomlException.Kind;
import io.imagecache.containerd.MirrorSpec.ClientCert;
import io.imagecache.containerd.MirrorSpec.Endpoint;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tomlj.Toml;

class ConfigTomlTest {
    private static final String CERTS = "/etc/containerd/certs.d";
    private static final ContainerdVersion V16 = ContainerdVersion.of(1, 6, 20);
    private static final ContainerdVersion V17 = ContainerdVersion.of(1, 7, 27);
    private static final ContainerdVersion V20 = ContainerdVersion.of(2, 0, 5);
    private static final ContainerdVersion V21 = ContainerdVersion.of(2, 1, 4);

    private static ConfigEdit edit(String toml, ContainerdVersion v) throws ConfigTomlException {
        return ConfigToml.edit(toml, v, CERTS);
    }

    private static ConfigTomlException fails(String toml, ContainerdVersion v) {
        return assertThrows(ConfigTomlException.class, () -> edit(toml, v));
    }

    @Test
    void theRegistryTableFollowsTheFilesConfigVersion() {
        assertEquals(List.of("plugins", "cri", "registry"), ConfigToml.registryTable(1));
        assertEquals("plugins.\"io.containerd.grpc.v1.cri\".registry", ConfigToml.registryTableName(2));
        assertEquals("plugins.\"io.containerd.cri.v1.images\".registry", ConfigToml.registryTableName(3));
        assertEquals("plugins.\"io.containerd.cri.v1.images\".registry", ConfigToml.registryTableName(4));
    }

    @Test
    void readsTheConfigVersion() throws ConfigTomlException {
        assertEquals(1, ConfigToml.configVersion(""));
        assertEquals(1, ConfigToml.configVersion("version = 1\n"));
        assertEquals(2, ConfigToml.configVersion("# c\nversion = 2\n[plugins]\n"));
        assertEquals(3, ConfigToml.configVersion("version = 3"));
    }

    @Test
    void invalidTomlSaysWhere() {
        ConfigTomlException e = fails("version = 2\n[plugins.\"io.containerd.grpc.v1.cri\"\nsandbox_image = \"x\"\n", V17);
        assertEquals(Kind.INVALID_TOML, e.kind());
        assertEquals(2, e.line());
        assertTrue(e.column() > 0);
        assertTrue(e.getMessage().startsWith("config.toml is not valid TOML: line 2, column "), e.getMessage());
        assertEquals(Kind.INVALID_TOML, fails("a = 1\na = 2\n", V17).kind(), "duplicate keys");
    }

    @Test
    void aConfigVersionTheNodeDoesNotReadIsRefused() {
        ConfigTomlException e = fails("version = 3\n", V17);
        assertEquals(Kind.UNSUPPORTED_CONFIG_VERSION, e.kind());
        assertTrue(e.getMessage().contains("containerd 1.7.27 does not read"), e.getMessage());
        assertEquals(1, e.line());
        assertEquals(Kind.UNSUPPORTED_CONFIG_VERSION, fails("version = 4\n", V21).kind());
        assertEquals(Kind.UNSUPPORTED_CONFIG_VERSION, fails("version = \"2\"\n", V21).kind());
        assertEquals(Kind.UNSUPPORTED_CONFIG_VERSION, fails("version = 9\n", V21).kind());
    }

    @Test
    void aRegistryThatIsNoTableIsRefused() {
        ConfigTomlException e = fails("version = 2\n[plugins.\"io.containerd.grpc.v1.cri\"]\nregistry = \"x\"\n", V17);
        assertEquals(Kind.UNEDITABLE, e.kind());
        assertEquals(3, e.line());
        assertEquals(Kind.UNEDITABLE, fails("version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\nmirrors = 1\n", V17).kind());
    }

    @Test
    void aBadCertsDirIsRefused() {
        ConfigTomlException e = assertThrows(ConfigTomlException.class,
                () -> ConfigToml.edit("version = 2\n", V17, "/etc/containerd/certs.d:/etc/docker/certs.d"));
        assertEquals(Kind.INVALID_CERTS_DIR, e.kind());
        assertTrue(e.getMessage().startsWith("certsDir: "), e.getMessage());
    }

    @Test
    void exactlyRightAlreadyIsUnchanged() throws ConfigTomlException {
        String ok = "version = 2\n\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n  config_path = \"/etc/containerd/certs.d\"\n";
        ConfigEdit e = edit(ok, V17);
        assertTrue(e.unchanged());
        assertEquals(ok, e.text());
        assertEquals(List.of(), e.migrated());
        assertEquals("/etc/containerd/certs.d", e.previousConfigPath());
        // an empty mirrors table does not stop the CRI plugin: no reason to restart containerd for it
        assertTrue(edit(ok + "  [plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors]\n", V16).unchanged());
        // a trailing slash in certsDir means the same directory
        assertTrue(ConfigToml.edit(ok, V17, "/etc/containerd/certs.d/").unchanged());
    }

    @Test
    void onContainerd1xConfigsTlsMustGoEvenWithTheRightPath() throws ConfigTomlException {
        String in = """
                version = 2
                [plugins."io.containerd.grpc.v1.cri".registry]
                  config_path = "/etc/containerd/certs.d"
                [plugins."io.containerd.grpc.v1.cri".registry.configs."reg.example.com".tls]
                """;
        ConfigEdit e = edit(in, V16);
        assertTrue(e.changed(), "containerd 1.x refuses even an empty configs.tls table next to config_path");
        assertFalse(e.text().contains("tls"));
        assertEquals(List.of(), e.migrated(), "an empty TLS table carries nothing over");
    }

    @Test
    void onContainerd2xConfigsTlsStaysButIsCarriedOver() throws ConfigTomlException {
        String in = """
                version = 3
                [plugins."io.containerd.cri.v1.images".registry]
                  config_path = "/etc/containerd/certs.d"
                [plugins."io.containerd.cri.v1.images".registry.configs."reg.example.com".tls]
                  ca_file = "/etc/pki/reg-ca.pem"
                """;
        ConfigEdit e = edit(in, V21);
        assertTrue(e.unchanged());
        assertEquals(List.of(MirrorSpec.of("reg.example.com", Endpoint.of("https://reg.example.com").withCa("/etc/pki/reg-ca.pem"))),
                e.migrated());
        assertTrue(e.warnings().stream().anyMatch(w -> w.contains("stayed in config.toml")), e.warnings()::toString);
        assertTrue(e.notes().stream().anyMatch(n -> n.contains("local pull mode")), e.notes()::toString);
    }

    @Test
    void replacesOnlyTheValueCharacters() throws ConfigTomlException {
        String in = "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n\tconfig_path=\"/a:/b\"\t# was EKS\n";
        assertEquals("version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n\tconfig_path=\"/etc/containerd/certs.d\"\t# was EKS\n",
                edit(in, V17).text());
        assertEquals("version = 3\n[plugins.'io.containerd.cri.v1.images'.registry]\n  config_path = '/etc/containerd/certs.d'\n",
                edit("version = 3\n[plugins.'io.containerd.cri.v1.images'.registry]\n  config_path = ''\n", V21).text(),
                "a literal string stays a literal string");
    }

    @Test
    void editsInlineTables() throws ConfigTomlException {
        String in = """
                version = 2
                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = "registry.k8s.io/pause:3.9" # pinned
                  registry = { config_path = "", mirrors = { "docker.io" = { endpoint = ["http://10.0.20.10:5000"] } } }
                """;
        ConfigEdit e = edit(in, V17);
        assertEquals("""
                version = 2
                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = "registry.k8s.io/pause:3.9" # pinned
                  registry = { config_path = "/etc/containerd/certs.d" }
                """, e.text());
        assertEquals(List.of(MirrorSpec.pullThrough("docker.io", "http://10.0.20.10:5000")), e.migrated());

        String configs = """
                version = 2
                [plugins."io.containerd.grpc.v1.cri".registry]
                  configs = { "reg.example.com" = { tls = { insecure_skip_verify = true }, auth = { username = "u" } } }
                """;
        assertEquals("""
                version = 2
                [plugins."io.containerd.grpc.v1.cri".registry]
                  configs = { "reg.example.com" = { auth = { username = "u" } } }
                  config_path = "/etc/containerd/certs.d"
                """, edit(configs, V17).text());
    }

    @Test
    void addsTheTableWhereTheFileHasNone() throws ConfigTomlException {
        assertEquals("[plugins.cri.registry]\n  config_path = \"/etc/containerd/certs.d\"\n", edit("", V17).text(),
                "an empty file is a version 1 file");
        assertEquals("version = 2\n\n[plugins.\"io.containerd.grpc.v1.cri\".registry]\n  config_path = \"/etc/containerd/certs.d\"\n",
                edit("version = 2", V17).text(), "a missing final line break is added before the new table");
        String flat = "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\"]\nsandbox_image = \"p\"\n[metrics]\naddress = \"\"\n";
        assertEquals("version = 2\n[plugins.\"io.containerd.grpc.v1.cri\"]\nsandbox_image = \"p\"\n"
                + "[plugins.\"io.containerd.grpc.v1.cri\".registry]\nconfig_path = \"/etc/containerd/certs.d\"\n"
                + "[metrics]\naddress = \"\"\n", edit(flat, V17).text(), "after the last CRI table, in the file's flat style");
    }

    @Test
    void addsADottedKeyWhereTheRegistryIsWrittenAsDottedKeys() throws ConfigTomlException {
        String in = "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\"]\n  registry.headers.X-Env = [\"lab\"]\n  sandbox_image = \"p\"\n";
        assertEquals("version = 2\n[plugins.\"io.containerd.grpc.v1.cri\"]\n  registry.headers.X-Env = [\"lab\"]\n"
                + "  registry.config_path = \"/etc/containerd/certs.d\"\n  sandbox_image = \"p\"\n", edit(in, V17).text());
    }

    @Test
    void migratesOldMirrorsTheWayContainerdUsedThem() throws ConfigTomlException {
        String in = """
                version = 2
                [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
                  endpoint = ["localhost:5000", "mirror.example.com", "https://harbor.example.com/v2/hub", "https://m2.example.com/v2/"]
                [plugins."io.containerd.grpc.v1.cri".registry.mirrors."quay.io"]
                  endpoint = []
                [plugins."io.containerd.grpc.v1.cri".registry.mirrors."gcr.io"]
                  endpoint = ["ftp://nope"]
                [plugins."io.containerd.grpc.v1.cri".registry.configs."harbor.example.com".tls]
                  cert_file = "/etc/pki/c.pem"
                  key_file = "/etc/pki/k.pem"
                [plugins."io.containerd.grpc.v1.cri".registry.mirrors."reg.example.org"]
                  endpoint = ["https://cache.example.org"]
                [plugins."io.containerd.grpc.v1.cri".registry.configs."reg.example.org".tls]
                  ca_file = "/etc/pki/org-ca.pem"
                [plugins."io.containerd.grpc.v1.cri".registry.configs."lab.example.net:5000".tls]
                  insecure_skip_verify = true
                """;
        ConfigEdit e = edit(in, V17);
        assertEquals(List.of(new MirrorSpec("docker.io", null, List.of(
                Endpoint.of("http://localhost:5000"),
                Endpoint.of("https://mirror.example.com"),
                Endpoint.of("https://harbor.example.com/v2/hub").withOverridePath(true)
                        .withClient(ClientCert.of("/etc/pki/c.pem", "/etc/pki/k.pem")),
                Endpoint.of("https://m2.example.com/v2"))),
                // TLS of a registry host that is no mirror endpoint applied to the registry itself, tried last
                new MirrorSpec("reg.example.org", null, List.of(Endpoint.of("https://cache.example.org"),
                        Endpoint.of("https://reg.example.org").withCa("/etc/pki/org-ca.pem"))),
                MirrorSpec.of("lab.example.net:5000", Endpoint.of("https://lab.example.net:5000").withSkipVerify(true))),
                e.migrated());
        assertTrue(e.notes().stream().anyMatch(n -> n.contains("\"localhost:5000\" had no scheme")), e.notes()::toString);
        assertTrue(e.notes().stream().anyMatch(n -> n.contains("quay.io\" had no endpoints")), e.notes()::toString);
        assertTrue(e.warnings().stream().anyMatch(w -> w.contains("gcr.io\" could not be carried over")), e.warnings()::toString);
        assertFalse(Toml.parse(e.text()).toMap().toString().contains("tls"));
    }

    @Test
    void theWildcardBecomesDefaultOnlyWhereItExists() throws ConfigTomlException {
        String in = "version = 2\n[plugins.\"io.containerd.grpc.v1.cri\".registry.mirrors.\"*\"]\n  endpoint = [\"http://10.0.20.10:5000\"]\n";
        ConfigEdit on17 = edit(in, V17);
        assertEquals(List.of(MirrorSpec.pullThrough("_default", "http://10.0.20.10:5000")), on17.migrated());
        ConfigEdit on16 = edit(in, V16);
        assertEquals(List.of(), on16.migrated());
        assertTrue(on16.warnings().get(0).contains("NOT carried over") && on16.warnings().get(0).contains("_default"),
                on16.warnings()::toString);
        assertFalse(on16.text().contains("mirrors"), "removed anyway: containerd would not load CRI with it");
    }

    @Test
    void warnsAboutWhatItDoesNotEdit() throws ConfigTomlException {
        ConfigEdit e = edit("""
                version = 2
                disabled_plugins = ["cri"]
                imports = ["/etc/containerd/conf.d/*.toml"]
                [plugins.cri.registry.mirrors."docker.io"]
                  endpoint = ["http://10.0.20.10:5000"]
                """, V17);
        // imports: warned about by the plan only when a file on the node matches (MirrorPlanTest)
        assertEquals(2, e.warnings().size(), e.warnings()::toString);
        assertTrue(e.warnings().get(0).contains("plugins.cri.registry is not where"), e.warnings().get(0));
        assertTrue(e.warnings().get(1).contains("disabled_plugins"), e.warnings().get(1));
        assertEquals(List.of("/etc/containerd/conf.d/*.toml"), ConfigImports.of(e.text()));
        assertTrue(e.text().contains("[plugins.cri.registry.mirrors.\"docker.io\"]"), "the other table is left alone");
    }

    @Test
    void leavesEverythingElseAloneEvenWhatLooksLikeTables() throws ConfigTomlException {
        String in = """
                version = 2
                notes = \"""
                [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
                # not a table, not a comment: text\"""
                literal = '''
                endpoint = ["x"] # still text
                '''
                [[proxy_plugins_list]]
                  name = "a" # an array of tables
                [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
                  endpoint = [ "http://10.0.20.10:5000",
                    "http://10.0.20.11:5000" ] # two
                [[proxy_plugins_list]]
                  name = "b"
                """;
        ConfigEdit e = edit(in, V17);
        assertEquals("""
                version = 2
                notes = \"""
                [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
                # not a table, not a comment: text\"""
                literal = '''
                endpoint = ["x"] # still text
                '''
                [[proxy_plugins_list]]
                  name = "a" # an array of tables
                [[proxy_plugins_list]]
                  name = "b"

                [plugins."io.containerd.grpc.v1.cri".registry]
                  config_path = "/etc/containerd/certs.d"
                """, e.text());
        assertEquals(List.of(MirrorSpec.pullThrough("docker.io", "http://10.0.20.10:5000", "http://10.0.20.11:5000")),
                e.migrated());
    }

    @Test
    void tellsAboutLocalPullModeOn21() throws ConfigTomlException {
        String in = "version = 3\n[plugins.\"io.containerd.cri.v1.images\".registry.configs.\"gcr.io\".auth]\n  username = \"u\"\n";
        assertTrue(edit(in, V21).notes().stream().anyMatch(n -> n.contains("local pull mode")));
        assertFalse(edit(in, V20).notes().stream().anyMatch(n -> n.contains("local pull mode")), "2.0 has no transfer-service CRI pulls");
    }
}
