package io.imagecache.containerd;

import java.util.List;

/**
 * The result of {@link ConfigToml#edit}: the new config.toml and what happened to the old one.
 *
 * @param text               the new config.toml; equal to the input when {@link #changed()} is false
 * @param changed            false: the file already has exactly this {@code config_path} and nothing that conflicts
 *                           with it, so nothing is written and containerd is not restarted
 * @param configVersion      the file's {@code version} (1 when there is no version line)
 * @param registryTable      the table that holds {@code config_path}, as a TOML header path, e.g.
 *                           {@code plugins."io.containerd.grpc.v1.cri".registry}
 * @param previousConfigPath {@code config_path} before the edit; null if there was none
 * @param migrated           every mirror the file had, as hosts.toml specs (mirror entries with their
 *                           {@code configs."<host>".tls} folded into the endpoints; TLS settings of hosts that
 *                           were no mirror endpoint become a spec for that host), so nothing the operator had is lost
 * @param notes              what was changed and why, for a person reading the update's log
 * @param warnings           what the edit could not carry over or cannot fix, and what to do about it
 */
public record ConfigEdit(String text, boolean changed, int configVersion, String registryTable,
                         String previousConfigPath, List<MirrorSpec> migrated, List<String> notes,
                         List<String> warnings) {

    public ConfigEdit {
        migrated = List.copyOf(migrated);
        notes = List.copyOf(notes);
        warnings = List.copyOf(warnings);
    }

    /** True when nothing must be written (and containerd must not be restarted). */
    public boolean unchanged() {
        return !changed;
    }
}
