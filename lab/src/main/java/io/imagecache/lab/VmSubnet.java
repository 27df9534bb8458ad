package io.imagecache.lab;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A /24 for the VMs of one {@link HypervisorHost}: {@code a.b.c.0/24} with the gateway (br0 on the
 * hypervisor) at {@code .1}, the DHCP decoy's range at {@code .100-.150}, and every other address free
 * for static ones ({@link #address(int)}; the runbook's registry VM is {@code 10.0.20.10}).
 */
public record VmSubnet(int a, int b, int c) {
    /** The runbook's VM network, 10.0.20.0/24. */
    public static final VmSubnet RUNBOOK = new VmSubnet(10, 0, 20);
    public static final int DHCP_FIRST = 100;
    public static final int DHCP_LAST = 150;
    private static final Pattern CIDR = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.0/24");

    public VmSubnet {
        for (int octet : new int[] {a, b, c}) {
            if (octet < 0 || octet > 255) {
                throw new IllegalArgumentException("not an octet: " + octet);
            }
        }
    }

    /** {@code "10.0.21.0/24"}; only /24 subnets. */
    public static VmSubnet parse(String cidr) {
        Matcher m = CIDR.matcher(cidr);
        if (!m.matches()) {
            throw new IllegalArgumentException("not an a.b.c.0/24 subnet: " + cidr);
        }
        return new VmSubnet(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    /** {@code 10.0.20.0/24}. */
    public String cidr() {
        return prefix() + "0/24";
    }

    /** The VMs' gateway, {@code 10.0.20.1}. */
    public String gateway() {
        return address(1);
    }

    /** The gateway with the prefix length, as br0 carries it: {@code 10.0.20.1/24}. */
    public String gatewayCidr() {
        return gateway() + "/24";
    }

    /** {@code 10.0.20.<host>}. */
    public String address(int host) {
        if (host < 1 || host > 254) {
            throw new IllegalArgumentException("not a host number in a /24: " + host);
        }
        return prefix() + host;
    }

    /** Whether {@code ip} is one the DHCP decoy hands out. */
    public boolean inDhcpRange(String ip) {
        if (!ip.startsWith(prefix())) {
            return false;
        }
        int host = Integer.parseInt(ip.substring(prefix().length()));
        return host >= DHCP_FIRST && host <= DHCP_LAST;
    }

    /** dnsmasq's range, {@code 10.0.20.100,10.0.20.150}. */
    public String dhcpRange() {
        return address(DHCP_FIRST) + "," + address(DHCP_LAST);
    }

    private String prefix() {
        return a + "." + b + "." + c + ".";
    }
}
