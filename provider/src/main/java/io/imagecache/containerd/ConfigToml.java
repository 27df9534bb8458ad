package io.imagecache.containerd;

import io.imagecache.containerd.ConfigTomlException.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlPosition;
import org.tomlj.TomlTable;

/**
 * Points a node's containerd config.toml at one hosts directory. Pure: text in, text out.
 *
 * <p>{@link #edit} sets {@code config_path} to the one directory {@code certsDir} in the registry table containerd
 * reads for the file's config version ({@link #registryTable}), replaces a colon-separated list, removes
 * {@code registry.mirrors} (containerd refuses to load its CRI plugin with both) and, on containerd 1.x,
 * {@code registry.configs."<host>".tls} (refused there too), and keeps every other byte of the file as it was:
 * comments, order, spacing. What it removes comes back as {@link ConfigEdit#migrated()} specs, so the caller can
 * write them as hosts.toml files. The result is parsed again and compared with the intended settings; anything
 * else is a {@link ConfigTomlException}, and nothing should be written.
 *
 * <p>The table is chosen by the file's {@code version} (not by the containerd version, which only has to be able
 * to read it): version 1 (no version line) {@code plugins.cri.registry}; version 2
 * {@code plugins."io.containerd.grpc.v1.cri".registry} (containerd 2.x migrates it to the images plugin itself);
 * versions 3 and 4 {@code plugins."io.containerd.cri.v1.images".registry}.
 */
public final class ConfigToml {
    private ConfigToml() {}

    public static final String CONFIG_PATH = "config_path";

    /** The registry table containerd reads for a config file of {@code configVersion}. */
    public static List<String> registryTable(int configVersion) {
        return switch (configVersion) {
            case 1 -> List.of("plugins", "cri", "registry");
            case 2 -> List.of("plugins", "io.containerd.grpc.v1.cri", "registry");
            default -> List.of("plugins", "io.containerd.cri.v1.images", "registry");
        };
    }

    /** {@link #registryTable} as written in a TOML header: {@code plugins."io.containerd.grpc.v1.cri".registry}. */
    public static String registryTableName(int configVersion) {
        return TomlText.dotted(registryTable(configVersion), '"');
    }

    /**
     * Reads the config version of a config.toml: its {@code version}, or 1 without one. Throws for invalid TOML
     * or a version that is not a number from 1 to 4.
     */
    public static int configVersion(String configToml) throws ConfigTomlException {
        return configVersion(parse(configToml));
    }

    /**
     * The {@code config_path} containerd actually uses, read from {@code containerd config dump} (the
     * file merged with its {@code imports}): {@code io.containerd.cri.v1.images} on 2.x,
     * {@code io.containerd.grpc.v1.cri} on 1.x. Empty when the dump has none or does not parse.
     */
    public static Optional<String> effectiveConfigPath(String configDump, ContainerdVersion version) {
        TomlParseResult r = org.tomlj.Toml.parse(configDump);
        if (r.hasErrors()) {
            return Optional.empty();
        }
        List<String> table = version.major() >= 2 ? List.of("plugins", "io.containerd.cri.v1.images", "registry")
                : List.of("plugins", "io.containerd.grpc.v1.cri", "registry");
        List<String> key = new ArrayList<>(table);
        key.add(CONFIG_PATH);
        return r.isString(key) ? Optional.of(r.getString(key)) : Optional.empty();
    }

