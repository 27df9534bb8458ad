package io.imagecache.hosts.kvm;

import io.imagecache.hosts.HostOps;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.CommandLine;
import io.imagecache.ssh.ExecResult;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.vm.Ipv4;
import io.imagecache.vm.VmPlan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A KVM host over SSH: QEMU, qemu-img, genisoimage and iproute2 there, with failures that name the host.
 * Every path and name in a command comes from a {@link VmPlan} whose inputs were checked, and is quoted.
 */
public final class Hypervisor extends HostOps {
    private static final Duration DISK_TIMEOUT = Duration.ofMinutes(5);

    public Hypervisor(RemoteHost host, String where) {
        super(host, where);
    }

    /** What the host lacks to run a VM: tools, /dev/kvm, the bridge; empty when nothing. */
    public List<String> missing(String bridge, boolean kvm) throws ResourceException {
        ExecResult r = run(CommandLine.script("for t in qemu-system-x86_64 qemu-img genisoimage ip; do command -v $t >/dev/null || echo \"the command $t\"; done; "
                + (kvm ? "[ -c /dev/kvm ] || echo \"/dev/kvm (or accelerator: tcg)\"; " : "") + "ip link show dev " + CommandLine.quote(bridge)
                + " >/dev/null 2>&1 || echo \"the bridge " + bridge + "\""), null);
        return r.stdout().lines().filter(l -> !l.isBlank()).toList();
    }

