package io.imagecache.resources;

import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.PropertyPath;
import java.util.ArrayList;
import java.util.List;

/** RegistryVm's input rules; its cloud-init arguments follow {@code registryVmCloudInit}'s, under {@code cloudInit.}. */
final class RegistryVmChecks {
    private RegistryVmChecks() {}

    static List<CheckFailure> check(Decoded<RegistryVm.Args> news) {
        RegistryVm.Args a = news.value();
        List<CheckFailure> out = new ArrayList<>(Connections.check(a.hypervisor(), PropertyPath.of("hypervisor"), news));
        if (a.name() != null && !a.name().matches("[a-z0-9][a-z0-9-]{0,31}")) {
            out.add(new CheckFailure("name", "\"" + io.imagecache.vm.Text.shown(a.name()) + "\" is not a VM name: lower-case letters, "
                    + "digits and -, at most 32, e.g. registry"));
        }
        if (a.baseImage() != null && (!Validation.isAbsolutePath(a.baseImage()) || a.baseImage().endsWith("/"))) {
            out.add(new CheckFailure("baseImage", "must be the absolute path of a disk image on the hypervisor, e.g. "
                    + "/var/lib/vz/template/debian-12-genericcloud-amd64.qcow2"));
        }
        range(out, "cpus", a.cpus(), 1, 64);
        range(out, "memoryMb", a.memoryMb(), 256, 262144);
        range(out, "diskGb", a.diskGb(), 2, 4096);
        range(out, "dataDiskGb", a.dataDiskGb(), 1, 65536);
        range(out, "bootTimeoutSeconds", a.bootTimeoutSeconds(), 10, 3600);
        if (a.bridge() != null && !a.bridge().matches("[A-Za-z0-9_.-]{1,15}")) {
            out.add(new CheckFailure("bridge", "is not an interface name (at most 15 letters, digits, _ . -), e.g. br0 or vmbr0"));
        }
        if (a.accelerator() != null && !a.accelerator().equals("kvm") && !a.accelerator().equals("tcg")) {
            out.add(new CheckFailure("accelerator", "must be kvm or tcg, not \"" + io.imagecache.vm.Text.shown(a.accelerator()) + "\""));
        }
        if (a.vmDir() != null && (!Validation.isAbsolutePath(a.vmDir()) || a.vmDir().equals("/"))) {
            out.add(new CheckFailure("vmDir", "must be an absolute directory path such as /var/lib/imagecache/vms"));
        }
        if (a.cloudInit() != null) {
            RegistryVmCloudInit.Args c = a.cloudInit();
            if (c.interfaceMatch() != null && !c.interfaceMatch().isBlank()) {
                out.add(new CheckFailure("cloudInit.interfaceMatch", "is set by RegistryVm (the VM's NIC, by its MAC); leave it out"));
            }
            if (c.dataDevice() != null && !c.dataDevice().isBlank()) {
                out.add(new CheckFailure("cloudInit.dataDevice", "is set by RegistryVm (the VM's data disk); leave it out"));
            }
            out.addAll(CloudInitChecks.check(new Decoded<>(c, under(news, "cloudInit"), news.secrets(), List.of()), "cloudInit."));
        }
        return out;
    }

    /** The unknowns below {@code key}, as paths relative to it. */
    private static java.util.Set<PropertyPath> under(Decoded<?> d, String key) {
        java.util.Set<PropertyPath> out = new java.util.HashSet<>();
        for (PropertyPath p : d.unknowns()) {
            if (p.topLevel().equals(key)) {
                p.relativeTo(key).ifPresent(out::add);
            }
        }
        return out;
    }

    private static void range(List<CheckFailure> out, String name, Integer v, int min, int max) {
        if (v != null && (v < min || v > max)) {
            out.add(new CheckFailure(name, "must be between " + min + " and " + max + ", not " + v));
        }
    }
}
