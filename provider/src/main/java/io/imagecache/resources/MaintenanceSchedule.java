package io.imagecache.resources;

import io.imagecache.hosts.HostOps;

import io.imagecache.maintenance.CronSchedule;
import io.imagecache.maintenance.MaintenanceCron;
import io.imagecache.maintenance.MaintenancePlan;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Context;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.Owner;
import io.imagecache.spi.DiffResult;
import io.imagecache.spi.PropertyDiff;
import io.imagecache.spi.PropertyPath;
import io.imagecache.spi.Prop;
import io.imagecache.spi.ResourceException;
import io.imagecache.spi.ResourceType;
import io.imagecache.ssh.CommandLine;
import io.imagecache.ssh.ExecResult;
import io.imagecache.ssh.RemoteHost;
import io.imagecache.ssh.RemoteHostFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

@ResourceType(token = "imagecache:index:MaintenanceSchedule",
        description = "The cron file (in `/etc/cron.d`) that keeps one registry proxy healthy: garbage collection "
                + "(weekly by default) with the proxy stopped, and a periodic restart (hourly by default) that is "
                + "skipped while the upstream registry does not answer `GET /v2/`, because a distribution proxy "
                + "whose upstream is down fails at start and a blind restart would take the cache offline. The file names "
                + "the stack that manages it (`# imagecache:owner ...`): one another stack manages is neither overwritten "
                + "nor deleted.\n\n"
                + "Import with the id `[user@]host[:port]/<path of the cron file>`, e.g. "
                + "`root@10.0.20.10:22/etc/cron.d/imagecache-registry-ghcr`; the SSH key for the import comes from "
                + "`IMAGECACHE_SSH_KEY_FILE` or `~/.ssh`.")
public final class MaintenanceSchedule implements CustomResource<MaintenanceSchedule.Args, MaintenanceSchedule.State> {

    public record Args(
            @Prop(description = "How to reach the Docker host that runs the proxy.", required = true)
            ConnectionArgs connection,
            @Prop(description = "The proxy's container name, e.g. `registry-ghcr`.", required = true, replaceOnChanges = true)
            String containerName,
            @Prop(description = "The upstream registry the proxy mirrors, e.g. `https://ghcr.io`; the restart job "
                    + "probes `<upstreamUrl>/v2/` first.", required = true)
            String upstreamUrl,
            @Prop(description = "When garbage collection runs (cron syntax).", defaultValue = "0 3 * * 0")
            String gcSchedule,
            @Prop(description = "Also delete manifests without a tag. Off by default: images pulled by digest have no "
                    + "tag in a proxy, so this would delete them.", defaultValue = "false")
            Boolean gcDeleteUntagged,
            @Prop(description = "When the proxy restarts (cron syntax); an empty string disables restarts.",
                    defaultValue = "0 * * * *")
            String restartSchedule,
            @Prop(description = "The cron directory the file goes in.", defaultValue = "/etc/cron.d", replaceOnChanges = true)
            String cronDir) {}

    public record State(
            @Prop(description = "The path of the cron file.", required = true)
            String cronFile,
            @Prop(description = "The cron file's content.", required = true)
            String content,
            @Prop(description = "Host keys recorded on first contact (`host:port` -> key), enforced afterwards.", required = true)
            Map<String, String> hostKeys) {}

    private final RemoteHostFactory hosts;
    private final DefaultCredentials defaultCredentials;

