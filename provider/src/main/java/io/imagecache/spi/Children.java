package io.imagecache.spi;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a component registers its children with the engine. {@link #register} blocks until the engine
 * has the child's outputs (after its create or update; in a preview, with unknowns), so what depends on
 * a child is registered after it. The component itself is registered just before its first child. Safe
 * to call from several threads.
 */
public interface Children {
    /**
     * A child resource of this package: its type token, its name, its inputs, the URNs it waits for, and for
     * each of its top-level properties the component's top-level inputs it comes from ({@code sources}; the
     * child's property dependencies are theirs, so the engine knows that a replaced registry host touches a
     * node's mirrors only through their endpoints). Without sources every property depends on every
     * dependency of the component.
     */
    record Child(String type, String name, PropertyValue.Obj inputs, List<String> dependsOn,
                 Map<String, Set<String>> sources) {
        public Child {
            dependsOn = List.copyOf(dependsOn);
            sources = Map.copyOf(sources);
        }

        public Child(String type, String name, PropertyValue.Obj inputs, List<String> dependsOn) {
            this(type, name, inputs, dependsOn, Map.of());
        }
    }

    /** What the engine answered: the child's URN, its id (empty in a preview) and its outputs. */
    record Registered(String urn, String id, PropertyValue.Obj outputs) {}

    /**
     * The provider's own Check of the child's type on the child's inputs, without registering it: a
     * component checks every child before it registers the first, so bad input touches no host.
     */
    List<CheckFailure> check(Child child);

    Registered register(Child child) throws ResourceException;

    /** True in a preview: children's outputs that depend on a host are unknown. */
    boolean dryRun();

    /**
     * How many resource operations the engine runs at once in this deployment (`pulumi up --parallel`; by default
     * four per CPU), or 0 when it does not say.
     */
    default int parallel() {
        return 0;
    }

    Context context();
}
