package io.imagecache.spi;

/**
 * What a resource operation may tell the person running Pulumi, and whether it should stop. Status
 * lines are ephemeral (they show while the step runs); info and warnings stay in the output. Never
 * pass secrets.
 */
public interface Context {
    void status(String message);

    void info(String message);

    void warn(String message);

    /** True once the engine asked the provider to cancel; long operations stop at the next step. */
    boolean cancelled();

    /** This context for a step that must finish once begun: the same messages, and it never reports a cancel. */
    default Context uncancellable() {
        Context of = this;
        return new Context() {
            @Override
            public void status(String message) {
                of.status(message);
            }

            @Override
            public void info(String message) {
                of.info(message);
            }

            @Override
            public void warn(String message) {
                of.warn(message);
            }

            @Override
            public boolean cancelled() {
                return false;
            }
        };
    }

    /** A context that drops everything: for tests and pure code paths. */
    static Context silent() {
        return new Context() {
            @Override
            public void status(String message) {}

            @Override
            public void info(String message) {}

            @Override
            public void warn(String message) {}

            @Override
            public boolean cancelled() {
                return false;
            }
        };
    }
}
