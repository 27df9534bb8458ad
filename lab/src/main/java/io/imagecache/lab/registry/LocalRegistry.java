package io.imagecache.lab.registry;

import com.github.dockerjava.api.model.ContainerNetwork;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.DockerImageName;

/**
 * A real distribution 2.8 registry ({@code imagecache-lab/registry:2.8}, built by lab/images/build.sh) with its
 * config.yml rendered here: {@link #plain()}, {@link #htpasswd}, {@link #token} (Bearer tokens from a
 * {@link TokenServer}) or {@link #proxy} (a pull-through cache of another registry). Reached by its bridge
 * address, port 5000: {@link #url()} works from the test JVM and from other containers on the same network.
 * {@link #requests} counts what its access log saw, e.g. to prove a pull did not reach an upstream.
 */
public final class LocalRegistry extends GenericContainer<LocalRegistry> {
    /** The image; {@code -Dimagecache.lab.registryImage=...} runs the fixtures against another distribution build. */
    public static final DockerImageName IMAGE = DockerImageName.parse(
            System.getProperty("imagecache.lab.registryImage", "imagecache-lab/registry:2.8"));
    public static final int PORT = 5000;
    private static final String CONFIG = "/etc/docker/registry/config.yml";
    /** Combined log format, as distribution writes one line per request on stdout. */
    private static final Pattern ACCESS = Pattern.compile(
            "^\\S+ - \\S+ \\[[^\\]]+\\] \"([A-Z]+) ([^ \"?]+)(?:\\?[^ \"]*)? HTTP/[0-9.]+\" (\\d{3}) ", Pattern.MULTILINE);

    private final Optional<Credentials> htpasswd;
    private final Optional<TokenServer> tokenServer;
    private final Optional<Proxy> proxy;
    private String renderedConfig = "";

    /** Username and password a client uses against this registry (the basic ones for token auth too). */
    public record Credentials(String username, String password) {
        @Override
        public String toString() {
            return "Credentials[" + username + ", ****]";
        }
    }

    /** Where a pull-through cache fetches from, and optional credentials for it. */
    public record Proxy(String remoteUrl, Optional<Credentials> credentials) {}

    /** One access-log line: method, path without the query string, status. */
    public record Request(String method, String path, int status) {}

    private LocalRegistry(Optional<Credentials> htpasswd, Optional<TokenServer> token, Optional<Proxy> proxy) {
        super(IMAGE);
        this.htpasswd = htpasswd;
        this.tokenServer = token;
        this.proxy = proxy;
        waitingFor(Wait.forLogMessage(".*listening on .*", 1).withStartupTimeout(Duration.ofSeconds(60)));
    }

    /** No authentication. */
    public static LocalRegistry plain() {
        return new LocalRegistry(Optional.empty(), Optional.empty(), Optional.empty());
    }

    /** Basic authentication against a bcrypt htpasswd file made with {@code htpasswd -Bbn}. */
    public static LocalRegistry htpasswd(String username, String password) {
        return new LocalRegistry(Optional.of(new Credentials(username, password)), Optional.empty(), Optional.empty());
    }

    /** Bearer-token authentication with tokens issued by {@code issuer} (the server must outlive the registry). */
    public static LocalRegistry token(TokenServer issuer) {
        return new LocalRegistry(Optional.empty(), Optional.of(issuer), Optional.empty());
    }

    /** A pull-through cache of {@code remoteUrl}; {@code username}/{@code password} may be null. */
    public static LocalRegistry proxy(String remoteUrl, String username, String password) {
        Optional<Credentials> creds = username == null ? Optional.empty() : Optional.of(new Credentials(username, password));
        return new LocalRegistry(Optional.empty(), Optional.empty(), Optional.of(new Proxy(remoteUrl, creds)));
    }

    /** As {@link #proxy(String, String, String)} without credentials. */
    public static LocalRegistry proxy(String remoteUrl) {
        return proxy(remoteUrl, null, null);
    }

    @Override
    protected void configure() {
        Optional<String> realm = tokenServer.map(t -> t.realm(gatewayAddress()));
        renderedConfig = RegistryConfig.render(htpasswd.isPresent(), realm, proxy);
        withCopyToContainer(Transferable.of(renderedConfig, 0644), CONFIG);
        htpasswd.ifPresent(c -> withCopyToContainer(
                Transferable.of(HostTools.htpasswdLine(c.username(), c.password()), 0644), RegistryConfig.HTPASSWD));
        tokenServer.ifPresent(t -> withCopyToContainer(Transferable.of(t.certificatePem(), 0644), RegistryConfig.ROOT_CERTS));
    }

