package io.imagecache.lab.guard;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The lab's secrets (SSH private keys, registry passwords, passphrases) and every message the tests
 * see the product produce: the engine's output, the provider's log, the progress and warnings a
 * resource reports. Fixtures {@link #register} what they make secret; test plumbing {@link #observe}s
 * messages; {@link SecretsGuard} fails each test class whose messages carried a secret.
 * One per test JVM; thread-safe.
 */
public final class LabSecrets {
    /** Shorter values (user names, "" for unset) would match by accident; no lab secret is this short. */
    static final int MIN_LENGTH = 8;

    /** A message that carried a secret: where it came from and which secret (described, never shown). */
    public record Leak(String source, String secretDescription, String excerpt) {}

    private static final Set<String> SECRETS = new LinkedHashSet<>();
    private static final List<Observation> OBSERVED = new ArrayList<>();

    private record Observation(String source, String text) {}

    private LabSecrets() {}

    /** Adds a secret; a private key also adds each line of its body, since a leak may be partial. */
    public static synchronized void register(String secret) {
        if (secret == null) {
            return;
        }
        if (secret.contains("PRIVATE KEY-----")) {
            secret.lines().map(String::strip).filter(l -> !l.startsWith("-----") && l.length() >= 16)
                    .forEach(SECRETS::add);
            return;
        }
        if (secret.strip().length() >= MIN_LENGTH) {
            SECRETS.add(secret.strip());
        }
    }

    /**
     * Registers a password and the form it travels in as an HTTP Basic header or a docker config.json
     * {@code auth} (base64 of {@code username:password}), which a log would show instead of the password.
     */
    public static synchronized void registerCredentials(String username, String password) {
        register(password);
        if (username != null && password != null && password.strip().length() >= MIN_LENGTH) {
            SECRETS.add(java.util.Base64.getEncoder().encodeToString(
                    (username + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        }
    }

    /** Records a message the product produced ({@code source}: e.g. "pulumi up stderr", "context warn"). */
    public static synchronized void observe(String source, String text) {
        if (text != null && !text.isEmpty()) {
            OBSERVED.add(new Observation(source, text));
        }
    }

    /** How many messages have been observed so far in this JVM. */
    public static synchronized int observedCount() {
        return OBSERVED.size();
    }

    /** The leaks among the messages observed since {@code from} (an {@link #observedCount()}), and forgets them. */
    public static synchronized List<Leak> leaksSince(int from) {
        List<Leak> out = new ArrayList<>();
        for (Observation o : OBSERVED.subList(Math.min(from, OBSERVED.size()), OBSERVED.size())) {
            for (String s : SECRETS) {
                int at = o.text().indexOf(s);
                if (at >= 0) {
                    String excerpt = o.text().substring(Math.max(0, at - 60), at) + "<secret>"
                            + o.text().substring(at + s.length(), Math.min(o.text().length(), at + s.length() + 60));
                    out.add(new Leak(o.source(), describe(s), excerpt.replace('\n', ' ')));
                }
            }
        }
        OBSERVED.subList(Math.min(from, OBSERVED.size()), OBSERVED.size()).clear();
        return out;
    }

    static String describe(String secret) {
        return secret.length() + " characters starting " + secret.substring(0, 2) + "...";
    }
}
