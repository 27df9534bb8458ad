package io.imagecache.containerd;

import java.util.ArrayList;
import java.util.List;

/**
 * A TOML text cut into statements (blank lines, comment lines, table headers, key/value pairs that may span
 * lines), each with its byte range, so that a few statements can be removed, replaced or inserted while every
 * other byte stays as it was. It assumes the text already parsed with tomlj; it is a lexer, not a validator.
 */
final class TomlDocument {

    enum Kind { BLANK, COMMENT, TABLE, ARRAY_TABLE, KEY_VALUE }

    /**
     * One statement.
     *
     * @param start      offset of the first character of its line (indentation included)
     * @param end        offset after its line break (or the end of the text)
     * @param line       1-based line of {@code start}
     * @param indent     the whitespace before it
     * @param key        header path for tables, the (dotted) key for key/value pairs, empty otherwise
     * @param table      the path of the table the statement is in (for a header: its own path; an array of
     *                   tables ends with {@link #ARRAY_MARK} so no path under it matches a plain table path)
     * @param valueStart for key/value pairs, where the value starts
     * @param valueEnd   for key/value pairs, where the value ends (before trailing spaces and comment)
     */
    record Statement(Kind kind, int start, int end, int line, String indent, List<String> key, List<String> table,
                     int valueStart, int valueEnd) {

        /** For key/value pairs: table + key. For headers: the header path. */
        List<String> absoluteKey() {
            if (kind == Kind.KEY_VALUE) {
                List<String> k = new ArrayList<>(table);
                k.addAll(key);
                return k;
            }
            return table;
        }

        boolean isHeader() {
            return kind == Kind.TABLE || kind == Kind.ARRAY_TABLE;
        }
    }

    static final String ARRAY_MARK = "\u0000[]";

    final String text;
    final List<Statement> statements;
    final String newline;

    private TomlDocument(String text, List<Statement> statements) {
        this.text = text;
        this.statements = List.copyOf(statements);
        this.newline = text.contains("\r\n") ? "\r\n" : "\n";
    }

    static TomlDocument lex(String text) {
        return new Lexer(text).run();
    }

    String textOf(Statement s) {
        return text.substring(s.start(), s.end());
    }

    /** The header line as written, without indentation and line break (for style detection). */
    String headerText(Statement s) {
        return text.substring(s.start() + s.indent().length(), s.end()).strip();
    }

    static boolean startsWith(List<String> path, List<String> prefix) {
        return path.size() >= prefix.size() && path.subList(0, prefix.size()).equals(prefix);
    }

    /** Thrown when the text is not what tomlj accepted (a bug here, not bad input). */
    static final class LexException extends RuntimeException {
        LexException(String message) {
            super(message);
        }
    }

    private static final class Lexer {
        private final String s;
        private int pos;
        private int line = 1;
        private final List<Statement> out = new ArrayList<>();
        private List<String> table = List.of();

        Lexer(String s) {
            this.s = s;
        }

        TomlDocument run() {
            while (pos < s.length()) {
                statement();
            }
            return new TomlDocument(s, out);
        }

        private void statement() {
            int start = pos;
            int startLine = line;
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
                pos++;
            }
            String indent = s.substring(start, pos);
            if (atLineEnd()) {
                endOfLine();
                out.add(new Statement(Kind.BLANK, start, pos, startLine, indent, List.of(), table, -1, -1));
                return;
            }
            char c = s.charAt(pos);
            if (c == '#') {
                skipToLineEnd();
                endOfLine();
                out.add(new Statement(Kind.COMMENT, start, pos, startLine, indent, List.of(), table, -1, -1));
                return;
            }
            if (c == '[') {
                boolean array = pos + 1 < s.length() && s.charAt(pos + 1) == '[';
                pos += array ? 2 : 1;
                List<String> key = key();
                skipSpaces();
                expect(']');
                if (array) {
                    expect(']');
                }
                restOfLine();
                List<String> t = new ArrayList<>(key);
                if (array) {
                    t.add(ARRAY_MARK);
                }
                table = List.copyOf(t);
                out.add(new Statement(array ? Kind.ARRAY_TABLE : Kind.TABLE, start, pos, startLine, indent,
                        List.copyOf(key), table, -1, -1));
                return;
            }
            List<String> key = key();
            skipSpaces();
            expect('=');
            skipSpaces();
            int valueStart = pos;
            int valueEnd = value();
            restOfLine();
            out.add(new Statement(Kind.KEY_VALUE, start, pos, startLine, indent, List.copyOf(key), table, valueStart,
                    valueEnd));
        }

        private boolean atLineEnd() {
            return pos >= s.length() || s.charAt(pos) == '\n' || (s.charAt(pos) == '\r' && pos + 1 < s.length()
                    && s.charAt(pos + 1) == '\n');
        }

        private void endOfLine() {
            if (pos < s.length()) {
                if (s.charAt(pos) == '\r') {
                    pos++;
                }
                if (pos < s.length() && s.charAt(pos) == '\n') {
                    pos++;
                    line++;
                }
            }
        }

        private void skipToLineEnd() {
            while (!atLineEnd()) {
                pos++;
            }
        }

