package io.imagecache.containerd;

import io.imagecache.containerd.TomlDocument.Kind;
import io.imagecache.containerd.TomlDocument.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tomlj.TomlTable;

/**
 * Edits a TOML text at the statement level: removes every statement that defines something under a path, sets one
 * string value (replacing only the value's characters, or inserting one line or one small table), and leaves
 * every other byte alone. The same edits can be applied to the parsed value ({@link #applyTo}) so the caller can
 * check that the edited text parses to exactly the intended settings.
 *
 * <p>What it touches, precisely:
 * <ul>
 *   <li>a removed table: its header line, its body up to its last key/value line, and the comment lines directly
 *       above the header (no blank line between); blank lines and comments after its last key stay, and two blank
 *       lines brought together by a removal become one;</li>
 *   <li>a removed key written as a dotted key in a parent table ({@code registry.mirrors."x".endpoint = [...]}):
 *       that statement only;</li>
 *   <li>an inline table that contains a removed or set path ({@code configs = { "h" = { tls = {...}, auth = {...} } }}):
 *       its value is written again, inline, without the removed part;</li>
 *   <li>a set value that exists: only the value's characters (key spacing and trailing comment stay);</li>
 *   <li>a set value that does not exist: one line after the table's last key, or a dotted key where the table is
 *       defined by dotted keys, or a new {@code [table]} placed before its first sub-table, after the last table of
 *       its parent, or at the end of the file.</li>
 * </ul>
 */
final class TomlEditor {

    sealed interface Op permits Remove, Set {
        List<String> path();
    }

    record Remove(List<String> path) implements Op {}

    record Set(List<String> path, String value) implements Op {}

    private final TomlDocument doc;
    private final TomlTable parsed;
    private final List<Op> ops = new ArrayList<>();

    TomlEditor(TomlDocument doc, TomlTable parsed) {
        this.doc = doc;
        this.parsed = parsed;
    }

    TomlEditor remove(List<String> path) {
        ops.add(new Remove(List.copyOf(path)));
        return this;
    }

    TomlEditor set(List<String> path, String value) {
        ops.add(new Set(List.copyOf(path), value));
        return this;
    }

    List<Op> ops() {
        return List.copyOf(ops);
    }