    /**
     * Edits {@code original} (the node's config.toml) for containerd {@code version} so that containerd reads hosts
     * directories from {@code certsDir} only. See the class comment.
     *
     * @throws ConfigTomlException invalid TOML (with line and column), a config version this containerd does not
     *                             read, a registry table of the wrong type, an invalid {@code certsDir}, or an
     *                             edit that would not parse back to the intended settings
     */
    public static ConfigEdit edit(String original, ContainerdVersion version, String certsDir)
            throws ConfigTomlException {
        List<Problem> dirProblems = MirrorValidation.checkCertsDir(certsDir);
        if (!dirProblems.isEmpty()) {
            throw new ConfigTomlException(Kind.INVALID_CERTS_DIR, dirProblems.get(0).toString());
        }
        String dir = certsDir.length() > 1 && certsDir.endsWith("/") ? certsDir.substring(0, certsDir.length() - 1)
                : certsDir;
        TomlParseResult parsed = parse(original);
        int cv = configVersion(parsed);
        if (!version.readsConfigVersion(cv)) {
            throw new ConfigTomlException(Kind.UNSUPPORTED_CONFIG_VERSION, "config.toml says version = " + cv
                    + ", which containerd " + version + " does not read (it reads versions 1 to "
                    + version.newestConfigVersion() + "); containerd on this node cannot be running with this file."
                    + " Fix the file or the containerd version first", position(parsed, List.of("version")).line(),
                    position(parsed, List.of("version")).column());
        }
        List<String> reg = registryTable(cv);
        String regName = TomlText.dotted(reg, '"');
        requireTables(parsed, reg);
        TomlTable registry = parsed.isTable(reg) ? parsed.getTable(reg) : null;

        List<String> notes = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        warnAboutOtherTables(parsed, cv, version, warnings);
        warnAboutGenerators(original, parsed, warnings);

        Object oldPath = registry == null ? null : registry.get(List.of(CONFIG_PATH));
        String previous = oldPath instanceof String s ? s : oldPath == null ? null : String.valueOf(oldPath);
        TomlTable mirrors = registry != null && registry.isTable(List.of("mirrors")) ? registry.getTable(List.of("mirrors")) : null;
        boolean hasMirrorsKey = registry != null && registry.contains(List.of("mirrors"));
        TomlTable configs = registry != null && registry.isTable(List.of("configs")) ? registry.getTable(List.of("configs")) : null;
        boolean oneX = version.major() < 2;

        // The TLS settings of every configs."<host>" (containerd 1.x and 2.x both ignore them once config_path is set).
        Map<String, TomlTable> tls = new LinkedHashMap<>();
        List<String> tlsKeysPresent = new ArrayList<>();
        if (configs != null) {
            for (String host : configs.keySet()) {
                if (configs.isTable(List.of(host)) && configs.getTable(List.of(host)).contains(List.of("tls"))) {
                    tlsKeysPresent.add(host);
                    if (configs.getTable(List.of(host)).isTable(List.of("tls"))) {
                        tls.put(host, configs.getTable(List.of(host)).getTable(List.of("tls")));
                    }
                }
            }
        }
        boolean mirrorsPresent = mirrors != null && !mirrors.isEmpty() || hasMirrorsKey && mirrors == null;
        boolean tlsMustGo = oneX && !tlsKeysPresent.isEmpty();
        boolean pathRight = dir.equals(previous);

        List<MirrorSpec> migrated = new ArrayList<>();
        List<String> migrationNotes = new ArrayList<>();
        Set<String> tlsUsed = new LinkedHashSet<>();
        if (mirrors != null) {
            LegacyMirrors.migrateMirrors(mirrors, tls, tlsUsed, version, regName, migrated, migrationNotes, warnings);
        }
        LegacyMirrors.migrateTlsOnly(tls, tlsUsed, regName, migrated, migrationNotes, warnings);
        List<String> pullModeNotes = transferServiceNotes(version, registry, configs);

        if (pathRight && !mirrorsPresent && !tlsMustGo) {
            if (!tls.isEmpty() && !oneX) {
                warnings.add(tlsLeftOn2x(regName, tls.keySet()));
            }
            notes.add(regName + ".config_path is already \"" + dir + "\" and nothing conflicts with it; config.toml"
                    + " stays as it is.");
            notes.addAll(migrationNotes);
            notes.addAll(pullModeNotes);
            return new ConfigEdit(original, false, cv, regName, previous, migrated, notes, warnings);
        }

        TomlDocument doc;
        try {
            doc = TomlDocument.lex(original);
        } catch (TomlDocument.LexException e) {
            throw new ConfigTomlException(Kind.RESULT_INVALID, "cannot edit config.toml in place: " + e.getMessage()
                    + "; nothing was changed");
        }
        TomlEditor editor = new TomlEditor(doc, parsed);
        if (hasMirrorsKey) {
            editor.remove(append(reg, "mirrors"));
            List<String> names = mirrors == null ? List.of() : new ArrayList<>(mirrors.keySet());
            notes.add(names.isEmpty()
                    ? "Removed the empty " + regName + ".mirrors table: mirrors are configured by hosts.toml files"
                    + " under config_path now."
                    : "Removed " + regName + ".mirrors (" + names.stream().map(n -> "\"" + n + "\"")
                    .collect(Collectors.joining(", ")) + "): containerd refuses to load its CRI plugin when mirrors"
                    + " and config_path are both set; the entries are carried over as hosts.toml files.");
        }
        if (tlsMustGo) {
            for (String host : tlsKeysPresent) {
                TomlTable hostTable = configs.getTable(List.of(host));
                boolean onlyTls = hostTable.keySet().equals(Set.of("tls"));
                editor.remove(onlyTls ? append(reg, "configs", host) : append(reg, "configs", host, "tls"));
                notes.add("Removed " + regName + ".configs." + TomlText.key(host, '"') + ".tls: containerd "
                        + version + " refuses to load its CRI plugin when configs.tls and config_path are both set;"
                        + " its certificate settings are carried over into hosts.toml (ca, client, skip_verify)."
                        + (onlyTls ? "" : " Its other settings (auth) stay."));
            }
        } else if (!tls.isEmpty()) {
            warnings.add(tlsLeftOn2x(regName, tls.keySet()));
        }
        editor.set(append(reg, CONFIG_PATH), dir);
        if (previous == null) {
            notes.add("Set " + regName + ".config_path = \"" + dir + "\".");
        } else if (!pathRight) {
            notes.add("Changed " + regName + ".config_path from \"" + previous + "\" to \"" + dir + "\"" + (previous
                    .contains(":") ? ": a colon-separated list makes containerd 2.1+ ignore hosts.toml files"
                    + " (containerd#12415), so it is one directory now." : "."));
            if (previous.contains(":")) {
                List<String> dropped = new ArrayList<>();
                for (String d : previous.split(":")) {
                    if (!d.isBlank() && !d.equals(dir) && !dropped.contains(d)) {
                        dropped.add(d);
                    }
                }
                if (!dropped.isEmpty()) {
                    warnings.add("containerd no longer looks in " + String.join(", ", dropped) + "; hosts.toml files"
                            + " or certificates there stop working: move what is still needed into " + dir + ".");
                }
            }
        }

        notes.addAll(migrationNotes);
        notes.addAll(pullModeNotes);
        String text;
        try {
            text = editor.result();
        } catch (TomlDocument.LexException e) {
            throw new ConfigTomlException(Kind.UNEDITABLE, "cannot edit config.toml in place: " + e.getMessage()
                    + "; nothing was changed");
        }
        EditCheck.verify(parsed, text, editor.ops());
        return new ConfigEdit(text, !text.equals(original), cv, regName, previous, migrated, notes, warnings);
    }

