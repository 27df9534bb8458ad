package io.imagecache.resources;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How POSIX {@code sh} reads a command line, reduced to what a test of quoting needs: the text with its quote
 * characters removed, each remaining character tagged with how it was quoted. Words are split at unquoted blanks
 * and at the operators {@code ; & | ( ) < >}; an unquoted {@code #} at the start of a word starts a comment.
 * Expansions ({@code $x}, {@code $(...)}, backticks) are not performed: their characters keep the context they
 * stand in, so an unquoted {@code $(} is visible as such. Test code; pure.
 */
final class ShellWords {
    private ShellWords() {}

    /** How a character reached the shell. */
    enum Quoting {
        /** Bare: the shell interprets it (expansions, globs, operators, blanks). */
        UNQUOTED,
        /** Between single quotes: always literal. */
        SINGLE,
        /** Between double quotes: literal except {@code $ ` \}. */
        DOUBLE,
        /** After a backslash outside single quotes: literal. */
        ESCAPED
    }

    /** One character of a word and how it was quoted. */
    record Char(char c, Quoting q) {}

    /** One word (or operator) of the line: its characters with their quoting, quote characters removed. */
    record Word(List<Char> chars) {
        String text() {
            StringBuilder sb = new StringBuilder();
            chars.forEach(ch -> sb.append(ch.c()));
            return sb.toString();
        }
    }

    /** The words of {@code line}; fails on an unterminated quote. */
    static List<Word> split(String line) {
        List<Word> out = new ArrayList<>();
        List<Char> cur = null;
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == '\n') {
                if (cur != null) {
                    out.add(new Word(cur));
                    cur = null;
                }
                i++;
            } else if (";&|()<>".indexOf(c) >= 0) {
                if (cur != null) {
                    out.add(new Word(cur));
                    cur = null;
                }
                out.add(new Word(List.of(new Char(c, Quoting.UNQUOTED))));
                i++;
            } else if (c == '#' && cur == null) {
                while (i < n && line.charAt(i) != '\n') {
                    i++;
                }
            } else {
                if (cur == null) {
                    cur = new ArrayList<>();
                }
                if (c == '\'') {
                    int end = line.indexOf('\'', i + 1);
                    if (end < 0) {
                        throw new IllegalArgumentException("unterminated single quote at " + i + " in: " + line);
                    }
                    for (int k = i + 1; k < end; k++) {
                        cur.add(new Char(line.charAt(k), Quoting.SINGLE));
                    }
                    i = end + 1;
                } else if (c == '"') {
                    i = doubleQuoted(line, i + 1, cur);
                } else if (c == '\\') {
                    if (i + 1 >= n) {
                        throw new IllegalArgumentException("a backslash at the end of: " + line);
                    }
                    if (line.charAt(i + 1) != '\n') { // backslash-newline: a line continuation, both vanish
                        cur.add(new Char(line.charAt(i + 1), Quoting.ESCAPED));
                    }
                    i += 2;
                } else {
                    cur.add(new Char(c, Quoting.UNQUOTED));
                    i++;
                }
            }
        }
        if (cur != null) {
            out.add(new Word(cur));
        }
        return out;
    }

    /** Reads a double-quoted part starting after its quote; returns the index after the closing quote. */
    private static int doubleQuoted(String line, int i, List<Char> cur) {
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\' && i + 1 < n && "$`\"\\\n".indexOf(line.charAt(i + 1)) >= 0) {
                if (line.charAt(i + 1) != '\n') {
                    cur.add(new Char(line.charAt(i + 1), Quoting.ESCAPED));
                }
                i += 2;
            } else if (c == '$' && i + 1 < n && line.charAt(i + 1) == '(') {
                // a command substitution inside double quotes has quoting of its own: copy it through its ')'
                int depth = 0;
                int k = i + 1;
                for (; k < n; k++) {
                    char d = line.charAt(k);
                    if (d == '\'') {
                        k = line.indexOf('\'', k + 1);
                        if (k < 0) {
                            throw new IllegalArgumentException("unterminated single quote in $( ) of: " + line);
                        }
                    } else if (d == '(') {
                        depth++;
                    } else if (d == ')' && --depth == 0) {
                        break;
                    }
                }
                for (int m = i; m <= Math.min(k, n - 1); m++) {
                    cur.add(new Char(line.charAt(m), Quoting.UNQUOTED));
                }
                i = k + 1;
            } else {
                cur.add(new Char(c, Quoting.DOUBLE));
                i++;
            }
        }
        throw new IllegalArgumentException("unterminated double quote in: " + line);
    }

    /** What sh reads of {@code line}: its words, quotes removed, one blank between them. */
    static String reads(String line) {
        return String.join(" ", split(line).stream().map(Word::text).toList());
    }

    /** Characters that mean nothing to sh wherever they stand (what CommandLine.quote leaves bare, and non-ASCII). */
    static boolean inert(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "_@%+=:,./-".indexOf(c) >= 0
                || c > 0x7f;
    }

    /** Whether {@code c} is literal in {@code q}. */
    static boolean literal(Char ch) {
        return switch (ch.q()) {
            case SINGLE, ESCAPED -> true;
            case DOUBLE -> "$`\\".indexOf(ch.c()) < 0;
            case UNQUOTED -> inert(ch.c());
        };
    }

    /**
     * Why {@code value} is not safely quoted in the command {@code line}, if it is not: an occurrence of it (in the
     * text sh reads once quotes are removed) with a character that sh would interpret, or split across words; or the
     * value in the raw line but not in what sh reads (mangled). Scripts handed to {@code sh -c} are looked into as well,
     * since sh reads them again. Empty: every occurrence reaches the command as literal text (or there is none).
     */
    static Optional<String> unsafeUse(String line, String value) {
        List<Word> words;
        try {
            words = split(line);
        } catch (IllegalArgumentException e) {
            return Optional.of("sh cannot read the line (" + e.getMessage() + ")");
        }
        // the words one after another, each separation an unquoted blank: a value split over words shows one
        List<Char> flat = new ArrayList<>();
        for (Word w : words) {
            if (!flat.isEmpty()) {
                flat.add(new Char(' ', Quoting.UNQUOTED));
            }
            flat.addAll(w.chars());
        }
        StringBuilder text = new StringBuilder();
        flat.forEach(ch -> text.append(ch.c()));
        boolean found = false;
        for (int at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
            found = true;
            for (int k = at; k < at + value.length(); k++) {
                Char ch = flat.get(k);
                if (!literal(ch)) {
                    return Optional.of("character " + (k - at) + " of the value (" + describe(ch.c()) + ") reaches sh "
                            + ch.q() + " in: " + line);
                }
            }
        }
        if (!found && line.contains(value)) {
            return Optional.of("the value is in the line, but sh reads it otherwise: " + line);
        }
        for (int w = 0; w + 2 < words.size(); w++) {
            if (words.get(w).text().equals("sh") && words.get(w + 1).text().equals("-c")) {
                Optional<String> inner = unsafeUse(words.get(w + 2).text(), value);
                if (inner.isPresent()) {
                    return Optional.of("in the script of `sh -c`: " + inner.get());
                }
            }
        }
        return Optional.empty();
    }

    private static String describe(char c) {
        return c < 0x20 || c == 0x7f ? String.format("U+%04X", (int) c) : "'" + c + "'";
    }
}
