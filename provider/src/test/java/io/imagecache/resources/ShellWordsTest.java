package io.imagecache.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.imagecache.ssh.CommandLine;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The quoting analysis HostileValuesIT applies to recorded commands: it passes what CommandLine quotes, and catches the rest. */
class ShellWordsTest {
    static final String PWN = "/srv/a b'c\"d$(touch /tmp/pwned)`id`;e&f|g\\h*\u00fc";

    @Test
    void wordsLoseTheirQuotesAndKeepHowTheyWereQuoted() {
        List<ShellWords.Word> w = ShellWords.split("mkdir -p -- 'a b'\"c$d\"\\ e; echo x#y # comment");
        assertEquals(List.of("mkdir", "-p", "--", "a bc$d e", ";", "echo", "x#y"), w.stream().map(ShellWords.Word::text).toList());
        assertEquals(ShellWords.Quoting.SINGLE, w.get(3).chars().get(1).q());
        assertEquals(ShellWords.Quoting.DOUBLE, w.get(3).chars().get(4).q());
        assertEquals(ShellWords.Quoting.ESCAPED, w.get(3).chars().get(6).q());
    }

    @Test
    void whatCommandLineQuotesIsSafeEvenInsideAnSshScript() {
        String inner = "mkdir -p -- " + CommandLine.quote(PWN) + " && rm -f " + CommandLine.quote(PWN + "/x");
        String outer = "sh -c " + CommandLine.quote(inner);
        assertEquals(Optional.empty(), ShellWords.unsafeUse(outer, PWN));
        assertEquals(Optional.empty(), ShellWords.unsafeUse(CommandLine.of("docker", "run", "-v", PWN + ":/x").render(), PWN));
        assertEquals(Optional.empty(), ShellWords.unsafeUse("echo nothing", PWN), "absent is fine");
        assertEquals(Optional.empty(), ShellWords.unsafeUse("ls /srv/plain-dir", "/srv/plain-dir"), "inert characters bare");
    }

    @Test
    void unquotedDoubleQuotedOrReparsedValuesAreCaught() {
        assertTrue(ShellWords.unsafeUse("mkdir -p " + PWN, PWN).isPresent(), "bare");
        assertTrue(ShellWords.unsafeUse("mkdir -p \"/srv/$(touch /tmp/p)\"", "/srv/$(touch /tmp/p)").isPresent(),
                "$( inside double quotes");
        assertTrue(ShellWords.unsafeUse("mkdir /srv/a b", "/srv/a b").isPresent(), "split at a blank");
        assertTrue(ShellWords.unsafeUse("echo a;b", "a;b").isPresent(), "split at an operator");
        // quoted once, but handed to a second sh that reads it bare
        String twice = "sh -c " + CommandLine.quote("mkdir " + "/srv/$(touch /tmp/p)");
        assertTrue(ShellWords.unsafeUse(twice, "/srv/$(touch /tmp/p)").isPresent(), twice);
    }
}
