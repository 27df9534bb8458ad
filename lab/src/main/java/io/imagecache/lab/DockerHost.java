package io.imagecache.lab;

import com.github.dockerjava.api.command.InspectContainerResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.testcontainers.containers.Container.ExecResult;

/**
 * A lab host running its own dockerd (Docker in Docker): the "registry VM" the provider manages
 * over SSH. After start {@link #REGISTRY_IMAGE} is loaded into the inner daemon (nothing can be
 * pulled), so {@code docker run imagecache-lab/registry:2.8} works on it; {@code loadImage(REGISTRY3_IMAGE)}
 * adds distribution 3. Containers it runs with {@code -p PORT:5000} answer on {@link #ip()}:PORT.
 */
public final class DockerHost extends LabHost {
    public static final String REGISTRY_IMAGE = "imagecache-lab/registry:2.8";
    /** distribution 3 (Go modules), config at /etc/distribution/config.yml; not loaded unless asked for. */
    public static final String REGISTRY3_IMAGE = "imagecache-lab/registry:3";
    /** The tarballs lab/images/build.sh saves under $IMAGECACHE_CACHE/lab (docker load is faster than save | load). */
    private static final Map<String, String> SAVED = Map.of(REGISTRY_IMAGE, "registry-2.8.tar", REGISTRY3_IMAGE, "registry-3.tar");

    public DockerHost(LabNetwork network) {
        super(network, Role.DOCKER);
    }

    @Override
    protected void containerIsStarted(InspectContainerResponse info) {
        super.containerIsStarted(info);
        loadImage(REGISTRY_IMAGE);
    }

    /**
     * Copies {@code image} from the outer Docker daemon into the inner one. For the registry images the
     * tarballs saved by lab/images/build.sh ({@code $IMAGECACHE_CACHE/lab/registry-2.8.tar} and {@code registry-3.tar},
     * default {@code ~/.cache/imagecache}) are used when present; otherwise {@code docker save | docker exec -i ... docker load}.
     */
    public void loadImage(String image) {
        String cache = System.getenv("IMAGECACHE_CACHE");
        Path saved = (cache == null || cache.isBlank() ? Path.of(System.getProperty("user.home"), ".cache", "imagecache")
                : Path.of(cache)).resolve("lab").resolve(SAVED.getOrDefault(image, "none"));
        List<String> load = List.of("docker", "exec", "-i", getContainerId(), "docker", "load", "-q");
        try {
            Process p;
            if (SAVED.containsKey(image) && Files.isRegularFile(saved)) {
                p = new ProcessBuilder(load).redirectInput(saved.toFile()).redirectErrorStream(true).start();
            } else {
                List<Process> pipe = ProcessBuilder.startPipeline(List.of(
                        new ProcessBuilder("docker", "save", image).redirectError(ProcessBuilder.Redirect.DISCARD),
                        new ProcessBuilder(load).redirectErrorStream(true)));
                p = pipe.get(1);
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IllegalStateException("loading " + image + " into " + getContainerName() + " failed: " + out.strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run the docker CLI to load " + image, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (exec("docker", "image", "inspect", image).getExitCode() != 0) {
            throw new IllegalStateException(image + " is not in the inner dockerd of " + getContainerName() + " after docker load");
        }
    }

    /** Runs the inner {@code docker} with {@code args} and returns stdout; fails unless it exits 0. */
    public String docker(String... args) {
        List<String> cmd = new ArrayList<>(List.of("docker"));
        cmd.addAll(List.of(args));
        ExecResult r = exec(cmd.toArray(String[]::new));
        if (r.getExitCode() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " on " + getContainerName() + " exited "
                    + r.getExitCode() + ": " + r.getStderr().strip());
        }
        return r.getStdout();
    }
}
