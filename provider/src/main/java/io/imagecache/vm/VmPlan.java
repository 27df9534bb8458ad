package io.imagecache.vm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * One registry VM on a KVM host, as files in its directory and one QEMU command line: everything here is
 * derived from the inputs, so Read can compare what runs with what should.
 *
 * <pre>
 *   &lt;dir&gt;/.imagecache-owner   our marker (nothing without it is ever touched)
 *   &lt;dir&gt;/root.qcow2          copy-on-write over the base image, sized diskGb (removed on delete)
 *   &lt;dir&gt;/data.qcow2          the caches' disk (kept on delete unless asked, reused by a re-created VM)
 *   &lt;dir&gt;/seed/, seed.iso     the NoCloud seed (0600: it holds the VM's host key)
 *   &lt;dir&gt;/qemu.pid, serial.log
 * </pre>
 *
 * @param dir        {@code <vmDir>/<name>}
 * @param baseImage  the base disk image on the hypervisor, and its format ({@code qcow2} or {@code raw})
 * @param accelerator {@code kvm}, or {@code tcg} (emulated) where KVM cannot run the guest's kernel
 */
public record VmPlan(String name, String dir, String baseImage, String baseFormat, int cpus, int memoryMb, int diskGb,
                     int dataDiskGb, String bridge, String accelerator, String mac, String tap) {
    public static final String MARKER = ".imagecache-owner";
    /** The data disk's virtio serial: the guest sees it as /dev/disk/by-id/virtio-imagecache-data. */
    public static final String DATA_SERIAL = "imagecache-data";
    public static final String DATA_DEVICE = "/dev/disk/by-id/virtio-" + DATA_SERIAL;

    public static VmPlan of(String name, String vmDir, String baseImage, String baseFormat, int cpus, int memoryMb, int diskGb,
                            int dataDiskGb, String bridge, String accelerator) {
        String h = hash(name);
        String mac = "52:54:00:" + h.substring(0, 2) + ":" + h.substring(2, 4) + ":" + h.substring(4, 6);
        return new VmPlan(name, vmDir.replaceAll("/+$", "") + "/" + name, baseImage, baseFormat, cpus, memoryMb, diskGb,
                dataDiskGb, bridge, accelerator, mac, "icvm" + h.substring(0, 10));
    }

    public String rootDisk() {
        return dir + "/root.qcow2";
    }

    public String dataDisk() {
        return dir + "/data.qcow2";
    }

    public String seedDir() {
        return dir + "/seed";
    }

    public String seedIso() {
        return dir + "/seed.iso";
    }

    public String pidFile() {
        return dir + "/qemu.pid";
    }

    public String serialLog() {
        return dir + "/serial.log";
    }

    public String marker() {
        return dir + "/" + MARKER;
    }

    /** The marker's text: who made the directory. */
    public String markerText() {
        return "imagecache RegistryVm " + name + "\n";
    }

    /** The whole VM: QEMU with KVM, daemonized, its disks, the seed, the NIC on a tap in {@code bridge}. */
    public List<String> qemuCommand() {
        List<String> c = new ArrayList<>(List.of("qemu-system-x86_64", "-name", "imagecache-" + name,
                "-machine", "q35,accel=" + accelerator, "-cpu", accelerator.equals("kvm") ? "host" : "max", "-smp", String.valueOf(cpus), "-m", String.valueOf(memoryMb),
                // the root disk boots first (bootindex): SeaBIOS otherwise tries the empty data disk and stops there
                "-drive", "file=" + rootDisk() + ",if=none,id=root,format=qcow2,discard=unmap",
                "-device", "virtio-blk-pci,drive=root,bootindex=0",
                "-drive", "file=" + dataDisk() + ",if=none,id=data,format=qcow2,discard=unmap",
                "-device", "virtio-blk-pci,drive=data,serial=" + DATA_SERIAL,
                "-drive", "file=" + seedIso() + ",if=virtio,format=raw,readonly=on",
                "-netdev", "tap,id=net0,ifname=" + tap + ",script=no,downscript=no",
                // romfile= keeps iPXE out: not even the firmware asks for DHCP
                "-device", "virtio-net-pci,netdev=net0,mac=" + mac + ",romfile=",
                "-display", "none", "-vga", "none",
                "-serial", "file:" + serialLog(),
                "-pidfile", pidFile(), "-daemonize"));
        return List.copyOf(c);
    }

    private static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
