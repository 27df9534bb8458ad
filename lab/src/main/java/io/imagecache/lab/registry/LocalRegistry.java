package io.imagecache.lab.registry;

import io.imagecache.lab.guard.LabSecrets;

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
 * A real distribution registry with its config.yml rendered here: {@link #plain()}, {@link #htpasswd}, {@link #token}
 * (Bearer tokens from a {@link TokenServer}) or {@link #proxy} (a pull-through cache of another registry). It runs
 * distribution 2.8 ({@code imagecache-lab/registry:2.8}) unless {@link #withDistribution} picks 3.x
 * ({@code imagecache-lab/registry:3}); both images are built by lab/images/build.sh, and the system property
 * {@code imagecache.lab.distribution=3} makes 3.x every registry's default. Reached by its bridge address, port
 * 5000: {@link #url()} works from the test JVM and from other containers on the same network.
 * {@link #requests} counts what its access log saw, e.g. to prove a pull did not reach an upstream.
 */
public final class LocalRegistry extends GenericContainer<LocalRegistry> {
    /** The image; {@code -Dimagecache.lab.registryImage=...} runs the fixtures against another distribution build. */
    public static final DockerImageName IMAGE = DockerImageName.parse(
            System.getProperty("imagecache.lab.registryImage", "imagecache-lab/registry:2.8"));
    public static final int PORT = 5000;
    /** Combined log format, as distribution writes one line per request on stdout. */
    private static final Pattern ACCESS = Pattern.compile(
            "^\\S+ - \\S+ \\[[^\\]]+\\] \"([A-Z]+) ([^ \"?]+)(?:\\?[^ \"]*)? HTTP/[0-9.]+\" (\\d{3}) ", Pattern.MULTILINE);

    private final Optional<Credentials> htpasswd;
    private final Optional<TokenServer> tokenServer;
    private Optional<Proxy> proxy;
    private Distribution distribution = Distribution.DEFAULT;
    private String renderedConfig = "";

    /** The distribution builds the lab has, each with the layout of its official image. */
    public enum Distribution {
        /** Debian's docker-registry 2.8 ({@link #IMAGE}); config in /etc/docker/registry. No {@code proxy.ttl}. */
        V2_8(IMAGE, "/etc/docker/registry"),
        /** distribution 3.x from Go modules ({@code imagecache-lab/registry:3}); config in /etc/distribution. */
        V3(DockerImageName.parse(System.getProperty("imagecache.lab.registry3Image", "imagecache-lab/registry:3")),
                "/etc/distribution");

        /** {@code -Dimagecache.lab.distribution=3} runs every registry that does not choose on 3.x. */
        public static final Distribution DEFAULT =
                "3".equals(System.getProperty("imagecache.lab.distribution", "2.8").strip()) ? V3 : V2_8;

        private final DockerImageName image;
        private final String configDir;

        Distribution(DockerImageName image, String configDir) {
            this.image = image;
            this.configDir = configDir;
        }

        public DockerImageName image() {
            return image;
        }

        /** The directory of config.yml in this image (the htpasswd file and token certificate go there too). */
        public String configDir() {
            return configDir;
        }

        /** Where this image's entrypoint reads its config ({@code serve <this>}). */
        public String configFile() {
            return configDir + "/config.yml";
        }

        /** Whether {@code proxy.ttl} exists (3.0+; 2.8 hard-codes 168h). */
        public boolean hasProxyTtl() {
            return this == V3;
        }
    }

    /** Username and password a client uses against this registry (the basic ones for token auth too). */
    public record Credentials(String username, String password) {
        public Credentials {
            LabSecrets.registerCredentials(username, password);
        }

        @Override
        public String toString() {
            return "Credentials[" + username + ", ****]";
        }
    }

    /**
     * Where a pull-through cache fetches from, optional credentials for it, and the optional {@code proxy.ttl}
     * (a Go duration such as {@code 1h}; distribution 3 only).
     */
    public record Proxy(String remoteUrl, Optional<Credentials> credentials, Optional<String> ttl) {
        public Proxy(String remoteUrl, Optional<Credentials> credentials) {
            this(remoteUrl, credentials, Optional.empty());
        }
    }

    /** One access-log line: method, path without the query string, status. */
    public record Request(String method, String path, int status) {}

    private LocalRegistry(Optional<Credentials> htpasswd, Optional<TokenServer> token, Optional<Proxy> proxy) {
        super(Distribution.DEFAULT.image());
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

    /** Starts this registry on {@code network} (as a lab host sees it) and returns it. */
    public LocalRegistry startedOn(io.imagecache.lab.LabNetwork network) {
        withNetwork(network.network());
        start();
        return self();
    }

    /** Runs this registry on {@code distribution}'s image, with that image's config layout. Before start only. */
    public LocalRegistry withDistribution(Distribution distribution) {
        this.distribution = distribution;
        setDockerImageName(distribution.image().asCanonicalNameString());
        return self();
    }

    /**
     * Sets {@code proxy.ttl} (a Go duration, e.g. {@code 1h}; {@code 0} disables expiry) on a {@link #proxy}; needs
     * {@link Distribution#V3}, which start checks. Before start only.
     */
    public LocalRegistry withProxyTtl(String ttl) {
        Proxy p = proxy.orElseThrow(() -> new IllegalStateException("proxy.ttl is for a pull-through cache (LocalRegistry.proxy)"));
        proxy = Optional.of(new Proxy(p.remoteUrl(), p.credentials(), Optional.of(ttl)));
        return self();
    }

    /** The distribution build this registry runs. */
    public Distribution distribution() {
        return distribution;
    }

    @Override
    protected void configure() {
        if (proxy.flatMap(Proxy::ttl).isPresent() && !distribution.hasProxyTtl()) {
            throw new IllegalStateException("distribution " + distribution + " has no proxy.ttl (it came with 3.0; 2.8 keeps "
                    + "proxied content 168h): use withDistribution(Distribution.V3)");
        }
        Optional<String> realm = tokenServer.map(t -> t.realm(gatewayAddress()));
        String dir = distribution.configDir();
        renderedConfig = RegistryConfig.render(dir, htpasswd.isPresent(), realm, proxy);
        withCopyToContainer(Transferable.of(renderedConfig, 0644), distribution.configFile());
        htpasswd.ifPresent(c -> withCopyToContainer(
                Transferable.of(HostTools.htpasswdLine(c.username(), c.password()), 0644), RegistryConfig.htpasswd(dir)));
        tokenServer.ifPresent(t -> withCopyToContainer(Transferable.of(t.certificatePem(), 0644), RegistryConfig.rootCerts(dir)));
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
