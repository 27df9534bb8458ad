package io.imagecache.resources;

import io.imagecache.hosts.kvm.Hypervisor;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Context;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.DiffResult;
import io.imagecache.spi.PropertyDiff;
import io.imagecache.spi.Prop;
import io.imagecache.spi.Owner;
import io.imagecache.spi.ResourceException;
import io.imagecache.spi.ResourceType;
import io.imagecache.ssh.Ed25519HostKeys;
import io.imagecache.ssh.OpenSshPrivateKey;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.ssh.RemoteHostFactory;
import io.imagecache.vm.VmPlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

@ResourceType(token = "imagecache:index:RegistryVm",
        description = "The registry VM on a KVM host reached over SSH: QEMU with KVM (no libvirt), a copy-on-write root "
                + "disk over `baseImage`, a data disk for the caches, and a NoCloud seed rendered by `registryVmCloudInit` "
                + "with the static address. Its SSH host key is made here and delivered through cloud-init, so `hostKey` "
                + "is known before the VM first boots and the first connection is already pinned. Create waits until "
                + "the VM answers SSH on its address with that key, cloud-init is done and Docker runs.\n\n"
                + "Read reports a VM that is stopped or no longer answers on its address (the next `up` starts it); "
                + "`cpus`/`memoryMb` update with a restart; the address, host name, base image and every other cloud-init "
                + "input replace it (deleted first: the new VM takes over the name and the data disk). Delete powers the "
                + "VM off and removes its root disk and seed, keeping the data disk unless `purgeDataOnDelete`; nothing "
                + "without the marker `.imagecache-owner` is touched.")
public final class RegistryVm implements CustomResource<RegistryVm.Args, RegistryVm.State> {

    public record Args(
            @Prop(description = "How to reach the KVM host (root, or a user with `sudo`).", required = true)
            ConnectionArgs hypervisor,
            @Prop(description = "The VM's name on the hypervisor: its directory `<vmDir>/<name>` and QEMU's `-name`.",
                    required = true, replaceOnChanges = true)
            String name,
            @Prop(description = "The base disk image on the hypervisor (qcow2 or raw), e.g. a Debian cloud image with "
                    + "cloud-init. It is only read: the VM's root disk is a copy-on-write layer over it.", required = true,
                    replaceOnChanges = true)
            String baseImage,
            @Prop(description = "Virtual CPUs (a change restarts the VM).", defaultValue = "1")
            Integer cpus,
            @Prop(description = "Memory in MiB (a change restarts the VM).", defaultValue = "1024")
            Integer memoryMb,
            @Prop(description = "The root disk's size in GiB.", defaultValue = "10", replaceOnChanges = true)
            Integer diskGb,
            @Prop(description = "The data disk's size in GiB, when it is first made (an existing data disk is reused as it is).",
                    defaultValue = "20")
            Integer dataDiskGb,
            @Prop(description = "The Linux bridge on the hypervisor the VM's NIC joins (its subnet holds `address`).",
                    defaultValue = "br0", replaceOnChanges = true)
            String bridge,
            @Prop(description = "QEMU's accelerator: `kvm`, or `tcg` (emulated, several times slower) on a host whose "
                    + "KVM cannot run the guest's kernel (nested virtualisation without VMX/SVM, for instance). A change "
                    + "restarts the VM.", defaultValue = "kvm")
            String accelerator,
            @Prop(description = "Where VM directories live on the hypervisor.", defaultValue = "/var/lib/imagecache/vms",
                    replaceOnChanges = true)
            String vmDir,
            @Prop(description = "The VM's cloud-init: the same arguments as `registryVmCloudInit` (its `interfaceMatch` "
                    + "and `dataDevice` are set here: the VM's NIC and data disk). A change replaces the VM.", required = true)
            RegistryVmCloudInit.Args cloudInit,
            @Prop(description = "The private key (OpenSSH text) of one of `cloudInit.sshAuthorizedKeys`, to check the VM "
                    + "once it is up. Default: `IMAGECACHE_SSH_KEY_FILE` or `~/.ssh`.", secret = true, hostNeutral = true)
            String privateKey,
            @Prop(description = "How long Create waits for the VM to answer SSH, finish cloud-init and run Docker.",
                    defaultValue = "300", hostNeutral = true)
            Integer bootTimeoutSeconds,
            @Prop(description = "Delete also removes the data disk (the caches). Off by default.", defaultValue = "false",
                    hostNeutral = true)
            Boolean purgeDataOnDelete) {}

