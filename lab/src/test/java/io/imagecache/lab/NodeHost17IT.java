package io.imagecache.lab;

import java.util.Map;

/** containerd 1.7.x built from Go modules ({@code imagecache-lab/node:1.7}). */
class NodeHost17IT extends NodeHostContract {
    NodeHost17IT() {
        super(NodeHost.Containerd.V1_7);
    }

    @Override
    Map<String, String> mirrorsWithConfigPathErrors() {
        return Map.of("io.containerd.grpc.v1.cri", "invalid plugin config: `mirrors` cannot be set when `config_path` is provided");
    }
}
