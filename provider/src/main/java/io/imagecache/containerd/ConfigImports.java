package io.imagecache.containerd;

import java.util.ArrayList;
import java.util.List;
import org.tomlj.Toml;
import org.tomlj.TomlParseResult;

/** config.toml's {@code imports}: the drop-in files containerd merges in. Pure. */
public final class ConfigImports {
    private ConfigImports() {}

    /**
     * The {@code imports} of a config.toml (globs, absolute or relative to the file's directory), as written; empty
     * when there are none or the file does not parse. Whether any file matches is for the caller to find out on
     * the node: containerd 2.x's default config imports {@code /etc/containerd/conf.d/*.toml}, which usually matches
     * nothing.
     */
    public static List<String> of(String config) {
        TomlParseResult parsed = Toml.parse(config);
        if (parsed.hasErrors() || !parsed.isArray(List.of("imports"))) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Object o : parsed.getArray(List.of("imports")).toList()) {
            if (o instanceof String g && !g.isBlank()) {
                out.add(g);
            }
        }
        return out;
    }
}
