package io.imagecache.hosts.docker;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One listening TCP socket as {@code ss -Hltnp} prints it: {@code LISTEN 0 4096 127.0.0.1:5982 0.0.0.0:*
 * users:(("docker-proxy",pid=29560,fd=4))}. The process is empty when ss may not show it.
 *
 * @param address the local address without brackets: {@code 127.0.0.1}, {@code 0.0.0.0}, {@code ::}, {@code *}
 */
public record Listener(String address, int port, Optional<String> process, Optional<Integer> pid) {
    private static final Pattern USERS = Pattern.compile("users:\\(\\(\"([^\"]+)\",pid=(\\d+)");

    /** Every listener in {@code ss -Hltn[p]} output; lines it cannot read are skipped. */
    public static List<Listener> parseSs(String output) {
        List<Listener> out = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] f = line.strip().split("\\s+");
            if (f.length < 5) {
                continue;
            }
            String local = f[3];
            int colon = local.lastIndexOf(':');
            if (colon < 0 || !local.substring(colon + 1).matches("\\d{1,5}")) {
                continue;
            }
            String addr = local.substring(0, colon);
            int pct = addr.indexOf('%');
            if (pct >= 0) {
                addr = addr.substring(0, pct); // 127.0.0.53%lo
            }
            addr = addr.startsWith("[") && addr.endsWith("]") ? addr.substring(1, addr.length() - 1) : addr;
            Matcher m = USERS.matcher(line);
            boolean who = m.find();
            out.add(new Listener(addr, Integer.parseInt(local.substring(colon + 1)), who ? Optional.of(m.group(1)) : Optional.empty(),
                    who ? Optional.of(Integer.parseInt(m.group(2))) : Optional.empty()));
        }
        return out;
    }

    /** True when a socket bound to {@code a} and one bound to {@code b} (same port) cannot both exist. */
    public static boolean overlaps(String a, String b) {
        return isWildcard(a) || isWildcard(b) || strip(a).equalsIgnoreCase(strip(b));
    }

    static boolean isWildcard(String a) {
        String s = strip(a);
        return s.isEmpty() || s.equals("0.0.0.0") || s.equals("::") || s.equals("*");
    }

    private static String strip(String a) {
        String s = a == null ? "" : a.strip();
        return s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    }
}
