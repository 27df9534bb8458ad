package io.imagecache.lab;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.utility.DockerImageName;

/**
 * A lab host running containerd as a Kubernetes node would, with crictl set up by {@code /etc/crictl.yaml}.
 * Which containerd is picked by {@link Containerd}: Debian's 1.6 ({@link #containerd16}), or 1.7 / 2.x built
 * from Go modules ({@link #containerd17}, {@link #containerd2}; images made by lab/images/build.sh, each with
 * the {@code /etc/containerd/config.toml} that its own {@code containerd config default} prints). containerd
 * is managed by the image's systemctl stand-in, so {@code systemctl restart containerd} (the provider's
 * default restart command) works here, and its log is {@code /var/log/containerd.log}
 * ({@code journalctl -u containerd} prints it).
 */
public final class NodeHost extends LabHost {
    public static final String CONFIG_FILE = "/etc/containerd/config.toml";
    public static final String CERTS_DIR = "/etc/containerd/certs.d";
    public static final String LOG_FILE = "/var/log/containerd.log";
    /** The image label lab/images/build.sh sets on the node images it builds from Go modules. */
    public static final String VERSION_LABEL = "imagecache.containerd.version";

    /** The containerd versions the lab has, and what each reads. */
    public enum Containerd {
        /** Debian 12's containerd 1.6.20 in {@code imagecache-lab/host:dev}; Debian's short config.toml (version 2). */
        V1_6("1.6", LabHost.IMAGE, 2, "io.containerd.grpc.v1.cri", List.of("io.containerd.grpc.v1.cri")),
        /** containerd 1.7.x from Go modules ({@code imagecache-lab/node:1.7}); default config version 2. */
        V1_7("1.7", image("imagecache.lab.node17Image", "imagecache-lab/node:1.7"), 2, "io.containerd.grpc.v1.cri",
                List.of("io.containerd.grpc.v1.cri")),
        /**
         * containerd 2.x from Go modules ({@code imagecache-lab/node:2}); default config version 3. The CRI plugin
         * is split: {@code io.containerd.cri.v1.images} holds the registry settings and {@code io.containerd.grpc.v1.cri}
         * (the CRI service) depends on it.
         */
        V2("2", image("imagecache.lab.node2Image", "imagecache-lab/node:2"), 3, "io.containerd.cri.v1.images",
                List.of("io.containerd.cri.v1.images", "io.containerd.grpc.v1.cri"));

        private final String series;
        private final DockerImageName image;
        private final int configVersion;
        private final String registryPlugin;
        private final List<String> criPlugins;

        Containerd(String series, DockerImageName image, int configVersion, String registryPlugin, List<String> criPlugins) {
            this.series = series;
            this.image = image;
            this.configVersion = configVersion;
            this.registryPlugin = registryPlugin;
            this.criPlugins = criPlugins;
        }

        private static DockerImageName image(String property, String fallback) {
            return DockerImageName.parse(System.getProperty(property, fallback));
        }

        /** "1.6", "1.7" or "2". */
        public String series() {
            return series;
        }

        public DockerImageName image() {
            return image;
        }

        /** The {@code version = N} line of the image's default config.toml. */
        public int configVersion() {
            return configVersion;
        }

        /** The plugin whose {@code registry} table holds {@code config_path} (and the deprecated {@code mirrors}). */
        public String registryPlugin() {
            return registryPlugin;
        }

        /** The TOML table of the registry settings, e.g. {@code plugins."io.containerd.cri.v1.images".registry}. */
        public String registryTable() {
            return "plugins.\"" + registryPlugin + "\".registry";
        }

        /** The plugins ({@code type.id}) that must be {@code ok} for CRI image pulls to work. */
        public List<String> criPlugins() {
            return criPlugins;
        }
    }

    private final Containerd containerd;

    /** A node with Debian's containerd 1.6 (same as {@link #containerd16}). */
    public NodeHost(LabNetwork network) {
        this(network, Containerd.V1_6);
    }

    public NodeHost(LabNetwork network, Containerd containerd) {
        super(network, Role.NODE, containerd.image());
        this.containerd = containerd;
    }

    public static NodeHost containerd16(LabNetwork network) {
        return new NodeHost(network, Containerd.V1_6);
    }

