package io.imagecache.hosts.docker;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What {@link Docker#probe} learns of a Docker host in one command, read from its tagged lines ({@code <tag>\t<value>},
 * and df's lines, tagged {@link DiskFree#TAG}). Pure.
 *
 * @param dockerError    why {@code docker ps} failed (Docker does not answer); nothing else was asked then
 * @param containerLines {@code docker inspect}'s JSON line of each container asked for
 * @param inspectErrors  the lines {@code docker inspect} printed on stderr (a container that vanished, or none by the name)
 * @param disk           the filesystem that holds the first directory asked for (empty: df could not tell)
 * @param listeners      the host's TCP listeners ({@code ss}); empty when they were not asked for or ss is missing
 * @param dirs           what each directory asked for is, in the order asked
 * @param imageId        the image's ID; empty when the host does not have it (or none was asked for)
 * @param files          the directories' marker files and the config file; empty when the host could not give them
 *                       all (no base64, a file it could not read): they are then read one by one
 */
public record DockerProbe(Optional<String> dockerError, List<String> containerLines, List<String> inspectErrors,
                          Optional<DiskFree> disk, List<Listener> listeners, List<DirState> dirs, Optional<String> imageId,
                          Optional<Files> files) {
    public DockerProbe {
        containerLines = List.copyOf(containerLines);
        inspectErrors = List.copyOf(inspectErrors);
        listeners = List.copyOf(listeners);
        dirs = List.copyOf(dirs);
    }

    /**
     * The files the probe read.
     *
     * @param markers directory index -> its marker file's content, for the markers that exist
     * @param config  the config file's content; empty when it does not exist
     */
    public record Files(Map<Integer, String> markers, Optional<String> config) {
        public Files {
            markers = Map.copyOf(markers);
        }
    }

    /** The probe's output. A line of another shape is refused: the script prints nothing else. */
    public static DockerProbe parse(String output) {
        Optional<String> dockerError = Optional.empty();
        List<String> containers = new ArrayList<>();
        List<String> inspectErrors = new ArrayList<>();
        StringBuilder ss = new StringBuilder();
        Map<Integer, DirState> dirs = new TreeMap<>();
        Map<Integer, String> markers = new TreeMap<>();
        Optional<String> config = Optional.empty();
        Optional<String> image = Optional.empty();
        boolean read = false;
        boolean done = false;
        for (String line : output.split("\n")) {
            if (line.isEmpty() || line.startsWith(DiskFree.TAG)) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw unexpected(line);
            }
            String value = line.substring(tab + 1);
            switch (line.substring(0, tab)) {
                case "dockererr" -> dockerError = Optional.of(value.strip());
                case "container" -> containers.add(value);
                case "inspecterr" -> inspectErrors.add(value);
                case "listen" -> ss.append(value).append('\n');
                case "dir" -> {
                    String[] f = value.split("\t", 2);
                    dirs.put(index(f[0], line), DirState.parse(f.length > 1 ? f[1] : ""));
                }
                case "marker" -> {
                    String[] f = value.split("\t", 2);
                    markers.put(index(f[0], line), decode(f.length > 1 ? f[1] : "", line));
                }
                case "config" -> config = Optional.of(decode(value, line));
                case "image" -> image = Optional.of(value.strip());
                case "files" -> read = true;
                case "done" -> done = true;
                default -> throw unexpected(line);
            }
        }
        if (!done && dockerError.isEmpty()) {
            throw new IllegalArgumentException("the Docker host probe stopped before its end (no 'done' line)");
        }
        if (!dirs.keySet().equals(new java.util.TreeSet<>(java.util.stream.IntStream.range(0, dirs.size()).boxed().toList()))) {
            throw new IllegalArgumentException("the Docker host probe's dir lines are not numbered 0.." + (dirs.size() - 1));
        }
        return new DockerProbe(dockerError, containers, inspectErrors, DiskFree.parseTagged(output),
                Listener.parseSs(ss.toString()), List.copyOf(dirs.values()), image,
                read ? Optional.of(new Files(markers, config)) : Optional.empty());
    }

    private static int index(String s, String line) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            throw unexpected(line);
        }
    }

    private static String decode(String b64, String line) {
        try {
            return new String(Base64.getDecoder().decode(b64.strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // the tag only: the value is a file's content (the config holds the upstream's credentials)
            throw new IllegalArgumentException("unexpected line in the Docker host probe's output: a "
                    + line.substring(0, Math.max(0, line.indexOf('\t'))) + " line that is not base64");
        }
    }

    private static IllegalArgumentException unexpected(String line) {
        return new IllegalArgumentException("unexpected line in the Docker host probe's output: " + abbreviate(line));
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