        private void skipSpaces() {
            while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
                pos++;
            }
        }

        /** After a header or value: spaces, an optional comment, the line break. */
        private void restOfLine() {
            skipSpaces();
            if (pos < s.length() && s.charAt(pos) == '#') {
                skipToLineEnd();
            }
            if (!atLineEnd()) {
                throw fail("unexpected text after the statement");
            }
            endOfLine();
        }

        private void expect(char c) {
            if (pos >= s.length() || s.charAt(pos) != c) {
                throw fail("expected '" + c + "'");
            }
            pos++;
        }

        private LexException fail(String what) {
            return new LexException(what + " at line " + line + " (offset " + pos + ")");
        }

        private List<String> key() {
            List<String> parts = new ArrayList<>();
            while (true) {
                skipSpaces();
                if (pos >= s.length()) {
                    throw fail("expected a key");
                }
                char c = s.charAt(pos);
                if (c == '"') {
                    parts.add(basicString());
                } else if (c == '\'') {
                    int end = s.indexOf('\'', pos + 1);
                    if (end < 0) {
                        throw fail("unterminated literal key");
                    }
                    parts.add(s.substring(pos + 1, end));
                    pos = end + 1;
                } else {
                    int b = pos;
                    while (pos < s.length() && isBare(s.charAt(pos))) {
                        pos++;
                    }
                    if (b == pos) {
                        throw fail("expected a key");
                    }
                    parts.add(s.substring(b, pos));
                }
                skipSpaces();
                if (pos < s.length() && s.charAt(pos) == '.') {
                    pos++;
                    continue;
                }
                return parts;
            }
        }

        private static boolean isBare(char c) {
            return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        }

        /** A single-line basic string at pos, unescaped. */
        private String basicString() {
            StringBuilder sb = new StringBuilder();
            pos++;
            while (pos < s.length() && s.charAt(pos) != '"') {
                char c = s.charAt(pos);
                if (c == '\\') {
                    pos++;
                    char e = s.charAt(pos);
                    switch (e) {
                        case 'b' -> sb.append('\b');
                        case 't' -> sb.append('\t');
                        case 'n' -> sb.append('\n');
                        case 'f' -> sb.append('\f');
                        case 'r' -> sb.append('\r');
                        case 'e' -> sb.append('\u001b');
                        case '"' -> sb.append('"');
                        case '\\' -> sb.append('\\');
                        case 'x' -> {
                            sb.appendCodePoint(Integer.parseInt(s.substring(pos + 1, pos + 3), 16));
                            pos += 2;
                        }
                        case 'u' -> {
                            sb.appendCodePoint(Integer.parseInt(s.substring(pos + 1, pos + 5), 16));
                            pos += 4;
                        }
                        case 'U' -> {
                            sb.appendCodePoint(Integer.parseInt(s.substring(pos + 1, pos + 9), 16));
                            pos += 8;
                        }
                        default -> throw fail("unknown escape \\" + e);
                    }
                    pos++;
                } else {
                    sb.append(c);
                    pos++;
                }
            }
            expect('"');
            return sb.toString();
        }

        /** Skips a value (which may span lines); returns the offset after its last character. */
        private int value() {
            int depth = 0;
            int lastSignificant = pos;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c == '"' || c == '\'') {
                    string(c);
                    lastSignificant = pos;
                    continue;
                }
                if (c == '#') {
                    if (depth == 0) {
                        return lastSignificant;
                    }
                    skipToLineEnd();
                    continue;
                }
                if (c == '\n' || (c == '\r' && pos + 1 < s.length() && s.charAt(pos + 1) == '\n')) {
                    if (depth == 0) {
                        return lastSignificant;
                    }
                    endOfLine();
                    continue;
                }
                if (c == '[' || c == '{') {
                    depth++;
                } else if (c == ']' || c == '}') {
                    depth--;
                }
                pos++;
                if (c != ' ' && c != '\t') {
                    lastSignificant = pos;
                }
            }
            if (depth != 0) {
                throw fail("unterminated array or inline table");
            }
            return lastSignificant;
        }

        private void string(char q) {
            boolean multi = s.startsWith(String.valueOf(q).repeat(3), pos);
            if (multi) {
                pos += 3;
                String close = String.valueOf(q).repeat(3);
                while (pos < s.length()) {
                    char c = s.charAt(pos);
                    if (q == '"' && c == '\\') {
                        pos += 2;
                        continue;
                    }
                    if (s.startsWith(close, pos)) {
                        pos += 3;
                        // up to two more quotes belong to the content: """a""""" ends after all of them
                        int extra = 0;
                        while (extra < 2 && pos < s.length() && s.charAt(pos) == q) {
                            pos++;
                            extra++;
                        }
                        return;
                    }
                    if (c == '\n') {
                        line++;
                    }
                    pos++;
                }
                throw fail("unterminated multi-line string");
            }
            pos++;
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (q == '"' && c == '\\') {
                    pos += 2;
                    continue;
                }
                pos++;
                if (c == q) {
                    return;
                }
                if (c == '\n') {
                    throw fail("unterminated string");
                }
            }
            throw fail("unterminated string");
        }
    }
}
