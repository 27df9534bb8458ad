package io.imagecache.resources;

import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Context;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.ObjectType;
import io.imagecache.spi.Prop;
import io.imagecache.spi.PropertyPath;
import io.imagecache.spi.ProviderFunction;
import io.imagecache.spi.ResourceType;
import io.imagecache.vm.CloudInit;
import io.imagecache.vm.CloudInitSpec;
import java.util.List;
import java.util.Set;

@ResourceType(token = "imagecache:index:registryVmCloudInit",
        description = "Renders the NoCloud documents of a registry VM with a static address, for any hypervisor: a "
                + "registry VM on DHCP that gets another address breaks every mirror. Feed `userData`, `networkConfig` "
                + "and `metaData` to a Proxmox, libvirt or cloud VM resource (or use `proxmoxIpConfig` as Proxmox's "
                + "`ipconfig0`), or let `RegistryVm` use them. Pure: nothing is contacted. Optional arguments given as "
                + "empty strings count as unset.")
public final class RegistryVmCloudInit implements ProviderFunction<RegistryVmCloudInit.Args, RegistryVmCloudInit.Result> {

    @ObjectType(token = "imagecache:index:CloudInit",
            description = "A registry VM's cloud-init: the arguments of `registryVmCloudInit`.")
    public record Args(
            @Prop(description = "The VM's host name, a DNS label such as `registry`.", required = true)
            String hostname,
            @Prop(description = "The VM's static address with its prefix length, e.g. `10.0.20.10/24`.", required = true)
            String address,
            @Prop(description = "The default gateway, inside `address`'s subnet, e.g. `10.0.20.1`.", required = true)
            String gateway,
            @Prop(description = "DNS servers (IPv4 addresses).")
            List<String> nameservers,
            @Prop(description = "DNS search domains.")
            List<String> searchDomains,
            @Prop(description = "The login user created with passwordless sudo (what `registryHost.user` then is).",
                    defaultValue = "imagecache")
            String user,
            @Prop(description = "The user's SSH public keys, authorized_keys lines such as `ssh-ed25519 AAAA... ops`.")
            List<String> sshAuthorizedKeys,
            @Prop(description = "A crypt(3) hash of the user's password (`mkpasswd -m sha-512`), for console or "
                    + "password login; never the password itself. Without it the password is locked.", secret = true)
            String passwordHash,
            @Prop(description = "The upstreams the VM will cache (default: `PullThroughCache`'s five): each gets "
                    + "`<dataRoot>/<name>` and `<configRoot>/<name>`.")
            List<UpstreamArgs> upstreams,
            @Prop(description = "Where the proxies' caches live, as in `PullThroughCache`.", defaultValue = "/var/lib/imagecache")
            String dataRoot,
            @Prop(description = "Where the proxies' configs live, as in `PullThroughCache`.", defaultValue = "/etc/imagecache")
            String configRoot,
            @Prop(description = "Which NIC gets the address: a MAC address (`52:54:00:12:34:56`) or an interface name "
                    + "or glob (`ens18`, `en*`). Default: every NIC whose name starts with `e` (give a MAC when the VM "
                    + "has more than one).")
            String interfaceMatch,
            @Prop(description = "Extra Debian packages to install at first boot (Docker is ensured anyway).")
            List<String> packages,
            @Prop(description = "The VM's own SSH host key, an unencrypted OpenSSH private key file's text (`ssh-keygen "
                    + "-t ed25519 -N ''`), delivered through cloud-init's `ssh_keys` so the first connection can "
                    + "already pin `hostKey`. Without it the VM makes its own keys at first boot.", secret = true)
            String sshHostKey,
            @Prop(description = "A disk for the caches, e.g. `/dev/vdb`: given a filesystem (ext4, label `imagecache`) "
                    + "at first boot only if it has none, so a re-created VM keeps the cache on it, and mounted at "
                    + "`dataRoot`. Without it the caches live on the root disk.")
            String dataDevice) {}

    public record Result(
            @Prop(description = "The `#cloud-config` user-data: the user with its keys and sudo, Docker (and curl, flock) "
                    + "installed and enabled, the proxies' directories, nothing else. Secret when it holds `sshHostKey` or "
                    + "`passwordHash`.", required = true)
            String userData,
            @Prop(description = "The network-config (version 2): the static address, the gateway route, the "
                    + "nameservers, `dhcp4: false`.", required = true)
            String networkConfig,
            @Prop(description = "The NoCloud meta-data: `instance-id` (derived from everything rendered, so a "
                    + "change is a new instance) and `local-hostname`.", required = true)
            String metaData,
            @Prop(description = "Proxmox's `ipconfig0` for the same address: `ip=10.0.20.10/24,gw=10.0.20.1`.",
                    required = true)
            String proxmoxIpConfig,
            @Prop(description = "The public line of `sshHostKey` (`ssh-ed25519 AAAA...`), for `registryHost.hostKey`; "
                    + "empty without `sshHostKey`.", required = true)
            String hostKey,
            @Prop(description = "The cloud-init instance-id (also in `metaData`).", required = true)
            String instanceId) {}

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public Class<Result> resultType() {
        return Result.class;
    }

    @Override
    public List<CheckFailure> check(Decoded<Args> d) {
        return CloudInitChecks.check(d, "");
    }

    @Override
    public Set<PropertyPath> secretOutputs(Args args) {
        Args a = CloudInitChecks.normalized(args);
        return a.sshHostKey() != null || a.passwordHash() != null ? Set.of(PropertyPath.of("userData")) : Set.of();
    }

    @Override
    public Result invoke(Args args, Context ctx) {
        return render(CloudInitChecks.spec(CloudInitChecks.normalized(args)));
    }

    public static Result render(CloudInitSpec s) {
        return new Result(CloudInit.userData(s), CloudInit.networkConfig(s), CloudInit.metaData(s),
                CloudInit.proxmoxIpConfig(s), s.sshHostKey().map(CloudInitSpec.HostKeyPair::publicLine).orElse(""),
                CloudInit.instanceId(s));
    }
}
