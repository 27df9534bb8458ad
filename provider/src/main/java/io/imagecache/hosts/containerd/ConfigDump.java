package io.imagecache.hosts.containerd;

import io.imagecache.containerd.ConfigToml;
import io.imagecache.containerd.ContainerdVersion;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code containerd --config <file> config dump} prints (the file merged with its {@code imports}), reduced to
 * what imagecache checks: the {@code config_path} the CRI plugin uses, the socket, and the imports.
 *
 * @param configPath  the effective {@code config_path}, empty when none is set
 * @param grpcAddress the socket containerd listens on
 * @param imports     the {@code imports} line as printed ({@code ["/etc/containerd/conf.d/*.toml"]}), empty when none
 */
public record ConfigDump(Optional<String> configPath, String grpcAddress, Optional<String> imports) {
    private static final Pattern IMPORTS = Pattern.compile("(?m)^imports\\s*=\\s*(\\[.*])");

    public static ConfigDump parse(String dump, ContainerdVersion version) {
        Matcher m = IMPORTS.matcher(dump);
        Optional<String> imports = m.find() && !m.group(1).replaceAll("\\s", "").equals("[]") ? Optional.of(m.group(1))
                : Optional.empty();
        return new ConfigDump(ConfigToml.effectiveConfigPath(dump, version),
                ConfigToml.grpcAddress(dump).orElse(ConfigToml.DEFAULT_GRPC_ADDRESS), imports);
    }
}