    public record State(
            @Prop(description = "The VM's static address, without prefix: what `registryHost.host` and "
                    + "`advertiseAddress` take.", required = true)
            String address,
            @Prop(description = "The VM's SSH host key (`ssh-ed25519 AAAA...`), for `registryHost.hostKey`.", required = true)
            String hostKey,
            @Prop(description = "The login user (`cloudInit.user`), for `registryHost.user`.", required = true)
            String user,
            @Prop(description = "The private half of `hostKey`, kept so a restart keeps the key.", required = true, secret = true)
            String hostPrivateKey,
            @Prop(description = "The NIC's MAC address.", required = true)
            String mac,
            @Prop(description = "The cloud-init instance-id.", required = true)
            String instanceId,
            @Prop(description = "The VM's directory on the hypervisor.", required = true)
            String directory,
            @Prop(description = "The data disk (kept on delete unless `purgeDataOnDelete`).", required = true)
            String dataDisk,
            @Prop(description = "False when Read found the VM stopped, or not answering on its address with its MAC.", required = true)
            Boolean running,
            @Prop(description = "Host keys recorded on first contact (`host:port` -> key), enforced afterwards.", required = true)
            Map<String, String> hostKeys) {}

    private final RemoteHostFactory hosts;
    private final DefaultCredentials defaultCredentials;

