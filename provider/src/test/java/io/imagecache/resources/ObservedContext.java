package io.imagecache.resources;

import io.imagecache.lab.guard.LabSecrets;
import io.imagecache.spi.Context;

/**
 * The Context the integration tests give the resources: every status line, info and warning goes to the
 * lab's secrets guard, which fails the test class if one carries a lab secret.
 */
final class ObservedContext implements Context {
    private ObservedContext() {}

    static Context create() {
        return new ObservedContext();
    }

    @Override
    public void status(String message) {
        LabSecrets.observe("context status", message);
    }

    @Override
    public void info(String message) {
        LabSecrets.observe("context info", message);
    }

    @Override
    public void warn(String message) {
        LabSecrets.observe("context warn", message);
    }

    @Override
    public boolean cancelled() {
        return false;
    }
}
