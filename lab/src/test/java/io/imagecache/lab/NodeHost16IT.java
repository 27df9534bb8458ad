package io.imagecache.lab;

import java.util.Map;

/** Debian 12's containerd 1.6 ({@code imagecache-lab/host:dev}). */
class NodeHost16IT extends NodeHostContract {
    NodeHost16IT() {
        super(NodeHost.Containerd.V1_6);
    }

    @Override
    Map<String, String> mirrorsWithConfigPathErrors() {
        return Map.of("io.containerd.grpc.v1.cri", "invalid plugin config: `mirrors` cannot be set when `config_path` is provided");
    }
}
