package io.imagecache.hosts.containerd;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@link ContainerdNode#probe} learns of a node in one command, read from its tagged lines
 * ({@code <tag>\t<value>}). Pure.
 *
 * @param target            the file config.toml names once every link is followed ({@code readlink -f}); the path
 *                          itself when readlink cannot say
 * @param rancherSigns      k3s's and RKE2's files found, in the order they were asked for
 * @param versionExit       the exit status of {@code containerd --version}
 * @param versionOut        its first line of stdout
 * @param versionErr        its stderr on one line (only when it failed)
 * @param stat              the target's {@code "<mode> <uid> <gid>"} from {@code stat -L}; empty when it does not exist
 * @param startedAndChanged {@code "<containerd started, epoch s> <target changed, epoch s>"}; empty when the node
 *                          cannot say (no file, no ps, no containerd running)
 */
public record NodeProbe(String target, List<String> rancherSigns, int versionExit, String versionOut, String versionErr,
                        Optional<String> stat, Optional<String> startedAndChanged) {
    public NodeProbe {
        rancherSigns = List.copyOf(rancherSigns);
    }

    /**
     * The probe's output; {@code configFile} is what the target falls back to. A line of another shape is refused:
     * the script prints nothing else, so one means the output is not the probe's.
     */
    public static NodeProbe parse(String output, String configFile) {
        String target = configFile;
        List<String> rancher = new ArrayList<>();
        int exit = -1;
        String out = "";
        String err = "";
        Optional<String> stat = Optional.empty();
        Optional<String> started = Optional.empty();
        for (String line : output.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw new IllegalArgumentException("unexpected line in the node probe's output: " + abbreviate(line));
            }
            String value = line.substring(tab + 1);
            switch (line.substring(0, tab)) {
                case "target" -> target = value.startsWith("/") ? value : configFile;
                case "rancher" -> rancher.add(value);
                case "version" -> {
                    int t = value.indexOf('\t');
                    exit = parseExit(t < 0 ? value : value.substring(0, t));
                    out = t < 0 ? "" : value.substring(t + 1).strip();
                }
                case "versionerr" -> err = value.strip();
                case "stat" -> stat = Optional.of(value.strip());
                case "started" -> started = Optional.of(value.strip());
                default -> throw new IllegalArgumentException("unexpected line in the node probe's output: " + abbreviate(line));
            }
        }
        if (exit < 0) {
            throw new IllegalArgumentException("the node probe printed no containerd version line");
        }
        return new NodeProbe(target, rancher, exit, out, err, stat, started);
    }

    /** Whether config.toml changed after the youngest containerd started (see {@link ContainerdStart}). */
    public boolean changedSinceContainerdStarted() {
        return startedAndChanged.map(ContainerdStart::newerThanStart).orElse(false);
    }

    private static int parseExit(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the node probe's version line has no exit status: " + abbreviate(s));
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
