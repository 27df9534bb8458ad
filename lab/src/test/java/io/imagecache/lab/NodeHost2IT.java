package io.imagecache.lab;

import java.util.LinkedHashMap;
import java.util.Map;

/** containerd 2.x built from Go modules ({@code imagecache-lab/node:2}). */
class NodeHost2IT extends NodeHostContract {
    NodeHost2IT() {
        super(NodeHost.Containerd.V2);
    }

    /** The images plugin fails (the root cause), and the CRI service fails because it depends on it. */
    @Override
    Map<String, String> mirrorsWithConfigPathErrors() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("io.containerd.cri.v1.images", "invalid cri image config: `mirrors` cannot be set when `config_path` is provided");
        m.put("io.containerd.grpc.v1.cri", "unable to load CRI image service plugin dependency: "
                + "invalid cri image config: `mirrors` cannot be set when `config_path` is provided");
        return m;
    }
}
