package io.imagecache.resources;

import io.imagecache.containerd.ConfigImports;
import io.imagecache.containerd.ContainerdVersion;
import io.imagecache.hosts.containerd.ConfigDump;
import io.imagecache.hosts.containerd.ContainerdNode;
import io.imagecache.containerd.HostsToml;
import io.imagecache.spi.Context;
import io.imagecache.spi.Owner;
import io.imagecache.spi.ResourceException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Observes a node for {@link MirrorPlan} and carries a plan out with rollback: every file written or replaced before
 * containerd restarts is put back when containerd does not come back with its CRI plugin and the new
 * {@code config_path}; files are only removed once it has.
 */
final class MirrorApply {
    private MirrorApply() {}

    /** How to restart containerd and how long to wait, from the inputs. */
    record Restart(String command, Duration timeout, Duration criTimeout) {
        static Restart of(ContainerdMirror.Args a) {
            return new Restart(a.restartCommand() == null ? "systemctl restart containerd" : a.restartCommand(),
                    Duration.ofSeconds(a.restartTimeoutSeconds() == null ? 120 : a.restartTimeoutSeconds()),
                    Duration.ofSeconds(a.criTimeoutSeconds() == null ? 60 : a.criTimeoutSeconds()));
        }
    }

    /** One step of the journal: how to undo it, on the node as the rollback sees it ({@link ContainerdNode#uncancellable()}). */
    private interface Undo {
        void run(ContainerdNode on) throws ResourceException;
    }

    /** Reads what the plan needs: config.toml (through its links), its mode and owner, the hosts files, k3s signs. */
    static MirrorPlan.Observed observe(ContainerdNode node, ContainerdMirror.Args a, ContainerdMirror.Args olds)
            throws ResourceException {
        String configFile = a.configFile();
        String target = node.resolve(configFile);
        List<String> rancher = node.rancherSigns(target);
        String certsDir = ContainerdMirror.trimSlash(a.certsDir());
        String oldDir = olds == null ? certsDir : ContainerdMirror.trimSlash(olds.certsDir());
        if (!rancher.isEmpty() || target.startsWith("/var/lib/rancher/")) {
            return new MirrorPlan.Observed(null, configFile, target, Optional.empty(), Optional.empty(), Map.of(), Map.of(),
                    rancher);
        }
        ContainerdVersion version = node.version();
        Map<String, String> inDir = node.hostsFilesIn(certsDir);
        Optional<String> config = node.read(target);
        List<String> imports = config.map(ConfigImports::of).orElse(List.of());
        List<String> imported = imports.isEmpty() ? List.of()
                : node.filesImported(imports, target.substring(0, Math.max(1, target.lastIndexOf('/'))));
        Map<String, String> configured = new java.util.TreeMap<>();
        Optional<String> previous = MirrorPlan.configEdit(config, version, certsDir).map(e -> e.previousConfigPath());
        for (String dir : MirrorPlan.configuredDirs(previous.orElse(null), certsDir)) {
            node.hostsFilesIn(dir).forEach((r, c) -> configured.put(HostsToml.path(dir, r), c));
        }
        return new MirrorPlan.Observed(version, configFile, target, config, node.stat(target), inDir,
                oldDir.equals(certsDir) ? inDir : node.hostsFilesIn(oldDir), rancher, imported,
                config.isPresent() && node.changedSinceContainerdStarted(target), configured);
    }

    /**
     * Carries {@code plan} out. When containerd does not come back, everything written is undone, containerd
     * restarted again, and a ResourceException names the node, the command and containerd's reason.
     */
    static void execute(MirrorPlan plan, ContainerdNode node, Restart restart) throws ResourceException {
        Context ctx = node.context();
        String where = node.where();
        plan.warnings().forEach(w -> ctx.warn(where + ": " + w));
        if (ctx.cancelled()) {
            throw new ResourceException(ResourceException.Kind.CANCELLED, where + ": cancelled before anything was changed");
        }
        List<Undo> journal = new ArrayList<>();
        for (MirrorPlan.FileWrite w : plan.writes()) {
            if (w.backup() != null) {
                node.copy(w.path(), w.backup(), "back up " + w.path());
                ctx.warn(where + ": " + w.path() + " was not made by imagecache; it was saved as " + w.backup()
                        + " and replaced");
            }
            ctx.status(w.why());
            node.write(w.path(), w.content(), w.mode());
            journal.add(w.previous().isEmpty() ? on -> on.remove(w.path())
                    : w.backup() != null ? on -> on.copy(w.backup(), w.path(), "restore " + w.path())
                    : on -> on.write(w.path(), w.previous().get(), w.mode()));
        }
        if (plan.config().isPresent()) {
            MirrorPlan.ConfigChange c = plan.config().get();
            plan.notes().forEach(n -> ctx.info(where + ": " + n));
            if (c.backup() != null) {
                node.copy(c.target(), c.backup(), "back up " + c.target());
            }
            ctx.status("Writing " + c.target() + (c.target().equals(c.configFile()) ? "" : " (" + c.configFile()
                    + " links to it)") + " (backup " + (c.backup() == null ? "none: it did not exist" : c.backup()) + ")");
            node.writeLike(c.target(), c.text(), c.stat(), 0644);
            journal.add(c.backup() != null ? on -> on.copy(c.backup(), c.target(), "restore " + c.target())
                    : on -> on.remove(c.target()));
            ctx.status("Restarting containerd: " + restart.command());
            Optional<String> failure = node.restart(restart.command(), restart.timeout());
            if (failure.isEmpty()) {
                failure = node.awaitCri(c.socketAfter(), restart.criTimeout(), true);
            }
            if (failure.isEmpty()) {
                failure = configPathProblem(node, c, plan);
            }
            if (failure.isPresent()) {
                throw rolledBack(node, c, restart, journal, failure.get());
            }
        }
        for (String path : plan.removals()) {
            ctx.status("Removing " + path);
            node.removeManaged(path);
        }
    }

