package io.imagecache.resources;

import io.imagecache.containerd.HostsToml;
import io.imagecache.spi.Owner;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Whose a node's mirror files are: why a stack must not overwrite, replace, delete or cut off a hosts.toml (its owner
 * line names another stack, or another resource of this one on create), for {@link MirrorPlan}. Pure.
 */
final class MirrorOwnership {
    private MirrorOwnership() {}

    /**
     * Why stack {@code us} must not {@code op} the hosts.toml {@code current} at {@code path}: it is imagecache's
     * (its header) and its owner line names another stack, or on create another resource of this stack.
     */
    static Optional<String> ownerRefusal(Optional<String> current, Optional<Owner> us, Owner.Op op, String path, String where) {
        if (current.isEmpty() || !HostsToml.isManaged(current.get())) {
            return Optional.empty();
        }
        Optional<Owner> found = Owner.find(current.get());
        return Owner.refusal(Owner.claim(true, found, us), found, us, op, path + " on " + where);
    }

    /**
     * Why a hosts.toml at {@code path} that imagecache did not write (no header) must not be backed up and replaced
     * by stack {@code us}: it carries the owner line of another stack, or it is not TOML at all, so what it was meant
     * to say cannot be known. Empty: it is a hand-made file that can be replaced with a backup (as the runbook's files
     * are, even one whose shape containerd refuses: the backup keeps it).
     */
    static Optional<String> notReplaceable(Optional<String> current, String registry, Optional<Owner> us, Owner.Op op,
                                           String path, String where) {
        if (current.isEmpty() || HostsToml.isManaged(current.get())) {
            return Optional.empty();
        }
        Optional<Owner> found = Owner.find(current.get());
        if (found.isPresent() && us.isPresent() && !found.get().sameStack(us.get())) {
            return Owner.refusal(Owner.Claim.FOREIGN, found, us, op, path + " on " + where + " (its owner line; it lacks"
                    + " imagecache's header)");
        }
        return HostsToml.syntaxError(registry, current.get()).map(error -> path + " on " + where + " is in the way:"
                + " imagecache did not write it (it lacks the header \"" + HostsToml.HEADER + "\") and cannot read it ("
                + error + "), so containerd ignores it and what it was meant to say cannot be kept. Fix it, or move it"
                + " away (e.g. mv " + path + " " + path + ".broken), then run the update again; a hand-made hosts.toml"
                + " that reads is backed up and replaced (nothing was changed)");
    }

    /**
     * Why stack {@code us} must not move config.toml's {@code config_path} from {@code previous} (one directory, or a
     * colon-separated list) to {@code certsDir}: a hosts.toml under one of those directories names another stack
     * ({@link Owner}), whose mirrors would stop working; on create, also another resource of this stack.
     */
    static Optional<String> configPathRefusal(MirrorPlan.Observed obs, String previous, String certsDir, Optional<Owner> us,
                                              Owner.Op op, String where) {
        if (previous == null || us.isEmpty()) {
            return Optional.empty();
        }
        for (String dir : MirrorPlan.configuredDirs(previous, certsDir)) {
            for (Map.Entry<String, String> f : new TreeMap<>(obs.filesConfigured()).entrySet()) {
                if (!f.getKey().startsWith(dir + "/") || !HostsToml.isManaged(f.getValue())) {
                    continue;
                }
                Optional<Owner> found = Owner.find(f.getValue());
                Owner.Claim claim = Owner.claim(true, found, us);
                if (claim == Owner.Claim.FOREIGN || (claim == Owner.Claim.SIBLING && op == Owner.Op.CREATE)) {
                    Owner o = found.get();
                    return Optional.of(obs.configFile() + " on " + where + " points config_path at " + dir + ", whose "
                            + f.getKey() + " belongs to " + o.describe() + (claim == Owner.Claim.FOREIGN
                            ? ", not to this stack " + us.get().stackId() : " of this stack") + ": containerd reads one "
                            + "config_path, so moving it to " + certsDir + " would cut that resource's mirrors off. Give "
                            + "this resource certsDir " + dir + " (each registry's hosts.toml has its owner), or remove "
                            + "that resource first (nothing was changed)");
                }
            }
        }
        return Optional.empty();
    }
}
