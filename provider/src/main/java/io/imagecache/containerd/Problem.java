package io.imagecache.containerd;

/**
 * One invalid input: where it is ({@code mirrors[1].endpoints[0]}, {@code certsDir}), which rule it breaks, and a
 * sentence a person can act on. The resource layer turns these into Check failures.
 */
public record Problem(String property, Rule rule, String reason) {

    @Override
    public String toString() {
        return property + ": " + reason;
    }

    /** The validation rules, each with what it protects against. */
    public enum Rule {
        // version-independent (checked at Check time)
        REGISTRY_EMPTY("a mirror needs the registry namespace it is for"),
        REGISTRY_SCHEME("containerd names hosts directories after the bare host, without http:// or https://"),
        REGISTRY_PATH("containerd matches registries by host[:port] only, never by path"),
        REGISTRY_WILDCARD("\"*\" was the old CRI mirrors wildcard; hosts directories use _default"),
        REGISTRY_INVALID("the namespace becomes a directory name and must be a host name or IP, with an optional port"),
        REGISTRY_DUPLICATE("two mirrors for one registry would write the same hosts.toml"),
        ENDPOINTS_EMPTY("a hosts.toml without a [host] table fails to parse on containerd 1.7 (containerd#10027)"),
        ENDPOINT_NO_SCHEME("containerd needs to know whether to speak HTTP or HTTPS to a mirror"),
        ENDPOINT_SCHEME("containerd speaks only http and https to registries"),
        ENDPOINT_INVALID_URL("the endpoint must be a URL containerd can parse, with a host"),
        ENDPOINT_CREDENTIALS("hosts.toml cannot carry credentials, and a URL with them would leak them into files"),
        ENDPOINT_QUERY("containerd drops query strings and fragments from mirror URLs"),
        ENDPOINT_DUPLICATE("a mirror listed twice is tried twice, doubling the wait when it is down"),
        CAPABILITY_UNKNOWN("an unknown capability makes containerd reject the whole hosts.toml"),
        CAPABILITY_DUPLICATE("a capability listed twice is a typo"),
        PATH_EMPTY("an empty file path makes containerd fail to load the certificate"),
        PATH_RELATIVE("relative paths are resolved against the hosts.toml directory, which imagecache manages"),
        TLS_ON_HTTP("ca, skipVerify and client certificates only apply to https endpoints"),
        OVERRIDE_PATH_WITHOUT_PATH("overridePath uses the URL's path as the API root, so the URL needs one"),
        HEADER_INVALID("a header name that is not an HTTP token, or a value with a line break, makes every request fail"),
        DIAL_TIMEOUT_FORMAT("containerd parses dial_timeout as a Go duration and rejects the file otherwise"),
        DIAL_TIMEOUT_NOT_POSITIVE("a zero or negative connect timeout makes every connection fail"),
        SERVER_INVALID("server must be a URL with http:// or https://"),
        DEFAULT_SERVER("a server on _default sends every registry's pulls to that one host when the mirrors fail"),
        CERTS_DIR_EMPTY("config_path needs a directory"),
        CERTS_DIR_RELATIVE("containerd resolves config_path against its working directory"),
        CERTS_DIR_LIST("containerd 2.1+ ignores hosts.toml when config_path is a colon-separated list (containerd#12415)"),
        CERTS_DIR_INVALID("the directory is written into config.toml and into shell-free file paths"),
        // version-dependent (checked once the node's containerd version is known)
        VERSION_TOO_OLD("containerd before 1.5 has no hosts directory (config_path)"),
        DEFAULT_NAMESPACE_UNSUPPORTED("_default exists from containerd 1.7.0"),
        OVERRIDE_PATH_UNSUPPORTED("override_path exists from containerd 1.6.0; 1.5 ignores it and appends /v2 to the path"),
        DIAL_TIMEOUT_UNSUPPORTED("dial_timeout exists from containerd 2.0.7 on 2.0.x and from 2.1.0; older versions ignore it silently"),
        REFERRERS_UNSUPPORTED("the referrers capability exists from containerd 2.2.0; older versions reject the file");

        private final String why;

        Rule(String why) {
            this.why = why;
        }

        /** Why the rule exists. */
        public String why() {
            return why;
        }

        /** True for the rules that need the node's containerd version. */
        public boolean needsVersion() {
            return ordinal() >= VERSION_TOO_OLD.ordinal();
        }
    }
}
