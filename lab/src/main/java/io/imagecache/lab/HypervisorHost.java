package io.imagecache.lab;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Device;
import com.github.dockerjava.api.model.Volume;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.testcontainers.utility.DockerImageName;

/**
 * A KVM hypervisor: the {@code imagecache-lab/hypervisor:dev} image (the lab host with QEMU, qemu-img,
 * genisoimage and dnsmasq) given {@code /dev/kvm} and {@code /dev/net/tun}, with the registry VM's base
 * disk from lab/images/vm/build.sh bind-mounted read-only at {@link #IMAGES_DIR}. lab-init
 * (lab-hypervisor) makes the VMs' network: bridge {@link #BRIDGE} with {@link VmSubnet#gatewayCidr()},
 * NAT for VM traffic leaving through the lab network, and a DHCP decoy (dnsmasq on br0 handing out
 * {@link VmSubnet#dhcpRange()}), so a VM that asked for DHCP would get a visibly wrong address and
 * leave a lease in {@link #DHCP_LEASES}.
 *
 * <p>A VM joins br0 through a tap that whoever starts QEMU makes (as root, over SSH):
 * {@code ip tuntap add dev TAP mode tap && ip link set TAP master br0 && ip link set TAP up}, then
 * {@code qemu-system-x86_64 -enable-kvm ... -netdev tap,id=n0,ifname=TAP,script=no,downscript=no}.
 * VM disks and seeds belong under {@link #VM_DIR} (a volume, not the container's overlay root).
 *
 * <p>After start the VM subnet is routed from this machine (the test JVM) through the container;
 * {@link #routeFrom(LabHost)} routes it from another lab host. Both routes go when this host stops.
 */
public final class HypervisorHost extends LabHost {
    /** The hypervisor image; the system property {@code imagecache.lab.hypervisorImage} picks another build. */
    public static final DockerImageName IMAGE = DockerImageName.parse(
            System.getProperty("imagecache.lab.hypervisorImage", "imagecache-lab/hypervisor:dev"));
    /** Where the VM images directory ({@code $IMAGECACHE_CACHE/vm/current}) is mounted, read-only. */
    public static final String IMAGES_DIR = "/srv/imagecache/images";
    /** The state volume: VM disks, seeds, pid files and serial logs go under {@link #VM_DIR}. */
    public static final String STATE_DIR = "/var/lib/imagecache";
    public static final String VM_DIR = STATE_DIR + "/vms";
    public static final String BRIDGE = "br0";
    /** dnsmasq's lease file: empty as long as no VM asked for DHCP. */
    public static final String DHCP_LEASES = "/var/lib/misc/dnsmasq.leases";
    /** dnsmasq's log ({@code --log-dhcp}): every DHCPDISCOVER it saw, with the client's MAC. */
    public static final String DHCP_LOG = "/var/log/dnsmasq.log";

    private final VmSubnet subnet;
    private final Path imagesOnHost;
    private final List<LabHost> routedFrom = new ArrayList<>();
    private String routedVia;

    /** A hypervisor for the runbook's VM network, 10.0.20.0/24. */
    public HypervisorHost(LabNetwork network) {
        this(network, VmSubnet.RUNBOOK);
    }

