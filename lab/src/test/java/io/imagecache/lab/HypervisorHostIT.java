package io.imagecache.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The hypervisor lab host, without booting a VM (examples' RegistryVmExampleIT boots one through the
 * RegistryVm resource and checks the VM itself): the VM subnet is routed from this JVM and from another
 * lab host, the DHCP decoy on the bridge really answers (so its silence about a VM means something), the
 * tap setup RegistryVm runs works, the base disk is there read-only, and the accelerator is recorded.
 */
class HypervisorHostIT {
    static LabNetwork network;
    static HypervisorHost hypervisor;
    static NodeHost node;

    @BeforeAll
    static void start() {
        network = LabNetwork.create();
        hypervisor = new HypervisorHost(network);
        node = NodeHost.containerd16(network);
        hypervisor.start();
        node.start();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {node, hypervisor, network}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // best effort
            }
        }
    }

    @Test
    void theVmSubnetIsRoutedFromThisJvmThroughTheHypervisor() throws IOException {
        // the bridge's own address (the VMs' gateway) answers SSH: this machine routes the subnet to the container
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hypervisor.subnet().gateway(), 22), 5000);
            s.setSoTimeout(5000);
            InputStream in = s.getInputStream();
            assertEquals("SSH-", new String(in.readNBytes(4), StandardCharsets.US_ASCII));
        }
    }

    @Test
    void anotherLabHostReachesTheSubnetThroughItsRoute() {
        hypervisor.routeFrom(node);
        assertEquals("SSH-2.0", node.sh("timeout 10 bash -c 'exec 3<>/dev/tcp/" + hypervisor.subnet().gateway() + "/22; head -c 7 <&3'"));
    }

    @Test
    void theDhcpDecoyAnswersAClientThatAsks() {
        assertTrue(hypervisor.dhcpDecoyRunning());
        HypervisorHost.DhcpLease lease = hypervisor.dhcpProbe();
        assertTrue(hypervisor.subnet().inDhcpRange(lease.address()), lease.toString());
        assertTrue(hypervisor.dhcpLeases().toLowerCase().contains(lease.mac() + " " + lease.address()), hypervisor.dhcpLeases());
    }

    @Test
    void aTapJoinsTheBridgeAsRegistryVmMakesIt() {
        String out = hypervisor.sh("ip tuntap add dev icvmtest mode tap && ip link set dev icvmtest master br0 && ip link set dev icvmtest up"
                + " && ip -o link show dev icvmtest; ip link del dev icvmtest");
        assertTrue(out.contains("master br0"), out);
    }

    @Test
    void theBaseDiskIsThereReadOnlyAndTheAcceleratorIsRecorded() {
        assertTrue(hypervisor.sh("qemu-img info -U " + hypervisor.baseImage()).contains("file format: qcow2"));
        assertNotEquals(0, hypervisor.exec("touch", HypervisorHost.IMAGES_DIR + "/x").getExitCode(), "the images are read-only");
        String accel = hypervisor.qemuAccel();
        assertTrue(accel.equals("kvm") || accel.equals("tcg"), accel);
        assertFalse(hypervisor.sh("ls " + HypervisorHost.VM_DIR).contains("registry"), "no VM yet");
    }
}
