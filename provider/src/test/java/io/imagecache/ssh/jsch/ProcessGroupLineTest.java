package io.imagecache.ssh.jsch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The line every remote script prints first on stderr, naming its process group (see JschRemoteHost). */
class ProcessGroupLineTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theGroupIsReadFromTheFirstLine() {
        assertEquals(OptionalLong.of(4242), JschRemoteHost.groupOf(b("imagecache-pgid=4242\nsome error\n")));
        assertEquals(OptionalLong.of(4242), JschRemoteHost.groupOf(b("imagecache-pgid=4242")), "a line still arriving");
    }

    @Test
    void noGroupIsEverGuessed() {
        // killing group 0 or 1 (or -1) would reach far more than the command
        for (String s : new String[] {"", "imagecache-pgid=\n", "imagecache-pgid=1\n", "imagecache-pgid=0\n",
                "imagecache-pgid=-1\n", "imagecache-pgid=12 34\n", "sudo: a password is required\n",
                "x imagecache-pgid=77\n"}) {
            assertEquals(OptionalLong.empty(), JschRemoteHost.groupOf(b(s)), s);
        }
    }

    @Test
    void theLineIsRemovedFromWhatCallersSee() {
        assertArrayEquals(b("ünï err\n"), JschRemoteHost.withoutGroupLine(b("imagecache-pgid=9\nünï err\n")));
        assertArrayEquals(b(""), JschRemoteHost.withoutGroupLine(b("imagecache-pgid=9\n")));
        assertArrayEquals(b("sudo: no\n"), JschRemoteHost.withoutGroupLine(b("sudo: no\n")), "other stderr stays");
    }

    @Test
    void longCommandsAreShortenedInMessages() {
        assertEquals("echo a b", JschRemoteHost.abbreviate("echo a\nb"));
        String long200 = "x".repeat(200);
        assertEquals(160, JschRemoteHost.abbreviate(long200).length());
    }
}
