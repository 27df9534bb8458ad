package io.imagecache.resources;

import io.imagecache.spi.Owner;
import io.imagecache.vm.VmPlan;
import java.util.Optional;

/**
 * The marker {@code <vmDir>/<name>/.imagecache-owner} of a RegistryVm's directory: the VM's name (nothing without a
 * marker naming it is ever touched) and the stack and resource that manage it ({@code # imagecache:owner ...}, as in
 * every marker imagecache writes). A marker of an older version names no stack: the first stack to manage the VM
 * adopts it. Pure.
 *
 * @param name  the VM's name, from the first line {@code imagecache RegistryVm <name>}
 * @param stack the stack and resource; empty in an older version's marker
 */
record VmMarker(String name, Optional<Owner> stack) {
    private static final String PREFIX = "imagecache RegistryVm ";

    /** The marker of the VM {@code vm} for the stack {@code us}. */
    static VmMarker of(VmPlan vm, Optional<Owner> us) {
        return new VmMarker(vm.name(), us);
    }

    /** The marker in {@code text}, if it is one (its first line names a VM). */
    static Optional<VmMarker> parse(String text) {
        if (text == null || !text.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int nl = text.indexOf('\n');
        String name = (nl < 0 ? text.substring(PREFIX.length()) : text.substring(PREFIX.length(), nl)).strip();
        return name.isEmpty() ? Optional.empty() : Optional.of(new VmMarker(name, Owner.find(text)));
    }

    String render() {
        return PREFIX + name + "\n" + stack.map(o -> "# " + o.line() + "\n").orElse("");
    }

    /** What the stack {@code us} finds in this marker. */
    Owner.Claim claim(Optional<Owner> us) {
        return Owner.claim(true, stack, us);
    }

    /**
     * Why the stack {@code us} must not {@code op} the VM whose directory {@code dir} holds the marker text {@code found}
     * (empty: no marker, see the callers): it names another VM, or another stack (on create, also another resource of
     * this stack). Empty: go ahead.
     */
    static Optional<String> refusal(Optional<String> found, VmPlan vm, Optional<Owner> us, Owner.Op op, String where) {
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Optional<VmMarker> m = parse(found.get());
        if (m.isEmpty() || !m.get().name().equals(vm.name())) {
            return Optional.of(vm.dir() + " on " + where + " belongs to another VM (" + VmPlan.MARKER + " says "
                    + m.map(x -> "it is " + x.name()).orElse("something else") + "); give this VM another name or vmDir "
                    + "(nothing was changed)");
        }
        return Owner.refusal(m.get().claim(us), m.get().stack(), us, op, "the VM directory " + vm.dir() + " on " + where
                + " (see " + vm.marker() + ")");
    }

    /** True when the marker text {@code found} is this VM's but names no stack (an older version's): to be restamped. */
    static boolean legacy(Optional<String> found, VmPlan vm, Optional<Owner> us) {
        Optional<VmMarker> m = found.flatMap(VmMarker::parse);
        return us.isPresent() && m.isPresent() && m.get().name().equals(vm.name()) && m.get().stack().isEmpty();
    }
}
