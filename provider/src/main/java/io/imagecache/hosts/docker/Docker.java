package io.imagecache.hosts.docker;

import io.imagecache.hosts.HostOps;
import io.imagecache.spi.Context;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.CommandLine;
import io.imagecache.ssh.ExecResult;
import io.imagecache.ssh.RemoteHost;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The docker CLI (and a few shell tools) on a Docker host, with failures that name the host. */
public final class Docker extends HostOps {
    private static final Duration PULL_TIMEOUT = Duration.ofMinutes(10);

    public Docker(RemoteHost host, String where) {
        super(host, where);
    }

    public RemoteHost host() {
        return host;
    }

    public String where() {
        return where;
    }

    private ResourceException dockerDown(String command, String why) {
        return new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "Docker does not answer on " + where
                + " (`" + command + "`: " + why + "); install Docker (Debian: apt-get install docker.io) and start it");
    }

    /**
     * What a proxy's apply, refresh or delete needs to know of the host, in one command: {@code docker ps} (Docker
     * answers), {@code docker inspect} of every container ({@code all}) or only of {@code name}, the TCP listeners
     * (with {@code all}), what each of {@code dirs} is, the free space of the filesystem that holds the first, the ID of
     * {@code image} (when not null), and the contents of each directory's {@code marker} and of {@code configFile}
     * (base64; where the host has no base64 or cannot read one of them, they are read one command each, saying why a
     * read failed). The same answers as separate commands cost a round trip each: ten for a new proxy.
     */
    public HostView probe(String name, boolean all, String image, String marker, String configFile, List<String> dirs)
            throws ResourceException {
        List<String> args = new ArrayList<>(List.of("sh", "-c", PROBE, "sh", all ? "all" : "one", name,
                image == null ? "" : image, marker, configFile));
        args.addAll(dirs);
        ExecResult r = run(CommandLine.of(args.toArray(String[]::new)), "look at Docker, " + configFile + " and "
                + String.join(", ", dirs));
        DockerProbe p;
        try {
            p = DockerProbe.parse(r.stdout());
        } catch (IllegalArgumentException e) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, where + ": " + e.getMessage());
        }
        if (p.dockerError().isPresent()) {
            throw dockerDown("docker ps", p.dockerError().get());
        }
        String errors = String.join("\n", p.inspectErrors());
        if (!p.inspectErrors().isEmpty() && !DockerInspect.onlyVanished(errors)) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, (all ? "could not list the containers on "
                    + where : "docker inspect " + name + " on " + where + " failed") + ": " + errors.strip());
        }
        if (p.dockerError().isEmpty() && p.dirs().size() != dirs.size()) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, where + ": the Docker host probe "
                    + "looked at " + p.dirs().size() + " directories of " + dirs.size());
        }
        List<ContainerInfo> containers = parsed(String.join("\n", p.containerLines()));
        List<DirLook> looks = new ArrayList<>();
        for (int i = 0; i < dirs.size(); i++) {
            String m = dirs.get(i) + "/" + marker;
            Optional<String> text = p.files().isPresent() ? Optional.ofNullable(p.files().get().markers().get(i)) : read(m);
            looks.add(new DirLook(dirs.get(i), p.dirs().get(i), text));
        }
        Optional<String> config = p.files().isPresent() ? p.files().get().config() : read(configFile);
        return new HostView(containers, p.disk(), p.listeners(), looks, config, p.imageId());
    }

    /**
     * The probe: {@code $1} is {@code all} or {@code one}, {@code $2} the container's name, {@code $3} the image (empty:
     * none), {@code $4} the marker file's name, {@code $5} the config file, the rest the directories. docker inspect's
     * stderr is caught whole before it is printed, so that its lines and the JSON lines never interleave. A value never
     * holds a newline: JSON is one line, file contents are in base64. {@code files} only when every file was read;
     * {@code done} last.
     */
    static final String PROBE = "exec 3>&1; mode=$1; name=$2; image=$3; ign=$4; conf=$5; shift 5; "
            + "if ! ids=$(docker ps -aq 2>/dev/null); then "
            + "printf 'dockererr\\t%s\\n' \"$(docker ps -aq 2>&1 >/dev/null | tr '\\n\\t' '  ')\"; exit 0; fi; "
            + "[ \"$mode\" = all ] || ids=$name; "
            + "if [ -n \"$ids\" ]; then e=$( { docker inspect --type container --format '{{json .}}' $ids "
            + "| sed 's/^/container\t/' >&3; } 2>&1 ); "
            + "[ -z \"$e\" ] || printf '%s\\n' \"$e\" | sed 's/^/inspecterr\t/'; fi; "
            + "if [ -n \"$image\" ] && i=$(docker image inspect --format '{{.Id}}' \"$image\" 2>/dev/null); then "
            + "printf 'image\\t%s\\n' \"$i\"; fi; "
            + "if [ \"$mode\" = all ]; then { ss -Hltnp 2>/dev/null || ss -Hltn 2>/dev/null; } | sed 's/^/listen\t/'; fi; "
            + "if [ $# -gt 0 ]; then (d=$1; " + DiskFree.TAGGED_SCRIPT + "); fi; "
            + "b=; command -v base64 >/dev/null 2>&1 && b=1; ok=1; n=0; "
            + "for d in \"$@\"; do "
            + "if [ -L \"$d\" ] || { [ -e \"$d\" ] && [ ! -d \"$d\" ]; }; then s=notdir; elif [ ! -e \"$d\" ]; then s=missing; "
            + "elif [ -z \"$(ls -A -- \"$d\" | grep -vxF -- \"$ign\")\" ]; then s=empty; else s=nonempty; fi; "
            + "printf 'dir\\t%s\\t%s\\n' $n $s; f=$d/$ign; "
            + "if [ -n \"$b\" ] && { [ -e \"$f\" ] || [ -L \"$f\" ]; }; then if c=$(base64 < \"$f\" 2>/dev/null); then "
            + "printf 'marker\\t%s\\t' $n; printf '%s' \"$c\" | tr -d '\\n'; echo; else ok=; fi; fi; n=$((n + 1)); done; "
            + "if [ -n \"$b\" ] && { [ -e \"$conf\" ] || [ -L \"$conf\" ]; }; then if c=$(base64 < \"$conf\" 2>/dev/null); then "
            + "printf 'config\\t'; printf '%s' \"$c\" | tr -d '\\n'; echo; else ok=; fi; fi; "
            + "[ -z \"$b\" ] || [ -z \"$ok\" ] || printf 'files\\tread\\n'; printf 'done\\t\\n'";

    /** A directory as the probe found it: what it is, and its marker file's content (empty: there is none). */
    public record DirLook(String path, DirState state, Optional<String> marker) {}

    /** The host as {@link #probe} found it. */
    public record HostView(List<ContainerInfo> containers, Optional<DiskFree> disk, List<Listener> listeners,
                           List<DirLook> dirs, Optional<String> config, Optional<String> imageId) {
        public HostView {
            containers = List.copyOf(containers);
            listeners = List.copyOf(listeners);
            dirs = List.copyOf(dirs);
        }

        public Optional<ContainerInfo> container(String name) {
            return containers.stream().filter(c -> c.name().equals(name)).findFirst();
        }

        /** Every container but {@code name}. */
        public List<ContainerInfo> others(String name) {
            return containers.stream().filter(c -> !c.name().equals(name)).toList();
        }
    }

    /** The container named {@code name}, or empty when there is none. */
    public Optional<ContainerInfo> inspect(String name) throws ResourceException {
        ExecResult r = run(CommandLine.of("docker", "inspect", "--type", "container", "--format", "{{json .}}", name), null);
        if (!r.ok()) {
            if (r.message().contains("No such")) {
                return Optional.empty();
            }
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "docker inspect " + name + " on "
                    + where + " failed: " + r.message());
        }
        return Optional.of(parsed(r.stdout()).get(0));
    }

    private List<ContainerInfo> parsed(String out) throws ResourceException {
        try {
            return DockerInspect.parseLines(out);
        } catch (IllegalArgumentException e) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "docker inspect on " + where
                    + " printed something that is not container JSON; is this Docker 1.13 or newer?", e);
        }
    }

    public String state(String name) throws ResourceException {
        ExecResult r = run(CommandLine.of("docker", "inspect", "-f", "{{.State.Status}}, restarted {{.RestartCount}} times",
                name), null);
        return r.ok() ? r.stdout().strip() : "no container";
    }

    public String logsTail(String name) throws ResourceException {
        ExecResult r = run(CommandLine.script("docker logs --tail 15 " + CommandLine.quote(name) + " 2>&1"), null);
        String logs = r.stdout().strip();
        String hint = logs.contains("panic") || logs.contains("dial tcp") || logs.contains("no such host")
                ? " A distribution proxy cannot start while its upstream does not answer: check remoteUrl and that the "
                + "host reaches it." : "";
        return "Its last log lines:\n" + logs + hint;
    }

    /** The ID of {@code image} on the host, pulled first when the host does not have it ({@code known}: the probe's ID). */
    public String ensureImage(String image, Optional<String> known, Context ctx) throws ResourceException {
        if (known.isPresent()) {
            return known.get();
        }
        CommandLine inspect = CommandLine.of("docker", "image", "inspect", "--format", "{{.Id}}", image);
        ExecResult r = run(inspect, null);
        if (!r.ok()) {
            ctx.status("Pulling " + image + " on " + where);
            run(CommandLine.of("docker", "pull", "-q", image).withTimeout(PULL_TIMEOUT), "pull " + image
                    + " (the host must reach its registry, or load the image there first)");
            r = run(inspect, "inspect " + image + " after pulling it");
        }
        return r.stdout().strip();
    }

    /** The distribution version of {@code image}: {@code registry --version} in a throw-away container. */
    public String distributionVersion(String image) throws ResourceException {
        ExecResult r = run(CommandLine.of("docker", "run", "--rm", "--entrypoint", "registry", image, "--version"), null);
        Matcher m = Pattern.compile("\\bv?(\\d+\\.\\d+\\.\\d+)").matcher(r.stdout());
        if (!r.ok() || !m.find()) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, image + " on " + where
                    + " does not look like a distribution registry image (`registry --version`: " + r.message() + ")");
        }
        return m.group(1);
    }

    public void remove(String name) throws ResourceException {
        run(CommandLine.of("docker", "rm", "-f", name), "remove the container " + name);
    }

    public void start(String name) throws ResourceException {
        run(CommandLine.of("docker", "start", name), "start " + name);
    }
}
