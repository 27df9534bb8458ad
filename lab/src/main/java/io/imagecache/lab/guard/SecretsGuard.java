package io.imagecache.lab.guard;

import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when any message observed while it ran (engine output, provider log, resource
 * progress and warnings) contains one of the lab's secrets. Registered for every test class through
 * JUnit's extension auto-detection (META-INF/services; enabled in the parent pom).
 */
public final class SecretsGuard implements BeforeAllCallback, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(SecretsGuard.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getStore(NS).put("from", LabSecrets.observedCount());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        Integer from = context.getStore(NS).get("from", Integer.class);
        List<LabSecrets.Leak> leaks = LabSecrets.leaksSince(from == null ? 0 : from);
        if (!leaks.isEmpty()) {
            StringBuilder sb = new StringBuilder(context.getDisplayName()
                    + ": messages the product produced carry lab secrets (no message may):");
            leaks.forEach(l -> sb.append("\n  ").append(l.source()).append(": a secret of ")
                    .append(l.secretDescription()).append(" in \"").append(l.excerpt()).append('"'));
            throw new AssertionError(sb.toString());
        }
    }
}
