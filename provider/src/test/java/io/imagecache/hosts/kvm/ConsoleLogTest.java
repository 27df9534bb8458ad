package io.imagecache.hosts.kvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The lab's registry VM console, as QEMU's {@code -serial file:} wrote it during a first boot under TCG (lines 600 to
 * 700: systemd's wait-online spinner redrawn 25 times, then cloud-init's network table and the data disk mounted at 92 s), and small cases around it.
 */
class ConsoleLogTest {
    private static String resource(String name) throws IOException {
        try (InputStream in = ConsoleLogTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aSpinnerRedrawnTwentyFiveTimesIsOneLineInItsLastState() throws IOException {
        ConsoleLog log = ConsoleLog.parse(resource("serial-wait-online.log"));
        String text = String.join("\n", log.lines());
        assertFalse(text.contains("\u001B"), "no escape is left");
        assertFalse(text.contains("\r"), text);
        assertEquals(1, log.lines().stream().filter(l -> l.contains("Job systemd-networkd-wait-online")).count(), text);
        assertTrue(text.contains("Job systemd-networkd-wait-online.se…ice/start running (56s / no limit)"), text);
        assertTrue(text.contains("[  OK  ] Finished systemd-networkd-…Wait for Network to be Configured."), text);
        assertTrue(log.tail(30).contains("cloud-init[366]: ci-info: |  eth0  | True |         10.0.20.10"), log.tail(30));
        assertEquals(92.008817, log.guestSeconds().getAsDouble(), 1e-9);
        assertEquals("the VM's kernel clock reached 92 s in 600 s of waiting", log.progress(600));
    }

    @Test
    void aBootThatNeverPrintedSaysSo() {
        ConsoleLog empty = ConsoleLog.parse("");
        assertEquals("", empty.tail(30));
        assertEquals("the VM's kernel printed nothing on its console in 600 s", empty.progress(600));
        // SeaBIOS and GRUB print before the kernel: no stamp yet
        ConsoleLog grub = ConsoleLog.parse("SeaBIOS (version 1.16.2-debian-1.16.2-1)\r\n\r\nBooting from Hard Disk...\r\n");
        assertEquals("SeaBIOS (version 1.16.2-debian-1.16.2-1)\nBooting from Hard Disk...", grub.tail(30));
        assertTrue(grub.guestSeconds().isEmpty());
    }

    @Test
    void tailCountsMeaningfulLinesAndKeepsOtherRepeats() {
        ConsoleLog log = ConsoleLog.parse("[    1.000000] a\n[    2.000000] a\n\n\n[    3.500000] b\nregistry login: \n");
        assertEquals("[    2.000000] a\n[    3.500000] b\nregistry login:", log.tail(3));
        assertEquals(4, log.lines().size(), "identical lines that are not a spinner are all kept");
        assertEquals(3.5, log.guestSeconds().getAsDouble());
    }
}