    public RegistryVm(RemoteHostFactory hosts, DefaultCredentials defaultCredentials) {
        this.hosts = hosts;
        this.defaultCredentials = defaultCredentials;
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public Class<State> stateType() {
        return State.class;
    }

    // --- check ------------------------------------------------------------------------------------

    @Override
    public List<CheckFailure> check(Decoded<Args> news) {
        return RegistryVmChecks.check(news);
    }

    // --- diff -------------------------------------------------------------------------------------

    @Override
    public DiffResult diff(DiffRequest<Args, State> req) {
        DiffResult d = req.inputDiff();
        // a cloud-init change makes a new instance: a new VM (cloud-init would not redo a user or a host key)
        for (Map.Entry<String, PropertyDiff> e : d.detailed().entrySet()) {
            if (e.getKey().startsWith("cloudInit") && !e.getValue().replaces()) {
                d = d.with(e.getKey(), new PropertyDiff(switch (e.getValue().kind()) {
                    case ADD -> PropertyDiff.Kind.ADD_REPLACE;
                    case DELETE -> PropertyDiff.Kind.DELETE_REPLACE;
                    default -> PropertyDiff.Kind.UPDATE_REPLACE;
                }, e.getValue().inputDiff()));
            }
        }
        if (!d.hasChanges() && req.oldState() != null && Boolean.FALSE.equals(req.oldState().running())) {
            d = d.with("running", new PropertyDiff(PropertyDiff.Kind.UPDATE, false));
        }
        // the new VM takes the old one's name, tap and data disk: the old one must go first
        return d.withDeleteBeforeReplace(true);
    }

    // --- create / read / update / delete ----------------------------------------------------------

    @Override
    public CreateResult<State> create(CreateRequest<Args> req) throws ResourceException {
        Args a = req.args();
        if (req.preview()) {
            return new CreateResult<>(null, RegistryVmPlan.previewState(a));
        }
        Ed25519HostKeys.Generated key = given(a).orElseGet(() -> Ed25519HostKeys.generate(a.name()));
        RegistryVmPlan plan = RegistryVmPlan.of(a, key.privateKey(), null);
        try (RemoteHost host = Connections.open(hosts, a.hypervisor(), Map.of(), defaultCredentials, req.context())) {
            Hypervisor kvm = new Hypervisor(host, a.hypervisor().describe());
            plan = RegistryVmPlan.of(a, key.privateKey(), preflight(kvm, a));
            VmPlan vm = plan.vm();
            Optional<String> marker = kvm.marker(vm);
            if (marker.isEmpty() && kvm.exists(vm.dir())) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, vm.dir() + " on " + a.hypervisor().describe()
                        + " exists and was not made by imagecache (no " + VmPlan.MARKER + "); move it away or set another vmDir");
            }
            Optional<Owner> us = Owner.fromUrn(req.urn());
            Optional<String> refusal = VmMarker.refusal(marker, vm, us, Owner.Op.CREATE, a.hypervisor().describe());
            if (refusal.isPresent()) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, refusal.get());
            }
            if (kvm.running(vm).isPresent()) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "a VM named " + a.name() + " already runs on "
                        + a.hypervisor().describe() + " from " + vm.dir() + "; delete it or pick another name");
            }
            if (marker.isPresent()) {
                req.context().status("Reusing the data disk " + vm.dataDisk());
            }
            req.context().status("Booting " + a.name() + " at " + plan.address());
            kvm.prepare(vm, plan.seed(), VmMarker.of(vm, us).render());
            kvm.start(vm);
            try {
                VmBoot.await(hosts, plan, a, defaultCredentials, kvm, req.context());
            } catch (ResourceException e) {
                // no state is recorded for a failed create: leave nothing running that the next attempt would trip on
                kvm.stop(vm, Duration.ofSeconds(10));
                kvm.remove(vm, false);
                throw e;
            }
            return new CreateResult<>(vm.dir(), plan.state(true, Connections.hostKeys(host, Map.of())));
        }
    }

    @Override
    public ReadResult<Args, State> read(ReadRequest<Args, State> req) throws ResourceException {
        if (req.isImport()) {
            throw new ResourceException(ResourceException.Kind.INVALID, "a RegistryVm cannot be imported yet; create it with "
                    + "`pulumi up` (an existing data disk in <vmDir>/<name> is reused)");
        }
        Args a = req.inputs().orElseThrow();
        State s = req.state().orElseThrow();
        try (RemoteHost host = Connections.open(hosts, a.hypervisor(), s.hostKeys(), defaultCredentials, req.context())) {
            Hypervisor kvm = new Hypervisor(host, a.hypervisor().describe());
            RegistryVmPlan plan = RegistryVmPlan.of(a, s.hostPrivateKey(), null);
            VmPlan vm = plan.vm();
            Optional<String> marker = kvm.marker(vm);
            if (marker.isEmpty()) {
                return ReadResult.gone();
            }
            Optional<Owner> us = Owner.fromUrn(req.urn());
            if (VmMarker.legacy(marker, vm, us)) {
                // written by a version that recorded no stack: this stack, the first to manage it, adopts it
                kvm.write(vm.marker(), VmMarker.of(vm, us).render(), 0644);
                req.context().info(vm.marker() + " now names the stack " + us.get().stackId() + " (adopted)");
            }
            boolean running = kvm.running(vm).isPresent();
            if (!running) {
                req.context().warn("the VM " + a.name() + " is not running on " + a.hypervisor().describe() + "; `pulumi up` starts it");
            } else {
                Optional<String> mac = kvm.macAt(s.address(), vm.bridge());
                if (mac.isEmpty() || !mac.get().equalsIgnoreCase(vm.mac())) {
                    running = false;
                    req.context().warn(s.address() + " " + (mac.isEmpty() ? "does not answer" : "answers with MAC " + mac.get()
                            + ", not the VM's " + vm.mac()) + "; the VM " + a.name() + " does not hold its address. `pulumi up` restarts it");
                }
            }
            return ReadResult.of(req.id(), a, new State(s.address(), s.hostKey(), s.user(), s.hostPrivateKey(), s.mac(), s.instanceId(),
                    s.directory(), s.dataDisk(), running, Connections.hostKeys(host, s.hostKeys())));
        }
    }

    @Override
    public State update(UpdateRequest<Args, State> req) throws ResourceException {
        Args a = req.args();
        State old = req.oldState();
        if (req.preview()) {
            req.context().info("the VM " + a.name() + " restarts to apply this change");
            return new State(old.address(), old.hostKey(), old.user(), old.hostPrivateKey(), old.mac(), old.instanceId(), old.directory(),
                    old.dataDisk(), true, old.hostKeys());
        }
        try (RemoteHost host = Connections.open(hosts, a.hypervisor(), old.hostKeys(), defaultCredentials, req.context())) {
            Hypervisor kvm = new Hypervisor(host, a.hypervisor().describe());
            RegistryVmPlan plan = RegistryVmPlan.of(a, old.hostPrivateKey(), null);
            VmPlan vm = plan.vm();
            Optional<Owner> us = Owner.fromUrn(req.urn());
            Optional<String> marker = kvm.marker(vm);
            Optional<String> refusal = VmMarker.refusal(marker, vm, us, Owner.Op.UPDATE, a.hypervisor().describe());
            if (refusal.isPresent()) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, refusal.get());
            }
            if (VmMarker.legacy(marker, vm, us)) {
                kvm.write(vm.marker(), VmMarker.of(vm, us).render(), 0644);
            }
            req.context().status("Restarting " + a.name() + " (" + a.cpus() + " CPUs, " + a.memoryMb() + " MiB)");
            if (kvm.running(vm).isPresent()) {
                VmBoot.askPowerOff(hosts, old.address(), old.user(), old.hostKey(), a.privateKey(), defaultCredentials, req.context());
            }
            if (!kvm.stop(vm, Duration.ofSeconds(60))) {
                req.context().warn("the VM " + a.name() + " did not power off within 60 s and was stopped by force");
            }
            kvm.start(vm);
            VmBoot.await(hosts, plan, a, defaultCredentials, kvm, req.context());
            return plan.state(true, Connections.hostKeys(host, old.hostKeys()));
        }
    }

    @Override
    public void delete(DeleteRequest<Args, State> req) throws ResourceException {
        Args a = req.inputs();
        State s = req.state();
        try (RemoteHost host = Connections.open(hosts, a.hypervisor(), s.hostKeys(), defaultCredentials, req.context())) {
            Hypervisor kvm = new Hypervisor(host, a.hypervisor().describe());
            VmPlan vm = RegistryVmPlan.of(a, s.hostPrivateKey(), null).vm();
            Optional<String> marker = kvm.marker(vm);
            if (marker.flatMap(VmMarker::parse).map(m -> !m.name().equals(a.name())).orElse(true)) {
                req.context().warn(vm.dir() + " on " + a.hypervisor().describe() + " is not this VM's (no matching "
                        + VmPlan.MARKER + "); it was left in place");
                return;
            }
            Optional<String> refusal = VmMarker.refusal(marker, vm, Owner.fromUrn(req.urn()), Owner.Op.DELETE,
                    a.hypervisor().describe());
            if (refusal.isPresent()) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, refusal.get());
            }
            if (kvm.running(vm).isPresent()) {
                VmBoot.askPowerOff(hosts, s.address(), s.user(), s.hostKey(), a.privateKey(), defaultCredentials, req.context());
            }
            if (!kvm.stop(vm, Duration.ofSeconds(60))) {
                req.context().warn("the VM " + a.name() + " did not power off within 60 s and was stopped by force");
            }
            boolean purge = Boolean.TRUE.equals(a.purgeDataOnDelete());
            kvm.remove(vm, purge);
            if (!purge) {
                req.context().status("Kept the data disk " + vm.dataDisk());
            }
        }
    }

    // --- helpers ----------------------------------------------------------------------------------

    /** The host key the user gave in {@code cloudInit.sshHostKey}, if any. */
    private static Optional<Ed25519HostKeys.Generated> given(Args a) {
        String k = a.cloudInit() == null ? null : a.cloudInit().sshHostKey();
        if (k == null || k.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new Ed25519HostKeys.Generated(k, OpenSshPrivateKey.parse(k).publicKey()));
    }

    /** Fails naming what the hypervisor lacks; returns the base image's format. */
    private static String preflight(Hypervisor kvm, Args a) throws ResourceException {
        List<String> missing = new ArrayList<>(kvm.missing(a.bridge(), a.accelerator().equals("kvm")));
        if (!missing.isEmpty()) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, a.hypervisor().describe() + " lacks "
                    + String.join(", ", missing) + " (Debian: apt-get install qemu-system-x86 qemu-utils genisoimage iproute2; "
                    + "the bridge holds the VM's subnet, e.g. `ip link add br0 type bridge`)");
        }
        return kvm.imageFormat(a.baseImage());
    }
}