    public MaintenanceSchedule(RemoteHostFactory hosts, DefaultCredentials defaultCredentials) {
        this.hosts = hosts;
        this.defaultCredentials = defaultCredentials;
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public Class<State> stateType() {
        return State.class;
    }

    // --- check ------------------------------------------------------------------------------------

    @Override
    public List<CheckFailure> check(Decoded<Args> news) {
        Args a = news.value();
        List<CheckFailure> out = new ArrayList<>(Connections.check(a.connection(), PropertyPath.of("connection"), news));
        if (a.containerName() != null && !a.containerName().matches("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}")) {
            out.add(new CheckFailure("containerName",
                    "must be a Docker container name (letters, digits, _ . -; starting with a letter or digit), e.g. registry-ghcr"));
        } else if (a.containerName() != null) {
            // the cron file, its lock (/run/lock/<file>.lock) and its log are named after the container, with . and _
            // spelt as two characters: a name past 255 bytes is a file no host can create
            String file = new MaintenancePlan(a.containerName(), "", "", false, "").cronFileName();
            if (file.length() + ".lock".length() > 255) {
                out.add(new CheckFailure("containerName", "is too long for the schedule's files: they are named "
                        + file.substring(0, 24) + "... (" + file.length() + " characters, each . and _ written as two) "
                        + "plus .lock, and a file name has at most 255; use a container name of at most 120 characters"));
            }
        }
        if (a.upstreamUrl() != null && !Validation.isHttpUrl(a.upstreamUrl())) {
            out.add(new CheckFailure("upstreamUrl", "must be an http(s) URL of a registry without query or spaces, e.g. https://ghcr.io"));
        }
        if (a.gcSchedule() != null && !news.isUnknown(PropertyPath.of("gcSchedule"))) {
            CronSchedule.problem(a.gcSchedule()).ifPresent(p -> out.add(new CheckFailure("gcSchedule", p)));
        }
        if (a.restartSchedule() != null && !a.restartSchedule().isEmpty()
                && !news.isUnknown(PropertyPath.of("restartSchedule"))) {
            CronSchedule.problem(a.restartSchedule()).ifPresent(p -> out.add(new CheckFailure("restartSchedule",
                    p + " (an empty string disables restarts)")));
        }
        if (a.cronDir() != null && !Validation.isAbsolutePath(a.cronDir())) {
            out.add(new CheckFailure("cronDir", "must be an absolute directory path such as /etc/cron.d"));
        } else if (a.cronDir() != null) {
            Validation.lengthProblem(a.cronDir()).ifPresent(why -> out.add(new CheckFailure("cronDir", why
                    + ": give a shorter directory, e.g. /etc/cron.d")));
        }
        return out;
    }

    // --- diff -------------------------------------------------------------------------------------

    @Override
    public DiffResult diff(DiffRequest<Args, State> req) {
        DiffResult d = req.inputDiff();
        // A file that differs from what the inputs render, with no input change to explain it, is drift
        // (a hand edit that refresh could not map back to inputs): report it so the next up repairs it.
        // When inputs changed, they already explain the update and the outputs show the file's diff.
        // The owner line is left out: a file of an older version (no owner line) is not drift; refresh adopts it.
        Optional<String> wanted = render(req.news());
        if (!d.hasChanges() && wanted.isPresent() && req.oldState() != null && req.oldState().content() != null
                && !wanted.get().equals(Owner.strip(req.oldState().content()))) {
            d = d.with("content", new PropertyDiff(PropertyDiff.Kind.UPDATE, false));
        }
        return d;
    }

    // --- create / read / update / delete ----------------------------------------------------------

    @Override
    public CreateResult<State> create(CreateRequest<Args> req) throws ResourceException {
        Args a = req.args();
        Optional<Owner> us = Owner.fromUrn(req.urn());
        Optional<String> content = render(req.news()).map(c -> Owner.stamp(c, us));
        String path = cronFile(a);
        if (req.preview()) {
            return new CreateResult<>(null, new State(path, content.orElse(null), null));
        }
        try (RemoteHost host = Connections.open(hosts, a.connection(), Map.of(), defaultCredentials, req.context())) {
            HostOps ops = new HostOps(host, a.connection().describe());
            refuseForeign(ops.read(path), path, a, us, Owner.Op.CREATE);
            preflight(ops, a, req.context());
            write(ops, path, content.orElseThrow(), req.context());
            return new CreateResult<>(id(a), new State(path, content.get(), Connections.hostKeys(host, Map.of())));
        }
    }

    @Override
    public ReadResult<Args, State> read(ReadRequest<Args, State> req) throws ResourceException {
        Args old;
        Map<String, String> recorded;
        if (req.isImport()) {
            ImportId id = ImportId.parse(req.id(), true);
            old = new Args(id.connection(), null, null, null, null, null, id.directory());
            recorded = Map.of();
        } else {
            old = req.inputs().orElseThrow();
            recorded = req.state().map(State::hostKeys).orElse(Map.of());
        }
        String path = req.isImport() ? ImportId.parse(req.id(), true).path()
                : req.state().map(State::cronFile).orElse(cronFile(old));
        try (RemoteHost host = Connections.open(hosts, old.connection(), recorded, defaultCredentials, req.context())) {
            HostOps ops = new HostOps(host, old.connection().describe());
            Optional<String> current = ops.read(path);
            if (current.isEmpty()) {
                return ReadResult.gone();
            }
            Optional<Owner> us = Owner.fromUrn(req.urn());
            if (req.isImport()) {
                Optional<String> refusal = ownerRefusal(current.get(), path, old, us, Owner.Op.UPDATE);
                if (refusal.isPresent()) {
                    throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, refusal.get());
                }
            } else if (us.isPresent() && current.get().startsWith(MaintenanceCron.HEADER)
                    && Owner.claim(true, Owner.find(current.get()), us) == Owner.Claim.LEGACY
                    && MaintenanceCron.containerOf(current.get()).equals(Optional.ofNullable(old.containerName()))) {
                // written by a version that recorded no stack: this stack, the first to manage it, adopts it
                current = Optional.of(Owner.stamp(current.get(), us));
                ops.write(path, current.get(), 0644);
                req.context().info(path + " now names the stack " + us.get().stackId() + " (adopted)");
            }
            Map<String, String> keys = Connections.hostKeys(host, recorded);
            Args inputs = inputsFrom(current.get(), old, req.isImport(), path);
            String id = req.isImport() ? id(inputs) : req.id();
            return ReadResult.of(id, inputs, new State(path, current.get(), keys));
        }
    }

