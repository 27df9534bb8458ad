package io.imagecache.examples;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.registry.ImagePuller;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;

/**
 * {@code make demo}: the examples on the local lab. A Docker host stands in for the registry VM, a
 * local registry stands in for ghcr.io, a distribution proxy runs on the Docker host the seed's way,
 * and the Pulumi CLI applies examples/maintenance-schedule and examples/resolve-digest to them.
 */
public final class Demo {
    private Demo() {}

    private static void say(String s) {
        System.out.println();
        System.out.println("==> " + s);
    }

    private static void show(String text) {
        text.lines().forEach(l -> System.out.println("    " + l));
    }

    public static void main(String[] args) {
        say("Starting the lab: a Docker host (the registry VM) and an upstream registry (standing in for ghcr.io)");
        try (LabNetwork network = LabNetwork.create();
             DockerHost host = new DockerHost(network);
             LocalRegistry upstream = LocalRegistry.plain()) {
            host.start();
            upstream.withNetwork(network.network());
            upstream.start();
            ImageSeeder.Pushed image = ImageSeeder.to(upstream).ociIndex("org/app", "1.0", "demo app");
            System.out.println("    docker host " + host.ip() + ", upstream " + upstream.networkUrl()
                    + " with org/app:1.0 (" + image.digest() + ")");

            say("Running a pull-through proxy on the Docker host the seed's way (registry-ghcr on port 5010)");
            host.writeFile("/etc/docker-registry/ghcr/config.yml", "version: 0.1\nstorage:\n  filesystem:\n"
                    + "    rootdirectory: /var/lib/registry\n  delete:\n    enabled: true\nhttp:\n  addr: :5000\n"
                    + "proxy:\n  remoteurl: " + upstream.networkUrl() + "\n");
            host.docker("run", "-d", "--restart", "always", "--name", "registry-ghcr", "-p", "5010:5000",
                    "-v", "/etc/docker-registry/ghcr/config.yml:/etc/docker/registry/config.yml",
                    "-v", "/var/lib/imagecache/ghcr:/var/lib/registry", DockerHost.REGISTRY_IMAGE);
            String proxy = "http://" + host.ip() + ":5010";
            waitFor(proxy);
            ImagePuller.from(proxy).pull("org/app", "1.0");
            System.out.println("    pulled org/app:1.0 through " + proxy);

            try (PulumiCli ms = PulumiCli.forExample("maintenance-schedule", "demo")) {
                ms.config("host", host.ip()).secretConfig("sshKey", host.rootKey().privateKey())
                        .config("upstreamUrl", upstream.networkUrl());
                say("examples/maintenance-schedule: pulumi preview --diff");
                show(ms.preview().assertOk().stdout());
                say("pulumi up");
                show(ms.up().assertOk().stdout());
                say("The cron file on the Docker host");
                show(host.readFile("/etc/cron.d/imagecache-registry-ghcr"));
                say("Changing the GC schedule: pulumi preview --diff shows exactly that");
                ms.config("gcSchedule", "30 2 * * 6");
                show(ms.preview().assertOk().stdout());
                ms.up().assertOk();
                say("Running the restart job as cron would, with the upstream up, then the GC job");
                runJob(host, "docker restart");
                runJob(host, "garbage-collect");
                show(host.readFile("/var/log/imagecache-registry-ghcr.log"));

                try (PulumiCli rd = PulumiCli.forExample("resolve-digest", "demo")) {
                    say("examples/resolve-digest: pin org/app:1.0 for linux/arm64 through the proxy");
                    rd.config("image", "ghcr.io/org/app:1.0").config("registryUrl", proxy)
                            .config("platform", "linux/arm64/v8").secretConfig("password", "");
                    rd.up().assertOk();
                    System.out.println("    pinned: " + rd.output("pinned"));
                    System.out.println("    pushed: ghcr.io/org/app@" + image.platformDigests().get("linux/arm64/v8"));
                    rd.destroy().assertOk();
                }

                say("Stopping the upstream: the restart job now leaves the proxy alone");
                upstream.stop();
                runJob(host, "docker restart");
                show(host.sh("tail -n 1 /var/log/imagecache-registry-ghcr.log"));
                System.out.println("    proxy still running: " + host.docker("inspect", "-f", "{{.State.Running}}",
                        "registry-ghcr").strip());

                say("pulumi destroy");
                show(ms.destroy().assertOk().stdout());
                System.out.println("    cron file left on the host: "
                        + (host.exec("test", "-e", "/etc/cron.d/imagecache-registry-ghcr").getExitCode() == 0));
            }
            say("Done. The lab containers are removed.");
        }
    }

    private static void runJob(DockerHost host, String marker) {
        String content = host.readFile("/etc/cron.d/imagecache-registry-ghcr");
        String line = content.lines().filter(l -> !l.startsWith("#") && l.contains(marker)).findFirst().orElseThrow();
        String command = line.split("\\s+root\\s+", 2)[1];
        host.exec("sh", "-c", io.imagecache.maintenance.MaintenanceCron.asCronRunsIt(command));
    }

    private static void waitFor(String url) {
        for (int i = 0; i < 100; i++) {
            try {
                java.net.HttpURLConnection c = (java.net.HttpURLConnection) java.net.URI.create(url + "/v2/").toURL().openConnection();
                c.setConnectTimeout(1000);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (java.io.IOException e) {
                // not yet
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException(url + " did not come up");
    }
}
