package io.imagecache.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VmSubnetTest {
    @Test
    void theRunbooksNetworkHasItsGatewayAtOneAndTheDecoyAboveTheStaticAddresses() {
        VmSubnet s = VmSubnet.RUNBOOK;
        assertEquals("10.0.20.0/24", s.cidr());
        assertEquals("10.0.20.1", s.gateway());
        assertEquals("10.0.20.1/24", s.gatewayCidr());
        assertEquals("10.0.20.10", s.address(10));
        assertEquals("10.0.20.100,10.0.20.150", s.dhcpRange());
        assertFalse(s.inDhcpRange(s.address(10)), "the registry VM's static address is not one the decoy hands out");
        assertTrue(s.inDhcpRange("10.0.20.120"));
        assertFalse(s.inDhcpRange("10.0.21.120"));
    }

    @Test
    void parsesOnlySlash24s() {
        assertEquals(new VmSubnet(10, 0, 21), VmSubnet.parse("10.0.21.0/24"));
        assertThrows(IllegalArgumentException.class, () -> VmSubnet.parse("10.0.21.0/16"));
        assertThrows(IllegalArgumentException.class, () -> VmSubnet.parse("10.0.21.5/24"));
        assertThrows(IllegalArgumentException.class, () -> VmSubnet.parse("10.0.256.0/24"));
        assertThrows(IllegalArgumentException.class, () -> VmSubnet.RUNBOOK.address(255));
        assertThrows(IllegalArgumentException.class, () -> VmSubnet.RUNBOOK.address(0));
    }
}
