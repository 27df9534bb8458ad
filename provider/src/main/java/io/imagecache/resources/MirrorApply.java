package io.imagecache.resources;

import io.imagecache.containerd.ConfigImports;
import io.imagecache.containerd.ContainerdVersion;
import io.imagecache.hosts.containerd.ConfigDump;
import io.imagecache.hosts.containerd.ContainerdNode;
import io.imagecache.hosts.containerd.NodeProbe;
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

    /** A file this apply wrote (a hosts.toml or config.toml) and how to put back what it replaced. */
    private record Step(String path, Undo undo) {}

    /**
     * An apply that failed after it began writing: the error to report, and the files it wrote that are still on the
     * node as it wrote them (none when everything was put back). The rollback leaves files behind only when it cannot
     * finish: the connection to the node was lost, or restoring a file failed.
     */
    static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient ResourceException error;
        private final List<String> stillWritten;

        Failed(ResourceException error, List<String> stillWritten) {
            super(error.getMessage(), error);
            this.error = error;
            this.stillWritten = List.copyOf(stillWritten);
        }

        ResourceException error() {
            return error;
        }

        List<String> stillWritten() {
            return stillWritten;
        }
    }

    /**
     * What {@code old} recorded of containerd, for the probe to check instead of asking it again: empty when it recorded
     * no binary or a version that does not read as one.
     */
    static Optional<NodeProbe.Recorded> recorded(ContainerdMirror.State old) {
        if (old == null || old.containerdBinary() == null || old.containerdBinary().isBlank()
                || old.containerdBinary().contains("\n") || ContainerdVersion.tryParse(old.containerdVersion()).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new NodeProbe.Recorded(old.containerdBinary(), old.containerdVersion()));
    }

    /**
     * Reads what the plan needs: config.toml (through its links), its mode and owner, the hosts files, k3s signs;
     * containerd's version from {@code old} while containerd is the binary it recorded.
     */
    static MirrorPlan.Observed observe(ContainerdNode node, ContainerdMirror.Args a, ContainerdMirror.Args olds,
                                       ContainerdMirror.State old) throws ResourceException {
        String configFile = a.configFile();
        String certsDir = ContainerdMirror.trimSlash(a.certsDir());
        NodeProbe probe = node.probe(configFile, certsDir, recorded(old));
        String target = probe.target();
        List<String> rancher = probe.rancherSigns();
        String oldDir = olds == null ? certsDir : ContainerdMirror.trimSlash(olds.certsDir());
        if (!rancher.isEmpty() || target.startsWith("/var/lib/rancher/")) {
            return new MirrorPlan.Observed(null, configFile, target, Optional.empty(), Optional.empty(), Map.of(), Map.of(),
                    rancher);
        }
        ContainerdVersion version = node.version(probe);
        Map<String, String> inDir = node.hostsFilesIn(probe, certsDir);
        Optional<String> config = node.config(probe);
        List<String> imports = config.map(ConfigImports::of).orElse(List.of());
        List<String> imported = imports.isEmpty() ? List.of()
                : node.filesImported(imports, target.substring(0, Math.max(1, target.lastIndexOf('/'))));
        Map<String, String> configured = new java.util.TreeMap<>();
        Optional<String> previous = MirrorPlan.configEdit(config, version, certsDir).map(e -> e.previousConfigPath());
        for (String dir : MirrorPlan.configuredDirs(previous.orElse(null), certsDir)) {
            node.hostsFilesIn(dir).forEach((r, c) -> configured.put(HostsToml.path(dir, r), c));
        }
        return new MirrorPlan.Observed(version, configFile, target, config, node.stat(probe), inDir,
                oldDir.equals(certsDir) ? inDir : node.hostsFilesIn(oldDir), rancher, imported,
                config.isPresent() && probe.changedSinceContainerdStarted(), configured, probe.binary());
    }

    /**
     * Carries {@code plan} out. When a write fails, what was written before it is put back. When containerd does not
     * come back, everything written is undone, containerd restarted again, and the failure names the node, the command
     * and containerd's reason. When the connection to the node is lost, nothing more is tried over it: the failure
     * says what is left on the node and that the next {@code up} finishes the change.
     *
     * @throws ResourceException when nothing was changed (cancelled before the first write)
     * @throws Failed            when anything was written: with what is still on the node
     */
    static void execute(MirrorPlan plan, ContainerdNode node, Restart restart) throws ResourceException, Failed {
        Context ctx = node.context();
        String where = node.where();
        plan.warnings().forEach(w -> ctx.warn(where + ": " + w));
        if (ctx.cancelled()) {
            throw new ResourceException(ResourceException.Kind.CANCELLED, where + ": cancelled before anything was changed");
        }
        List<Step> journal = new ArrayList<>();
        try {
            for (MirrorPlan.FileWrite w : plan.writes()) {
                if (w.backup() != null) {
                    node.copy(w.path(), w.backup(), "back up " + w.path());
                    ctx.warn(where + ": " + w.path() + " was not made by imagecache; it was saved as " + w.backup()
                            + " and replaced");
                }
                ctx.status(w.why());
                journal.add(new Step(w.path(), w.previous().isEmpty() ? on -> on.remove(w.path())
                        : w.backup() != null ? on -> on.copy(w.backup(), w.path(), "restore " + w.path())
                        : on -> on.write(w.path(), w.previous().get(), w.mode())));
                node.write(w.path(), w.content(), w.mode());
            }
            if (plan.config().isPresent()) {
                MirrorPlan.ConfigChange c = plan.config().get();
                plan.notes().forEach(n -> ctx.info(where + ": " + n));
                if (c.backup() != null) {
                    node.copy(c.target(), c.backup(), "back up " + c.target());
                }
                ctx.status("Writing " + c.target() + (c.target().equals(c.configFile()) ? "" : " (" + c.configFile()
                        + " links to it)") + " (backup " + (c.backup() == null ? "none: it did not exist" : c.backup()) + ")");
                journal.add(new Step(c.target(), c.backup() != null ? on -> on.copy(c.backup(), c.target(), "restore "
                        + c.target()) : on -> on.remove(c.target())));
                node.writeLike(c.target(), c.text(), c.stat(), 0644);
            }
        } catch (ResourceException e) {
            // containerd was not restarted: putting the files back is all there is to undo
            throw undone(node, plan, journal, e);
        }
        if (plan.config().isPresent()) {
            MirrorPlan.ConfigChange c = plan.config().get();
            ctx.status("Restarting containerd: " + restart.command());
            Optional<String> failure;
            try {
                failure = node.restart(restart.command(), restart.timeout());
                if (failure.isEmpty()) {
                    failure = node.awaitCri(c.socketAfter(), restart.criTimeout(), true);
                }
                if (failure.isEmpty()) {
                    failure = configPathProblem(node, c, plan);
                }
            } catch (ResourceException e) {
                failure = Optional.of(e.getMessage());
            }
            if (failure.isPresent()) {
                throw rolledBack(node, plan, restart, journal, failure.get());
            }
        }
        try {
            for (String path : plan.removals()) {
                ctx.status("Removing " + path);
                node.removeManaged(path);
            }
        } catch (ResourceException e) {
            // containerd runs with the new files: they stay; the next up removes what is left
            throw new Failed(e, journal.stream().map(Step::path).toList());
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
     * Undoes the journal, newest first, on the node as the rollback sees it; once the connection is gone nothing more is
     * tried. Returns the paths of the steps not undone (still as this apply wrote them), in the order they were written,
     * and adds why to {@code failures}.
     */
    private static List<String> undo(ContainerdNode node, List<Step> journal, List<String> failures) {
        List<String> still = new ArrayList<>();
        for (int i = journal.size() - 1; i >= 0; i--) {
            Step step = journal.get(i);
            if (!node.connected()) {
                still.add(step.path());
                continue;
            }
            try {
                step.undo().run(node);
            } catch (ResourceException e) {
                still.add(step.path());
                if (node.connected()) {
                    failures.add(e.getMessage());
                }
            }
        }
        java.util.Collections.reverse(still);
        return still;
    }

    /** A write failed before containerd was restarted: the files written before it are put back. */
    private static Failed undone(ContainerdNode cancellable, MirrorPlan plan, List<Step> journal, ResourceException cause) {
        ContainerdNode node = cancellable.uncancellable();
        List<String> failures = new ArrayList<>();
        List<String> still = undo(node, journal, failures);
        if (!node.connected()) {
            return lost(node, plan, null, still, "while the files were written", cause.getMessage());
        }
        String restored = journal.isEmpty() ? "nothing had been written" : failures.isEmpty()
                ? "the files written before it were put back" : "PUTTING BACK THE FILES WRITTEN BEFORE IT FAILED ("
                + String.join("; ", failures) + "): still as this apply wrote them: " + String.join(", ", still);
        return new Failed(new ResourceException(cause.kind(), cause.getMessage() + "; containerd was not restarted and "
                + restored, cause), still);
    }

    /**
     * Undoes the journal, restarts containerd with the original files and returns the failure to throw. Once begun it
     * is not cut short by a Cancel (the engine's, or the provider ending with its engine): each step is still bounded
     * by its timeout, and the node comes back whole before the operation reports the cancel. A lost connection ends
     * it at once ({@link #lost}).
     */
    private static Failed rolledBack(ContainerdNode cancellable, MirrorPlan plan, Restart restart, List<Step> journal,
                                     String failure) {
        MirrorPlan.ConfigChange c = plan.config().orElseThrow();
        boolean cancelled = cancellable.context().cancelled();
        ContainerdNode node = cancellable.uncancellable();
        if (!node.connected()) {
            return lost(node, plan, restart, journal.stream().map(Step::path).toList(),
                    "while containerd restarted with the new " + c.configFile(), failure);
        }
        Context ctx = node.context();
        String where = node.where();
        ctx.warn(where + (cancelled ? ": cancelled during containerd's restart with the new " : ": containerd did not come"
                + " back with the new ") + c.configFile() + " (" + failure + "); restoring it and the hosts.toml files written");
        List<String> undoFailures = new ArrayList<>();
        List<String> still = undo(node, journal, undoFailures);
        if (!node.connected()) {
            return lost(node, plan, restart, still, "while the node was put back after containerd did not come back with"
                    + " the new " + c.configFile() + " (" + failure + ")", "");
        }
        // Restart again with the restored files, and wait for CRI whatever the restart said (a hung restart may
        // never have stopped containerd).
        Optional<String> restartAgain = node.restart(restart.command(), restart.timeout());
        Optional<String> cri = node.awaitCri(c.socketBefore(), restart.criTimeout(), false);
        if (!node.connected()) {
            return lost(node, plan, restart, still, "while containerd restarted again with the original files, after it"
                    + " did not come back with the new " + c.configFile() + " (" + failure + ")", cri.orElse(""));
        }
        boolean configKept = still.contains(c.target());
        String restored = !undoFailures.isEmpty() ? "RESTORING FAILED (" + String.join("; ", undoFailures)
                + "): look at the node; still as this apply wrote them: " + String.join(", ", still)
                + (c.backup() == null ? "" : "; the original config.toml is in " + c.backup())
                : cri.isEmpty() ? "the original config.toml is back and the CRI plugin is loaded; the hosts.toml files"
                + " are as they were" + restartAgain.map(r -> " (restarting with them failed too: " + r
                + "; if containerd did restart with the new file, restart it once more)").orElse("")
                : "AFTER RESTORING THE ORIGINAL config.toml THE CRI PLUGIN STILL DOES NOT LOAD (" + cri.get()
                + restartAgain.map(r -> "; " + r).orElse("") + "): the node cannot run pods; look at containerd's log";
        String head = cancelled ? "cancelled while containerd on " + where + " restarted with the new config.toml"
                + " (restart command `" + restart.command() + "`: " + failure + "); putting the node back: "
                : "containerd on " + where + " did not come back with the new config.toml (restart command `"
                + restart.command() + "`): " + failure + "; ";
        return new Failed(new ResourceException(cancelled ? ResourceException.Kind.CANCELLED
                : ResourceException.Kind.FAILED_PRECONDITION, head + restored + (c.backup() != null && !configKept
                ? " (the edited file was not kept; the original is also in " + c.backup() + ")" : "")), still);
    }

    /**
     * The connection to the node was lost {@code during} a step: nothing more can be done over it, so nothing more is
     * tried (no retries on a dead session, no wait for a CRI plugin no one can see). The failure says what this apply
     * left on the node, and that the next {@code up}, once the node answers, finishes the change: it reads the node
     * again, and restarts containerd when the config.toml on it is newer than the running containerd.
     */
    private static Failed lost(ContainerdNode node, MirrorPlan plan, Restart restart, List<String> still, String during,
                               String cause) {
        Optional<MirrorPlan.ConfigChange> c = plan.config().filter(x -> still.contains(x.target()));
        String left = still.isEmpty() ? "nothing this apply wrote is left on the node"
                + (restart == null ? "" : ", but containerd may still run with the new config.toml")
                : "left on the node as this apply wrote them: " + String.join(", ", still)
                + c.map(x -> x.backup() == null ? "" : " (the original config.toml is in " + x.backup() + ")").orElse("")
                + (c.isPresent() && restart != null ? "; containerd runs with the old or the new config.toml" : "");
        return new Failed(new ResourceException(ResourceException.Kind.UNAVAILABLE, "the connection to " + node.where()
                + " was lost " + during + (restart == null ? "" : " (restart command `" + restart.command() + "`)")
                + (cause.isBlank() ? "" : ": " + cause) + "; nothing more was tried on it: " + left
                + ". Once the node answers again, `pulumi up` finishes the change"), still);
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
            Optional<String> refusal = MirrorOwnership.ownerRefusal(content, us, Owner.Op.DELETE, path, node.where());
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
