package io.imagecache.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Strings a YAML 1.1 reader would take for something else are quoted; the rest stay plain; all read back. */
class Yaml11DumpTest {
    @Test
    void quotesWhatYaml11ReadsAsNumbersBooleansOrNull() {
        for (String s : List.of("0755", "493", "yes", "No", "on", "OFF", "y", "~", "null", "", "1:30", "0x1F", "1e3", ".5", "+1",
                "2026-12-02", "<<", ".inf", "1_000")) {
            assertTrue(Yaml11Dump.needsQuotes(s), s);
            String out = Yaml11Dump.dump(Map.of("k", s));
            assertEquals("k: \"" + s + "\"\n", out, s);
            assertEquals(Map.of("k", s), new Load(LoadSettings.builder().build()).loadFromString(out), s);
        }
        for (String s : List.of("registry", "e*", "ssh-ed25519 AAAA", "/var/lib/imagecache", "10.0.20.10/24", "install")) {
            assertFalse(Yaml11Dump.needsQuotes(s), s);
        }
    }
}
