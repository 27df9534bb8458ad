package io.imagecache.resources;

import io.imagecache.registry.Credentials;
import io.imagecache.registry.ImageRef;
import io.imagecache.registry.Platform;
import io.imagecache.registry.RegistryClient;
import io.imagecache.registry.RegistryException;
import io.imagecache.registry.ResolvedDigest;
import io.imagecache.spi.CheckFailure;
import io.imagecache.spi.Context;
import io.imagecache.spi.Decoded;
import io.imagecache.spi.Prop;
import io.imagecache.spi.ProviderFunction;
import io.imagecache.spi.ResourceException;
import io.imagecache.spi.ResourceType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

@ResourceType(token = "imagecache:index:resolveDigest",
        description = "Resolves an image tag to its manifest digest through the Registry HTTP API v2 (Bearer token "
                + "challenges and Basic auth included), so a deployment can pin `image@sha256:...` instead of a tag a "
                + "pull-through cache may serve stale. Ask the upstream (default) or a mirror (`registryUrl`). Optional arguments given as empty strings count as unset.")
public final class ResolveDigest implements ProviderFunction<ResolveDigest.Args, ResolveDigest.Result> {

    public record Args(
            @Prop(description = "The image reference, e.g. `docker.io/library/alpine:3.20`, `ghcr.io/org/app:1.2` or "
                    + "`alpine` (which means `docker.io/library/alpine:latest`).", required = true)
            String image,
            @Prop(description = "Ask this registry instead of the image's own, e.g. a pull-through cache "
                    + "`http://10.0.20.10:5010`. The default is `https://<registry>` (`https://registry-1.docker.io` for docker.io).")
            String registryUrl,
            @Prop(description = "Registry user name, with `password`.")
            String username,
            @Prop(description = "Registry password or token, with `username`.", secret = true)
            String password,
            @Prop(description = "For a multi-platform image, the platform whose manifest to pin, e.g. `linux/amd64` or "
                    + "`linux/arm64/v8`. Without it the digest of the index (what a tag points at) is returned.")
            String platform) {}

    public record Result(
            @Prop(description = "The manifest digest, `sha256:...`.", required = true)
            String digest,
            @Prop(description = "The image pinned by digest with its own registry name, e.g. "
                    + "`docker.io/library/alpine@sha256:...`.", required = true)
            String pinned,
            @Prop(description = "The manifest's media type (an index or list when no platform was asked for and the "
                    + "image is multi-platform).", required = true)
            String mediaType) {}

    private final RegistryClient registry;

    public ResolveDigest(RegistryClient registry) {
        this.registry = registry;
    }

    @Override
    public Class<Args> argsType() {
        return Args.class;
    }

    @Override
    public Class<Result> resultType() {
        return Result.class;
    }

    /** Empty strings count as unset, so programs can pass optional values straight from config. */
    static Args normalized(Args a) {
        return new Args(a.image(), blankToNull(a.registryUrl()), blankToNull(a.username()), blankToNull(a.password()),
                blankToNull(a.platform()));
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Override
    public List<CheckFailure> check(Decoded<Args> d) {
        Args a = normalized(d.value());
        List<CheckFailure> out = new ArrayList<>();
        if (a.image() != null) {
            try {
                ImageRef.parse(a.image());
            } catch (IllegalArgumentException e) {
                out.add(new CheckFailure("image", e.getMessage()));
            }
        }
        if (a.registryUrl() != null && !Validation.isHttpUrl(a.registryUrl())) {
            out.add(new CheckFailure("registryUrl", "must be an http(s) URL of a registry, e.g. http://10.0.20.10:5010"));
        }
        if ((a.username() == null) != (a.password() == null)) {
            out.add(new CheckFailure(a.username() == null ? "username" : "password",
                    "give both username and password, or neither"));
        } else if (a.username() != null) {
            try {
                new Credentials(a.username(), a.password());
            } catch (IllegalArgumentException e) {
                out.add(new CheckFailure("username", e.getMessage()));
            }
        }
        if (a.platform() != null) {
            try {
                Platform.parse(a.platform());
            } catch (IllegalArgumentException e) {
                out.add(new CheckFailure("platform", e.getMessage()));
            }
        }
        return out;
    }

    @Override
    public Result invoke(Args args, Context ctx) throws ResourceException {
        Args a = normalized(args);
        ImageRef ref = ImageRef.parse(a.image());
        Optional<Credentials> creds = a.username() == null ? Optional.empty()
                : Optional.of(new Credentials(a.username(), a.password()));
        Optional<Platform> platform = Optional.ofNullable(a.platform()).map(Platform::parse);
        try {
            ResolvedDigest r = registry.resolve(ref, Optional.ofNullable(a.registryUrl()), creds, platform);
            return new Result(r.digest(), r.pinned(), r.mediaType());
        } catch (RegistryException e) {
            ResourceException.Kind kind = switch (e.kind()) {
                case NOT_FOUND -> ResourceException.Kind.NOT_FOUND;
                case UNAUTHORIZED -> ResourceException.Kind.PERMISSION_DENIED;
                case UNREACHABLE, UNAVAILABLE -> ResourceException.Kind.UNAVAILABLE;
                case PROTOCOL -> ResourceException.Kind.FAILED_PRECONDITION;
            };
            throw new ResourceException(kind, e.getMessage(), e);
        }
    }
}
