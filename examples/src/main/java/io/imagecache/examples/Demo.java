package io.imagecache.examples;

import io.imagecache.lab.DockerHost;
import io.imagecache.lab.LabNetwork;
import io.imagecache.lab.NodeHost;
import io.imagecache.lab.registry.ImageSeeder;
import io.imagecache.lab.registry.LocalRegistry;
import io.imagecache.maintenance.MaintenanceCron;
import org.testcontainers.containers.Container.ExecResult;

/**
 * {@code make demo}: the main job on the local lab. A Docker host stands in for the registry VM, a
 * containerd 2.x node for a Kubernetes node, and two local registries for docker.io and ghcr.io.
 * The Pulumi CLI applies examples/pull-through-cache (proxies, their cron files, the node's
 * containerd) and examples/resolve-digest, and the demo shows what each step did on the hosts.
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
        say("Starting the lab: a registry VM (Docker host), a containerd 2.x node, and local stand-ins for docker.io and ghcr.io");
        try (LabNetwork network = LabNetwork.create();
             DockerHost vm = new DockerHost(network);
             NodeHost node = NodeHost.containerd2(network);
             LocalRegistry dockerHub = LocalRegistry.plain();
             LocalRegistry ghcr = LocalRegistry.plain()) {
            vm.start();
            node.start();
            for (LocalRegistry r : new LocalRegistry[] {dockerHub, ghcr}) {
                r.withNetwork(network.network());
                r.start();
            }
            node.sh("cat >> /root/.ssh/authorized_keys <<'EOF'\n" + vm.rootKey().publicKey() + "\nEOF");
            ImageSeeder.to(dockerHub).dockerImage("library/hello", "1", "hello from the docker.io stand-in");
            ImageSeeder.Pushed app = ImageSeeder.to(ghcr).ociIndex("org/app", "1.0", "app from the ghcr.io stand-in");
            System.out.println("    registry VM " + vm.ip() + ", node " + node.ip() + " (" + node.containerdVersion() + ")");
            System.out.println("    docker.io stand-in " + dockerHub.networkUrl() + ", ghcr.io stand-in " + ghcr.networkUrl());

            try (PulumiCli cli = PulumiCli.forExample("pull-through-cache", "demo")) {
                cli.config("registryHost", vm.ip()).config("node", node.ip())
                        .secretConfig("sshKey", vm.rootKey().privateKey()).config("image", DockerHost.REGISTRY_IMAGE)
                        .config("dockerUpstream", dockerHub.networkUrl()).config("ghcrUpstream", ghcr.networkUrl());
                say("examples/pull-through-cache: pulumi preview --diff");
                show(cli.preview().assertOk().stdout());
                say("pulumi up");
                show(cli.up().assertOk().stdout());

                say("On the registry VM: the proxies and a cron file");
                show(vm.docker("ps", "--format", "{{.Names}}  {{.Image}}  {{.Ports}}"));
                show(vm.readFile("/etc/cron.d/imagecache-registry-ghcr"));
                say("On the node: hosts.toml for ghcr.io, and containerd's CRI plugins");
                show(node.readFile("/etc/containerd/certs.d/ghcr.io/hosts.toml"));
                show(node.sh("ctr plugins ls | grep -E 'cri|STATUS'"));

                say("crictl pull on the node: each registry through its own proxy");
                for (String image : new String[] {"docker.io/library/hello:1", "ghcr.io/org/app:1.0"}) {
                    ExecResult r = node.crictl("pull", image);
                    System.out.println("    crictl pull " + image + ": " + (r.getExitCode() == 0 ? r.getStdout().strip() : r.getStderr().strip()));
                }
                show(vm.sh("ls /var/lib/imagecache/*/docker/registry/v2/repositories/*"));

                say("Changing the restart schedule of both proxies: the preview names the property and the cron lines");
                cli.config("restartSchedule", "15 * * * *");
                show(cli.preview().assertOk().stdout());
                cli.up().assertOk();

                say("The maintenance jobs, run as cron would run them");
                runJob(vm, "/etc/cron.d/imagecache-registry-ghcr", "docker restart");
                runJob(vm, "/etc/cron.d/imagecache-registry-ghcr", "garbage-collect");
                show(vm.readFile("/var/log/imagecache-registry-ghcr.log"));

                try (PulumiCli rd = PulumiCli.forExample("resolve-digest", "demo")) {
                    say("examples/resolve-digest: pin ghcr.io/org/app:1.0 for linux/arm64 through the ghcr proxy");
                    rd.config("image", "ghcr.io/org/app:1.0").config("registryUrl", cli.output("ghcrEndpoint"))
                            .config("platform", "linux/arm64/v8").secretConfig("password", "");
                    rd.up().assertOk();
                    System.out.println("    pinned: " + rd.output("pinned"));
                    System.out.println("    pushed: ghcr.io/org/app@" + app.platformDigests().get("linux/arm64/v8"));
                    rd.destroy().assertOk();
                }

                say("pulumi destroy (the cached data stays on the registry VM)");
                show(cli.destroy().assertOk().stdout());
                show(vm.sh("du -sh /var/lib/imagecache/* 2>/dev/null; true"));
            }
            say("Done. The lab containers are removed.");
        }
    }

    private static void runJob(DockerHost host, String cronFile, String marker) {
        String line = host.readFile(cronFile).lines().filter(l -> !l.startsWith("#") && l.contains(marker)).findFirst().orElseThrow();
        host.exec("sh", "-c", MaintenanceCron.asCronRunsIt(line.split("\\s+root\\s+", 2)[1]));
    }
}
