package io.imagecache.resources;

import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;

/** ContainerdMirror on containerd 1.7 (built from Go modules), starting from its own `config default`. */
class ContainerdMirror17IT extends ContainerdMirrorContract {
    private String defaults;

    @Override
    protected NodeHost startNode(LabNetwork network) {
        NodeHost n = NodeHost.containerd17(network);
        n.start();
        defaults = n.readFile(NodeHost.CONFIG_FILE);
        return n;
    }

    @Override
    protected String brokenSeedConfig() {
        return defaults.replaceFirst("(\\[plugins\\.\"io\\.containerd\\.grpc\\.v1\\.cri\"\\.registry]\\s*\\n\\s*)config_path = \"\"",
                "$1config_path = \"/etc/containerd/certs.d\"") + """

                [plugins."io.containerd.grpc.v1.cri".registry.mirrors."*"]
                  endpoint = ["http://10.0.20.10:5000"]
                [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
                  endpoint = ["http://10.0.20.10:5000"]
                """;
    }

    @Override
    protected String configWithMirrorsInADropIn() {
        return withImports(defaults, "imports = [\"/etc/containerd/conf.d/*.toml\"]");
    }

    @Override
    protected String dropInWithMirrors() {
        return """
                version = 2
                [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
                  endpoint = ["http://10.255.255.1:5000"]
                """;
    }

    /** containerd 1.7 still merges imports plugin by plugin, like 1.6. */
    @Override
    protected String expectedRollbackReason() {
        return "containerd runs with config_path \"\", not \"/etc/containerd/certs.d\": another file overrides";
    }
}
