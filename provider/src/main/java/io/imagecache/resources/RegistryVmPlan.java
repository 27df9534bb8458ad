package io.imagecache.resources;

import io.imagecache.vm.CloudInitSpec;
import io.imagecache.vm.VmPlan;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a RegistryVm's inputs make, without touching any host: the VM's files and QEMU command
 * ({@link VmPlan}), and its NoCloud seed from the same renderer as {@code registryVmCloudInit}, with the
 * VM's own NIC (by MAC), data disk and host key filled in.
 */
record RegistryVmPlan(VmPlan vm, CloudInitSpec spec, RegistryVmCloudInit.Result rendered, String hostPrivateKey) {

    /** {@code baseFormat} may be null when no disk is to be made (restart, delete). */
    static RegistryVmPlan of(RegistryVm.Args a, String hostPrivateKey, String baseFormat) {
        VmPlan vm = VmPlan.of(a.name(), a.vmDir(), a.baseImage(), baseFormat, a.cpus(), a.memoryMb(), a.diskGb(), a.dataDiskGb(),
                a.bridge(), a.accelerator());
        RegistryVmCloudInit.Args c = CloudInitChecks.normalized(cloudInit(a.cloudInit(), vm, hostPrivateKey));
        CloudInitSpec spec = CloudInitChecks.spec(c);
        return new RegistryVmPlan(vm, spec, RegistryVmCloudInit.render(spec), hostPrivateKey);
    }

    /** The user's cloud-init arguments with the VM's NIC, data disk and host key. */
    static RegistryVmCloudInit.Args cloudInit(RegistryVmCloudInit.Args c, VmPlan vm, String hostPrivateKey) {
        return new RegistryVmCloudInit.Args(c.hostname(), c.address(), c.gateway(), c.nameservers(), c.searchDomains(), c.user(),
                c.sshAuthorizedKeys(), c.passwordHash(), c.upstreams(), c.dataRoot(), c.configRoot(), vm.mac(), c.packages(),
                hostPrivateKey, VmPlan.DATA_DEVICE);
    }

    String address() {
        return spec.address().address().toString();
    }

    /** The seed's files, as NoCloud names them. */
    Map<String, String> seed() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("user-data", rendered.userData());
        m.put("meta-data", rendered.metaData());
        m.put("network-config", rendered.networkConfig());
        return m;
    }

    RegistryVm.State state(boolean running, Map<String, String> hostKeys) {
        return new RegistryVm.State(address(), rendered.hostKey(), spec.user(), hostPrivateKey, vm.mac(), rendered.instanceId(),
                vm.dir(), vm.dataDisk(), running, hostKeys);
    }

    /** A preview's outputs: the address and user are known from the inputs (when they are), the rest once the VM exists. */
    static RegistryVm.State previewState(RegistryVm.Args a) {
        String address = null;
        String user = null;
        if (a.cloudInit() != null) {
            String cidr = a.cloudInit().address();
            address = cidr == null || !cidr.contains("/") ? null : cidr.substring(0, cidr.indexOf('/'));
            user = CloudInitChecks.normalized(a.cloudInit()).user();
        }
        return new RegistryVm.State(address, null, user, null, null, null, null, null, null, null);
    }
}