    /** The config.yml this registry runs with (rendered at start). */
    public String config() {
        return renderedConfig;
    }

    /** Credentials it accepts (htpasswd, or the token server's), if it wants any. */
    public Optional<Credentials> credentials() {
        return htpasswd.or(() -> tokenServer.map(t -> new Credentials(t.username(), t.password())));
    }

    /** {@code <ip>:5000}: the registry part of image references, e.g. for skopeo. */
    public String hostPort() {
        return ipAddress() + ":" + PORT;
    }

    /** {@code http://<ip>:5000}, the bridge address: routed from the host, so the test JVM uses it too. */
    public String url() {
        return "http://" + hostPort();
    }

    /** The URL other containers on this registry's network use (its address on that network). */
    public String networkUrl() {
        return url();
    }

    /** The container's address on its network ({@link #withNetwork} if one was given, else the default bridge). */
    public String ipAddress() {
        Map<String, ContainerNetwork> networks = getContainerInfo().getNetworkSettings().getNetworks();
        Network network = getNetwork();
        return networks.values().stream()
                .filter(n -> network == null || network.getId().equals(n.getNetworkID()))
                .map(ContainerNetwork::getIpAddress)
                .filter(ip -> ip != null && !ip.isEmpty())
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("registry container has no network address: " + networks.keySet()));
    }

    /** Every request in the access log so far, oldest first. */
    public List<Request> accessLog() {
        Matcher m = ACCESS.matcher(getLogs());
        List<Request> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(new Request(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
        }
        return out;
    }

    /** How many requests had a path (query string excluded) fully matching {@code pathRegex}. */
    public int requests(String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        return (int) accessLog().stream().filter(r -> p.matcher(r.path()).matches()).count();
    }

    /** As {@link #requests(String)}, counting only {@code method} (GET, HEAD, ...). */
    public int requests(String method, String pathRegex) {
        Pattern p = Pattern.compile(pathRegex);
        return (int) accessLog().stream().filter(r -> r.method().equals(method) && p.matcher(r.path()).matches()).count();
    }

    /**
     * Waits until at least {@code atLeast} requests match (the log line is written just after the response,
     * so a count taken right after a request may miss it); returns the count.
     */
    public int awaitRequests(String pathRegex, int atLeast, Duration timeout) {
        Instant end = Instant.now().plus(timeout);
        int n = requests(pathRegex);
        while (n < atLeast && Instant.now().isBefore(end)) {
            sleep(100);
            n = requests(pathRegex);
        }
        return n;
    }

    @Override
    protected void containerIsStarted(com.github.dockerjava.api.command.InspectContainerResponse info) {
        // The log line comes just before the listener accepts: wait until /v2/ answers (200, or 401 with auth).
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
        Instant end = Instant.now().plusSeconds(30);
        while (true) {
            try {
                int status = http.send(HttpRequest.newBuilder(URI.create(url() + "/v2/")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 401) {
                    return;
                }
            } catch (IOException e) {
                // not yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (Instant.now().isAfter(end)) {
                throw new IllegalStateException("registry at " + url() + " did not answer GET /v2/ within 30 s; log:\n" + getLogs());
            }
            sleep(100);
        }
    }

    /** The host's address on this registry's network: where containers reach a server running on the host. */
    private String gatewayAddress() {
        Network network = getNetwork();
        String id = network == null ? "bridge" : network.getId();
        List<com.github.dockerjava.api.model.Network.Ipam.Config> configs = DockerClientFactory.instance().client()
                .inspectNetworkCmd().withNetworkId(id).exec().getIpam().getConfig();
        for (var c : configs) {
            if (c.getGateway() != null && c.getGateway().matches("[0-9.]+")) {
                return c.getGateway();
            }
        }
        // Docker 20.10 leaves Gateway out of the default bridge's IPAM config; the bridge takes the subnet's first address.
        for (var c : configs) {
            if (c.getSubnet() != null && c.getSubnet().matches("[0-9.]+/\\d+")) {
                String[] o = c.getSubnet().replaceAll("/.*", "").split("\\.");
                return o[0] + "." + o[1] + "." + o[2] + "." + (Integer.parseInt(o[3]) + 1);
            }
        }
        throw new IllegalStateException("docker network " + id + " has no IPv4 gateway or subnet: " + configs);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
