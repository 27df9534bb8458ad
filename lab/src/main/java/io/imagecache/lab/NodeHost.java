package io.imagecache.lab;

import java.util.ArrayList;
import java.util.List;
import org.testcontainers.containers.Container.ExecResult;

/**
 * A lab host running containerd 1.6 (Debian's) as a Kubernetes node would, with crictl set up by
 * {@code /etc/crictl.yaml}. containerd is managed by the image's systemctl stand-in, so
 * {@code systemctl restart containerd} (the provider's default restart command) works here.
 */
public final class NodeHost extends LabHost {
    public static final String CONFIG_FILE = "/etc/containerd/config.toml";
    public static final String CERTS_DIR = "/etc/containerd/certs.d";

    public NodeHost(LabNetwork network) {
        super(network, Role.NODE);
    }

    /** {@code containerd --version}, e.g. "containerd github.com/containerd/containerd 1.6.20~ds1 ...". */
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
