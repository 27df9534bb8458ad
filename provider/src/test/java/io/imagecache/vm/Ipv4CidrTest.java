package io.imagecache.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Ipv4CidrTest {
    @Test
    void subnetMembershipAndEdges() {
        Ipv4Cidr c = Ipv4Cidr.parse("10.0.20.10/24");
        assertEquals("10.0.20.0/24", c.subnet());
        assertEquals("10.0.20.255", c.broadcast().toString());
        assertTrue(c.contains(Ipv4.parse("10.0.20.1")));
        assertFalse(c.contains(Ipv4.parse("10.0.21.1")));
        assertTrue(Ipv4Cidr.parse("192.168.7.77/16").contains(Ipv4.parse("192.168.200.1")));
        assertEquals("10.0.20.10/32", Ipv4Cidr.parse("10.0.20.10/32").toString());
        assertTrue(Ipv4Cidr.parse("10.0.0.1/8").contains(Ipv4.parse("10.255.0.1")));
        assertEquals("255.255.255.255", Ipv4.parse("255.255.255.255").toString());
    }

    @Test
    void refusesWhatNoInterfaceCanHold() {
        assertThrows(IllegalArgumentException.class, () -> Ipv4.parse("010.0.0.1"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4.parse("1.2.3"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4.parse("1.2.3.4 "));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("10.0.20.10/0"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("10.0.20.10/"));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Cidr.parse("10.0.20.0/30".replace(".0/", ".3/")));
    }
}
