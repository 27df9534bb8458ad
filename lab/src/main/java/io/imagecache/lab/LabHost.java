package io.imagecache.lab;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.Volume;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * A lab host: the {@code imagecache-lab/host:dev} image (Debian 12, OpenSSH on port 22, cron, root and
 * the passwordless-sudo user {@code ops}) on a {@link LabNetwork}. Root and ops accept
 * {@link #rootKey()}; ops also logs in with {@link #opsPassword()}. The {@link Role} picks what runs
 * besides sshd: containerd ({@link NodeHost}), dockerd ({@link DockerHost}) or the VMs' network
 * ({@link HypervisorHost}).
 *
 * <p>{@code --privileged} fails on the lab machines; the container gets SYS_ADMIN and NET_ADMIN with
 * seccomp and AppArmor off instead, and the daemon's state directory on a volume (overlayfs cannot
 * be stacked on the container's own overlay root), and Docker's init (tini) as PID 1 to reap
 * stopped daemons. {@link #exec} uses {@code docker exec} and is for
 * test assertions only: products reach hosts over SSH.
 */
public class LabHost extends GenericContainer<LabHost> {
    /** The lab host image; the system property {@code imagecache.lab.hostImage} picks another build to try. */
    public static final DockerImageName IMAGE =
            DockerImageName.parse(System.getProperty("imagecache.lab.hostImage", "imagecache-lab/host:dev"));
    public static final int SSH_PORT = 22;
    /** Where lab-init's sshd logs (LogLevel VERBOSE: one "Connection from" line per connection it accepts). */
    public static final String SSHD_LOG = "/var/log/sshd.log";
    /** Where {@link #withCommandRecorder()} records every command sshd runs: one line {@code <user>:<base64 of the command>}. */
    public static final String COMMAND_LOG = "/var/log/lab-commands.log";
    private static final String RECORDER = "/usr/local/sbin/lab-record-command";
    /**
     * sshd's {@code ForceCommand} on a host with a recorder: the command the client asked for ({@code SSH_ORIGINAL_COMMAND},
     * absent for a login shell) is appended to {@link #COMMAND_LOG} as base64 (so newlines and any other byte survive),
     * then run exactly as sshd runs it without a ForceCommand: {@code $SHELL -c "<command>"}, by exec, so the process,
     * its group, its signals and its stdin are the command's own. Nothing here reads stdin.
     */
    private static final String RECORDER_SCRIPT = """
            #!/bin/sh
            # LabHost.withCommandRecorder: sshd's ForceCommand; records the command, then runs it as sshd would.
            b64=$(printf '%s' "${SSH_ORIGINAL_COMMAND-}" | base64 -w0)
            printf '%s:%s%s\\n' "$(id -un)" "${SSH_ORIGINAL_COMMAND+=}" "$b64" >> /var/log/lab-commands.log
            if [ -n "${SSH_ORIGINAL_COMMAND+set}" ]; then
              exec "${SHELL:-/bin/sh}" -c "$SSH_ORIGINAL_COMMAND"
            fi
            exec "${SHELL:-/bin/sh}" -l
            """;

    /** What lab-init starts besides sshd and cron ({@code LAB_ROLE}). */
    public enum Role {
        PLAIN("plain", Optional.empty()),
        NODE("node", Optional.of("/var/lib/containerd")),
        DOCKER("docker", Optional.of("/var/lib/docker")),
        /** KVM, br0 with NAT and a DHCP decoy ({@link HypervisorHost}); VM disks go on the volume. */
        HYPERVISOR("hypervisor", Optional.of(HypervisorHost.STATE_DIR));

        private final String env;
        private final Optional<String> stateDir;

        Role(String env, Optional<String> stateDir) {
            this.env = env;
            this.stateDir = stateDir;
        }
    }

    private final LabNetwork network;
    private final Role role;
    private final SshKeys rootKey;
    private final String opsPassword;
    /** ops's password for chpasswd, copied in before start (0600) and removed once set. */
    private static final String OPS_PASSWORD_FILE = "/root/.lab-ops-password";
    private final List<String> authorizedKeys = new ArrayList<>();

    /** A host running only sshd and cron. */
    public static LabHost plain(LabNetwork network) {
        return new LabHost(network, Role.PLAIN);
    }

    protected LabHost(LabNetwork network, Role role) {
        this(network, role, IMAGE);
    }

    /** A host of {@code role} on another lab image built FROM the host image (e.g. a node with another containerd). */
    protected LabHost(LabNetwork network, Role role, DockerImageName image) {
        super(image);
        this.network = network;
        this.role = role;
        this.rootKey = SshKeys.ed25519();
        this.opsPassword = randomPassword();
        authorizedKeys.add(rootKey.publicKey());
        withNetwork(network.network());
        withLabel("io.imagecache.lab", role.env);
        withEnv("LAB_ROLE", role.env);
        // not LAB_OPS_PASSWORD: an environment shows in every process's /proc/*/environ and in docker inspect
        withCopyToContainer(Transferable.of("ops:" + opsPassword + "\n", 0600), OPS_PASSWORD_FILE);
        withCreateContainerCmdModifier(cmd -> {
            cmd.getHostConfig()
                    // lab-init ends in `exec sleep infinity`, which never reaps: without an init as PID 1
                    // every daemon stopped by systemctl (or a killed sshd) stays a zombie that kill -0 sees
                    .withInit(true)
                    .withCapAdd(Capability.SYS_ADMIN, Capability.NET_ADMIN)
                    .withSecurityOpts(List.of("seccomp=unconfined", "apparmor=unconfined"));
            role.stateDir.ifPresent(dir -> cmd.withVolumes(new Volume(dir)));
        });
        waitingFor(Wait.forLogMessage(".*lab-init: ready.*\\n", 1).withStartupTimeout(Duration.ofMinutes(2)));
    }

    /**
     * Records every command sshd runs on this host, as the client sent it, before the command starts (an sshd
     * {@code ForceCommand} wrapper; see {@link #recordedCommands()}). Port forwarding and the sshd log are unchanged.
     * Before start only.
     */
    public LabHost withCommandRecorder() {
        withCopyToContainer(Transferable.of(RECORDER_SCRIPT, 0755), RECORDER);
        withCopyToContainer(Transferable.of("# LabHost.withCommandRecorder\nForceCommand " + RECORDER + "\n", 0644),
                "/etc/ssh/sshd_config.d/00-lab-record-command.conf");
        // root and ops both append (0666: a lab host only)
        withCopyToContainer(Transferable.of(new byte[0], 0666), COMMAND_LOG);
        return self();
    }

    /** One command a client had sshd run: the user it logged in as and the command line, byte for byte. */
    public record RecordedCommand(String user, String command) {}

    /**
     * Every command sshd ran since start, oldest first (read with {@code docker exec}, which sshd does not see; a login
     * without a command is an empty one). Fails unless {@link #withCommandRecorder()} was given, or on a line the recorder
     * did not write.
     */
    public List<RecordedCommand> recordedCommands() {
        ExecResult r = exec("cat", COMMAND_LOG);
        if (r.getExitCode() != 0) {
            throw new IllegalStateException(getContainerName() + " has no " + COMMAND_LOG + " (" + r.getStderr().strip()
                    + "): start it withCommandRecorder()");
        }
        List<RecordedCommand> out = new ArrayList<>();
        for (String line : r.getStdout().split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([a-z_][a-z0-9_-]*):(=?)([A-Za-z0-9+/=]*)").matcher(line);
            if (!m.matches()) {
                throw new IllegalStateException("a line in " + COMMAND_LOG + " on " + getContainerName()
                        + " that the recorder did not write: " + line);
            }
            out.add(new RecordedCommand(m.group(1), m.group(2).isEmpty() ? ""
                    : new String(java.util.Base64.getDecoder().decode(m.group(3)), StandardCharsets.UTF_8)));
        }
        return out;
    }

    /** Also authorizes {@code keys} for root and ops (e.g. an RSA or an encrypted key). Before start only. */
    public LabHost withAuthorizedKey(SshKeys keys) {
        authorizedKeys.add(keys.publicKey());
        return self();
    }

    @Override
    protected void configure() {
        withEnv("LAB_AUTHORIZED_KEYS", String.join("\n", authorizedKeys));
    }

    @Override
    protected void containerIsStarted(InspectContainerResponse info) {
        sh("chpasswd < " + OPS_PASSWORD_FILE + " && rm -f " + OPS_PASSWORD_FILE);
        awaitSshFromHere(Duration.ofSeconds(20));
    }

    /** lab-init printed "ready" after starting sshd; this also proves the JVM routes to the bridge. */
    private void awaitSshFromHere(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(ip(), SSH_PORT), 2000);
                byte[] banner = s.getInputStream().readNBytes(4);
                if (new String(banner, StandardCharsets.US_ASCII).equals("SSH-")) {
                    return;
                }
            } catch (IOException e) {
                last = e;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("sshd on " + ip() + ":22 does not answer from the test JVM", last);
    }

    /** The address on the lab network: from the test JVM and from the other lab containers. */
    public String ip() {
        String id = network.id();
        return getContainerInfo().getNetworkSettings().getNetworks().values().stream()
                .filter(n -> id.equals(n.getNetworkID()))
                .map(ContainerNetwork::getIpAddress)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(getContainerName() + " is not on " + network));
    }

    public int sshPort() {
        return SSH_PORT;
    }

    public Role role() {
        return role;
    }

    public LabNetwork labNetwork() {
        return network;
    }

    /** The key root and ops accept. */
    public SshKeys rootKey() {
        return rootKey;
    }

    /** The password of the sudo user {@code ops}. */
    public String opsPassword() {
        return opsPassword;
    }

    /** The host's ed25519 key as an authorized_keys line ({@code ssh-ed25519 AAAA... root@host}). */
    public String hostKeyLine() {
        return hostKeyLine("ed25519");
    }

    /** The host key of {@code type} (ed25519, ecdsa, rsa) as an authorized_keys line. */
    public String hostKeyLine(String type) {
        return readFile("/etc/ssh/ssh_host_" + type + "_key.pub").strip();
    }

    /**
     * How many TCP connections this host's sshd has accepted since it started: the "Connection from" lines of
     * {@link #SSHD_LOG}, read with {@code docker exec} (which sshd does not see). The check that the host was
     * reachable at start counts as one. Fails if sshd does not log there (an image from before lab-init's
     * {@code -E}: run {@code make lab}).
     */
    public long sshConnections() {
        return sshLog().lines().filter(l -> l.contains("Connection from ")).count();
    }

    /** How many logins this host's sshd accepted since it started ("Accepted publickey/password ..." lines). */
    public long sshLogins() {
        return sshLog().lines().filter(l -> l.contains("Accepted ")).count();
    }

    private String sshLog() {
        ExecResult r = exec("cat", SSHD_LOG);
        if (r.getExitCode() != 0) {
            throw new IllegalStateException(getContainerName() + " has no " + SSHD_LOG + " (" + r.getStderr().strip()
                    + "): its image predates lab-init's sshd log; rebuild the lab images with `make lab`");
        }
        return r.getStdout();
    }

    /**
     * Kills sshd as a crash would: SIGKILL to the listener and to every session process (OpenSSH 9.2 runs each
     * session in a process named {@code sshd} too), so new connections are refused and established ones drop. The
     * commands those sessions ran are not killed (they lose their pipes). Returns once no sshd is left.
     */
    public void killSshd() {
        sh("pkill -9 -x sshd || true; i=0; while pgrep -x sshd >/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done;"
                + " ! pgrep -x sshd >/dev/null");
    }

    /**
     * Starts sshd again as lab-init does (same log, same options), unless its listener runs, and waits until it
     * answers from the test JVM.
     */
    public void startSshd() {
        sh("pgrep -f '^/usr/sbin/sshd -E' >/dev/null || { mkdir -p /run/sshd && setsid /usr/sbin/sshd -E " + SSHD_LOG
                + " -o LogLevel=VERBOSE </dev/null >/dev/null 2>&1; }");
        awaitSshFromHere(Duration.ofSeconds(20));
    }

    /** {@code docker exec} of {@code cmd}; for assertions in tests. */
    public ExecResult exec(String... cmd) {
        try {
            return execInContainer(cmd);
        } catch (IOException e) {
            throw new IllegalStateException("docker exec in " + getContainerName() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code sh -c script} as root and returns stdout; fails unless the exit status is 0. */
    public String sh(String script) {
        ExecResult r = exec("sh", "-c", script);
        if (r.getExitCode() != 0) {
            throw new IllegalStateException("`" + script + "` on " + getContainerName() + " exited "
                    + r.getExitCode() + ": " + r.getStderr().strip());
        }
        return r.getStdout();
    }

    /** The file's content as UTF-8 text. */
    public String readFile(String path) {
        return copyFileFromContainer(path, in -> new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Writes {@code content} to {@code path} (mode 0644, owned by root), creating parent directories. */
    public void writeFile(String path, String content) {
        copyFileToContainer(Transferable.of(content.getBytes(StandardCharsets.UTF_8), 0644), path);
    }

    private static String randomPassword() {
        String alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        SecureRandom random = new SecureRandom();
        StringBuilder sb = new StringBuilder("lab-");
        for (int i = 0; i < 20; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
