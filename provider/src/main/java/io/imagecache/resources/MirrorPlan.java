package io.imagecache.resources;

import io.imagecache.containerd.ConfigEdit;
import io.imagecache.containerd.ConfigToml;
import io.imagecache.containerd.ConfigTomlException;
import io.imagecache.containerd.ContainerdVersion;
import io.imagecache.containerd.HostsToml;
import io.imagecache.containerd.MirrorSpec;
import io.imagecache.containerd.MirrorValidation;
import io.imagecache.hosts.containerd.FileStat;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.Owner;
import io.imagecache.spi.PropertyPath;
import io.imagecache.spi.ResourceException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What one apply of ContainerdMirror does to a node, decided from the inputs and the node as observed, without
 * touching it. Pure; {@link MirrorApply} carries it out, in this order: {@link #writes}, then the {@link #config}
 * change (the only thing that restarts containerd) and its verification, and only then the {@link #removals}, so a
 * node is never left pointing at a directory whose files are gone.
 *
 * @param writes     hosts.toml files to write, each with what it replaces (for the rollback)
 * @param config     the config.toml edit, when the file must change
 * @param removals   managed hosts.toml files that are no longer wanted, removed after config.toml is verified
 * @param hostsFiles the state's {@code hostsFiles} once the plan is carried out
 * @param migrated   the state's {@code migratedFiles} once the plan is carried out
 * @param warnings   what the person running Pulumi should know (never file contents)
 * @param notes      what the config edit did
 */
record MirrorPlan(ContainerdVersion version, Integer configVersion, List<FileWrite> writes, Optional<ConfigChange> config,
                  List<String> removals, Map<String, String> hostsFiles, Map<String, String> migrated,
                  List<String> warnings, List<String> notes) {

    /**
     * A hosts.toml to write.
     *
     * @param previous what the file held before (restored by a rollback), empty when there was none
     * @param backup   where a hand-made file is copied before it is replaced, or null
     */
    record FileWrite(String path, String content, int mode, Optional<String> previous, String backup, String why) {}

    /**
     * The config.toml edit. {@code target} is the file {@code configFile} names once symlinks are followed: it is
     * edited, and the link is kept. Its mode (made safe) and owner are kept.
     *
     * @param backup       where the original is copied first (beside the target), null when there was no file
     * @param socketBefore where containerd listens with the original file (for the rollback)
     * @param socketAfter  where it listens with the edited one
     */
    record ConfigChange(String configFile, String target, String text, Optional<String> original, Optional<FileStat> stat,
                        String backup, String socketBefore, String socketAfter, String certsDir) {}

    /**
     * The node as observed before the apply.
     *
     * @param version         null when {@code rancherSigns} made asking containerd pointless
     * @param configTarget    {@code configFile} with every symlink followed
     * @param filesInCertsDir registry -> content of every hosts.toml under the wanted certsDir
     * @param filesInOldDir   the same under the certsDir of the previous apply (equal when it did not change)
     * @param rancherSigns    files showing that k3s or RKE2 runs this containerd
     * @param filesConfigured path -> content of every hosts.toml under the directories config.toml's
     *                        {@code config_path} names now, where they are neither certsDir nor the previous apply's:
     *                        whose owner lines say whether another stack's mirrors rely on that {@code config_path}
     * @param containerdBinary which file containerd was when its version was read ({@code NodeProbe.binary})
     */
    record Observed(ContainerdVersion version, String configFile, String configTarget, Optional<String> config,
                    Optional<FileStat> configStat, Map<String, String> filesInCertsDir, Map<String, String> filesInOldDir,
                    List<String> rancherSigns, List<String> importedFiles, boolean configNotLoaded,
                    Map<String, String> filesConfigured, Optional<String> containerdBinary) {
        Observed {
            importedFiles = List.copyOf(importedFiles);
            filesConfigured = Map.copyOf(filesConfigured);
        }

        /** Without the containerd binary the version was read from. */
        Observed(ContainerdVersion version, String configFile, String configTarget, Optional<String> config,
                 Optional<FileStat> configStat, Map<String, String> filesInCertsDir, Map<String, String> filesInOldDir,
                 List<String> rancherSigns, List<String> importedFiles, boolean configNotLoaded,
                 Map<String, String> filesConfigured) {
            this(version, configFile, configTarget, config, configStat, filesInCertsDir, filesInOldDir, rancherSigns,
                    importedFiles, configNotLoaded, filesConfigured, Optional.empty());
        }

        /** Without files under another config_path. */
        Observed(ContainerdVersion version, String configFile, String configTarget, Optional<String> config,
                 Optional<FileStat> configStat, Map<String, String> filesInCertsDir, Map<String, String> filesInOldDir,
                 List<String> rancherSigns, List<String> importedFiles, boolean configNotLoaded) {
            this(version, configFile, configTarget, config, configStat, filesInCertsDir, filesInOldDir, rancherSigns,
                    importedFiles, configNotLoaded, Map.of());
        }

        /** Loaded by the running containerd (as far as the node can say). */
        Observed(ContainerdVersion version, String configFile, String configTarget, Optional<String> config,
                 Optional<FileStat> configStat, Map<String, String> filesInCertsDir, Map<String, String> filesInOldDir,
                 List<String> rancherSigns, List<String> importedFiles) {
            this(version, configFile, configTarget, config, configStat, filesInCertsDir, filesInOldDir, rancherSigns,
                    importedFiles, false);
        }

        /** Without imported files. */
        Observed(ContainerdVersion version, String configFile, String configTarget, Optional<String> config,
                 Optional<FileStat> configStat, Map<String, String> filesInCertsDir, Map<String, String> filesInOldDir,
                 List<String> rancherSigns) {
            this(version, configFile, configTarget, config, configStat, filesInCertsDir, filesInOldDir, rancherSigns,
                    List.of());
        }
    }

    /** True when carrying this out restarts containerd. */
    boolean restartsContainerd() {
        return config.isPresent();
    }

    /**
     * The plan for inputs {@code a} on a node observed as {@code obs}; {@code olds}/{@code old} are the previous
     * apply's inputs and state (null on create). Throws, before anything is written, when the node cannot take it.
     */
    static MirrorPlan of(ContainerdMirror.Args a, ContainerdMirror.Args olds, ContainerdMirror.State old, Observed obs,
                         String stamp, String where) throws ResourceException {
        return of(a, olds, old, obs, stamp, where, Optional.empty());
    }

    /**
     * As above for the stack {@code us}: every hosts.toml written names it ({@link Owner#stamp}); a managed hosts.toml
     * that names another stack (or, on create, another resource of this stack) is refused before anything is written,
     * and one that names none (an older version's) is adopted.
     */
    static MirrorPlan of(ContainerdMirror.Args a, ContainerdMirror.Args olds, ContainerdMirror.State old, Observed obs,
                         String stamp, String where, Optional<Owner> us) throws ResourceException {
        refuseRancher(obs, where);
        ContainerdVersion version = obs.version();
        List<MirrorSpec> specs = Mirrors.specs(a.mirrors()).stream()
                .map(s -> Mirrors.withDefaultDialTimeout(s, a.defaultDialTimeout(), version.toString())).toList();
        List<CheckFailure> versionProblems = Mirrors.failures(MirrorValidation.checkForVersion(specs, version), a.mirrors());
        if (!versionProblems.isEmpty()) {
            throw new ResourceException(ResourceException.Kind.INVALID, "the mirrors do not suit containerd " + version
                    + " on " + where + ": " + describe(versionProblems) + " (nothing on the node was changed)");
        }
        String certsDir = ContainerdMirror.trimSlash(a.certsDir());
        String oldDir = olds == null ? certsDir : ContainerdMirror.trimSlash(olds.certsDir());
        ConfigEdit edit;
        try {
            edit = ConfigToml.edit(obs.config().orElse(minimalConfig(version)), version, certsDir);
        } catch (ConfigTomlException e) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, "cannot edit " + obs.configFile()
                    + (obs.configTarget().equals(obs.configFile()) ? "" : " (" + obs.configTarget() + ")") + " on " + where
                    + ": " + e.getMessage() + "; then run the update again (nothing on the node was changed: no file"
                    + " written, containerd not restarted)");
        }
        List<String> warnings = new ArrayList<>(edit.warnings());
        if (!obs.importedFiles().isEmpty()) {
            warnings.add("config.toml imports " + obs.importedFiles() + "; registry settings in those files are merged "
                    + "in and were not checked or edited.");
        }
        List<FileWrite> writes = new ArrayList<>();
        Map<String, String> files = new TreeMap<>();
        Set<String> wanted = new LinkedHashSet<>();

        // 0. config_path is the node's one setting: it is not moved away from a directory whose files another stack
        // manages (its mirrors would stop working without that stack knowing).
        Owner.Op op = old == null ? Owner.Op.CREATE : Owner.Op.UPDATE;
        if (edit.changed()) {
            Optional<String> refusal = MirrorOwnership.configPathRefusal(obs, edit.previousConfigPath(), certsDir, us, op, where);
            if (refusal.isPresent()) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, refusal.get());
            }
        }
        // 1. The managed hosts.toml files, written only where the content changes.
        for (MirrorSpec s : specs) {
            String path = HostsToml.path(certsDir, s.registry());
            Optional<String> current = Optional.ofNullable(obs.filesInCertsDir().get(s.registry()));
            Optional<String> refusal = MirrorOwnership.ownerRefusal(current, us, op, path, where)
                    .or(() -> MirrorOwnership.notReplaceable(current, s.registry(), us, op, path, where));
            if (refusal.isPresent()) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, refusal.get());
            }
        }
        for (MirrorSpec s : specs) {
            String content = Owner.stamp(HostsToml.render(s, version), us);
            String path = HostsToml.path(certsDir, s.registry());
            wanted.add(s.registry());
            files.put(s.registry(), content);
            Optional<String> current = Optional.ofNullable(obs.filesInCertsDir().get(s.registry()));
            if (current.isPresent() && current.get().equals(content)) {
                continue;
            }
            String backup = current.isPresent() && !HostsToml.isManaged(current.get())
                    ? path + ".imagecache-" + stamp + ".bak" : null;
            writes.add(new FileWrite(path, content, 0644, current, backup, "Writing " + path));
        }
        // 2. Mirrors that were in config.toml: their own hosts.toml, unless one exists already.
        Map<String, String> migrated = new TreeMap<>(old == null || old.migratedFiles() == null ? Map.of() : old.migratedFiles());
        for (MirrorSpec m : edit.migrated()) {
            String path = HostsToml.path(certsDir, m.registry());
            if (wanted.contains(m.registry())) {
                warnings.add("config.toml had mirrors for " + m.registry() + "; the mirrors given to imagecache replace"
                        + " them (" + m.endpoints().size() + " endpoint(s) dropped)");
                continue;
            }
            if (obs.filesInCertsDir().containsKey(m.registry())) {
                warnings.add("config.toml had mirrors for " + m.registry() + ", and " + path + " exists; it was kept as it is");
                continue;
            }
            try {
                writes.add(new FileWrite(path, migratedContent(m, version), 0644, Optional.empty(), null,
                        "Writing " + path + " (from config.toml's mirrors)"));
                migrated.put(m.registry(), path);
            } catch (IllegalArgumentException e) {
                warnings.add("the mirrors for " + m.registry() + " in config.toml cannot be kept: " + e.getMessage());
            }
        }
        // 3. Files of the previous apply that are no longer wanted where they are: removed once config.toml is verified.
        List<String> removals = new ArrayList<>();
        for (String registry : old == null || old.hostsFiles() == null ? Set.<String>of() : old.hostsFiles().keySet()) {
            boolean sameDir = oldDir.equals(certsDir);
            if (sameDir && wanted.contains(registry)) {
                continue;
            }
            String content = (sameDir ? obs.filesInCertsDir() : obs.filesInOldDir()).get(registry);
            String path = HostsToml.path(oldDir, registry);
            if (content == null) {
                continue;
            }
            if (!HostsToml.isManaged(content)) {
                warnings.add(path + " was not made by imagecache (or lost its header); it was left in place");
                continue;
            }
            Optional<String> refusal = MirrorOwnership.ownerRefusal(Optional.of(content), us, Owner.Op.DELETE, path, where);
            if (refusal.isPresent()) {
                throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, refusal.get());
            }
            if (Owner.claim(true, Owner.find(content), us, Owner.find(old.hostsFiles().get(registry))) == Owner.Claim.SIBLING) {
                warnings.add(path + " now belongs to the resource " + Owner.find(content).get().resource()
                        + " of this stack; it was left in place");
                continue;
            }
            removals.add(path);
        }
        // 4. config.toml, only if it must change, or if it changed after containerd started (an apply cut short
        // before its restart): that alone restarts containerd.
        Optional<ConfigChange> config = Optional.empty();
        boolean notLoaded = !edit.changed() && obs.configNotLoaded();
        if (notLoaded) {
            warnings.add(obs.configFile() + " changed after containerd started (an apply cut short before its restart?) "
                    + "and holds config_path " + certsDir + ": containerd is restarted to load it");
        }
        if (edit.changed() || notLoaded) {
            String target = obs.configTarget();
            String original = obs.config().orElse(null);
            config = Optional.of(new ConfigChange(obs.configFile(), target, edit.text(), obs.config(), obs.configStat(),
                    original == null ? null : target + ".imagecache-" + stamp + ".bak",
                    socket(original), socket(edit.text()), certsDir));
        }
        return new MirrorPlan(version, edit.configVersion(), writes, config, removals, files, migrated, warnings,
                edit.notes());
    }

    /** The directories a {@code config_path} value names, but {@code certsDir} (normalised, without a trailing slash). */
    static List<String> configuredDirs(String configPath, String certsDir) {
        List<String> out = new ArrayList<>();
        for (String d : configPath == null ? new String[0] : configPath.split(":")) {
            String t = ContainerdMirror.trimSlash(d.strip());
            if (!t.isEmpty() && t.startsWith("/") && !t.equals(certsDir) && !out.contains(t)) {
                out.add(t);
            }
        }
        return out;
    }

    /** Why config.toml as read cannot be edited (the file named, with line and column), empty when it can. */
    static Optional<String> configProblem(Optional<String> config, ContainerdVersion version, String certsDir) {
        try {
            ConfigToml.edit(config.orElse(minimalConfig(version)), version, certsDir);
            return Optional.empty();
        } catch (ConfigTomlException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Where containerd listens with {@code configToml}: its {@code [grpc] address}, or containerd's default. */
    static String socket(String configToml) {
        return configToml == null ? ConfigToml.DEFAULT_GRPC_ADDRESS
                : ConfigToml.grpcAddress(configToml).orElse(ConfigToml.DEFAULT_GRPC_ADDRESS);
    }

    /**
     * k3s and RKE2 write config.toml again from {@code config.toml.tmpl} at every start, so an edit would be lost
     * (and their socket is elsewhere): refused until they are supported.
     */
    static void refuseRancher(Observed obs, String where) throws ResourceException {
        List<String> signs = new ArrayList<>(obs.rancherSigns());
        if (obs.configTarget().startsWith("/var/lib/rancher/")) {
            signs.add(obs.configTarget() + " (under /var/lib/rancher/)");
        }
        String raw = obs.version() == null ? "" : obs.version().raw().toLowerCase(java.util.Locale.ROOT);
        if (raw.contains("k3s") || raw.contains("rke2")) {
            signs.add("containerd " + obs.version() + " (a k3s/RKE2 build)");
        }
        if (!signs.isEmpty()) {
            throw new ResourceException(ResourceException.Kind.FAILED_PRECONDITION, where + " runs containerd under k3s or"
                    + " RKE2 (found " + String.join(", ", signs) + "), which regenerate config.toml from config.toml.tmpl"
                    + " at every start: configure its mirrors in /etc/rancher/k3s/registries.yaml (RKE2:"
                    + " /etc/rancher/rke2/registries.yaml) instead; ContainerdMirror does not support k3s/RKE2 nodes yet"
                    + " (nothing on the node was changed)");
        }
    }

    /**
     * Whether an update will restart containerd, as far as preview can know without the node: known false when the
     * last apply left config.toml up to date and neither {@code certsDir} nor {@code configFile} changes (only hosts
     * files can change then); unknown (null) otherwise.
     */
    static Boolean restartsInPreview(ContainerdMirror.Args news, ContainerdMirror.Args olds, ContainerdMirror.State old) {
        if (old == null || olds == null || !Boolean.TRUE.equals(old.configUpToDate())) {
            return null;
        }
        boolean sameDir = ContainerdMirror.trimSlash(olds.certsDir()).equals(ContainerdMirror.trimSlash(news.certsDir()));
        boolean sameFile = java.util.Objects.equals(olds.configFile(), news.configFile());
        return sameDir && sameFile ? Boolean.FALSE : null;
    }

    /** config.toml as {@link ConfigToml#edit} would make it for {@code certsDir}; empty when it cannot be edited. */
    static Optional<ConfigEdit> configEdit(Optional<String> config, ContainerdVersion version, String certsDir) {
        try {
            return Optional.of(ConfigToml.edit(config.orElse(minimalConfig(version)), version, certsDir));
        } catch (ConfigTomlException e) {
            return Optional.empty();
        }
    }

    static String minimalConfig(ContainerdVersion v) {
        return "version = " + (v.major() >= 2 ? 3 : 2) + "\n";
    }

    /** What can be known without the node: the hosts files as rendered for any version that accepts them. */
    static ContainerdMirror.State preview(Decoded<ContainerdMirror.Args> d, ContainerdMirror.Args olds, ContainerdMirror.State old) {
        return preview(d, olds, old, Optional.empty());
    }

    /** As above, the files naming the stack {@code us} as an apply writes them. */
    static ContainerdMirror.State preview(Decoded<ContainerdMirror.Args> d, ContainerdMirror.Args olds, ContainerdMirror.State old,
                                          Optional<Owner> us) {
        Map<String, String> files = null;
        ContainerdMirror.Args a = d.value();
        if (a.mirrors() != null && !d.hasUnknownsUnder(PropertyPath.of("mirrors"))) {
            files = new TreeMap<>();
            for (ContainerdMirror.MirrorArgs m : a.mirrors()) {
                try {
                    files.put(m.registry(), Owner.stamp(HostsToml.render(Mirrors.spec(m)), us));
                } catch (IllegalArgumentException e) {
                    files = null;
                    break;
                }
            }
        }
        return old == null ? new ContainerdMirror.State(null, null, files, null, null, null, null, null, null, null)
                : new ContainerdMirror.State(old.containerdVersion(), old.configVersion(), files, null, null, null, old.migratedFiles(),
                old.hostKeys(), restartsInPreview(a, olds, old), old.containerdBinary());
    }

    /**
     * The state a failed apply leaves, recorded with the previous inputs ({@code olds}, or {@code a} on create) so that
     * the next {@code up} still sees the change to make: the previous state, with what this apply wrote and could not
     * put back ({@code stillWritten}, paths). A hosts.toml still written under the recorded {@code certsDir} is in
     * {@code hostsFiles} (so a delete finds it); a config.toml still written names its backup and is not up to date
     * (containerd may not run with it), which the next {@code up} repairs.
     */
    static ContainerdMirror.State afterFailure(MirrorPlan plan, ContainerdMirror.Args a, ContainerdMirror.Args olds,
                                               ContainerdMirror.State old, List<String> stillWritten,
                                               Map<String, String> hostKeys) {
        Map<String, String> files = new TreeMap<>(old == null || old.hostsFiles() == null ? Map.of() : old.hostsFiles());
        Map<String, String> migrated = old == null || old.migratedFiles() == null ? new TreeMap<>()
                : new TreeMap<>(old.migratedFiles());
        String dir = ContainerdMirror.trimSlash(a.certsDir());
        String recordedDir = ContainerdMirror.trimSlash((olds != null ? olds : a).certsDir());
        if (!stillWritten.isEmpty() && dir.equals(recordedDir)) {
            java.util.Set<String> planned = new java.util.HashSet<>();
            plan.writes().forEach(w -> planned.add(w.path()));
            plan.hostsFiles().forEach((registry, content) -> {
                String path = HostsToml.path(dir, registry);
                if (stillWritten.contains(path) || !planned.contains(path)) {
                    files.put(registry, content);
                }
            });
        }
        plan.migrated().forEach((registry, path) -> {
            if (stillWritten.contains(path)) {
                migrated.put(registry, path);
            }
        });
        Optional<ConfigChange> config = plan.config().filter(c -> stillWritten.contains(c.target()));
        return new ContainerdMirror.State(old != null ? old.containerdVersion() : plan.version().toString(),
                old != null ? old.configVersion() : plan.configVersion(), files, config.isPresent(), false,
                config.map(ConfigChange::backup).orElse(old == null ? null : old.backupFile()),
                migrated.isEmpty() ? null : migrated, hostKeys, true, old != null ? old.containerdBinary() : null);
    }

    static String migratedContent(MirrorSpec m, ContainerdVersion version) {
        String rendered = HostsToml.render(m, version);
        return ContainerdMirror.MIGRATED_HEADER + rendered.substring(rendered.indexOf('\n'));
    }

    static String describe(List<CheckFailure> failures) {
        StringBuilder sb = new StringBuilder();
        for (CheckFailure f : failures) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(f.property()).append(": ").append(f.reason());
        }
        return sb.toString();
    }
}
