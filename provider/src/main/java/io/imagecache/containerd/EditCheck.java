package io.imagecache.containerd;

import io.imagecache.containerd.ConfigTomlException.Kind;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tomlj.Toml;
import org.tomlj.TomlParseError;
import org.tomlj.TomlParseResult;
import org.tomlj.TomlTable;

/**
 * The check behind every config.toml edit ({@link ConfigToml#edit}): the edited text, parsed again, must hold exactly
 * the original settings with the edits applied. Pure; a mismatch names keys, never values.
 */
final class EditCheck {
    private EditCheck() {}

    /**
     * Parses the edited text and checks it holds exactly the original settings with the edits applied. A mismatch
     * names the keys that differ, never their values (config.toml can hold registry credentials).
     */
    static void verify(TomlTable original, String text, List<TomlEditor.Op> ops) throws ConfigTomlException {
        TomlParseResult again = Toml.parse(text);
        if (again.hasErrors()) {
            TomlParseError e = again.errors().get(0);
            throw new ConfigTomlException(Kind.RESULT_INVALID, "the edited config.toml would not be valid TOML (line "
                    + e.position().line() + ", column " + e.position().column() + ": " + ConfigToml.withoutText(e)
                    + "); nothing was changed. Please report this with the original file", e.position().line(),
                    e.position().column());
        }
        Map<String, Object> expected = TomlValues.toJava(original);
        TomlEditor.applyTo(expected, List.of(), ops);
        Map<String, Object> actual = TomlValues.toJava(again);
        // A table left empty by a removal disappears from the text when nothing else defined it (e.g.
        // configs."h" after its only [..configs."h".tls] went); empty tables mean nothing to containerd, so inside
        // the registry table they do not count.
        List<String> reg = ops.get(ops.size() - 1).path().subList(0, ops.get(ops.size() - 1).path().size() - 1);
        pruneEmpty(expected, reg);
        pruneEmpty(actual, reg);
        if (!expected.equals(actual)) {
            throw new ConfigTomlException(Kind.RESULT_INVALID, "the edited config.toml would not hold the intended"
                    + " settings (these keys would differ: " + String.join(", ", differingKeys(expected, actual, ""))
                    + "); nothing was changed. Please report this with the original file");
        }
    }

    /** The dotted keys whose values differ between {@code a} and {@code b} (values themselves are never named). */
    static List<String> differingKeys(Map<String, Object> a, Map<String, Object> b, String prefix) {
        List<String> out = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>(a.keySet());
        keys.addAll(b.keySet());
        for (String k : keys) {
            Object x = a.get(k);
            Object y = b.get(k);
            String name = prefix + TomlText.key(k, '"');
            if (x instanceof Map<?, ?> mx && y instanceof Map<?, ?> my) {
                @SuppressWarnings("unchecked")
                List<String> inner = differingKeys((Map<String, Object>) mx, (Map<String, Object>) my, name + ".");
                out.addAll(inner);
            } else if (x == null ? y != null : !x.equals(y)) {
                out.add(name + (x == null ? " (not intended)" : y == null ? " (missing)" : " (different value)"));
            }
        }
        return out;
    }

    /** Removes empty tables (recursively) inside the table at {@code path}, and the path's own tables if left empty. */
    private static void pruneEmpty(Map<String, Object> root, List<String> path) {
        List<Map<String, Object>> chain = new ArrayList<>();
        Map<String, Object> m = root;
        chain.add(m);
        for (String k : path) {
            Object next = m.get(k);
            if (!(next instanceof Map<?, ?>)) {
                return;
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> nm = (Map<String, Object>) next;
            m = nm;
            chain.add(m);
        }
        pruneInside(m);
        for (int i = path.size() - 1; i >= 0; i--) {
            if (chain.get(i + 1).isEmpty()) {
                chain.get(i).remove(path.get(i));
            } else {
                break;
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void pruneInside(Map<String, Object> m) {
        m.values().forEach(v -> {
            if (v instanceof Map<?, ?> child) {
                pruneInside((Map<String, Object>) child);
            }
        });
        m.values().removeIf(v -> v instanceof Map<?, ?> child && child.isEmpty());
    }
}
