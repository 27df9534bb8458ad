package io.imagecache.hosts.docker;

import io.imagecache.hosts.HostOps;
import io.imagecache.spi.Context;
import io.imagecache.spi.ResourceException;
import io.imagecache.ssh.CommandLine;
import io.imagecache.ssh.ExecResult;
import io.imagecache.ssh.RemoteHost;
import java.time.Duration;
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

    public void requireDocker() throws ResourceException {
        ExecResult r = run(CommandLine.script("docker version --format '{{.Server.Version}}'"), null);
        if (!r.ok()) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "Docker does not answer on " + where
                    + " (`docker version`: " + r.message() + "); install Docker (Debian: apt-get install docker.io) "
                    + "and start it");
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

    /** A container (empty: there is none) and the filesystem that holds a directory (empty: df could not tell). */
    public record Inspection(Optional<ContainerInfo> container, Optional<DiskFree> disk) {}

    /**
     * As {@link #inspect(String)}, and in the same command (no extra round trip) the free space of the filesystem that
     * holds {@code dir} ({@link DiskFree#TAGGED_SCRIPT}); a df that fails leaves the disk empty, not the inspect.
     */
    public Inspection inspectWithDisk(String name, String dir) throws ResourceException {
        ExecResult r = run(CommandLine.script("d=" + CommandLine.quote(dir) + "; " + DiskFree.TAGGED_SCRIPT
                + "; exec docker inspect --type container --format '{{json .}}' " + CommandLine.quote(name)), null);
        Optional<DiskFree> disk = DiskFree.parseTagged(r.stdout());
        if (!r.ok()) {
            if (r.message().contains("No such")) {
                return new Inspection(Optional.empty(), disk);
            }
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "docker inspect " + name + " on "
                    + where + " failed: " + r.message());
        }
        return new Inspection(Optional.of(parsed(DiskFree.untagged(r.stdout())).get(0)), disk);
    }

    /** Every container on the host, running or not. */
    public List<ContainerInfo> inspectAll() throws ResourceException {
        ExecResult r = run(CommandLine.script("ids=$(docker ps -aq) && { [ -z \"$ids\" ] || docker inspect --type container "
                + "--format '{{json .}}' $ids; }"), null);
        if (!r.ok() && !DockerInspect.onlyVanished(r.stderr())) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "could not list the containers on "
                    + where + ": " + r.message());
        }
        return parsed(r.stdout());
    }

    private List<ContainerInfo> parsed(String out) throws ResourceException {
        try {
            return DockerInspect.parseLines(out);
        } catch (IllegalArgumentException e) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "docker inspect on " + where
                    + " printed something that is not container JSON; is this Docker 1.13 or newer?", e);
        }
    }

    /** The TCP listeners on the host ({@code ss -Hltnp}); empty when ss is missing. */
    public List<Listener> listeners() throws ResourceException {
        ExecResult r = run(CommandLine.script("ss -Hltnp 2>/dev/null || ss -Hltn"), null);
        return r.ok() ? Listener.parseSs(r.stdout()) : List.of();
    }

    /** What {@code dir} is: missing, empty (but for {@code ignored}), holding files, or not a directory. */
    public DirState dirState(String dir, String ignored) throws ResourceException {
        String d = CommandLine.quote(dir);
        ExecResult r = run(CommandLine.script("if [ -L " + d + " ] || { [ -e " + d + " ] && [ ! -d " + d + " ]; }; then echo notdir; "
                + "elif [ ! -e " + d + " ]; then echo missing; "
                + "elif [ -z \"$(ls -A " + d + " | grep -vx " + CommandLine.quote(ignored) + ")\" ]; then echo empty; "
                + "else echo nonempty; fi"), "look at " + dir);
        return DirState.parse(r.stdout());
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

    /** The ID of {@code image} on the host, pulled first when the host does not have it. */
    public String ensureImage(String image, Context ctx) throws ResourceException {
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
