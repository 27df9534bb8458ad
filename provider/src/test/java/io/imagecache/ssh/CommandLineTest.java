package io.imagecache.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void safeWordsStayBare() {
        assertEquals("mkdir -p /etc/containerd/certs.d/registry-1.docker.io:443",
                CommandLine.of("mkdir", "-p", "/etc/containerd/certs.d/registry-1.docker.io:443").render());
    }

    @Test
    void everythingElseIsSingleQuoted() {
        assertEquals("echo 'a b' '' '$HOME' 'it'\"'\"'s' '*'",
                CommandLine.of("echo", "a b", "", "$HOME", "it's", "*").render());
    }

    @Test
    void argAppendsQuoted() {
        assertEquals("docker rm -f 'registry ghcr'", CommandLine.of("docker", "rm").arg("-f").arg("registry ghcr").render());
        assertEquals("docker rm", CommandLine.of("docker", "rm").toString());
    }

    @Test
    void scriptIsPassedAsItIs() {
        assertEquals("a | b && c", CommandLine.script("a | b && c").render());
    }

    /** The real test of quoting: a POSIX shell gives back exactly the argument that went in. */
    @Test
    void quotingSurvivesARealShell() throws Exception {
        List<String> nasty = List.of("plain", "with space", "quote'inside", "double\"quote", "$(rm -rf /)", "`x`",
                "back\\slash", "new\nline", "tab\there", "*?[a]", "~root", "-n", "ünïcödé", "'", "''", "a'b'c");
        for (String s : nasty) {
            String script = CommandLine.of("printf", "%s", s).render();
            Process p = new ProcessBuilder("sh", "-c", script).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), script);
            assertEquals(s, out, script);
        }
    }

    /** Quoting nests: a quoted script inside sh -c inside another sh -c (what sudo does). */
    @Test
    void quotingNests() throws Exception {
        String inner = CommandLine.of("printf", "%s", "it's $HOME").render();
        String outer = "sh -c " + CommandLine.quote(inner);
        Process p = new ProcessBuilder("sh", "-c", outer).start();
        assertEquals("it's $HOME", new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }
}
