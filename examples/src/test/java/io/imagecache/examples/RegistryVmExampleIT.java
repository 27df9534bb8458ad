package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.HypervisorHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Container.ExecResult;

/**
 * examples/registry-vm: a real KVM boot through the RegistryVm resource and the real CLI, on a hypervisor lab
 * host whose bridge also runs a DHCP server (a decoy: a VM that asked for DHCP would get another address).
 * The VM comes up on its static address with the host key made for it (every SSH here pins it), cloud-init's
 * user, Docker and the proxies' directories; PullThroughCache deploys into it and a lab node pulls through
 * it. A second stack of the same program, pointed at the same hypervisor, is refused the running VM and leaves it
 * alone (files, QEMU). The address changed: the VM is replaced, the proxy follows and the node's hosts.toml names the new
 * address. Moved to another address by hand, then stopped behind Pulumi's back: refresh reports each, and an up
 * with more CPUs restarts it on its own address. Destroy keeps
 * the data disk. It runs beside the other example tests (its time is mostly one emulated
 * CPU booting: TCG on these machines), on its own lab network and hypervisor subnet.
 */
@Order(1) // the longest: it starts first and the others run beside it
class RegistryVmExampleIT {
    private static LabNetwork network;
    private static HypervisorHost kvm;
    private static NodeHost node;
    private static LocalRegistry dockerHub;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        kvm = new HypervisorHost(network);
        kvm.start();
        node = NodeHost.containerd2(network);
        node.withAuthorizedKey(kvm.rootKey());
        node.start();
        kvm.routeFrom(node);
        dockerHub = LocalRegistry.plain().startedOn(network);
        ImageSeeder.to(dockerHub).dockerImage("library/hello", "1", "hello");
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {dockerHub, node, kvm, network}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    private static PulumiCli stack() {
        return stack("lab");
    }

    private static PulumiCli stack(String name) {
        // the example lets a boot take 1500 s (TCG beside other tests); an up waits for the boot and then deploys into it
        return PulumiCli.forExample("registry-vm", name).commandMinutes(35)
                .config("hypervisor", kvm.ip()).config("baseImage", kvm.baseImage()).config("accelerator", kvm.qemuAccel())
                .config("address", kvm.subnet().address(10) + "/24").config("gateway", kvm.subnet().gateway())
                .secretConfig("sshKey", kvm.rootKey().privateKey()).config("sshPublicKey", kvm.rootKey().publicKey())
                .config("node1", node.ip()).config("image", DockerHost.REGISTRY_IMAGE)
                .config("dockerUpstream", dockerHub.networkUrl());
    }

