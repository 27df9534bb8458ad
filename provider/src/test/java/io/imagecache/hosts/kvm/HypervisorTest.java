package io.imagecache.hosts.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** qemu-img's JSON, as QEMU 7.2 on the hypervisor lab host prints it for the lab's base disk. */
class HypervisorTest {
    @Test
    void readsTheFormatOfQemuImgInfo() {
        String info = "{\n    \"virtual-size\": 4294967296,\n    \"filename\": \"/srv/imagecache/images/debian-12.qcow2\",\n"
                + "    \"cluster-size\": 65536,\n    \"format\": \"qcow2\",\n    \"actual-size\": 385245184,\n"
                + "    \"format-specific\": {\n        \"type\": \"qcow2\",\n        \"data\": {\"compat\": \"1.1\"}\n    },\n"
                + "    \"dirty-flag\": false\n}\n";
        assertEquals(Optional.of("qcow2"), Hypervisor.formatOf(info));
        assertEquals(Optional.of("raw"), Hypervisor.formatOf("{\"format\": \"raw\"}"));
        assertEquals(Optional.empty(), Hypervisor.formatOf("qemu-img: Could not open 'x': No such file"));
        assertEquals(Optional.empty(), Hypervisor.formatOf("{\"format\": \"qcow2; rm -rf /\"}"));
    }
}
