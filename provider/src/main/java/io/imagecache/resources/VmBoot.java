package io.imagecache.resources;

import io.imagecache.hosts.HostOps;
import io.imagecache.hosts.kvm.ConsoleLog;
import io.imagecache.hosts.kvm.Hypervisor;
import io.imagecache.spi.Context;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.CommandLine;
import io.imagecache.ssh.ExecResult;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.ssh.RemoteHostFactory;
import java.time.Duration;
import java.util.Map;

/**
 * Waits for a booted registry VM: SSH answers on its static address with the host key made for it (pinned,
 * so whatever else answers there is refused), cloud-init is done, Docker is active. Bounded by
 * {@code bootTimeoutSeconds}; the engine's Cancel ends the wait.
 */
final class VmBoot {
    private static final Duration POLL = Duration.ofSeconds(3);

    private VmBoot() {}

    static void await(RemoteHostFactory hosts, RegistryVmPlan plan, RegistryVm.Args a, DefaultCredentials defaults, Hypervisor kvm,
                      Context ctx) throws ResourceException {
        long start = System.nanoTime();
        long deadline = start + Duration.ofSeconds(a.bootTimeoutSeconds()).toNanos();
        int polls = 0;
        ConnectionArgs vm = new ConnectionArgs(plan.address(), 22, plan.spec().user(), a.privateKey(), null, null,
                plan.rendered().hostKey(), null, 5, 1, 0, true);
        String last = "no answer on " + plan.address() + ":22";
        while (System.nanoTime() < deadline) {
            if (ctx.cancelled()) {
                throw new ResourceException(ResourceException.Kind.CANCELLED, "cancelled while waiting for the VM " + a.name());
            }
            if (kvm.running(plan.vm()).isEmpty()) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "the VM " + a.name() + " stopped while "
                        + "booting; its console said:\n" + kvm.console(plan.vm()).tail(30));
            }
            try (RemoteHost host = Connections.open(hosts, vm, Map.of(), defaults, ctx)) {
                HostOps ops = new HostOps(host, plan.address());
                long left = Math.max(5, (deadline - System.nanoTime()) / 1_000_000_000L);
                ExecResult ci = ops.run(CommandLine.of("cloud-init", "status", "--wait").withTimeout(Duration.ofSeconds(left)), null);
                if (!ci.ok() && !ci.stdout().contains("done")) {
                    ExecResult why = ops.run(CommandLine.of("cloud-init", "status", "--long"), null);
                    throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "cloud-init failed on the VM " + a.name()
                            + " (" + plan.address() + "): " + why.stdout().strip());
                }
                ExecResult docker = ops.run(CommandLine.of("systemctl", "is-active", "docker"), null);
                if (docker.ok()) {
                    ctx.status(a.name() + " is up at " + plan.address() + " (cloud-init done, Docker active)");
                    return;
                }
                last = "Docker is " + docker.stdout().strip() + " on the VM";
            } catch (ResourceException e) {
                if (e.kind() == ResourceException.Kind.PERMISSION_DENIED) {
                    throw new ResourceException(e.kind(), plan.address() + " answers with another host key than the one made for "
                            + "the VM " + a.name() + ": another machine holds the address? " + e.getMessage(), e);
                }
                if (e.kind() == ResourceException.Kind.FAILED_PRECONDITION || e.kind() == ResourceException.Kind.CANCELLED) {
                    throw e;
                }
                last = e.getMessage();
            }
            long waited = (System.nanoTime() - start) / 1_000_000_000L;
            String clock = ++polls % 10 == 0 ? progress(kvm, plan, waited) : "";
            ctx.status("Waiting for " + a.name() + " at " + plan.address() + clock + ": " + last);
            sleep(POLL);
        }
        ConsoleLog console = kvm.console(plan.vm());
        throw new ResourceException(ResourceException.Kind.DEADLINE_EXCEEDED, "the VM " + a.name() + " was not ready at "
                + plan.address() + " within " + a.bootTimeoutSeconds() + " s (" + last + "); " + console.progress(a.bootTimeoutSeconds())
                + ("tcg".equals(a.accelerator()) ? " (an emulated CPU, accelerator tcg, boots several times slower on a busy host: raise"
                + " bootTimeoutSeconds if the console shows the boot going on)" : "") + "; its console said:\n" + console.tail(30));
    }

    /**
     * Asks the guest to power off (`systemctl poweroff` over SSH, the host key pinned): how the VM shuts down
     * cleanly, its filesystems unmounted. Best effort: the caller then waits and ends QEMU if it must.
     */
    static void askPowerOff(RemoteHostFactory hosts, String address, String user, String hostKey, String privateKey,
                            DefaultCredentials defaults, Context ctx) {
        ConnectionArgs vm = new ConnectionArgs(address, 22, user, privateKey, null, null, hostKey, null, 5, 1, 0, true);
        try (RemoteHost host = Connections.open(hosts, vm, Map.of(), defaults, ctx)) {
            new HostOps(host, address).run(CommandLine.script("systemctl poweroff || poweroff").withTimeout(Duration.ofSeconds(20)), null);
        } catch (ResourceException | RuntimeException e) {
            ctx.status("The VM at " + address + " did not take a power-off over SSH (" + e.getMessage() + "); stopping it from the hypervisor");
        }
    }

    /** How far the guest got, every tenth poll (a status line, so a failure to read the console costs nothing). */
    private static String progress(Hypervisor kvm, RegistryVmPlan plan, long waited) {
        try {
            return " (" + kvm.console(plan.vm()).progress(waited) + ")";
        } catch (ResourceException e) {
            return "";
        }
    }

    private static void sleep(Duration d) throws ResourceException {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResourceException(ResourceException.Kind.CANCELLED, "interrupted");
        }
    }
}
