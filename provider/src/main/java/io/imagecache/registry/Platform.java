package io.imagecache.registry;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * An OCI platform {@code os/architecture[/variant]}, e.g. {@code linux/arm64/v8}. {@link #normalized()} follows
 * containerd's rules (aarch64 = arm64, arm64/v8 = arm64, arm = arm/v7, x86_64 = amd64) so that
 * {@link #matches} agrees with what a node would pull.
 */
public record Platform(String os, String architecture, Optional<String> variant) {
    public Platform {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(architecture, "architecture");
        variant = variant.filter(v -> !v.isEmpty());
    }

    /** Parses {@code os/architecture[/variant]}; throws {@link IllegalArgumentException} with a readable reason. */
    public static Platform parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("platform is empty; expected os/architecture[/variant], e.g. linux/amd64 or linux/arm64/v8");
        }
        String[] parts = text.strip().split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("platform \"" + text + "\" is not os/architecture[/variant], e.g. linux/amd64 or linux/arm64/v8");
        }
        for (String p : parts) {
            if (!p.matches("[A-Za-z0-9_.-]+")) {
                throw new IllegalArgumentException("platform \"" + text
                        + "\" has an empty or invalid part; expected os/architecture[/variant], e.g. linux/arm/v7");
            }
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? Optional.of(parts[2]) : Optional.empty());
    }

    public static Platform of(String os, String architecture, String variant) {
        return new Platform(os, architecture, Optional.ofNullable(variant));
    }

    /** containerd's normalization (platforms.Normalize). */
    public Platform normalized() {
        String o = os.toLowerCase(Locale.ROOT);
        if (o.equals("macos")) {
            o = "darwin";
        }
        String a = architecture.toLowerCase(Locale.ROOT);
        String v = variant.map(s -> s.toLowerCase(Locale.ROOT)).orElse("");
        switch (a) {
            case "i386" -> a = "386";
            case "x86_64", "x86-64", "amd64" -> {
                a = "amd64";
                if (v.equals("v1")) {
                    v = "";
                }
            }
            case "aarch64", "arm64" -> {
                a = "arm64";
                if (v.equals("8") || v.equals("v8") || v.equals("v8.0")) {
                    v = "";
                }
            }
            case "armhf" -> {
                a = "arm";
                v = "v7";
            }
            case "armel" -> {
                a = "arm";
                v = "v6";
            }
            case "arm" -> {
                if (v.isEmpty() || v.equals("7")) {
                    v = "v7";
                } else if (v.equals("5") || v.equals("6") || v.equals("8")) {
                    v = "v" + v;
                }
            }
            default -> { }
        }
        return new Platform(o, a, Optional.of(v));
    }

    /** True when both name the same platform after {@link #normalized()}. */
    public boolean matches(Platform other) {
        return normalized().equals(other.normalized());
    }

    @Override
    public String toString() {
        return os + "/" + architecture + variant.map(v -> "/" + v).orElse("");
    }
}
