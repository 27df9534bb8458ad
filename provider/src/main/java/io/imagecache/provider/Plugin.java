package io.imagecache.provider;

import io.imagecache.component.PullThroughCache;
import io.imagecache.registry.RegistryClient;
import io.imagecache.resources.ContainerdMirror;
import io.imagecache.resources.DefaultCredentials;
import io.imagecache.resources.MaintenanceSchedule;
import io.imagecache.resources.RegistryProxy;
import io.imagecache.resources.RegistryVm;
import io.imagecache.resources.RegistryVmCloudInit;
import io.imagecache.resources.ResolveDigest;
import io.imagecache.schema.SchemaGenerator;
import io.imagecache.spi.ComponentResource;
import io.imagecache.spi.CustomResource;
import io.imagecache.spi.ProviderFunction;
import io.imagecache.ssh.RemoteHostFactory;
import io.imagecache.ssh.jsch.JschRemoteHostFactory;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Every resource and function of the package, wired by hand. The one place that lists them. */
public final class Plugin {
    public static final String NAME = "imagecache";

    private final List<CustomResource<?, ?>> resources;
    private final List<ProviderFunction<?, ?>> functions;
    private final List<ComponentResource<?, ?>> components = List.of(new PullThroughCache());

    private Plugin(RemoteHostFactory hosts, RegistryClient registry) {
        this.resources = List.of(
                new MaintenanceSchedule(hosts, DefaultCredentials.fromEnvironment()),
                new ContainerdMirror(hosts, DefaultCredentials.fromEnvironment(), Clock.systemUTC()),
                new RegistryProxy(hosts, DefaultCredentials.fromEnvironment(), registry),
                new RegistryVm(hosts, DefaultCredentials.fromEnvironment()));
        this.functions = List.of(new ResolveDigest(registry), new RegistryVmCloudInit());
    }

    public static Plugin create() {
        return new Plugin(new JschRemoteHostFactory(), RegistryClient.create());
    }

    /** For tests: the same resources over a different (fake) SSH layer. */
    public static Plugin create(RemoteHostFactory hosts) {
        return new Plugin(hosts, RegistryClient.create());
    }

    public List<CustomResource<?, ?>> resources() {
        return resources;
    }

    public List<ProviderFunction<?, ?>> functions() {
        return functions;
    }

    public List<ComponentResource<?, ?>> components() {
        return components;
    }

    public static String version() {
        try (InputStream in = Plugin.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("version.properties is missing from the provider jar", e);
        }
    }

    /**
     * The schema as the jar carries it: the committed schema.json (ProviderSchemaTest keeps it equal to {@link #schema()}),
     * so GetSchema answers without generating it in a cold JVM. Empty when the jar has none (a build from the
     * sources alone).
     */
    public static java.util.Optional<String> packagedSchema() {
        try (InputStream in = Plugin.class.getResourceAsStream("schema.json")) {
            return in == null ? java.util.Optional.empty()
                    : java.util.Optional.of(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
    }

    /** The schema generated from the resources', functions' and components' code (what `make schema` writes). */
    public String schema() {
        Map<String, Object> language = new LinkedHashMap<>();
        language.put("java", Map.of(
                "buildFiles", "none",
                "dependencies", Map.of("com.pulumi:pulumi", "1.17.0")));
        // sdk/nodejs is compiled with TypeScript 5 and sdk/python packaged from a pyproject.toml (scripts/gen-sdks.sh).
        language.put("nodejs", Map.of("packageName", "@imagecache/pulumi", "respectSchemaVersion", true,
                "typescriptVersion", "^5.9.0"));
        language.put("python", Map.of("packageName", "pulumi_imagecache", "respectSchemaVersion", true,
                "pyproject", Map.of("enabled", true)));
        language.put("go", Map.of("importBasePath", "github.com/imagecache/pulumi-imagecache/sdk/go/imagecache",
                "respectSchemaVersion", true));
        SchemaGenerator.PackageInfo info = new SchemaGenerator.PackageInfo(NAME, version(), "imagecache",
                "Container image pull-through caches for Kubernetes: one Registry v2 proxy per upstream registry, "
                        + "their maintenance jobs, and every node's containerd pointed at them through hosts.toml.",
                "https://github.com/imagecache/pulumi-imagecache", "https://github.com/imagecache/pulumi-imagecache",
                "Apache-2.0", "imagecache", List.of("pulumi", "containerd", "registry", "kubernetes", "cache", "kind/native"),
                language);
        return new SchemaGenerator(info).generate(resources, functions, components);
    }
}
