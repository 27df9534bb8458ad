package io.imagecache.vm;

/** A host address with its prefix length, {@code 10.0.20.10/24}: what a static interface is given. */
public record Ipv4Cidr(Ipv4 address, int prefix) {

    public Ipv4Cidr {
        if (prefix < 1 || prefix > 32) {
            throw new IllegalArgumentException("the prefix length must be 1-32, e.g. /24");
        }
    }

    /**
     * Parses {@code a.b.c.d/len} and refuses what no interface can hold: no prefix, the subnet's own
     * network or broadcast address (for prefixes up to /30).
     */
    public static Ipv4Cidr parse(String s) {
        if (s == null || !s.contains("/")) {
            throw new IllegalArgumentException("\"" + Text.shown(s) + "\" needs a prefix length: an address in CIDR form such as 10.0.20.10/24");
        }
        String[] parts = s.split("/", 2);
        if (!parts[1].matches("\\d{1,2}")) {
            throw new IllegalArgumentException("\"" + Text.shown(s) + "\" has no valid prefix length after the slash; e.g. 10.0.20.10/24");
        }
        Ipv4Cidr c = new Ipv4Cidr(Ipv4.parse(parts[0]), Integer.parseInt(parts[1]));
        if (c.prefix <= 30 && (c.address.bits() == c.network().bits() || c.address.bits() == c.broadcast().bits())) {
            throw new IllegalArgumentException("\"" + s + "\" is the " + (c.address.bits() == c.network().bits() ? "network" : "broadcast")
                    + " address of its subnet " + c.subnet() + "; give a host address in it, e.g. "
                    + new Ipv4(c.network().bits() + 10) + "/" + c.prefix);
        }
        return c;
    }

    public int mask() {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    public Ipv4 network() {
        return new Ipv4(address.bits() & mask());
    }

    public Ipv4 broadcast() {
        return new Ipv4(address.bits() | ~mask());
    }

    /** {@code 10.0.20.0/24} */
    public String subnet() {
        return network() + "/" + prefix;
    }

    public boolean contains(Ipv4 other) {
        return (other.bits() & mask()) == network().bits();
    }

    @Override
    public String toString() {
        return address + "/" + prefix;
    }
}
