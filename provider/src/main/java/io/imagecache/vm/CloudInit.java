package io.imagecache.vm;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a registry VM's NoCloud documents from a {@link CloudInitSpec}: pure functions, the YAML written
 * by a YAML library (so no value is ever spliced into YAML text). The user-data does what the runbook's
 * VM needs and nothing else: the user with its keys and sudo, Docker (and curl, flock) present and enabled,
 * the proxies' directories. The network config is v2, static, DHCP off.
 */
public final class CloudInit {
    /**
     * How the VM makes sure what the proxies and their maintenance jobs need is there (Docker, curl for the
     * restart job's upstream probe, flock): installed only on an image without them (a fixed script, no input in it).
     */
    static final String ENSURE_TOOLS = "missing=; command -v dockerd >/dev/null 2>&1 || missing=\"$missing docker.io\"; "
            + "command -v curl >/dev/null 2>&1 || missing=\"$missing curl\"; command -v flock >/dev/null 2>&1 || missing=\"$missing util-linux\"; "
            + "[ -z \"$missing\" ] || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing; }";

    /** The filesystem label of the data disk. */
    public static final String DATA_LABEL = "imagecache";

    private CloudInit() {}

    public static String userData(CloudInitSpec s) {
        Map<String, Object> user = new LinkedHashMap<>();
        user.put("name", s.user());
        user.put("gecos", "imagecache registry host");
        user.put("shell", "/bin/bash");
        user.put("sudo", "ALL=(ALL) NOPASSWD:ALL");
        if (s.passwordHash().isPresent()) {
            user.put("lock_passwd", false);
            user.put("passwd", s.passwordHash().get());
        } else {
            user.put("lock_passwd", true);
        }
        if (!s.sshAuthorizedKeys().isEmpty()) {
            user.put("ssh_authorized_keys", s.sshAuthorizedKeys());
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("hostname", s.hostname());
        doc.put("users", List.of(user));
        doc.put("disable_root", true);
        doc.put("ssh_pwauth", s.passwordHash().isPresent());
        doc.put("ssh_deletekeys", true);
        s.sshHostKey().ifPresent(k -> doc.put("ssh_keys", ordered(
                k.kind() + "_private", k.privateKey().strip() + "\n",
                k.kind() + "_public", k.publicLine())));
        if (!s.packages().isEmpty()) {
            doc.put("packages", s.packages());
        }
        s.dataDevice().ifPresent(dev -> {
            // overwrite false: cloud-init makes the filesystem only on a disk that has none, so the cache survives
            doc.put("fs_setup", List.of(ordered("label", DATA_LABEL, "filesystem", "ext4", "device", dev, "overwrite", false)));
            doc.put("mounts", List.of(List.of("LABEL=" + DATA_LABEL, s.dataRoot(), "ext4", "defaults,nofail", "0", "2")));
        });
        List<Object> runcmd = new ArrayList<>();
        runcmd.add(List.of("sh", "-c", ENSURE_TOOLS));
        runcmd.add(List.of("systemctl", "enable", "--now", "docker"));
        for (String dir : s.directories()) {
            runcmd.add(List.of("install", "-d", "-m", "0755", dir));
        }
        doc.put("runcmd", runcmd);
        return "#cloud-config\n" + dump(doc);
    }

    public static String networkConfig(CloudInitSpec s) {
        // cloud-init's networkd renderer names the interface by the entry's id (or set-name), not by match.name,
        // so a name or glob is the id itself; a MAC match renames that NIC to eth0, as Proxmox's ipconfig0 does.
        Map<String, Object> nic = new LinkedHashMap<>();
        String match = s.interfaceMatch().orElse("e*");
        String id = isMac(match) ? "eth0" : match;
        if (isMac(match)) {
            nic.put("match", ordered("macaddress", match.toLowerCase()));
            nic.put("set-name", id);
        } else {
            nic.put("match", ordered("name", match));
        }
        nic.put("dhcp4", false);
        nic.put("dhcp6", false);
        nic.put("addresses", List.of(s.address().toString()));
        // Debian 12's cloud-init (22.4) refuses `to: default` ("Address default is not a valid ip address")
        nic.put("routes", List.of(ordered("to", "0.0.0.0/0", "via", s.gateway().toString())));
        if (!s.nameservers().isEmpty() || !s.searchDomains().isEmpty()) {
            Map<String, Object> ns = new LinkedHashMap<>();
            if (!s.nameservers().isEmpty()) {
                ns.put("addresses", s.nameservers().stream().map(Ipv4::toString).toList());
            }
            if (!s.searchDomains().isEmpty()) {
                ns.put("search", s.searchDomains());
            }
            nic.put("nameservers", ns);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("version", 2);
        doc.put("ethernets", ordered(id, nic));
        return dump(doc);
    }

    /** The instance-id changes with anything rendered, so cloud-init treats a changed VM as a new instance. */
    public static String metaData(CloudInitSpec s) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("instance-id", instanceId(s));
        doc.put("local-hostname", s.hostname());
        return dump(doc);
    }

    public static String instanceId(CloudInitSpec s) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(userData(s).getBytes(StandardCharsets.UTF_8));
            d.update((byte) 0);
            d.update(networkConfig(s).getBytes(StandardCharsets.UTF_8));
            return "imagecache-" + s.hostname() + "-" + HexFormat.of().formatHex(d.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Proxmox's {@code ipconfig0}: {@code ip=10.0.20.10/24,gw=10.0.20.1}. */
    public static String proxmoxIpConfig(CloudInitSpec s) {
        return "ip=" + s.address() + ",gw=" + s.gateway();
    }

    static boolean isMac(String s) {
        return s.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}");
    }

    /** A map that keeps its keys in the order given (Map.of's order changes from run to run). */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static String dump(Map<String, Object> doc) {
        return Yaml11Dump.dump(doc);
    }
}
