package io.imagecache.hosts.containerd;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@link ContainerdNode#probe} learns of a node in one command, read from its tagged lines
 * ({@code <tag>\t<value>}). Pure.
 *
 * @param target            the file config.toml names once every link is followed ({@code readlink -f}); the path
 *                          itself when readlink cannot say
 * @param rancherSigns      k3s's and RKE2's files found, in the order they were asked for
 * @param versionExit       the exit status of {@code containerd --version}
 * @param versionOut        its first line of stdout, or the recorded version when the probe found the recorded
 *                          binary and so did not run it ({@code versionRecorded})
 * @param versionErr        its stderr on one line (only when it failed)
 * @param stat              the target's {@code "<mode> <uid> <gid>"} from {@code stat -L}; empty when it does not exist
 * @param startedAndChanged {@code "<containerd started, epoch s> <target changed, epoch s>"}; empty when the node
 *                          cannot say (no file, no ps, no containerd running)
 * @param certsDir          the certs directory whose hosts.toml files were asked for
 * @param files             the target's content and those hosts.toml files; empty when the node could not give
 *                          them all (no base64, a file it could not read): they are then read one by one
 * @param binary            which file {@code containerd} on the node's PATH is, {@code "<path> <inode> <size>
 *                          <ctime>"}; empty when the node cannot say
 * @param versionRecorded   whether the version is the recorded one ({@link Recorded}), containerd not run
 */
public record NodeProbe(String target, List<String> rancherSigns, int versionExit, String versionOut, String versionErr,
                        Optional<String> stat, Optional<String> startedAndChanged, String certsDir, Optional<Files> files,
                        Optional<String> binary, boolean versionRecorded) {
    public NodeProbe {
        rancherSigns = List.copyOf(rancherSigns);
    }

    /**
     * What an earlier probe found: {@code version} (as {@code containerdVersion} records it, e.g. {@code 1.7.27}) is
     * what {@code containerd --version} said while {@code containerd} was {@code binary} (a probe's {@link #binary}).
     */
    public record Recorded(String binary, String version) {
        public Recorded {
            if (binary.isBlank() || binary.contains("\n") || version.isBlank()) {
                throw new IllegalArgumentException("a recorded containerd binary and version must be one line each");
            }
        }
    }

    /**
     * The files the probe read.
     *
     * @param config     the target's content; empty when it does not exist
     * @param hostsFiles registry -> content of {@code <certsDir>/<registry>/hosts.toml}
     */
    public record Files(Optional<String> config, Map<String, String> hostsFiles) {
        public Files {
            hostsFiles = Map.copyOf(hostsFiles);
        }
    }

    /**
     * The probe's output; {@code configFile} is what the target falls back to. A line of another shape is refused:
     * the script prints nothing else, so one means the output is not the probe's. The files are taken only when the
     * probe says it read them all and their sizes account for every byte of the data; otherwise they are read one
     * by one.
     */
    public static NodeProbe parse(String output, String configFile, String certsDir) {
        return parse(output, configFile, certsDir, Optional.empty());
    }

    /**
     * The probe's output when it was told {@code recorded}: its {@code version\tknown} line means containerd is still
     * that binary, and the version is the recorded one. Said without a recording, that line is refused.
     */
    public static NodeProbe parse(String output, String configFile, String certsDir, Optional<Recorded> recorded) {
        String target = configFile;
        List<String> rancher = new ArrayList<>();
        int exit = -1;
        String out = "";
        String err = "";
        Optional<String> stat = Optional.empty();
        Optional<String> started = Optional.empty();
        boolean config = false;
        List<String> registries = new ArrayList<>();
        List<String> sizes = new ArrayList<>();
        StringBuilder data = new StringBuilder();
        boolean read = false;
        Optional<String> binary = Optional.empty();
        boolean known = false;
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
                case "binary" -> binary = Optional.of(value.strip());
                case "version" -> {
                    if (value.equals("known")) {
                        if (recorded.isEmpty()) {
                            throw new IllegalArgumentException("the node probe said containerd's version is known, but "
                                    + "none was recorded");
                        }
                        known = true;
                        exit = 0;
                        out = recorded.get().version();
                        continue;
                    }
                    int t = value.indexOf('\t');
                    exit = parseExit(t < 0 ? value : value.substring(0, t));
                    out = t < 0 ? "" : value.substring(t + 1).strip();
                }
                case "versionerr" -> err = value.strip();
                case "stat" -> stat = Optional.of(value.strip());
                case "started" -> started = Optional.of(value.strip());
                case "config" -> config = true;
                case "hosts" -> registries.add(value);
                case "size" -> sizes.add(value.strip());
                case "data" -> data.append(value.strip());
                case "files" -> read = true;
                default -> throw new IllegalArgumentException("unexpected line in the node probe's output: " + abbreviate(line));
            }
        }
        if (exit < 0) {
            throw new IllegalArgumentException("the node probe printed no containerd version line");
        }
        Optional<Files> files = read ? split(config, registries, sizes, data.toString()) : Optional.empty();
        return new NodeProbe(target, rancher, exit, out, err, stat, started, certsDir, files, binary, known);
    }

    /**
     * The files out of the one stream the probe read them as: the target's first (when {@code config}), then each
     * registry's, {@code sizes} bytes each. Empty when the sizes do not account for the data exactly (a file that
     * changed or could not be read between stat and cat): the caller reads them one by one.
     */
    private static Optional<Files> split(boolean config, List<String> registries, List<String> sizes, String b64) {
        byte[] all;
        try {
            all = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unexpected data in the node probe's output (not base64): " + abbreviate(b64));
        }
        int count = registries.size() + (config ? 1 : 0);
        if (sizes.size() != count) {
            return Optional.empty();
        }
        List<String> contents = new ArrayList<>();
        int at = 0;
        for (String size : sizes) {
            long n;
            try {
                n = Long.parseLong(size);
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            if (n < 0 || n > all.length - at) {
                return Optional.empty();
            }
            contents.add(new String(all, at, (int) n, StandardCharsets.UTF_8));
            at += (int) n;
        }
        if (at != all.length) {
            return Optional.empty();
        }
        Map<String, String> hosts = new TreeMap<>();
        for (int i = 0; i < registries.size(); i++) {
            hosts.put(registries.get(i), contents.get(i + (config ? 1 : 0)));
        }
        return Optional.of(new Files(config ? Optional.of(contents.get(0)) : Optional.empty(), hosts));
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
