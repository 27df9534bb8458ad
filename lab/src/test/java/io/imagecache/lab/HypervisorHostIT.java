package io.imagecache.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Boots the registry VM's base disk (lab/images/vm) on a {@link HypervisorHost} the way the RegistryVm
 * resource will: a NoCloud seed ISO (label cidata) with a static address, a user with a key and a
 * pre-generated ed25519 host key, a qcow2 overlay over the read-only base, a tap on br0, QEMU
 * daemonized with a serial log. Then checks what a user of the VM would: SSH answers on the static
 * address with the pinned host key (no trust on first use), the NIC has only that address and no
 * DHCP client ran (the hypervisor's DHCP decoy saw nothing), docker is active, the hostname is the
 * meta-data's, and another lab host reaches the VM through {@link HypervisorHost#routeFrom}.
 */
class HypervisorHostIT {
    static final String HOSTNAME = "registry-vm";
    static final String USER = "imagecache";
    static final String MAC = "52:54:00:0a:00:0a";
    static final String TAP = "tap-registry";
    static final String DIR = HypervisorHost.VM_DIR + "/" + HOSTNAME;
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(240);

    static LabNetwork network;
    static HypervisorHost hypervisor;
    static NodeHost node;
    static SshKeys userKey;
    static String address;
    static Path clientDir;
    static Path knownHosts;
    static Path keyFile;

    @BeforeAll
    static void boot() throws Exception {
        long t0 = System.nanoTime();
        network = LabNetwork.create();
        hypervisor = new HypervisorHost(network);
        node = NodeHost.containerd16(network);
        hypervisor.start();
        long hypervisorUp = System.nanoTime();
        node.start();
        System.out.printf("[HypervisorHostIT] hypervisor up in %d s, node in %d s%n",
                Duration.ofNanos(hypervisorUp - t0).toSeconds(), Duration.ofNanos(System.nanoTime() - hypervisorUp).toSeconds());
        address = hypervisor.subnet().address(10);
        userKey = SshKeys.ed25519();

        // the VM's host key is made before the VM exists, so the first connection can already pin it
        hypervisor.sh("mkdir -p " + DIR + " && ssh-keygen -q -t ed25519 -N '' -C " + HOSTNAME + " -f " + DIR + "/host_ed25519");
        String hostPrivate = hypervisor.readFile(DIR + "/host_ed25519");
        String hostPublic = hypervisor.readFile(DIR + "/host_ed25519.pub").strip();
        hypervisor.writeFile(DIR + "/seed/user-data", userData(userKey.publicKey(), hostPrivate, hostPublic));
        hypervisor.writeFile(DIR + "/seed/meta-data", "instance-id: iid-" + HOSTNAME + "-1\nlocal-hostname: " + HOSTNAME + "\n");
        hypervisor.writeFile(DIR + "/seed/network-config", networkConfig());
        hypervisor.sh("rm -f " + DIR + "/host_ed25519 && chmod 600 " + DIR + "/seed/user-data");

        clientDir = Files.createTempDirectory("hypervisor-it");
        keyFile = clientDir.resolve("id");
        Files.writeString(keyFile, userKey.privateKey());
        Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
        knownHosts = clientDir.resolve("known_hosts");
        String[] pub = hostPublic.split(" ");
        Files.writeString(knownHosts, address + " " + pub[0] + " " + pub[1] + "\n");

        String accel = hypervisor.qemuAccel();
        long qemuStart = System.nanoTime();
        hypervisor.sh(String.join(" && ",
                "cd " + DIR,
                "genisoimage -quiet -output seed.iso -volid cidata -joliet -rock seed/user-data seed/meta-data seed/network-config",
                "qemu-img create -q -f qcow2 -F qcow2 -b " + hypervisor.baseImage() + " disk.qcow2 8G",
                "ip tuntap add dev " + TAP + " mode tap",
                "ip link set " + TAP + " master " + hypervisor.bridge(),
                "ip link set " + TAP + " up",
                "qemu-system-x86_64 -name " + HOSTNAME + " -accel " + accel + " -smp 1 -m 1024"
                        + " -drive file=disk.qcow2,if=virtio,format=qcow2"
                        + " -drive file=seed.iso,if=virtio,format=raw,readonly=on"
                        + " -netdev tap,id=n0,ifname=" + TAP + ",script=no,downscript=no"
                        // romfile=: no iPXE option ROM, so not even the firmware asks for DHCP
                        + " -device virtio-net-pci,netdev=n0,mac=" + MAC + ",romfile="
                        + " -display none -serial file:" + DIR + "/serial.log"
                        + " -daemonize -pidfile " + DIR + "/qemu.pid"));
        awaitSsh(BOOT_TIMEOUT);
        long booted = System.nanoTime();
        // cloud-init done and every unit started (docker comes up late under TCG); both time-limited
        String state = ssh("timeout 180 cloud-init status --wait >/dev/null; echo $(timeout 120 systemctl is-system-running --wait)");
        System.out.printf("[HypervisorHostIT] accelerator %s: QEMU start to SSH %d s, to %s %d s; setup %d s%n", accel,
                Duration.ofNanos(booted - qemuStart).toSeconds(), state.strip(),
                Duration.ofNanos(System.nanoTime() - qemuStart).toSeconds(), Duration.ofNanos(qemuStart - t0).toSeconds());
    }

    @AfterAll
    static void teardown() throws IOException {
        if (hypervisor != null && hypervisor.isRunning()) {
            hypervisor.exec("sh", "-c", "kill $(cat " + DIR + "/qemu.pid) 2>/dev/null; ip link del " + TAP + " 2>/dev/null; true");
            hypervisor.stop();
        }
        if (node != null) {
            node.stop();
        }
        if (network != null) {
            network.close();
        }
        if (clientDir != null) {
            for (Path p : List.of(keyFile, knownHosts, clientDir)) {
                Files.deleteIfExists(p);
            }
        }
    }

    @Test
    void sshAnswersOnTheStaticAddressWithThePinnedHostKey() throws Exception {
        assertEquals(USER + " 0", ssh("echo $(id -un) $(sudo -n id -u)").strip());
        // and a different pinned key is refused: host key checking is on, nothing is learnt on first use
        Path other = clientDir.resolve("known_hosts_other");
        String[] wrong = SshKeys.ed25519().publicKey().split(" ");
        Files.writeString(other, address + " " + wrong[0] + " " + wrong[1] + "\n");
        Result refused = sshWith(other, "true");
        Files.delete(other);
        assertTrue(refused.exit != 0 && refused.out.contains("Host key verification failed"), refused.out);
    }

    @Test
    void theNicHasOnlyTheStaticAddressAndTheDefaultRouteViaTheGateway() {
        String nic = ssh("for i in /sys/class/net/*; do [ \"$(cat $i/address)\" = " + MAC + " ] && basename $i; done; true").strip();
        assertFalse(nic.isEmpty(), "no NIC with " + MAC);
        // docker0 (172.17.0.1/16) is docker's own bridge; the NIC itself carries the static address alone
        List<String> addrs = ssh("ip -4 -o addr show dev " + nic + " | awk '{print $4}'").lines().toList();
        assertEquals(List.of(address + "/24"), addrs);
        assertEquals("default via " + hypervisor.subnet().gateway(), ssh("ip -4 route show default | awk '{print $1, $2, $3}'").strip());
    }

    @Test
    void noDhcpClientRanAndTheDecoySawNoRequest() {
        assertTrue(hypervisor.dhcpDecoyRunning(), "the DHCP decoy must run for its silence to mean anything");
        assertTrue(hypervisor.dhcpLog().contains("DHCP, IP range " + hypervisor.subnet().address(VmSubnet.DHCP_FIRST)),
                hypervisor.dhcpLog());
        // by MAC: theDhcpDecoyAnswersAClientThatAsks leaves a lease of its own
        assertFalse(hypervisor.dhcpLeases().toLowerCase().contains(MAC), "dnsmasq leased to the VM: " + hypervisor.dhcpLeases());
        assertFalse(hypervisor.dhcpLog().toLowerCase().contains(MAC), hypervisor.dhcpLog());
        // networkd holds no lease, its .network says DHCP=no, and there is no dhclient on the disk
        assertEquals("", ssh("ls -A /run/systemd/netif/leases").strip());
        assertTrue(ssh("cat /etc/systemd/network/*.network").contains("DHCP=no"));
        assertEquals("none", ssh("command -v dhclient udhcpc dhcpcd || echo none").strip());
    }

    @Test
    void theDhcpDecoyAnswersAClientThatAsks() {
        HypervisorHost.DhcpLease lease = hypervisor.dhcpProbe();
        assertTrue(hypervisor.subnet().inDhcpRange(lease.address()), lease.toString());
        assertTrue(hypervisor.dhcpLeases().toLowerCase().contains(lease.mac() + " " + lease.address()), hypervisor.dhcpLeases());
    }

    @Test
    void dockerIsActive() {
        assertEquals("active", ssh("systemctl is-active docker").strip());
        assertEquals("0", ssh("sudo -n docker info >/dev/null && echo $?").strip());
    }

    @Test
    void theHostnameIsTheMetaDatasAndTheHostKeyTheOnePassedIn() {
        assertEquals(HOSTNAME, ssh("hostname").strip());
        assertEquals("/etc/ssh/ssh_host_ed25519_key.pub", ssh("ls /etc/ssh/ssh_host_*.pub").strip(),
                "only the host key cloud-init was given");
    }

    @Test
    void anotherLabHostReachesTheVmThroughItsRoute() {
        hypervisor.routeFrom(node);
        assertEquals("SSH-2.0", node.sh("timeout 10 bash -c 'exec 3<>/dev/tcp/" + address + "/22; head -c 7 <&3'"));
    }

    /** The user's key and sudo, the pre-generated host key, and nothing else generated. */
    static String userData(String userKey, String hostPrivate, String hostPublic) {
        return "#cloud-config\n"
                + "hostname: " + HOSTNAME + "\n"
                + "users:\n"
                + "  - name: " + USER + "\n"
                + "    groups: [docker]\n"
                + "    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n"
                + "    shell: /bin/bash\n"
                + "    lock_passwd: true\n"
                + "    ssh_authorized_keys: [\"" + userKey + "\"]\n"
                + "ssh_pwauth: false\n"
                + "ssh_deletekeys: true\n"
                + "ssh_genkeytypes: [ed25519]\n"
                + "ssh_keys:\n"
                + "  ed25519_private: |\n"
                + hostPrivate.strip().lines().map(l -> "    " + l + "\n").reduce("", String::concat)
                + "  ed25519_public: \"" + hostPublic + "\"\n";
    }

    /** Static address, default route via br0 ({@code to: 0.0.0.0/0}: Debian 12's cloud-init refuses {@code default}). */
    static String networkConfig() {
        return "version: 2\n"
                + "ethernets:\n"
                + "  nic0:\n"
                + "    match:\n"
                + "      macaddress: \"" + MAC + "\"\n"
                + "    addresses: [" + address + "/24]\n"
                + "    routes:\n"
                + "      - to: 0.0.0.0/0\n"
                + "        via: " + hypervisor.subnet().gateway() + "\n"
                + "    dhcp4: false\n"
                + "    dhcp6: false\n";
    }

    /** Waits until sshd on the static address sends its banner, reachable from this JVM through the host route. */
    static void awaitSsh(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(address, 22), 2000);
                s.setSoTimeout(5000);
                if (new String(s.getInputStream().readNBytes(4), StandardCharsets.US_ASCII).equals("SSH-")) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            if (hypervisor.exec("sh", "-c", "kill -0 $(cat " + DIR + "/qemu.pid)").getExitCode() != 0) {
                throw new AssertionError("QEMU exited; serial log:\n" + serialTail());
            }
            Thread.sleep(1000);
        }
        throw new AssertionError("no SSH on " + address + ":22 after " + timeout.toSeconds() + " s; serial log:\n" + serialTail());
    }

    static String serialTail() {
        return hypervisor.sh("tail -c 6000 " + DIR + "/serial.log 2>/dev/null | tr -d '\\033' || true");
    }

    static String ssh(String command) {
        Result r = sshWith(knownHosts, command);
        if (r.exit != 0) {
            throw new AssertionError("ssh " + command + " exited " + r.exit + ": " + r.out + "\nserial log:\n" + serialTail());
        }
        return r.out;
    }

    record Result(int exit, String out) {}

    static Result sshWith(Path knownHostsFile, String command) {
        try {
            Process p = new ProcessBuilder(List.of("ssh", "-i", keyFile.toString(), "-o", "BatchMode=yes",
                    "-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + knownHostsFile,
                    "-o", "HostKeyAlgorithms=ssh-ed25519", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR",
                    USER + "@" + address, command)).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }
}