    private static String tlsLeftOn2x(String regName, Set<String> hosts) {
        return regName + ".configs" + hosts.stream().map(h -> "." + TomlText.key(h, '"') + ".tls")
                .collect(Collectors.joining(", .configs")) + " stayed in config.toml; containerd ignores it once"
                + " config_path is set, so its certificate settings were carried over into hosts.toml. Remove it by hand"
                + " when convenient (it is deprecated).";
    }

    private static List<String> transferServiceNotes(ContainerdVersion version, TomlTable registry, TomlTable configs) {
        List<String> out = new ArrayList<>();
        if (!version.pullsThroughTransferService() || registry == null) {
            return out;
        }
        List<String> which = new ArrayList<>();
        if (configs != null && !configs.isEmpty()) {
            which.add("configs");
        }
        if (registry.isTable(List.of("auths")) && !registry.getTable(List.of("auths")).isEmpty()) {
            which.add("auths");
        }
        if (!which.isEmpty()) {
            out.add("registry." + String.join(" and registry.", which) + " (kept) switch containerd " + version
                    + " from the transfer service to local pull mode for CRI pulls (docs/cri/config.md); hosts.toml"
                    + " works in both, but prefer credentials on the pull-through proxy to credentials in containerd.");
        }
        return out;
    }

    private static void warnAboutOtherTables(TomlTable parsed, int cv, ContainerdVersion version, List<String> warnings) {
        for (int other : new int[] {1, 2, 3}) {
            List<String> t = registryTable(other);
            if (t.equals(registryTable(cv)) || !parsed.isTable(t)) {
                continue;
            }
            TomlTable reg = parsed.getTable(t);
            if (reg.contains(List.of("mirrors")) || reg.contains(List.of(CONFIG_PATH)) || reg.contains(List.of("configs"))) {
                warnings.add(TomlText.dotted(t, '"') + " is not where containerd " + version + " reads registry"
                        + " settings for a version " + cv + " config.toml (that is " + TomlText.dotted(registryTable(cv), '"')
                        + "); it was left as it is and has no effect. Remove it by hand to avoid confusion.");
            }
        }
    }

    private static void warnAboutGenerators(String original, TomlTable parsed, List<String> warnings) {
        if (original.contains("# File generated by k3s") || original.contains("# File generated by rke2")) {
            warnings.add("This config.toml is generated by k3s/RKE2, which writes it again at every start; put"
                    + " mirrors in /etc/rancher/k3s/registries.yaml (or rke2's) or a config.toml.tmpl instead, or this"
                    + " edit is lost at the next restart.");
        }
        if (parsed.isArray(List.of("disabled_plugins"))) {
            List<Object> disabled = parsed.getArray(List.of("disabled_plugins")).toList();
            if (disabled.contains("cri") || disabled.contains("io.containerd.grpc.v1.cri")) {
                warnings.add("disabled_plugins includes the CRI plugin, so kubelet cannot use this containerd and no"
                        + " registry setting matters; remove \"cri\" from disabled_plugins (Docker's containerd.io"
                        + " package ships it disabled).");
            }
        }
    }


