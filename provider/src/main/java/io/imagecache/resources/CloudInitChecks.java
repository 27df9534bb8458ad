package io.imagecache.resources;

import io.imagecache.resources.RegistryVmCloudInit.Args;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.PropertyPath;
import io.imagecache.ssh.HostKey;
import io.imagecache.ssh.OpenSshPrivateKey;
import io.imagecache.vm.CloudInitSpec;
import io.imagecache.vm.Ipv4;
import io.imagecache.vm.Ipv4Cidr;
import io.imagecache.vm.Text;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The rules of a registry VM's cloud-init arguments, and the {@link CloudInitSpec} they make. Shared by the
 * {@code registryVmCloudInit} function and the {@code RegistryVm} resource ({@code prefix} is where the
 * arguments sit in the caller's inputs). Every rule also keeps values safe: they reach YAML only through
 * a YAML library, but a host name or a directory still has to mean one thing to cloud-init and the shell
 * tools it runs.
 */
final class CloudInitChecks {
    static final String LABEL = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";
    private static final String UPSTREAM_NAME = "[a-z0-9][a-z0-9_.-]{0,62}";

    private CloudInitChecks() {}

    /** Empty strings count as unset, so programs can pass optional values straight from config. */
    static Args normalized(Args a) {
        return new Args(a.hostname(), a.address(), a.gateway(), a.nameservers(), a.searchDomains(),
                blank(a.user()) ? "imagecache" : a.user(), a.sshAuthorizedKeys(), blankToNull(a.passwordHash()),
                a.upstreams(), blank(a.dataRoot()) ? "/var/lib/imagecache" : a.dataRoot(),
                blank(a.configRoot()) ? "/etc/imagecache" : a.configRoot(), blankToNull(a.interfaceMatch()), a.packages(),
                blankToNull(a.sshHostKey()), blankToNull(a.dataDevice()));
    }

    static List<CheckFailure> check(Decoded<Args> d, String prefix) {
        Args a = normalized(d.value());
        List<CheckFailure> out = new ArrayList<>();
        if (a.hostname() != null && !a.hostname().matches(LABEL)) {
            out.add(new CheckFailure(prefix + "hostname", "\"" + shown(a.hostname()) + "\" is not a DNS label: 1-63 letters, digits "
                    + "and inner hyphens, e.g. registry (give the domain in searchDomains)"));
        }
        Ipv4Cidr cidr = null;
        if (a.address() != null) {
            try {
                cidr = Ipv4Cidr.parse(a.address());
            } catch (IllegalArgumentException e) {
                out.add(new CheckFailure(prefix + "address", e.getMessage()));
            }
        }
        if (a.gateway() != null) {
            try {
                Ipv4 gw = Ipv4.parse(a.gateway());
                if (cidr != null && !cidr.contains(gw)) {
                    out.add(new CheckFailure(prefix + "gateway", a.gateway() + " is outside " + cidr.subnet() + ", the subnet of "
                            + "address " + cidr + ": the VM could not reach it; give the gateway of that subnet (e.g. "
                            + new Ipv4(cidr.network().bits() + 1) + ") or the address's real prefix length"));
                } else if (cidr != null && gw.equals(cidr.address())) {
                    out.add(new CheckFailure(prefix + "gateway", "is the VM's own address; give the subnet's router"));
                }
            } catch (IllegalArgumentException e) {
                out.add(new CheckFailure(prefix + "gateway", e.getMessage()));
            }
        }
        list(a.nameservers()).forEach((i, s) -> {
            if (!Ipv4.isValid(s)) {
                out.add(new CheckFailure(prefix + "nameservers[" + i + "]", "\"" + shown(s) + "\" is not an IPv4 address such as 10.0.20.1"));
            }
        });
        list(a.searchDomains()).forEach((i, s) -> {
            if (s == null || !s.matches(LABEL + "(\\." + LABEL + ")*") || s.length() > 253) {
                out.add(new CheckFailure(prefix + "searchDomains[" + i + "]", "\"" + shown(s) + "\" is not a DNS domain such as lab.example"));
            }
        });
        if (!a.user().matches("[a-z_][a-z0-9_-]{0,31}") || a.user().equals("root")) {
            out.add(new CheckFailure(prefix + "user", "\"" + shown(a.user()) + "\" is not a user name cloud-init can create: "
                    + "lower-case letters, digits, _ and -, at most 32, not root (root login stays off; the user has sudo)"));
        }
        List<String> keys = a.sshAuthorizedKeys() == null ? List.of() : a.sshAuthorizedKeys();
        list(keys).forEach((i, k) -> {
            try {
                if (k != null && k.contains("PRIVATE KEY")) {
                    out.add(new CheckFailure(prefix + "sshAuthorizedKeys[" + i + "]", "is a private key; give the public "
                            + "key line instead (the .pub file, e.g. ~/.ssh/id_ed25519.pub), and never put a private key here"));
                    return;
                }
                if (k == null || k.contains("\n") || k.contains("\r")) {
                    throw new IllegalArgumentException("give one key per list item, on one line");
                }
                HostKey.parse(k);
            } catch (IllegalArgumentException e) {
                out.add(new CheckFailure(prefix + "sshAuthorizedKeys[" + i + "]", "is not an authorized_keys line (" + e.getMessage()
                        .replaceFirst("; copy the whole line from the host's .*$", "")
                        .replace("a host key", "the key") + "); copy the line from the user's ~/.ssh/id_ed25519.pub"));
            }
        });
        boolean passwordUnknown = d.isUnknown(PropertyPath.of("passwordHash"));
        if (keys.isEmpty() && a.passwordHash() == null && !passwordUnknown
                && !d.isUnknown(PropertyPath.of("sshAuthorizedKeys"))) {
            out.add(new CheckFailure(prefix + "sshAuthorizedKeys", "is empty and there is no passwordHash: no one could log in "
                    + "to the VM; give at least one public key (what registryHost.privateKey matches)"));
        }
        if (a.passwordHash() != null && !a.passwordHash().matches("\\$(1|5|6|y|2[aby]|7|gy)\\$[./A-Za-z0-9$=,]+")) {
            out.add(new CheckFailure(prefix + "passwordHash", "is not a crypt(3) hash such as $6$...; give the output of "
                    + "`mkpasswd -m sha-512`, never the password itself"));
        }
        Set<String> names = new HashSet<>();
        list(a.upstreams()).forEach((i, u) -> {
            if (u == null || u.name() == null) {
                return;
            }
            if (!u.name().matches(UPSTREAM_NAME)) {
                out.add(new CheckFailure(prefix + "upstreams[" + i + "].name", "\"" + shown(u.name()) + "\" is not an upstream "
                        + "name: lower-case letters, digits, _, . and -, e.g. ghcr"));
            } else if (!names.add(u.name())) {
                out.add(new CheckFailure(prefix + "upstreams[" + i + "].name", "\"" + u.name() + "\" is given twice; give "
                        + "each upstream a name of its own (its directories are <dataRoot>/<name> and <configRoot>/<name>)"));
            }
        });
        for (String root : new String[] {"dataRoot", "configRoot"}) {
            String v = root.equals("dataRoot") ? a.dataRoot() : a.configRoot();
            if (!Validation.isAbsolutePath(v) || v.equals("/")) {
                out.add(new CheckFailure(prefix + root, "\"" + shown(v) + "\" is not an absolute path of letters, digits and "
                        + "._/+@- without \"..\", e.g. /var/lib/imagecache"));
            }
        }
        if (a.interfaceMatch() != null && !a.interfaceMatch().matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}")
                && !a.interfaceMatch().matches("[A-Za-z0-9_.*?-]{1,15}")) {
            out.add(new CheckFailure(prefix + "interfaceMatch", "\"" + shown(a.interfaceMatch()) + "\" is neither a MAC "
                    + "address (52:54:00:12:34:56) nor an interface name or glob of at most 15 characters (ens18, en*)"));
        }
        list(a.packages()).forEach((i, p) -> {
            if (p == null || !p.matches("[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+)?")) {
                out.add(new CheckFailure(prefix + "packages[" + i + "]", "\"" + shown(p) + "\" is not a Debian package name "
                        + "(optionally =version), e.g. htop"));
            }
        });
        if (a.dataDevice() != null && !a.dataDevice().matches("/dev/[A-Za-z0-9_./:-]+") || a.dataDevice() != null && a.dataDevice().contains("..")) {
            out.add(new CheckFailure(prefix + "dataDevice", "\"" + shown(a.dataDevice()) + "\" is not a device path such as /dev/vdb "
                    + "or /dev/disk/by-id/virtio-data"));
        }
        if (a.sshHostKey() != null) {
            try {
                OpenSshPrivateKey k = OpenSshPrivateKey.parse(a.sshHostKey());
                if (k.encrypted()) {
                    out.add(new CheckFailure(prefix + "sshHostKey", "is encrypted; the VM's sshd cannot use an encrypted host "
                            + "key: give one made with `ssh-keygen -t ed25519 -N ''`"));
                } else if (kind(k.publicKey().type()).isEmpty()) {
                    out.add(new CheckFailure(prefix + "sshHostKey", "is a " + k.publicKey().type() + " key; cloud-init takes "
                            + "ed25519, ecdsa-sha2-nistp256/384/521 or ssh-rsa host keys"));
                }
            } catch (IllegalArgumentException e) {
                out.add(new CheckFailure(prefix + "sshHostKey", e.getMessage()));
            }
        }
        return out;
    }

    /** The spec of arguments that passed {@link #check}. */
    static CloudInitSpec spec(Args a) {
        List<UpstreamArgs> upstreams = a.upstreams() == null ? UpstreamArgs.RUNBOOK : a.upstreams();
        List<String> dirs = new ArrayList<>();
        for (UpstreamArgs u : upstreams) {
            dirs.add(a.dataRoot() + "/" + u.name());
            dirs.add(a.configRoot() + "/" + u.name());
        }
        Optional<CloudInitSpec.HostKeyPair> hostKey = Optional.ofNullable(a.sshHostKey()).map(text -> {
            HostKey pub = OpenSshPrivateKey.parse(text).publicKey();
            return new CloudInitSpec.HostKeyPair(kind(pub.type()).orElseThrow(), text, pub.toString());
        });
        return new CloudInitSpec(a.hostname(), Ipv4Cidr.parse(a.address()), Ipv4.parse(a.gateway()),
                a.nameservers() == null ? List.of() : a.nameservers().stream().map(Ipv4::parse).toList(),
                a.searchDomains() == null ? List.of() : a.searchDomains(), a.user(),
                a.sshAuthorizedKeys() == null ? List.of() : a.sshAuthorizedKeys().stream().map(String::strip).toList(),
                Optional.ofNullable(a.passwordHash()), Optional.ofNullable(a.interfaceMatch()),
                a.packages() == null ? List.of() : a.packages(), hostKey, dirs, Optional.ofNullable(a.dataDevice()),
                a.dataRoot());
    }

    /** cloud-init's {@code ssh_keys} name for a key type. */
    static Optional<String> kind(String type) {
        return switch (type) {
            case "ssh-ed25519" -> Optional.of("ed25519");
            case "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521" -> Optional.of("ecdsa");
            case "ssh-rsa" -> Optional.of("rsa");
            default -> Optional.empty();
        };
    }

    private interface Each<T> {
        void accept(int index, T value);
    }

    private record Indexed<T>(List<T> items) {
        void forEach(Each<T> f) {
            for (int i = 0; i < items.size(); i++) {
                f.accept(i, items.get(i));
            }
        }
    }

    private static <T> Indexed<T> list(List<T> l) {
        return new Indexed<>(l == null ? List.of() : l);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String blankToNull(String s) {
        return blank(s) ? null : s;
    }

    private static String shown(String s) {
        return Text.shown(s);
    }
}
