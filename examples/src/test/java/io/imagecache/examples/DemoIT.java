package io.imagecache.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code make demo} end to end: {@link Demo} in a JVM of its own on this build's classpath (as scripts/demo.sh
 * runs it, so what SLF4J or the JVM print at start is seen too), with stdout and stderr together, as a newcomer
 * reads them. It must finish, show the up, one pull per node served by the proxy (the proxy's access-log line for
 * that node), a preview with one {@code ~} per ContainerdMirror and the changed endpoints, containerd not
 * restarting, the summary, and leave no lab container behind.
 */
class DemoIT {
    private static final String UPDATE = "~ imagecache:index:ContainerdMirror: (update)";

    @Test
    void theDemoRunsToTheEndAndShowsWhatAReviewerNeeds() throws Exception {
        String out = runDemo();

        assertTrue(out.contains("+ 9 created"), "the up's summary:\n" + out);
        assertEquals(3, servedNodes(out, "registry-ghcr", "/v2/org/app/manifests/1.0").size(),
                "one pull per node through the ghcr proxy, each in its access log:\n" + out);
        assertEquals(3, servedNodes(out, "registry-docker", "/v2/library/hello/manifests/1").size(),
                "after the change each node pulls through the new name:\n" + out);

        String diff = between(out, "What a reviewer sees in `pulumi preview --diff`", "==> Whether containerd restarts");
        assertEquals(3, PullThroughCacheExampleIT.count(diff, UPDATE), diff);
        // each mirror's endpoints[0], from the IP to the name (the stack's `endpoints` output changes the same way)
        assertEquals(3, matches(diff, "~ \\[0]: \"http://[0-9.]+:5000\" => \"http://registry-host:5000\""), diff);
        assertEquals(3, matches(diff, "~ \\[0]: \"http://[0-9.]+:5010\" => \"http://registry-host:5010\""), diff);
        assertEquals(6, PullThroughCacheExampleIT.count(diff, "~ endpoints: ["), "the changed path, mirrors[i].endpoints, twice a node\n" + diff);
        assertTrue(diff.contains("~ 3 to update"), diff);
        assertFalse(diff.matches("(?s).*[~+-]+ imagecache:index:(RegistryProxy|MaintenanceSchedule|PullThroughCache):.*"),
                "nothing but the mirrors changes:\n" + diff);
        String restarts = between(out, "==> Whether containerd restarts", "==> pulumi up of the change");
        assertEquals(3, PullThroughCacheExampleIT.count(restarts, "restartsContainerd = false"), restarts);

        assertTrue(out.contains("==> Summary: what was built, and where") && out.contains("Tear down:"), out);
        assertTrue(out.contains("- 9 deleted") && out.contains("==> Done."), out);
        for (String line : out.lines().toList()) {
            assertFalse(line.contains("SLF4J") || line.toLowerCase(java.util.Locale.ROOT).contains("warning") || line.contains("PRIVATE KEY"),
                    "no warning of our own making, no secret: " + line);
        }
        Matcher names = Pattern.compile("(?m)^\\s+lab containers: (.+)$").matcher(out);
        assertTrue(names.find(), out);
        String running = docker("ps", "-a", "--format", "{{.Names}}");
        for (String name : names.group(1).strip().split(" ")) {
            assertFalse(running.lines().anyMatch(name::equals), "the demo removed its lab container " + name);
        }
    }

    /** The nodes whose pull {@code proxy}'s access log shows ("<proxy> served <ip>: <ip> - - ... <path>"). */
    private static Set<String> servedNodes(String out, String proxy, String manifestPath) {
        Matcher m = Pattern.compile("(?m)^\\s+" + proxy + " served (\\S+): (\\S+) - - .*\"(?:HEAD|GET) "
                + Pattern.quote(manifestPath) + "\\?ns=[^ ]+ HTTP/1.1\" 200 .*\"containerd/.*$").matcher(out);
        Set<String> nodes = new TreeSet<>();
        while (m.find()) {
            assertEquals(m.group(1), m.group(2), "the access-log line is that node's: " + m.group());
            nodes.add(m.group(1));
        }
        return nodes;
    }

    private static int matches(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static String between(String text, String from, String to) {
        int a = text.indexOf(from);
        int b = a < 0 ? -1 : text.indexOf(to, a);
        assertTrue(a >= 0 && b > a, "'" + from + "' then '" + to + "' in:\n" + text);
        return text.substring(a, b);
    }

    private static String runDemo() throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(List.of(java, "-cp", cp, Demo.class.getName()))
                .directory(PulumiCli.repoRoot().toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        StringBuilder all = new StringBuilder();
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    System.out.println("[demo] " + line);
                    synchronized (all) {
                        all.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        pump.start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroy();
            p.waitFor(60, TimeUnit.SECONDS); // its shutdown hook removes the lab
            throw new AssertionError("the demo did not finish in 10 minutes:\n" + all);
        }
        pump.join(30_000);
        String out;
        synchronized (all) {
            out = all.toString();
        }
        assertEquals(0, p.exitValue(), "the demo failed:\n" + out);
        return out;
    }

    private static String docker(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }
}