    /** A hypervisor whose VMs live in {@code subnet}; two at once need two subnets (the host routes collide). */
    public HypervisorHost(LabNetwork network, VmSubnet subnet) {
        super(network, Role.HYPERVISOR, IMAGE);
        this.subnet = subnet;
        this.imagesOnHost = imagesFromCache();
        withEnv("LAB_VM_SUBNET", subnet.cidr());
        withEnv("LAB_VM_GATEWAY", subnet.gatewayCidr());
        withEnv("LAB_VM_DHCP_RANGE", subnet.dhcpRange());
        // device mappings, not --privileged (which fails on the lab machines); forwarding is a
        // per-namespace sysctl, and /proc/sys is read-only inside the container. The image directory is
        // a bind of the container's own (withFileSystemBind would first check that mounting works with a
        // helper container Testcontainers pulls: minutes of retries on a machine that cannot pull)
        withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                .withDevices(Device.parse("/dev/kvm"), Device.parse("/dev/net/tun"))
                .withSysctls(Map.of("net.ipv4.ip_forward", "1"))
                .withBinds(new Bind(imagesOnHost.toString(), new Volume(IMAGES_DIR), AccessMode.ro)));
    }

    /**
     * The directory lab/images/vm/build.sh made ({@code $IMAGECACHE_CACHE/vm/current}, default
     * {@code ~/.cache/imagecache}), resolved: the bind mount must not be a link that dangles in the container.
     */
    public static Path imagesFromCache() {
        String cache = System.getenv("IMAGECACHE_CACHE");
        Path current = (cache == null || cache.isBlank() ? Path.of(System.getProperty("user.home"), ".cache", "imagecache")
                : Path.of(cache)).resolve("vm").resolve("current");
        try {
            return current.toRealPath();
        } catch (IOException e) {
            throw new IllegalStateException("no VM image at " + current + ": run `make lab` (lab/images/vm/build.sh)", e);
        }
    }

    @Override
    protected void containerIsStarted(InspectContainerResponse info) {
        super.containerIsStarted(info);
        String via = ip();
        run(List.of("ip", "route", "add", subnet.cidr(), "via", via),
                "route " + subnet.cidr() + " via " + via + " on this machine (another hypervisor on this subnet?)");
        routedVia = via;
    }

    @Override
    protected void containerIsStopping(InspectContainerResponse info) {
        if (routedVia != null) {
            runQuietly(List.of("ip", "route", "del", subnet.cidr(), "via", routedVia));
            routedVia = null;
        }
        for (LabHost other : routedFrom) {
            if (other.isRunning()) {
                other.exec("ip", "route", "del", subnet.cidr());
            }
        }
        routedFrom.clear();
        super.containerIsStopping(info);
    }

    /** Routes the VM subnet from {@code other} (a lab host on the same network) through this hypervisor. */
    public HypervisorHost routeFrom(LabHost other) {
        other.sh("ip route replace " + subnet.cidr() + " via " + ip());
        routedFrom.add(other);
        return this;
    }

    public VmSubnet subnet() {
        return subnet;
    }

    /** The bridge VMs' taps join ({@code br0}). */
    public String bridge() {
        return BRIDGE;
    }

    /** The base disk inside the container: {@code /srv/imagecache/images/debian-12.qcow2} (BIOS boot, GRUB). */
    public String baseImage() {
        return IMAGES_DIR + "/debian-12.qcow2";
    }

    /** The image's kernel, for a direct kernel boot ({@code -kernel}); {@link #kernelCmdline()} is its command line. */
    public String kernel() {
        return IMAGES_DIR + "/vmlinuz";
    }

    /** The image's initrd, for {@code -initrd}. */
    public String initrd() {
        return IMAGES_DIR + "/initrd.img";
    }

    /** The kernel command line GRUB boots with ({@code root=UUID=... ro console=tty0 console=ttyS0,115200n8}). */
    public String kernelCmdline() {
        return readFile(IMAGES_DIR + "/cmdline").strip();
    }

    /**
     * The QEMU accelerator VMs here run with ({@code -accel kvm} or {@code -accel tcg}): lab-init boots the
     * image's kernel under KVM once and falls back to TCG when it does not start (/dev/kvm on the lab
     * machines is PVM, which runs only kernels built as PVM guests).
     */
    public String qemuAccel() {
        return readFile("/run/lab-qemu-accel").strip();
    }

    /** The directory the image is bind-mounted from ({@code $IMAGECACHE_CACHE/vm/<hash>}). */
    public Path imagesDirOnHost() {
        return imagesOnHost;
    }

    /** dnsmasq's lease file (empty when no VM took a DHCP lease). */
    public String dhcpLeases() {
        return readFile(DHCP_LEASES);
    }

    /** dnsmasq's log. */
    public String dhcpLog() {
        return sh("cat " + DHCP_LOG + " 2>/dev/null || true");
    }

    /** A lease the DHCP decoy gave: the client's MAC (lower case) and the address. */
    public record DhcpLease(String mac, String address) {}

    /**
     * Asks the DHCP decoy for a lease from a veth pair on br0 with busybox's udhcpc (which only asks:
     * {@code -s /bin/true} configures nothing), proving that a DHCP client on br0 would get an address
     * from {@link VmSubnet#dhcpRange()}. The lease stays in {@link #DHCP_LEASES}; the veth pair goes.
     */
    public DhcpLease dhcpProbe() {
        String out = sh("ip link add vprobe type veth peer name vprobe-br && ip link set vprobe-br master " + BRIDGE
                + " && ip link set vprobe-br up && ip link set vprobe up"
                + " && mac=$(cat /sys/class/net/vprobe/address)"
                + " && r=$(timeout 30 busybox udhcpc -i vprobe -n -q -t 10 -T 1 -s /bin/true 2>&1)"
                + "; ip link del vprobe; echo \"$mac\"; echo \"$r\"");
        String mac = out.lines().findFirst().orElseThrow().strip().toLowerCase();
        String address = out.lines().filter(l -> l.contains("lease of ")).findFirst()
                .map(l -> l.substring(l.indexOf("lease of ") + "lease of ".length()).split(" ")[0])
                .orElseThrow(() -> new IllegalStateException("udhcpc got no lease from the decoy: " + out));
        return new DhcpLease(mac, address);
    }

    /** Whether the DHCP decoy runs (so that an empty lease file means something). */
    public boolean dhcpDecoyRunning() {
        return exec("sh", "-c", "kill -0 \"$(cat /run/dnsmasq.pid)\"").getExitCode() == 0;
    }

    private static void run(List<String> cmd, String what) {
        String out = runQuietly(cmd);
        if (out != null) {
            throw new IllegalStateException(what + ": " + String.join(" ", cmd) + ": " + out.strip());
        }
    }

    /** Runs {@code cmd} on this machine (10 s limit); null when it exited 0, else its output. */
    private static String runQuietly(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.exitValue() == 0 ? null : out + " (exit " + p.exitValue() + ")";
        } catch (IOException e) {
            return e.toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return e.toString();
        }
    }
}
