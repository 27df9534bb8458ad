package io.imagecache.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One authentication challenge from a {@code WWW-Authenticate} header (RFC 7235): a scheme and its parameters,
 * e.g. {@code Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"}.
 * Parameter names are lower-cased; values are unquoted.
 */
record Challenge(String scheme, Map<String, String> params) {

    Challenge {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    boolean isBearer() {
        return scheme.equalsIgnoreCase("Bearer");
    }

    boolean isBasic() {
        return scheme.equalsIgnoreCase("Basic");
    }

    Optional<String> param(String name) {
        return Optional.ofNullable(params.get(name.toLowerCase(Locale.ROOT))).filter(v -> !v.isEmpty());
    }

    /** Every challenge in the given header values (a header may hold several; there may be several headers). */
    static List<Challenge> parseAll(List<String> headerValues) {
        List<Challenge> out = new ArrayList<>();
        for (String h : headerValues) {
            out.addAll(parse(h));
        }
        return out;
    }

    /** The challenges in one header value; malformed parts are skipped, never thrown. */
    static List<Challenge> parse(String header) {
        List<Challenge> out = new ArrayList<>();
        if (header == null) {
            return out;
        }
        Lexer lx = new Lexer(header);
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        while (true) {
            lx.skip(" \t,");
            if (lx.done()) {
                break;
            }
            String token = lx.token();
            if (token.isEmpty()) {
                lx.pos++; // an unexpected character: skip it
                continue;
            }
            lx.skip(" \t");
            if (lx.peek() == '=' && scheme != null && !lx.isToken68End()) {
                lx.pos++;
                lx.skip(" \t");
                String value = lx.peek() == '"' ? lx.quoted() : lx.token();
                params.put(token.toLowerCase(Locale.ROOT), value);
            } else {
                if (scheme != null) {
                    out.add(new Challenge(scheme, params));
                }
                scheme = token;
                params = new LinkedHashMap<>();
            }
        }
        if (scheme != null) {
            out.add(new Challenge(scheme, params));
        }
        return out;
    }

    private static final class Lexer {
        private final String s;
        private int pos;

        Lexer(String s) {
            this.s = s;
        }

        boolean done() {
            return pos >= s.length();
        }

        char peek() {
            return done() ? '\0' : s.charAt(pos);
        }

        void skip(String chars) {
            while (!done() && chars.indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
        }

        /** After '=', only padding ("token68" like {@code abc==}) follows: not a parameter. */
        boolean isToken68End() {
            int i = pos;
            while (i < s.length() && s.charAt(i) == '=') {
                i++;
            }
            while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
            return i - pos > 1 && (i >= s.length() || s.charAt(i) == ',');
        }

        String token() {
            int start = pos;
            while (!done() && isTokenChar(s.charAt(pos))) {
                pos++;
            }
            return s.substring(start, pos);
        }

        String quoted() {
            StringBuilder b = new StringBuilder();
            pos++; // opening quote
            while (!done()) {
                char c = s.charAt(pos++);
                if (c == '\\' && !done()) {
                    b.append(s.charAt(pos++));
                } else if (c == '"') {
                    break;
                } else {
                    b.append(c);
                }
            }
            return b.toString();
        }

        private static boolean isTokenChar(char c) {
            return c > ' ' && c < 127 && "()<>@,;:\\\"/[]?={} \t".indexOf(c) < 0
                    || c == '/' || c == ':' ; // lenient: unquoted values like realm=https://x/token
        }
    }
}