    public static NodeHost containerd17(LabNetwork network) {
        return new NodeHost(network, Containerd.V1_7);
    }

    public static NodeHost containerd2(LabNetwork network) {
        return new NodeHost(network, Containerd.V2);
    }

    public Containerd containerd() {
        return containerd;
    }

    /**
     * The containerd version this node's image was built with: the {@link #VERSION_LABEL} label (e.g. "1.7.35",
     * "2.2.9"), or for Debian's the package's upstream version ("1.6.20~ds1"). {@link #containerdVersion()}
     * contains it.
     */
    public String imageContainerdVersion() {
        Map<String, String> labels = DockerClientFactory.instance().client()
                .inspectImageCmd(containerd.image().asCanonicalNameString()).exec().getConfig().getLabels();
        String label = labels == null ? null : labels.get(VERSION_LABEL);
        if (label != null && !label.isBlank()) {
            return label;
        }
        String deb = sh("dpkg-query -W -f='${Version}' containerd").strip();
        return deb.contains("-") ? deb.substring(0, deb.lastIndexOf('-')) : deb;
    }

    /**
     * {@code containerd --version}, e.g. "containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3"
     * or "containerd github.com/containerd/containerd/v2 v2.2.9" (Go-module builds have no revision).
     */
    public String containerdVersion() {
        return sh("containerd --version").strip();
    }

    /** containerd's PID as the systemctl stand-in knows it (0 when it is not running). */
    public long containerdPid() {
        String line = sh("systemctl show containerd --property=MainPID").strip();
        return Long.parseLong(line.substring(line.indexOf('=') + 1));
    }

    /** {@code systemctl restart containerd}; fails if containerd does not come back. */
    public void restartContainerd() {
        sh("systemctl restart containerd");
    }

    /** containerd's log (stdout and stderr of every run since the container started). */
    public String containerdLog() {
        return sh("cat " + LOG_FILE + " 2>/dev/null || true");
    }

    /** {@code ctr plugins ls} as {@code type.id} to status ({@code ok}, {@code error}, {@code skip}), in listed order. */
    public Map<String, String> pluginStatus() {
        ExecResult r = ctr("plugins", "ls");
        if (r.getExitCode() != 0) {
            throw new IllegalStateException("ctr plugins ls exited " + r.getExitCode() + ": " + r.getStderr().strip());
        }
        Map<String, String> out = new LinkedHashMap<>();
        r.getStdout().lines().skip(1).map(String::strip).filter(l -> !l.isEmpty()).forEach(l -> {
            String[] f = l.split("\\s+");
            out.put(f[0] + "." + f[1], f[f.length - 1]);
        });
        return out;
    }

    /** Whether every one of {@link Containerd#criPlugins()} is {@code ok}. */
    public boolean criLoaded() {
        Map<String, String> status = pluginStatus();
        return containerd.criPlugins().stream().allMatch(p -> "ok".equals(status.get(p)));
    }

    /**
     * The error message {@code ctr plugins ls -d} shows for {@code plugin} ({@code type.id}, e.g.
     * {@code io.containerd.grpc.v1.cri}), if it failed to load.
     */
    public Optional<String> pluginError(String plugin) {
        int dot = plugin.lastIndexOf('.');
        ExecResult r = ctr("plugins", "ls", "-d", "type==" + plugin.substring(0, dot) + ",id==" + plugin.substring(dot + 1));
        return r.getStdout().lines().map(String::strip).filter(l -> l.startsWith("Message:"))
                .map(l -> l.substring("Message:".length()).strip()).findFirst();
    }

    /** The first error among {@link Containerd#criPlugins()} (the root cause on 2.x: the images plugin's). */
    public Optional<String> criError() {
        return containerd.criPlugins().stream().map(this::pluginError).flatMap(Optional::stream).findFirst();
    }

    /** Runs {@code crictl args...}; the result is returned whatever the exit status. */
    public ExecResult crictl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("crictl"));
        cmd.addAll(List.of(args));
        return exec(cmd.toArray(String[]::new));
    }

    /** Runs {@code ctr args...}; the result is returned whatever the exit status. */
    public ExecResult ctr(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ctr"));
        cmd.addAll(List.of(args));
        return exec(cmd.toArray(String[]::new));
    }
}