    private static void requireTables(TomlTable parsed, List<String> reg) throws ConfigTomlException {
        for (int i = 1; i <= reg.size(); i++) {
            List<String> p = reg.subList(0, i);
            if (parsed.contains(p) && !parsed.isTable(p)) {
                TomlPosition pos = position(parsed, p);
                throw new ConfigTomlException(Kind.UNEDITABLE, TomlText.dotted(p, '"') + " is not a table (line "
                        + pos.line() + "); containerd cannot read this file either. Fix it by hand first",
                        pos.line(), pos.column());
            }
        }
        if (parsed.isTable(reg)) {
            TomlTable r = parsed.getTable(reg);
            for (String k : List.of("mirrors", "configs")) {
                if (r.contains(List.of(k)) && !r.isTable(List.of(k))) {
                    TomlPosition pos = position(parsed, append(reg, k));
                    throw new ConfigTomlException(Kind.UNEDITABLE, TomlText.dotted(append(reg, k), '"')
                            + " is not a table (line " + pos.line() + "); containerd cannot read this file either. Fix"
                            + " it by hand first", pos.line(), pos.column());
                }
            }
        }
    }

    private static TomlPosition position(TomlTable t, List<String> path) {
        TomlPosition p = null;
        try {
            p = t.inputPositionOf(path);
        } catch (RuntimeException e) {
            // no position known
        }
        return p == null ? TomlPosition.positionAt(1, 1) : p;
    }

    private static TomlParseResult parse(String text) throws ConfigTomlException {
        TomlParseResult r = Toml.parse(text == null ? "" : text);
        if (r.hasErrors()) {
            TomlParseError e = r.errors().get(0);
            String more = r.errors().size() > 1 ? " (and " + (r.errors().size() - 1) + " more)" : "";
            throw new ConfigTomlException(Kind.INVALID_TOML, "config.toml is not valid TOML: line "
                    + e.position().line() + ", column " + e.position().column() + ": " + withoutText(e) + more
                    + "; containerd cannot read it either, fix it by hand first", e.position().line(),
                    e.position().column());
        }
        return r;
    }

    private static int configVersion(TomlParseResult parsed) throws ConfigTomlException {
        Object v = parsed.get(List.of("version"));
        if (v == null) {
            return 1;
        }
        TomlPosition pos = position(parsed, List.of("version"));
        if (!(v instanceof Long l) || l < 0 || l > 4) {
            throw new ConfigTomlException(Kind.UNSUPPORTED_CONFIG_VERSION, "config.toml has version = " + v
                    + " (line " + pos.line() + "); containerd knows versions 1 to 4", pos.line(), pos.column());
        }
        return l == 0 ? 1 : l.intValue();
    }

    /**
     * tomlj's message for a parse error without the text it quotes ({@code Unexpected 'junk', expected ...}): the
     * quoted token is a piece of the file, and config.toml can hold credentials.
     */
    static String withoutText(TomlParseError e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        int expected = m.lastIndexOf(", expected ");
        String tail = expected >= 0 ? m.substring(expected) : "";
        if (m.startsWith("Unexpected end of")) {
            int comma = m.indexOf(',');
            return (comma > 0 ? m.substring(0, comma) : m) + tail;
        }
        return "unexpected input" + tail;
    }

    /**
     * The socket containerd listens on according to {@code configToml} ({@code [grpc] address}): the same key in
     * config versions 1 to 4. Empty when the file does not set it (containerd's default then applies), or does not
     * parse.
     */
    public static Optional<String> grpcAddress(String configToml) {
        TomlParseResult r = Toml.parse(configToml == null ? "" : configToml);
        if (r.hasErrors() || !r.isString(List.of("grpc", "address")) || r.getString(List.of("grpc", "address")).isBlank()) {
            return Optional.empty();
        }
        return Optional.of(r.getString(List.of("grpc", "address")).strip());
    }

    /** containerd's socket when config.toml does not say: {@code /run/containerd/containerd.sock}. */
    public static final String DEFAULT_GRPC_ADDRESS = "/run/containerd/containerd.sock";

    private static List<String> append(List<String> path, String... more) {
        List<String> p = new ArrayList<>(path);
        p.addAll(List.of(more));
        return List.copyOf(p);
    }
}
