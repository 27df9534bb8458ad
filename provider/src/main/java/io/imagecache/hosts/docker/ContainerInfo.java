package io.imagecache.hosts.docker;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code docker inspect} says of one container, as far as the provider needs it.
 *
 * @param mounts     destination in the container -> source on the host
 * @param ports      the published ports ({@code HostConfig.PortBindings})
 * @param entrypoint {@code Config.Entrypoint}, empty when the container has none
 * @param cmd        {@code Config.Cmd}
 * @param imageId    the image it was made from, by ID ({@code Image}: what a tag pointed at then); empty when not said
 */
public record ContainerInfo(String name, String image, boolean running, String status, int restartCount,
                            Map<String, String> labels, Map<String, String> mounts, List<PortBinding> ports,
                            List<String> entrypoint, List<String> cmd, String imageId) {

    /** One published port: {@code hostIp:hostPort -> containerPort} ({@code 5000/tcp}); an empty hostIp means all. */
    public record PortBinding(String containerPort, String hostIp, int hostPort) {
        public String address() {
            return hostIp == null || hostIp.isEmpty() ? "0.0.0.0" : hostIp;
        }
    }

    public ContainerInfo {
        labels = Map.copyOf(labels);
        mounts = Map.copyOf(mounts);
        ports = List.copyOf(ports);
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
    }

    public Optional<String> label(String key) {
        return Optional.ofNullable(labels.get(key));
    }

    public Optional<String> mountSource(String destination) {
        return Optional.ofNullable(mounts.get(destination));
    }

    /** The binding of the container's {@code containerPort} (e.g. {@code 5000/tcp}), if it is published. */
    public Optional<PortBinding> published(String containerPort) {
        return ports.stream().filter(p -> p.containerPort().equals(containerPort)).findFirst();
    }
}