    /** Runs {@code command} on the VM as its user, over SSH with its host key pinned (never trust on first use). */
    static String vm(String address, String hostKey, String command) throws IOException, InterruptedException {
        Path key = tmp.resolve("id");
        if (!Files.exists(key)) {
            Files.writeString(key, kvm.rootKey().privateKey());
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        }
        Path known = Files.writeString(tmp.resolve("known_hosts"), address + " " + hostKey + "\n");
        Process p = new ProcessBuilder("ssh", "-i", key.toString(), "-o", "UserKnownHostsFile=" + known, "-o", "StrictHostKeyChecking=yes",
                "-o", "BatchMode=yes", "-o", "ConnectTimeout=10", "imagecache@" + address, command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("ssh " + address + " " + command + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("ssh " + address + " " + command + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    private static String hostsToml() {
        return node.sh("cat " + NodeHost.CERTS_DIR + "/docker.io/hosts.toml 2>/dev/null || true");
    }

    @Test
    void aRegistryVmOnItsStaticAddressWithTheCachesInIt() throws Exception {
        String first = kvm.subnet().address(10);
        try (PulumiCli cli = stack()) {
            PulumiCli.Result preview = cli.preview().assertOk();
            assertTrue(preview.stdout().contains("+ imagecache:index:RegistryVm: (create)"), preview.stdout());
            assertFalse(kvm.sh("ls " + HypervisorHost.VM_DIR + " 2>/dev/null || true").contains("registry"), "preview touches nothing");

            PulumiCli.Result up = cli.up().assertOk();
            assertEquals(first, cli.output("address").strip().replace("\"", ""));
            String hostKey = cli.output("hostKey").strip().replace("\"", "");
            assertTrue(hostKey.startsWith("ssh-ed25519 "), hostKey);

            // the VM, over SSH with the host key the resource made before the first boot
            assertEquals("registry", vm(first, hostKey, "hostname").strip());
            // the NIC (cloud-init names it eth0 by its MAC); docker0 has an address of its own
            String addrs = vm(first, hostKey, "ip -4 -o addr show dev eth0");
            assertEquals(1, addrs.lines().count(), addrs);
            assertTrue(addrs.contains(" " + first + "/24 "), addrs);
            assertFalse(addrs.contains("dynamic"), "a static address, not a lease: " + addrs);
            String mac = cli.output("mac").strip().replace("\"", "");
            assertTrue(kvm.dhcpDecoyRunning(), "the DHCP decoy on the bridge ran the whole time");
            assertFalse(kvm.dhcpLeases().toLowerCase().contains(mac), "the decoy leased to the VM: " + kvm.dhcpLeases());
            assertFalse(kvm.dhcpLog().toLowerCase().contains(mac), "the VM asked the decoy for DHCP: " + kvm.dhcpLog());
            assertEquals("", vm(first, hostKey, "ls -A /run/systemd/netif/leases/ 2>/dev/null; true").strip(), "networkd holds no lease");
            assertTrue(vm(first, hostKey, "cat /etc/systemd/network/*.network").contains("DHCP=no"));
            assertEquals("/etc/ssh/ssh_host_ed25519_key.pub", vm(first, hostKey, "ls /etc/ssh/ssh_host_*.pub").strip(),
                    "only the host key made for the VM");
            assertEquals("active", vm(first, hostKey, "systemctl is-active docker").strip());
            assertTrue(vm(first, hostKey, "sudo -n true && echo sudo").contains("sudo"), "the user has passwordless sudo");
            assertTrue(vm(first, hostKey, "findmnt -n -o SOURCE,FSTYPE /var/lib/imagecache").contains("ext4"),
                    "the caches live on the data disk");
            assertTrue(vm(first, hostKey, "test -d /etc/imagecache/docker && test -d /var/lib/imagecache/docker && echo dirs").contains("dirs"));

            // the caches in the VM: a node pulls through the proxy there
            assertTrue(hostsToml().contains("http://" + first + ":5000"), hostsToml());
            ExecResult pull = node.crictl("pull", "docker.io/library/hello:1");
            assertEquals(0, pull.getExitCode(), pull.getStderr());
            String log = vm(first, hostKey, "sudo docker logs registry-docker 2>&1");
            assertTrue(log.lines().anyMatch(l -> l.startsWith(node.ip() + " ") && l.contains("/v2/library/hello/manifests/1")),
                    "the node's pull came through the proxy in the VM:\n" + log);

            PulumiCli.Result noop = cli.preview().assertOk();
            assertFalse(noop.stdout().matches("(?s).*\\d+ to (create|update|delete|replace).*"), noop.stdout());

            aSecondStackLeavesTheVmAlone(cli, first, hostKey);

            // a new address: the VM is replaced (deleted first), the proxy follows, the node's hosts.toml names it
            String second = kvm.subnet().address(11);
            cli.config("address", second + "/24");
            PulumiCli.Result diff = cli.preview("--diff").assertOk();
            assertTrue(diff.stdout().contains("imagecache:index:RegistryVm: (replace)"), diff.stdout());
            assertTrue(diff.stdout().contains("~ imagecache:index:ContainerdMirror: (update)"), diff.stdout());
            cli.up().assertOk();
            String newKey = cli.output("hostKey").strip().replace("\"", "");
            assertEquals(second, cli.output("address").strip().replace("\"", ""));
            assertTrue(vm(second, newKey, "ip -4 -o addr show dev eth0").contains(" " + second + "/24 "));
            assertTrue(hostsToml().contains("http://" + second + ":5000"), hostsToml());
            assertFalse(hostsToml().contains(first + ":"), hostsToml());
            node.crictl("rmi", "docker.io/library/hello:1");
            ExecResult again = node.crictl("pull", "docker.io/library/hello:1");
            assertEquals(0, again.getExitCode(), again.getStderr());
            assertTrue(vm(second, newKey, "sudo docker logs registry-docker 2>&1").contains("/v2/library/hello/manifests/1"));

            // the VM's address changed by hand inside it (as by someone's netplan or a DHCP client): refresh says the
            // address no longer answers as the VM
            String third = kvm.subnet().address(12);
            vm(second, newKey, "sudo sysctl -qw net.ipv4.conf.eth0.promote_secondaries=1 && sudo ip addr add " + third + "/24 dev eth0"
                    + " && sudo systemd-run --quiet --on-active=1 ip addr del " + second + "/24 dev eth0");
            String onThird = "";
            for (int i = 0; i < 30 && !(onThird.contains(" " + third + "/24 ") && !onThird.contains(" " + second + "/")); i++) {
                Thread.sleep(2000);
                onThird = vm(third, newKey, "ip -4 -o addr show dev eth0");
            }
            assertEquals(1, onThird.lines().count(), "the VM moved from " + second + " to " + third + ": " + onThird);
            assertTrue(onThird.contains(" " + third + "/24 "), onThird);
            PulumiCli.Result moved = cli.run("refresh", "--yes", "--non-interactive", "--color=never",
                    "--target", "urn:pulumi:lab::registry-vm::imagecache:index:RegistryVm::vm").assertOk();
            assertTrue(moved.output().contains(second + " does not answer; the VM registry does not hold its address"), moved.output());

            // then stopped behind Pulumi's back (QEMU killed, as by a hypervisor reboot): refresh reports it; with
            // cpus changed too, the preview says the VM restarts, and one up brings it back on its address with 2 CPUs
            kvm.sh("pkill -x qemu-system-x86; sleep 3; true");
            PulumiCli.Result refreshed = cli.run("refresh", "--yes", "--non-interactive", "--color=never",
                    "--target", "urn:pulumi:lab::registry-vm::imagecache:index:RegistryVm::vm").assertOk();
            assertTrue(refreshed.output().contains("is not running"), refreshed.output());
            cli.config("cpus", "2");
            PulumiCli.Result restart = cli.preview("--diff").assertOk();
            assertTrue(restart.stdout().contains("~ imagecache:index:RegistryVm: (update)"), restart.stdout());
            assertTrue(restart.output().contains("restarts to apply this change"), restart.output());
            assertFalse(restart.stdout().contains("(replace)"), restart.stdout());
            cli.up().assertOk();
            assertEquals("2", vm(second, newKey, "nproc").strip());
            assertTrue(vm(second, newKey, "ip -4 -o addr show dev eth0").contains(" " + second + "/24 "), "back on its static address");
            assertEquals(newKey, cli.output("hostKey").strip().replace("\"", ""), "a restart keeps the host key");
            node.crictl("rmi", "docker.io/library/hello:1");
            ExecResult afterRestart = node.crictl("pull", "docker.io/library/hello:1");
            assertEquals(0, afterRestart.getExitCode(), "the proxy came back with the VM: " + afterRestart.getStderr());

            cli.destroy().assertOk();
            assertEquals("", kvm.sh("pgrep -x qemu-system-x86 || true").strip(), "no VM runs after destroy");
            assertTrue(kvm.sh("ls " + HypervisorHost.VM_DIR + "/registry").contains("data.qcow2"), "the data disk is kept");
            assertFalse(kvm.sh("ls " + HypervisorHost.VM_DIR + "/registry").contains("root.qcow2"));
        }
    }

    /** The VM's files on the hypervisor that do not change while it runs, and the QEMU process (PID and start). */
    private static String vmDirState() {
        String dir = HypervisorHost.VM_DIR + "/registry";
        String stable = ".imagecache-owner seed.iso seed/* qemu.pid";
        return kvm.sh("cd " + dir + " && ls -A && sha256sum " + stable + " && stat -c '%n %a %U %Y' " + stable
                + " && ps -o pid=,lstart= -p \"$(cat qemu.pid)\"");
    }

    /**
     * Two stacks, one KVM host: a second stack of the same program (same VM name and address, its own state) tries to
     * create the VM the first runs. Its up is refused naming the first stack; nothing under the VM's directory and
     * not the QEMU process changed; its state holds no RegistryVm; its destroy leaves the VM; the first stack's
     * refresh finds nothing to change.
     */
    private static void aSecondStackLeavesTheVmAlone(PulumiCli a, String address, String hostKey) throws Exception {
        String before = vmDirState();
        assertTrue(before.contains(".imagecache-owner"), before);
        String marker = kvm.sh("cat " + HypervisorHost.VM_DIR + "/registry/.imagecache-owner");
        assertTrue(marker.contains("stack=registry-vm/lab resource=vm"), marker);
        try (PulumiCli b = stack("other")) {
            PulumiCli.Result refused = b.up();
            assertNotEquals(0, refused.exitCode(), refused.output());
            assertTrue(refused.output().contains("the VM directory " + HypervisorHost.VM_DIR + "/registry on root@" + kvm.ip()
                    + ":22 (see " + HypervisorHost.VM_DIR + "/registry/.imagecache-owner) belongs to the Pulumi stack registry-vm/lab"
                    + " (resource vm), not to this stack registry-vm/other: destroy it there first"), refused.output());
            assertTrue(refused.output().contains("(nothing was changed)"), refused.output());
            assertEquals(before, vmDirState(), "the second stack changed nothing of the VM (files, QEMU)");
            assertEquals("registry", vm(address, hostKey, "hostname").strip(), "the VM still answers with its host key");
            assertFalse(b.exportState().contains("imagecache:index:RegistryVm"), "the second stack records no VM");

            b.destroy().assertOk();
            assertEquals(before, vmDirState(), "the second stack's destroy left the VM alone");
        }
        a.run("refresh", "--yes", "--non-interactive", "--color=never", "--expect-no-changes").assertOk();
    }
}