    /** {@code qemu-img info}'s format of the base image; fails naming the path when it is not an image. */
    public String imageFormat(String path) throws ResourceException {
        ExecResult r = run(CommandLine.of("qemu-img", "info", "--output=json", "-U", path), null);
        if (!r.ok()) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "baseImage " + path + " on " + where
                    + " is not a disk image qemu-img can read: " + r.message());
        }
        return formatOf(r.stdout()).orElseThrow(() -> new ResourceException(ResourceException.Kind.FAILED_PRECONDITION,
                "qemu-img info on " + where + " gave no format for " + path));
    }

    /** The {@code format} of {@code qemu-img info --output=json}, read with a JSON parser. */
    static Optional<String> formatOf(String json) {
        try {
            com.google.gson.JsonElement e = com.google.gson.JsonParser.parseString(json);
            if (e.isJsonObject() && e.getAsJsonObject().has("format") && e.getAsJsonObject().get("format").isJsonPrimitive()) {
                String f = e.getAsJsonObject().get("format").getAsString();
                return f.matches("[a-z0-9]+") ? Optional.of(f) : Optional.empty();
            }
        } catch (com.google.gson.JsonParseException | IllegalStateException e) {
            // not JSON: no format
        }
        return Optional.empty();
    }

    public Optional<String> marker(VmPlan p) throws ResourceException {
        return read(p.marker());
    }

    /** True if the directory exists (with or without our marker). */
    public boolean exists(String dir) throws ResourceException {
        return run(CommandLine.of("test", "-e", dir), null).ok();
    }

    /**
     * Makes the VM's files: marker, seed (0600), a fresh root overlay; the data disk only if there is none
     * (a re-created VM keeps its cache). The VM must not be running.
     */
    public void prepare(VmPlan p, Map<String, String> seed) throws ResourceException {
        prepare(p, seed, p.markerText());
    }

    /** As above, with {@code markerText} as the directory's marker (one that names the stack, too). */
    public void prepare(VmPlan p, Map<String, String> seed, String markerText) throws ResourceException {
        run(CommandLine.of("install", "-d", "-m", "0700", p.dir(), p.seedDir()), "create " + p.dir());
        write(p.marker(), markerText, 0644);
        for (Map.Entry<String, String> f : seed.entrySet()) {
            write(p.seedDir() + "/" + f.getKey(), f.getValue(), 0600);
        }
        String files = seed.keySet().stream().map(k -> CommandLine.quote(p.seedDir() + "/" + k)).collect(Collectors.joining(" "));
        run(CommandLine.script("umask 077 && genisoimage -quiet -output " + CommandLine.quote(p.seedIso() + ".new")
                + " -volid cidata -joliet -rock " + files + " && mv -f " + CommandLine.quote(p.seedIso() + ".new") + " "
                + CommandLine.quote(p.seedIso())), "make the NoCloud seed " + p.seedIso());
        run(CommandLine.script("rm -f " + CommandLine.quote(p.rootDisk()) + " && qemu-img create -q -f qcow2 -F " + CommandLine.quote(p.baseFormat())
                + " -b " + CommandLine.quote(p.baseImage()) + " " + CommandLine.quote(p.rootDisk()) + " " + p.diskGb() + "G")
                .withTimeout(DISK_TIMEOUT), "create the root disk " + p.rootDisk() + " over " + p.baseImage());
        run(CommandLine.script("[ -e " + CommandLine.quote(p.dataDisk()) + " ] || qemu-img create -q -f qcow2 "
                + CommandLine.quote(p.dataDisk()) + " " + p.dataDiskGb() + "G").withTimeout(DISK_TIMEOUT),
                "create the data disk " + p.dataDisk());
    }

    /** The tap in the bridge, then QEMU (which daemonizes once the VM runs). */
    public void start(VmPlan p) throws ResourceException {
        String tap = CommandLine.quote(p.tap());
        String qemu = p.qemuCommand().stream().map(CommandLine::quote).collect(Collectors.joining(" "));
        run(CommandLine.script("set -e; ip link show dev " + tap + " >/dev/null 2>&1 || ip tuntap add dev " + tap + " mode tap; "
                + "ip link set dev " + tap + " master " + CommandLine.quote(p.bridge()) + "; ip link set dev " + tap + " up; "
                + ": > " + CommandLine.quote(p.serialLog()) + "; " + qemu).withTimeout(Duration.ofMinutes(1)),
                "start the VM " + p.name());
    }

    /** The QEMU process of this VM, if one runs: its pid file names a live process whose command line is ours. */
    public Optional<Running> running(VmPlan p) throws ResourceException {
        ExecResult r = run(CommandLine.script("p=$(cat " + CommandLine.quote(p.pidFile()) + " 2>/dev/null) && [ -n \"$p\" ] && kill -0 \"$p\" 2>/dev/null "
                + "&& echo \"$p\" && tr '\\0' '\\n' < /proc/$p/cmdline"), null);
        if (!r.ok()) {
            return Optional.empty();
        }
        List<String> lines = r.stdout().lines().toList();
        return Optional.of(new Running(Integer.parseInt(lines.get(0).strip()), lines.subList(1, lines.size())));
    }

    /** A running QEMU and its command line. */
    public record Running(int pid, List<String> command) {}

    /**
     * Waits up to {@code grace} for the VM to power off (the caller asked its guest to), then ends QEMU:
     * SIGTERM, then SIGKILL. Returns true when the guest went down by itself (or nothing ran).
     */
    public boolean stop(VmPlan p, Duration grace) throws ResourceException {
        Optional<Running> r = running(p);
        if (r.isEmpty()) {
            return true;
        }
        long secs = Math.max(0, grace.toSeconds());
        ExecResult out = run(CommandLine.script("pid=" + r.get().pid() + "; i=0; while kill -0 $pid 2>/dev/null && [ $i -lt " + secs
                + " ]; do sleep 1; i=$((i+1)); done; "
                + "if kill -0 $pid 2>/dev/null; then kill $pid; sleep 2; kill -9 $pid 2>/dev/null; echo forced; fi; true")
                .withTimeout(grace.plusSeconds(30)), "stop the VM " + p.name());
        return !out.stdout().contains("forced");
    }

    /**
     * The MAC that answers TCP 22 on {@code address} from here (the bridge's neighbour entry after a connection that
     * succeeded), or empty when nothing answers there: a neighbour entry alone can be a stale one of the VM's.
     */
    public Optional<String> macAt(String address, String bridge) throws ResourceException {
        Ipv4.parse(address);
        ExecResult r = run(CommandLine.script("if timeout 3 bash -c 'exec 3<>/dev/tcp/" + address + "/22' 2>/dev/null; then "
                + "ip neigh show " + CommandLine.quote(address) + " dev " + CommandLine.quote(bridge) + "; fi"), null);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("lladdr ([0-9a-f:]{17})").matcher(r.stdout());
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The serial console's end (its last 256 KiB: why a boot failed, and how far it got). */
    public ConsoleLog console(VmPlan p) throws ResourceException {
        return ConsoleLog.parse(run(CommandLine.of("tail", "-c", "262144", p.serialLog()), null).stdout());
    }

    /** Removes what the VM runs from: its root disk, seed, pid, log and tap; the data disk only when asked. */
    public void remove(VmPlan p, boolean purgeData) throws ResourceException {
        String d = CommandLine.quote(p.dir());
        String tap = CommandLine.quote(p.tap());
        run(CommandLine.script("ip link del dev " + tap + " 2>/dev/null; cd " + d + " && rm -rf root.qcow2 seed seed.iso seed.iso.new qemu.pid "
                + "serial.log" + (purgeData ? " data.qcow2 " + VmPlan.MARKER + " && cd / && rmdir " + d : "")),
                "remove the VM " + p.name() + "'s files in " + p.dir());
    }
}
