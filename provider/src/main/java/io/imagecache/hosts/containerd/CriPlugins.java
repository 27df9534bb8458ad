package io.imagecache.hosts.containerd;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What {@code ctr plugins ls} and {@code ctr plugins ls -d} print about the CRI plugins. Pure. */
public final class CriPlugins {
    private CriPlugins() {}

    private static final Pattern MESSAGE = Pattern.compile("(?m)^\\s*Message:\\s*(.+)$");

    /**
     * The CRI plugins' states from {@code ctr plugins ls} ("type id" -> ok/error/skip): {@code io.containerd.grpc.v1 cri}
     * on 1.x, and on 2.x also {@code io.containerd.cri.v1 images} and {@code io.containerd.cri.v1 runtime}.
     */
    public static Map<String, String> states(String ctrPluginsLs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : ctrPluginsLs.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 4) {
                continue;
            }
            boolean cri = (f[0].equals("io.containerd.grpc.v1") && f[1].equals("cri"))
                    || (f[0].equals("io.containerd.cri.v1") && (f[1].equals("images") || f[1].equals("runtime")));
            if (cri) {
                out.put(f[0] + " " + f[1], f[f.length - 1]);
            }
        }
        return out;
    }

    /** True when {@code states} lists CRI plugins and every one of them is {@code ok}. */
    public static boolean allLoaded(Map<String, String> states) {
        return !states.isEmpty() && states.values().stream().allMatch("ok"::equals);
    }

    /** The first CRI plugin ("type id") in state {@code error}. */
    public static Optional<String> firstFailed(Map<String, String> states) {
        return states.entrySet().stream().filter(e -> e.getValue().equals("error")).map(Map.Entry::getKey).findFirst();
    }

    /** containerd's own error from {@code ctr plugins ls -d type==T,id==I}: the {@code Message:} line. */
    public static Optional<String> errorMessage(String ctrPluginsLsDetailed) {
        Matcher m = MESSAGE.matcher(ctrPluginsLsDetailed);
        return m.find() ? Optional.of(m.group(1).strip()) : Optional.empty();
    }
}