    /** The edited text. */
    String result() {
        List<Statement> st = doc.statements;
        int n = st.size();
        boolean[] deleted = new boolean[n];
        Map<Integer, String> valueReplacement = new HashMap<>();
        Map<Integer, List<String>> insertAfter = new TreeMap<>();
        List<String> insertBeforeFirst = new ArrayList<>();
        List<String> appendAtEnd = new ArrayList<>();
        java.util.Set<Integer> inlineRewrite = new java.util.TreeSet<>();

        for (Op op : ops) {
            List<String> p = op.path();
            for (int i = 0; i < n; i++) {
                Statement s = st.get(i);
                if (s.kind() == Kind.KEY_VALUE) {
                    List<String> abs = s.absoluteKey();
                    if (op instanceof Remove && TomlDocument.startsWith(abs, p)) {
                        deleted[i] = true;
                    } else if (abs.size() < p.size() && TomlDocument.startsWith(p, abs)) {
                        inlineRewrite.add(i);
                    }
                } else if (op instanceof Remove && s.isHeader() && TomlDocument.startsWith(s.table(), p)) {
                    deleteSection(i, deleted);
                }
            }
        }
        for (Op op : ops) {
            if (!(op instanceof Set set)) {
                continue;
            }
            boolean done = false;
            for (int i = 0; i < n && !done; i++) {
                Statement s = st.get(i);
                if (s.kind() == Kind.KEY_VALUE && s.absoluteKey().equals(set.path())) {
                    boolean literal = doc.text.charAt(s.valueStart()) == '\'';
                    valueReplacement.put(i, TomlText.string(set.value(), literal));
                    done = true;
                } else if (inlineRewrite.contains(i) && TomlDocument.startsWith(set.path(), s.absoluteKey())) {
                    done = true; // the inline rewrite applies it
                }
            }
            if (!done) {
                planInsertion(set, deleted, insertAfter, insertBeforeFirst, appendAtEnd);
            }
        }
        for (int i : inlineRewrite) {
            if (deleted[i]) {
                continue;
            }
            Statement s = st.get(i);
            Object value = parsed.get(s.absoluteKey());
            if (!(value instanceof TomlTable t)) {
                throw new TomlDocument.LexException("line " + s.line() + ": " + TomlText.dotted(s.key(), '"')
                        + " is not a table, so it cannot hold " + TomlText.dotted(ops.get(0).path(), '"'));
            }
            Map<String, Object> m = TomlValues.toJava(t);
            applyTo(m, s.absoluteKey(), ops);
            valueReplacement.put(i, TomlValues.inline(m));
        }

        StringBuilder out = new StringBuilder();
        insertBeforeFirst.forEach(out::append);
        boolean lastBlank = false;
        boolean deletedSince = false;
        boolean emitted = !insertBeforeFirst.isEmpty();
        for (int i = 0; i < n; i++) {
            Statement s = st.get(i);
            if (deleted[i]) {
                deletedSince = true;
            } else if (s.kind() == Kind.BLANK && deletedSince && (lastBlank || !emitted)) {
                deletedSince = false; // a removal brought two blank lines together (or left one at the top)
            } else {
                String text = doc.textOf(s);
                String r = valueReplacement.get(i);
                if (r != null) {
                    text = doc.text.substring(s.start(), s.valueStart()) + r + doc.text.substring(s.valueEnd(), s.end());
                }
                out.append(text);
                lastBlank = s.kind() == Kind.BLANK;
                deletedSince = false;
                emitted = true;
            }
            List<String> ins = insertAfter.get(i);
            if (ins != null) {
                if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
                    out.append(doc.newline);
                }
                ins.forEach(out::append);
                lastBlank = ins.get(ins.size() - 1).endsWith(doc.newline + doc.newline);
                emitted = true;
            }
        }
        if (!appendAtEnd.isEmpty()) {
            if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
                out.append(doc.newline);
            }
            if (out.length() > 0 && !lastBlank) {
                out.append(doc.newline);
            }
            appendAtEnd.forEach(out::append);
        }
        return out.toString();
    }

    /** Marks a table's header, its body up to its last key, and the comments directly above it. */
    private void deleteSection(int header, boolean[] deleted) {
        List<Statement> st = doc.statements;
        int end = header;
        for (int j = header + 1; j < st.size() && !st.get(j).isHeader(); j++) {
            if (st.get(j).kind() == Kind.KEY_VALUE) {
                end = j;
            }
        }
        for (int j = header; j <= end; j++) {
            deleted[j] = true;
        }
        for (int j = header - 1; j >= 0 && st.get(j).kind() == Kind.COMMENT; j--) {
            deleted[j] = true;
        }
    }

    private void planInsertion(Set set, boolean[] deleted, Map<Integer, List<String>> insertAfter,
                               List<String> insertBeforeFirst, List<String> appendAtEnd) {
        List<Statement> st = doc.statements;
        List<String> table = set.path().subList(0, set.path().size() - 1);
        String key = set.path().get(set.path().size() - 1);
        String nl = doc.newline;
        int delta = bodyIndent();
        char q = quoteStyle(table);
        String value = TomlText.string(set.value(), q == '\'');

        // (a) the table has its own header: a line after its last key
        for (int i = 0; i < st.size(); i++) {
            Statement s = st.get(i);
            if (s.kind() == Kind.TABLE && s.table().equals(table)) {
                int after = i;
                String indent = null;
                for (int j = i + 1; j < st.size() && !st.get(j).isHeader(); j++) {
                    if (st.get(j).kind() == Kind.KEY_VALUE) {
                        after = j;
                        if (!deleted[j] && indent == null) {
                            indent = st.get(j).indent();
                        }
                    }
                }
                if (indent == null) {
                    indent = s.indent() + " ".repeat(delta);
                }
                add(insertAfter, after, indent + TomlText.key(key, q) + " = " + value + nl);
                return;
            }
        }
        // (b) the table is defined by dotted keys in a parent table: one more dotted key there
        int lastDotted = -1;
        for (int i = 0; i < st.size(); i++) {
            Statement s = st.get(i);
            if (s.kind() == Kind.KEY_VALUE && s.table().size() < table.size()
                    && TomlDocument.startsWith(table, s.table()) && TomlDocument.startsWith(s.absoluteKey(), table)) {
                lastDotted = i;
            }
        }
        if (lastDotted >= 0) {
            Statement s = st.get(lastDotted);
            List<String> rel = new ArrayList<>(set.path().subList(s.table().size(), set.path().size()));
            add(insertAfter, lastDotted, s.indent() + TomlText.dotted(rel, q) + " = " + value + nl);
            return;
        }
        List<String> parent = table.subList(0, Math.max(0, table.size() - 1));
        // Files that indent tables by depth (containerd's own output) get the new table one step in from its
        // parent's header; flat files get it at the indentation of the table it is placed next to.
        String parentIndent = null;
        for (Statement s : st) {
            if (s.kind() == Kind.TABLE && s.table().equals(parent) && !parent.isEmpty()) {
                boolean nests = false;
                for (Statement o : st) {
                    if (o.isHeader() && o.table().size() > parent.size() && TomlDocument.startsWith(o.table(), parent)
                            && o.indent().length() > s.indent().length()) {
                        nests = true;
                        break;
                    }
                }
                parentIndent = nests ? s.indent() + " ".repeat(delta) : null;
                break;
            }
        }
        // (c) before the first remaining sub-table (and the comments directly above it)
        for (int i = 0; i < st.size(); i++) {
            Statement s = st.get(i);
            if (!deleted[i] && s.isHeader() && s.table().size() > table.size()
                    && TomlDocument.startsWith(s.table(), table)) {
                int before = i;
                while (before > 0 && st.get(before - 1).kind() == Kind.COMMENT && !deleted[before - 1]) {
                    before--;
                }
                String hIndent = s.indent();
                boolean blankBefore = before > 0 && lastKept(before - 1, deleted) >= 0
                        && st.get(lastKept(before - 1, deleted)).kind() == Kind.BLANK;
                String text = hIndent + "[" + TomlText.dotted(table, q) + "]" + nl + hIndent + " ".repeat(delta)
                        + TomlText.key(key, q) + " = " + value + nl + (blankBefore ? nl : "");
                int prev = lastKept(before - 1, deleted);
                if (prev < 0) {
                    insertBeforeFirst.add(text);
                } else {
                    add(insertAfter, prev, text);
                }
                return;
            }
        }
        // (d) after the last table under the parent (e.g. the last [plugins."io.containerd.grpc.v1.cri".*])
        int lastUnderParent = -1;
        for (int i = 0; i < st.size(); i++) {
            Statement s = st.get(i);
            if (!parent.isEmpty() && s.kind() == Kind.TABLE && TomlDocument.startsWith(s.table(), parent) && !deleted[i]) {
                lastUnderParent = i;
            }
        }
        if (lastUnderParent >= 0) {
            int end = lastUnderParent;
            for (int j = lastUnderParent + 1; j < st.size() && !st.get(j).isHeader(); j++) {
                if (st.get(j).kind() == Kind.KEY_VALUE && !deleted[j]) {
                    end = j;
                }
            }
            int next = end + 1;
            while (next < st.size() && deleted[next]) {
                next++;
            }
            boolean blankSeparated = next < st.size() ? st.get(next).kind() == Kind.BLANK
                    : lastUnderParent > 0 && st.get(lastUnderParent - 1).kind() == Kind.BLANK;
            String hIndent = parentIndent != null ? parentIndent : st.get(lastUnderParent).indent();
            String text = (blankSeparated ? nl : "") + hIndent + "[" + TomlText.dotted(table, q) + "]" + nl + hIndent
                    + " ".repeat(delta) + TomlText.key(key, q) + " = " + value + nl;
            add(insertAfter, end, text);
            return;
        }
        // (e) at the end of the file
        appendAtEnd.add("[" + TomlText.dotted(table, q) + "]" + nl + " ".repeat(delta) + TomlText.key(key, q) + " = "
                + value + nl);
    }

    private int lastKept(int from, boolean[] deleted) {
        for (int j = from; j >= 0; j--) {
            if (!deleted[j]) {
                return j;
            }
        }
        return -1;
    }

    private static void add(Map<Integer, List<String>> m, int i, String text) {
        m.computeIfAbsent(i, k -> new ArrayList<>()).add(text);
    }

    /** How far the file indents a table's keys past its header (0 for flat files, 2 for containerd's own output). */
    private int bodyIndent() {
        List<Statement> st = doc.statements;
        for (int i = 0; i < st.size(); i++) {
            if (st.get(i).kind() == Kind.TABLE && i + 1 < st.size() && st.get(i + 1).kind() == Kind.KEY_VALUE) {
                return Math.max(0, st.get(i + 1).indent().length() - st.get(i).indent().length());
            }
        }
        return 2;
    }

    /** {@code '} when the file writes this table's plugin id in single quotes (containerd 2.x output), else {@code "}. */
    private char quoteStyle(List<String> table) {
        for (Statement s : doc.statements) {
            if (s.isHeader()) {
                String h = doc.headerText(s);
                for (String part : table) {
                    if (!part.matches("[A-Za-z0-9_-]+") && h.contains("'" + part + "'")) {
                        return '\'';
                    }
                }
            }
        }
        return '"';
    }

    /** Applies {@code ops} to {@code root}, the value found at {@code rootPath} (empty for the whole document). */
    static void applyTo(Map<String, Object> root, List<String> rootPath, List<Op> ops) {
        for (Op op : ops) {
            List<String> p = op.path();
            if (p.size() <= rootPath.size() || !TomlDocument.startsWith(p, rootPath)) {
                continue;
            }
            List<String> rel = p.subList(rootPath.size(), p.size());
            Map<String, Object> m = root;
            for (int i = 0; i < rel.size() - 1 && m != null; i++) {
                Object next = m.get(rel.get(i));
                if (next == null && op instanceof Set) {
                    next = new LinkedHashMap<String, Object>();
                    m.put(rel.get(i), next);
                }
                m = asMap(next);
            }
            if (m == null) {
                continue;
            }
            String last = rel.get(rel.size() - 1);
            if (op instanceof Remove) {
                m.remove(last);
            } else {
                m.put(last, ((Set) op).value());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object o) {
        return o instanceof Map<?, ?> ? (Map<String, Object>) o : null;
    }
}
