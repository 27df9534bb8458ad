package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.LabHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.spi.Context;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.jsch.JschRemoteHostFactory;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * ContainerdMirror on containerd 1.6 (Debian 12's 1.6.20), config version 2; also the ways of reaching a
 * node (pinned host keys, a jump host, a sudo user), which do not depend on the containerd version.
 */
class ContainerdMirror16IT extends ContainerdMirrorContract {
    static final String DEBIAN_DEFAULT = """
            version = 2

            [plugins]
              [plugins."io.containerd.grpc.v1.cri"]
                [plugins."io.containerd.grpc.v1.cri".cni]
                  bin_dir = "/usr/lib/cni"
                  conf_dir = "/etc/cni/net.d"
              [plugins."io.containerd.internal.v1.opt"]
                path = "/var/lib/containerd/opt"
            """;

    @Override
    protected NodeHost startNode(LabNetwork network) {
        NodeHost n = new NodeHost(network);
        n.start();
        return n;
    }

    @Override
    protected String brokenSeedConfig() {
        return DEBIAN_DEFAULT + """
                  [plugins."io.containerd.grpc.v1.cri".registry]
                    config_path = "/etc/containerd/certs.d"
                  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."*"]
                    endpoint = ["http://10.0.20.10:5000"]
                  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
                    endpoint = ["http://10.0.20.10:5000"]
                """;
    }

    @Override
    protected String configWithMirrorsInADropIn() {
        return "imports = [\"/etc/containerd/conf.d/*.toml\"]\n" + DEBIAN_DEFAULT;
    }

    /** containerd 1.6 merges imports plugin by plugin: the drop-in's CRI table replaces the main file's. */
    @Override
    protected String expectedRollbackReason() {
        return "containerd runs with config_path \"\", not \"/etc/containerd/certs.d\": another file overrides";
    }

    @Override
    protected String dropInWithMirrors() {
        return """
                version = 2
                [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
                  endpoint = ["http://10.255.255.1:5000"]
                """;
    }

    private ContainerdMirror.Args reaching(ConnectionArgs c) {
        return new ContainerdMirror.Args(c, List.of(new ContainerdMirror.MirrorArgs("docker.io",
                List.of("http://10.0.20.10:5000"), null, null, null, null, null, null)), "/etc/containerd/certs.d",
                NodeHost.CONFIG_FILE, "systemctl restart containerd", 60);
    }

    private ContainerdMirror resource() {
        return new ContainerdMirror(new JschRemoteHostFactory(),
                () -> Optional.of(new DefaultCredentials.Found(node.rootKey().privateKey(), null)), Clock.systemUTC());
    }

    private static Decoded<ContainerdMirror.Args> dec(ContainerdMirror.Args a) {
        return new Decoded<>(a, Set.of(), Set.of(), List.of());
    }

    @Test
    @Order(7)
    void aHostKeyThatDoesNotMatchRefusesToConnect() {
        String before = node.readFile(NodeHost.CONFIG_FILE);
        ConnectionArgs pinned = new ConnectionArgs(node.ip(), 22, "root", null, null, null,
                "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHx0ZXN0a2V5dGVzdGtleXRlc3RrZXl0ZXN0a2V5dGVzdA", null, 10, 3, 1, false);
        ResourceException e = assertThrows(ResourceException.class, () -> resource().create(
                new CustomResource.CreateRequest<>("urn", "n", dec(reaching(pinned)), false, ObservedContext.create())));
        assertEquals(ResourceException.Kind.PERMISSION_DENIED, e.kind());
        assertTrue(e.getMessage().contains("SHA256:"), "names the fingerprints: " + e.getMessage());
        assertEquals(before, node.readFile(NodeHost.CONFIG_FILE), "nothing was touched");
    }

    @Test
    @Order(8)
    void aNodeBehindAJumpHostAndASudoUser() throws ResourceException {
        node.sh("rm -f /etc/containerd/conf.d/mirrors.toml");
        node.writeFile(NodeHost.CONFIG_FILE, DEBIAN_DEFAULT);
        node.restartContainerd();
        try (LabHost jump = LabHost.plain(network).withAuthorizedKey(node.rootKey())) {
            jump.start();
            ConnectionArgs viaJump = new ConnectionArgs(node.ip(), 22, "ops", node.rootKey().privateKey(), null, null, null,
                    new ConnectionArgs(jump.ip(), 22, "root", node.rootKey().privateKey(), null, null, null, null, 10, 3, 1, false),
                    10, 3, 1, true);
            ContainerdMirror.State s = resource().create(new CustomResource.CreateRequest<>("urn", "n", dec(reaching(viaJump)),
                    false, ObservedContext.create())).state();
            assertEquals(java.util.Set.of(jump.ip() + ":22", node.ip() + ":22"), s.hostKeys().keySet(),
                    "both hops were verified and recorded");
            assertEquals("root 644", node.sh("stat -c '%U %a' /etc/containerd/certs.d/docker.io/hosts.toml").strip(),
                    "ops wrote through sudo as root");
            assertEquals("ok", node.sh("ctr plugins ls | awk '$2 == \"cri\" {print $NF}'").strip());
        }
    }

    /**
     * The probe asks containerd its version once per binary: the recorded one is not asked again, and a containerd
     * installed ahead of it on the PATH (a newer one in /usr/local/bin, as a hand upgrade leaves it) is read.
     */
    @Test
    @Order(40)
    void containerdIsAskedItsVersionOncePerBinary() throws ResourceException {
        node.sh("rm -f /etc/containerd/conf.d/mirrors.toml");
        node.writeFile(NodeHost.CONFIG_FILE, DEBIAN_DEFAULT);
        node.restartContainerd();
        ConnectionArgs root = new ConnectionArgs(node.ip(), 22, "root", node.rootKey().privateKey(), null, null, null, null,
                10, 3, 1, false);
        ContainerdMirror.Args args = reaching(root);
        ContainerdMirror.State created = resource().create(new CustomResource.CreateRequest<>("urn", "n", dec(args), false,
                ObservedContext.create())).state();
        assertTrue(created.containerdBinary().startsWith("/usr/bin/containerd "), created.containerdBinary());
        try {
            // a containerd that says it is 1.7.27 and notes each --version it is asked
            node.writeFile("/usr/local/bin/containerd", """
                    #!/bin/sh
                    if [ "$1" = --version ]; then echo asked >> /tmp/version-asked
                      echo 'containerd github.com/containerd/containerd v1.7.27 05044ec0a9a75232cad458027ca83437aae3f4da'; exit 0; fi
                    exec /usr/bin/containerd "$@"
                    """);
            node.sh("chmod 755 /usr/local/bin/containerd; rm -f /tmp/version-asked");
            ContainerdMirror.State first = resource().read(new CustomResource.ReadRequest<>(created.toString(), "urn",
                    Optional.of(args), Optional.of(created), ObservedContext.create())).state();
            assertEquals("1.7.27", first.containerdVersion(), "the new containerd on the PATH was read");
            assertTrue(first.containerdBinary().startsWith("/usr/local/bin/containerd "), first.containerdBinary());
            ContainerdMirror.State second = resource().read(new CustomResource.ReadRequest<>(created.toString(), "urn",
                    Optional.of(args), Optional.of(first), ObservedContext.create())).state();
            assertEquals("1.7.27", second.containerdVersion());
            assertEquals(first.containerdBinary(), second.containerdBinary());
            assertEquals("asked", node.sh("cat /tmp/version-asked").strip(), "asked once, for the first refresh only");
        } finally {
            node.sh("rm -f /usr/local/bin/containerd /tmp/version-asked");
        }
        ContainerdMirror.State back = resource().read(new CustomResource.ReadRequest<>(created.toString(), "urn",
                Optional.of(args), Optional.of(created), ObservedContext.create())).state();
        assertEquals(created.containerdVersion(), back.containerdVersion());
    }
}
