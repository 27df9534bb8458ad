package io.imagecache.resources;

import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;

/** ContainerdMirror on containerd 2.x (built from Go modules; config version 3), starting from its own `config default`. */
class ContainerdMirror2IT extends ContainerdMirrorContract {
    private String defaults;

    @Override
    protected NodeHost startNode(LabNetwork network) {
        NodeHost n = NodeHost.containerd2(network);
        n.start();
        defaults = n.readFile(NodeHost.CONFIG_FILE);
        return n;
    }

    @Override
    protected String brokenSeedConfig() {
        return defaults.replaceFirst("(\\[plugins\\.'io\\.containerd\\.cri\\.v1\\.images'\\.registry]\\s*\\n\\s*)config_path = ''",
                "$1config_path = '/etc/containerd/certs.d'") + """

                [plugins.'io.containerd.cri.v1.images'.registry.mirrors.'docker.io']
                  endpoint = ['http://10.0.20.10:5000']
                [plugins.'io.containerd.cri.v1.images'.registry.mirrors.'quay.io']
                  endpoint = ['http://10.0.20.10:5020']
                """;
    }

    @Override
    protected String configWithMirrorsInADropIn() {
        return withImports(defaults, "imports = ['/etc/containerd/conf.d/*.toml']");
    }

    @Override
    protected String dropInWithMirrors() {
        return """
                version = 3
                [plugins.'io.containerd.cri.v1.images'.registry.mirrors.'docker.io']
                  endpoint = ['http://10.255.255.1:5000']
                """;
    }

    /** containerd 2.x merges imports deeply: the drop-in's mirrors meet the new config_path and CRI refuses both. */
    @Override
    protected String expectedRollbackReason() {
        return "`mirrors` cannot be set when `config_path` is provided";
    }
}
