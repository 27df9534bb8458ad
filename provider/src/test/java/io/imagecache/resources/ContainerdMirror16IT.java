package io.imagecache.resources;

import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;

/** ContainerdMirror on containerd 1.6 (Debian 12's 1.6.20), config version 2. */
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
}