    /** Empty when containerd's effective config (the file with its imports) has the new config_path. */
    private static Optional<String> configPathProblem(ContainerdNode node, MirrorPlan.ConfigChange c, MirrorPlan plan)
            throws ResourceException {
        List<String> whyNot = new ArrayList<>();
        Optional<ConfigDump> dump = node.configDump(c.configFile(), plan.version(), whyNot);
        if (dump.isEmpty()) {
            return Optional.of(whyNot.get(0));
        }
        String wanted = c.certsDir();
        Optional<String> effective = dump.get().configPath();
        if (effective.isPresent() && effective.get().equals(wanted)) {
            return Optional.empty();
        }
        return Optional.of("containerd runs with config_path \"" + effective.orElse("") + "\", not \"" + wanted
                + "\": another file overrides the CRI registry settings of " + c.configFile()
                + dump.get().imports().map(i -> " (imports = " + i + ")").orElse("")
                + "; move its registry settings into " + c.configFile() + " or remove them");
    }

    /**
     * Undoes the journal, restarts containerd with the original files and returns the error to throw. Once begun it is
     * not cut short by a Cancel (the engine's, or the provider ending with its engine): each step is still bounded by
     * its timeout, and the node comes back whole before the operation reports the cancel.
     */
    private static ResourceException rolledBack(ContainerdNode cancellable, MirrorPlan.ConfigChange c, Restart restart,
                                                List<Undo> journal, String failure) {
        boolean cancelled = cancellable.context().cancelled();
        ContainerdNode node = cancellable.uncancellable();
        Context ctx = node.context();
        String where = node.where();
        ctx.warn(where + (cancelled ? ": cancelled during containerd's restart with the new " : ": containerd did not come"
                + " back with the new ") + c.configFile() + " (" + failure + "); restoring it and the hosts.toml files written");
        List<String> undoFailures = new ArrayList<>();
        for (int i = journal.size() - 1; i >= 0; i--) {
            try {
                journal.get(i).run(node);
            } catch (ResourceException e) {
                undoFailures.add(e.getMessage());
            }
        }
        // Restart again with the restored files, and wait for CRI whatever the restart said (a hung restart may
        // never have stopped containerd).
        Optional<String> restartAgain = node.restart(restart.command(), restart.timeout());
        Optional<String> cri = node.awaitCri(c.socketBefore(), restart.criTimeout(), false);
        String restored = !undoFailures.isEmpty() ? "RESTORING FAILED (" + String.join("; ", undoFailures)
                + "): look at the node; the original config.toml is in " + c.backup()
                : cri.isEmpty() ? "the original config.toml is back and the CRI plugin is loaded; the hosts.toml files"
                + " are as they were" + restartAgain.map(r -> " (restarting with them failed too: " + r
                + "; if containerd did restart with the new file, restart it once more)").orElse("")
                : "AFTER RESTORING THE ORIGINAL config.toml THE CRI PLUGIN STILL DOES NOT LOAD (" + cri.get()
                + restartAgain.map(r -> "; " + r).orElse("") + "): the node cannot run pods; look at containerd's log";
        String head = cancelled ? "cancelled while containerd on " + where + " restarted with the new config.toml"
                + " (restart command `" + restart.command() + "`: " + failure + "); putting the node back: "
                : "containerd on " + where + " did not come back with the new config.toml (restart command `"
                + restart.command() + "`): " + failure + "; ";
        return new ResourceException(cancelled ? ResourceException.Kind.CANCELLED : ResourceException.Kind.FAILED_PRECONDITION,
                head + restored
                        + (c.backup() != null ? " (the edited file was not kept; the original is also in " + c.backup() + ")" : ""));
    }

    /** Delete: removes the managed hosts.toml of every registry the state or the inputs name (hand-made ones stay). */
    static void removeAll(ContainerdNode node, ContainerdMirror.Args a, ContainerdMirror.State s) throws ResourceException {
        removeAll(node, a, s, Optional.empty());
    }

    /**
     * Delete for the stack {@code us}: when any of the files names another stack, nothing is removed and the delete
     * fails naming it; a file another resource of this stack now names is left with a warning.
     */
    static void removeAll(ContainerdNode node, ContainerdMirror.Args a, ContainerdMirror.State s, Optional<Owner> us)
            throws ResourceException {
        java.util.Set<String> registries = new java.util.LinkedHashSet<>();
        if (s != null && s.hostsFiles() != null) {
            registries.addAll(s.hostsFiles().keySet());
        }
        if (a.mirrors() != null) {
            a.mirrors().forEach(m -> registries.add(m.registry()));
        }
        List<String> paths = new ArrayList<>();
        for (String r : registries) {
            String path = HostsToml.path(ContainerdMirror.trimSlash(a.certsDir()), r);
            Optional<String> content = node.read(path);
            Optional<String> refusal = MirrorPlan.ownerRefusal(content, us, Owner.Op.DELETE, path, node.where());
            if (refusal.isPresent()) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, refusal.get());
            }
            Optional<Owner> wrote = Owner.find(s == null || s.hostsFiles() == null ? null : s.hostsFiles().get(r));
            if (content.isPresent() && HostsToml.isManaged(content.get())
                    && Owner.claim(true, Owner.find(content.get()), us, wrote) == Owner.Claim.SIBLING) {
                node.context().warn(node.where() + ": " + path + " now belongs to the resource "
                        + Owner.find(content.get()).get().resource() + " of this stack; it was left in place");
                continue;
            }
            paths.add(path);
        }
        for (String path : paths) {
            node.removeManaged(path);
        }
    }
}
