package io.imagecache.containerd;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The containerd version found on a node (from {@code containerd --version}), and what that version can read.
 * Feature rules come from reference/containerd-and-registry-facts.md section 1 (checked against the containerd
 * sources of v1.7.27 and v2.1.4 where noted there).
 *
 * <p>A pre-release ({@code -rc.1}, {@code -beta.2}, {@code -alpha}) counts as older than its release, so features
 * that arrived in {@code 2.2.0} are not assumed in {@code 2.2.0-rc.1}: imagecache never emits a field a version
 * might not know. Distribution suffixes ({@code ~ds1} from Debian, {@code -k3s2} from k3s) are builds of the
 * release itself.
 *
 * @param raw the version word as containerd printed it, e.g. {@code 1.6.20~ds1}, {@code v1.7.23-k3s2}
 * @param preRelease true for {@code -alpha}, {@code -beta}, {@code -rc} builds
 */
public record ContainerdVersion(int major, int minor, int patch, boolean preRelease, String raw)
        implements Comparable<ContainerdVersion> {

    private static final Pattern VERSION_WORD =
            Pattern.compile("v?(\\d+)\\.(\\d+)\\.(\\d+)([-~+][0-9A-Za-z.~+-]*)?");
    private static final Pattern PRE_RELEASE = Pattern.compile("-(alpha|beta|rc|dev)(\\b|[.0-9]).*");

    public ContainerdVersion {
        if (major < 0 || minor < 0 || patch < 0) {
            throw new IllegalArgumentException("version numbers cannot be negative: " + major + "." + minor + "." + patch);
        }
        raw = raw == null || raw.isBlank() ? major + "." + minor + "." + patch : raw;
    }

    /** A release version, e.g. {@code ContainerdVersion.of(1, 7, 27)}. */
    public static ContainerdVersion of(int major, int minor, int patch) {
        return new ContainerdVersion(major, minor, patch, false, major + "." + minor + "." + patch);
    }

    /**
     * Reads the output of {@code containerd --version}, e.g.
     * <ul>
     *   <li>{@code containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+deb12u3} (Debian 12)</li>
     *   <li>{@code containerd containerd.io 1.7.27 05044ec0a9a75232cad458027ca83437aae3f4da} (Docker's packages)</li>
     *   <li>{@code containerd github.com/containerd/containerd/v2 v2.1.4 75cb2b7193e4e490e9fbdc236c0e811ccaba3376}</li>
     *   <li>{@code containerd github.com/k3s-io/containerd v1.7.23-k3s2 ...} (k3s)</li>
     * </ul>
     * A bare version word ({@code 1.7.27}, {@code v2.1.4}) is accepted too. Throws {@link IllegalArgumentException}
     * with a sentence saying what was expected.
     */
    public static ContainerdVersion parse(String versionOutput) {
        return tryParse(versionOutput).orElseThrow(() -> new IllegalArgumentException(
                "cannot read a containerd version from \"" + abbreviate(versionOutput) + "\"; expected the output of"
                        + " `containerd --version`, e.g. \"containerd github.com/containerd/containerd/v2 v2.1.4 <commit>\""));
    }

    /** Like {@link #parse} but empty instead of throwing. */
    public static Optional<ContainerdVersion> tryParse(String versionOutput) {
        if (versionOutput == null) {
            return Optional.empty();
        }
        String line = versionOutput.strip().lines().findFirst().orElse("").strip();
        String[] words = line.split("\\s+");
        int from = 0;
        if (words.length > 0 && words[0].equals("containerd")) {
            // containerd <package> <version> <revision>: the version is the first version-looking word after the package.
            from = words.length >= 3 ? 2 : 1;
        } else if (words.length != 1) {
            return Optional.empty();
        }
        for (int i = from; i < words.length; i++) {
            Matcher m = VERSION_WORD.matcher(words[i]);
            if (m.matches()) {
                try {
                    String suffix = m.group(4) == null ? "" : m.group(4);
                    return Optional.of(new ContainerdVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                            Integer.parseInt(m.group(3)), PRE_RELEASE.matcher(suffix).matches(), words[i]));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }

    private static String abbreviate(String s) {
        if (s == null) {
            return "";
        }
        String t = s.strip();
        return t.length() > 120 ? t.substring(0, 120) + "..." : t;
    }

    @Override
    public int compareTo(ContainerdVersion o) {
        int c = Integer.compare(major, o.major);
        if (c == 0) {
            c = Integer.compare(minor, o.minor);
        }
        if (c == 0) {
            c = Integer.compare(patch, o.patch);
        }
        if (c == 0) {
            c = Boolean.compare(o.preRelease, preRelease); // a pre-release is older than its release
        }
        return c;
    }

    /** True if this version is {@code major.minor.patch} or newer (a pre-release of exactly that version is not). */
    public boolean atLeast(int major, int minor, int patch) {
        return compareTo(of(major, minor, patch)) >= 0;
    }

    /** {@code config_path} and hosts.toml directories exist from containerd 1.5.0. */
    public boolean supportsHostsDirectory() {
        return atLeast(1, 5, 0);
    }

    /** {@code override_path} in hosts.toml: from 1.6.0 (absent in 1.5.x). */
    public boolean supportsOverridePath() {
        return atLeast(1, 6, 0);
    }

    /** The {@code _default} hosts directory (fallback for every registry without its own): from 1.7.0. */
    public boolean supportsDefaultNamespace() {
        return atLeast(1, 7, 0);
    }

    /** {@code dial_timeout} in hosts.toml: 2.1.0 and later, and 2.0.7 and later on 2.0.x; never on 1.x. */
    public boolean supportsDialTimeout() {
        return atLeast(2, 1, 0) || (major == 2 && minor == 0 && atLeast(2, 0, 7));
    }

    /** The {@code referrers} host capability: from 2.2.0. */
    public boolean supportsReferrersCapability() {
        return atLeast(2, 2, 0);
    }

    /**
     * From 2.1.0 CRI pulls through the transfer service, unless {@code registry.mirrors}, {@code registry.configs}
     * or {@code registry.auths} (among others) switch it back to local pull mode (docs/cri/config.md).
     */
    public boolean pullsThroughTransferService() {
        return atLeast(2, 1, 0);
    }

    /** The newest config.toml {@code version} this containerd reads: 2 on 1.x, 3 on 2.0 to 2.2, 4 from 2.3. */
    public int newestConfigVersion() {
        if (major < 2) {
            return 2;
        }
        return atLeast(2, 3, 0) ? 4 : 3;
    }

    /** True if this containerd reads a config.toml that says {@code version = configVersion}. */
    public boolean readsConfigVersion(int configVersion) {
        return configVersion >= 1 && configVersion <= newestConfigVersion();
    }

    /** {@code 1.7.27}; pre-releases and builds keep their suffix as printed ({@code 2.2.0-rc.1}, {@code 1.7.23-k3s2}). */
    @Override
    public String toString() {
        return raw.startsWith("v") ? raw.substring(1) : raw;
    }
}