    @Override
    public State update(UpdateRequest<Args, State> req) throws ResourceException {
        Args a = req.args();
        Optional<Owner> us = Owner.fromUrn(req.urn());
        Optional<String> content = render(req.news()).map(c -> Owner.stamp(c, us));
        // the file the resource made (a name spelt by an older version stays its name)
        String path = req.oldState() != null && req.oldState().cronFile() != null ? req.oldState().cronFile() : cronFile(a);
        Map<String, String> recorded = req.oldState() == null ? Map.of() : req.oldState().hostKeys();
        if (req.preview()) {
            return new State(path, content.orElse(null), recorded);
        }
        try (RemoteHost host = Connections.open(hosts, a.connection(), recorded, defaultCredentials, req.context())) {
            HostOps ops = new HostOps(host, a.connection().describe());
            Optional<String> current = ops.read(path);
            if (current.isPresent()) {
                Optional<String> refusal = ownerRefusal(current.get(), path, a, us, Owner.Op.UPDATE);
                if (refusal.isPresent()) {
                    throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, refusal.get());
                }
                if (!current.get().startsWith(MaintenanceCron.HEADER)) {
                    throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, path + " on "
                            + a.connection().describe() + " no longer carries the imagecache header \""
                            + MaintenanceCron.HEADER + "\": someone replaced the schedule with a file of their own, which "
                            + "imagecache does not overwrite. Move it away (e.g. mv " + path + " /root/) to have the "
                            + "schedule written again, or set another cronDir (nothing was changed)");
                }
            }
            if (current.equals(content)) {
                req.context().status(path + " is up to date");
            } else {
                preflight(ops, a, req.context());
                write(ops, path, content.orElseThrow(), req.context());
            }
            return new State(path, content.orElseThrow(), Connections.hostKeys(host, recorded));
        }
    }

    @Override
    public void delete(DeleteRequest<Args, State> req) throws ResourceException {
        Args a = req.inputs();
        String path = req.state() != null && req.state().cronFile() != null ? req.state().cronFile() : cronFile(a);
        Map<String, String> recorded = req.state() == null ? Map.of() : req.state().hostKeys();
        try (RemoteHost host = Connections.open(hosts, a.connection(), recorded, defaultCredentials, req.context())) {
            HostOps ops = new HostOps(host, a.connection().describe());
            Optional<String> current = ops.read(path);
            if (current.isEmpty()) {
                return;
            }
            if (!current.get().startsWith(MaintenanceCron.HEADER)) {
                req.context().warn(path + " no longer carries the imagecache header; it was left in place");
                return;
            }
            Optional<String> owner = MaintenanceCron.containerOf(current.get());
            if (a.containerName() != null && owner.isPresent() && !owner.get().equals(a.containerName())) {
                req.context().warn(path + " is the schedule of container " + owner.get() + ", not of "
                        + a.containerName() + "; it was left in place");
                return;
            }
            Optional<Owner> us = Owner.fromUrn(req.urn());
            Optional<String> refusal = ownerRefusal(current.get(), path, a, us, Owner.Op.DELETE);
            if (refusal.isPresent()) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, refusal.get());
            }
            Optional<Owner> wrote = Owner.find(req.state() == null ? null : req.state().content());
            if (Owner.claim(true, Owner.find(current.get()), us, wrote) == Owner.Claim.SIBLING) {
                req.context().warn(path + " now belongs to the resource " + Owner.find(current.get()).get().resource()
                        + " of this stack; it was left in place");
                return;
            }
            ops.run(CommandLine.of("rm", "-f", path), "remove " + path);
        }
    }

    // --- helpers ----------------------------------------------------------------------------------

    static Optional<String> render(Decoded<Args> d) {
        if (d.hasUnknownsUnder(PropertyPath.of("containerName")) || d.hasUnknownsUnder(PropertyPath.of("upstreamUrl"))
                || d.hasUnknownsUnder(PropertyPath.of("gcSchedule")) || d.hasUnknownsUnder(PropertyPath.of("restartSchedule"))
                || d.hasUnknownsUnder(PropertyPath.of("gcDeleteUntagged"))
                || d.value().containerName() == null || d.value().upstreamUrl() == null) {
            return Optional.empty();
        }
        return Optional.of(MaintenanceCron.render(plan(d.value())));
    }

    static MaintenancePlan plan(Args a) {
        return new MaintenancePlan(a.containerName(), a.upstreamUrl(), or(a.gcSchedule(), "0 3 * * 0"),
                a.gcDeleteUntagged() != null && a.gcDeleteUntagged(), a.restartSchedule() == null ? "0 * * * *" : a.restartSchedule());
    }

    private static String or(String v, String d) {
        return v == null ? d : v;
    }

    static String cronFile(Args a) {
        String dir = a.cronDir() == null ? "/etc/cron.d" : a.cronDir();
        if (a.containerName() == null) {
            return null;
        }
        return (dir.endsWith("/") ? dir : dir + "/") + plan(a).cronFileName();
    }

    static String id(Args a) {
        return ImportId.format(a.connection(), cronFile(a));
    }

    /** The inputs that produce {@code content}: the old inputs if they still render it, else what the file says. */
    private static Args inputsFrom(String content, Args old, boolean importing, String path) throws ResourceException {
        if (!importing && old.containerName() != null && MaintenanceCron.render(plan(old)).equals(Owner.strip(content))) {
            return old;
        }
        Optional<MaintenancePlan> p = MaintenanceCron.parse(content);
        if (p.isEmpty()) {
            if (importing) {
                throw new ResourceException(ResourceException.Kind.INVALID, path + " is not a cron file written by "
                        + "imagecache (it lacks the header \"" + MaintenanceCron.HEADER + "\" or its garbage-collection line)");
            }
            return old;
        }
        MaintenancePlan m = p.get();
        String dir = path.substring(0, path.lastIndexOf('/'));
        return new Args(old.connection(), m.containerName(), m.upstreamUrl(), m.gcSchedule(), m.gcDeleteUntagged(),
                m.restartSchedule(), dir.isEmpty() ? "/" : dir);
    }

    /** A file at our path that is hand-made or another container's schedule is never overwritten. */
    private static void refuseForeign(Optional<String> existing, String path, Args a, Optional<Owner> us, Owner.Op op)
            throws ResourceException {
        if (existing.isEmpty()) {
            return;
        }
        if (existing.get().startsWith(MaintenanceCron.HEADER)) {
            Optional<String> refusal = ownerRefusal(existing.get(), path, a, us, op);
            if (refusal.isPresent()) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, refusal.get());
            }
        }
        if (!existing.get().startsWith(MaintenanceCron.HEADER)) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, path + " on "
                    + a.connection().describe() + " exists and was not written by imagecache (it lacks the header \""
                    + MaintenanceCron.HEADER + "\"), so it is not overwritten: move it away (e.g. mv " + path
                    + " /root/; cron runs every file in " + path.substring(0, Math.max(1, path.lastIndexOf('/')))
                    + "), or set another cronDir (nothing was changed)");
        }
        Optional<String> owner = MaintenanceCron.containerOf(existing.get());
        if (owner.isPresent() && !owner.get().equals(a.containerName())) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, path + " on "
                    + a.connection().describe() + " is the schedule of container " + owner.get() + "; a schedule for "
                    + a.containerName() + " would replace it. Remove that schedule first, or set another cronDir");
        }
    }

    /** Why stack {@code us} must not {@code op} the cron file {@code content}: it names another stack (see {@link Owner}). */
    static Optional<String> ownerRefusal(String content, String path, Args a, Optional<Owner> us, Owner.Op op) {
        if (content == null || !content.startsWith(MaintenanceCron.HEADER)) {
            return Optional.empty();
        }
        Optional<Owner> found = Owner.find(content);
        return Owner.refusal(Owner.claim(true, found, us), found, us, op, path + " on " + a.connection().describe());
    }

    private static void preflight(HostOps ops, Args a, Context ctx) throws ResourceException {
        ExecResult r = ops.run(CommandLine.script("for t in docker curl flock; do command -v $t >/dev/null || echo $t; done"), null);
        String missing = r.stdout().strip().replace('\n', ' ');
        if (!missing.isEmpty()) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, a.connection().describe()
                    + " lacks " + missing + ", which the maintenance jobs need (on Debian/Ubuntu: apt-get install "
                    + missing.replace("docker", "docker.io").replace("flock", "util-linux") + ")");
        }
        ExecResult cron = ops.run(CommandLine.script("pgrep -x cron >/dev/null || pgrep -x crond >/dev/null"), null);
        if (!cron.ok()) {
            ctx.warn("no cron daemon is running on " + a.connection().describe() + "; the jobs in "
                    + cronFile(a) + " will not run until it is");
        }
    }

    private static void write(HostOps ops, String path, String content, Context ctx) throws ResourceException {
        ctx.status("Writing " + path);
        ops.write(path, content, 0644);
    }
}
