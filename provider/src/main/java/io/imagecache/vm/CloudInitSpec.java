package io.imagecache.vm;

import java.util.List;
import java.util.Optional;

/**
 * What a registry VM's cloud-init says, checked: {@code RegistryVmCloudInit} builds it from the function's
 * arguments, {@link CloudInit} renders it.
 *
 * @param hostname           a DNS label
 * @param address            the static address with its prefix
 * @param gateway            inside {@code address}'s subnet
 * @param interfaceMatch     a MAC address or an interface name (glob); empty: every NIC named {@code e*}
 * @param sshHostKey         the VM's own host key: its private file's text and the public line derived from it
 * @param directories        absolute paths to create (the proxies' data and config directories)
 * @param passwordHash       a crypt(3) hash for the user, for console or password login
 * @param dataDevice         a disk for the caches, formatted once and mounted at {@code dataRoot}
 */
public record CloudInitSpec(String hostname, Ipv4Cidr address, Ipv4 gateway, List<Ipv4> nameservers,
                            List<String> searchDomains, String user, List<String> sshAuthorizedKeys,
                            Optional<String> passwordHash, Optional<String> interfaceMatch, List<String> packages,
                            Optional<HostKeyPair> sshHostKey, List<String> directories, Optional<String> dataDevice,
                            String dataRoot) {

    /** A host key pair as cloud-init's {@code ssh_keys} takes it: {@code <kind>_private} and {@code <kind>_public}. */
    public record HostKeyPair(String kind, String privateKey, String publicLine) {
        @Override
        public String toString() {
            return "HostKeyPair[" + kind + ", " + publicLine + "]";
        }
    }

    public CloudInitSpec {
        nameservers = List.copyOf(nameservers);
        searchDomains = List.copyOf(searchDomains);
        sshAuthorizedKeys = List.copyOf(sshAuthorizedKeys);
        packages = List.copyOf(packages);
        directories = List.copyOf(directories);
    }

    @Override
    public String toString() {
        return "CloudInitSpec[" + hostname + ", " + address + " via " + gateway + ", user " + user + ", "
                + sshAuthorizedKeys.size() + " keys, password " + (passwordHash.isPresent() ? "****" : "-") + ", host key "
                + sshHostKey.map(HostKeyPair::publicLine).orElse("-") + "]";
    }
}
