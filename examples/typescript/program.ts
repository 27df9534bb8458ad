import * as pulumi from "@pulumi/pulumi";
import * as imagecache from "@imagecache/pulumi";

/**
 * What the stack is given: the registry host's address, the SSH key that reaches it (and the nodes), when
 * garbage collection runs, and for the pull-through cache its proxies' image, the upstreams' URLs, quay's
 * port and the nodes' addresses.
 */
export interface Inputs {
    host: string;
    sshKey: string;
    gcSchedule: string;
    registryImage: string;
    dockerUpstream: string;
    quayUpstream: string;
    quayPort: number;
    nodes: string[];
}

/** Declares the stack's resources with the generated TypeScript SDK (@imagecache/pulumi). */
export function program(inputs: Inputs): () => Promise<Record<string, pulumi.Output<unknown>>> {
    return async () => {
        const registryHost: imagecache.types.input.ConnectionArgs = {
            host: inputs.host,
            privateKey: pulumi.secret(inputs.sshKey),
        };

        // The maintenance cron file of one registry proxy.
        const ghcr = new imagecache.MaintenanceSchedule("ghcrMaintenance", {
            connection: registryHost,
            containerName: "registry-ghcr",
            upstreamUrl: "https://ghcr.io",
            gcSchedule: inputs.gcSchedule,
        });

        // The PullThroughCache component: a proxy and its maintenance per upstream, every node's containerd pointed at them.
        const cache = new imagecache.PullThroughCache("cache", {
            registryHost,
            advertiseAddress: inputs.host,
            image: inputs.registryImage,
            upstreams: [
                { name: "docker", registry: "docker.io", remoteUrl: inputs.dockerUpstream, port: 5000 },
                { name: "quay", registry: "quay.io", remoteUrl: inputs.quayUpstream, port: inputs.quayPort },
            ],
            nodes: inputs.nodes.map((node) => ({ connection: { host: node, privateKey: pulumi.secret(inputs.sshKey) } })),
            dialTimeout: "1s",
            maintenance: { gcSchedule: "0 3 * * 0", gcGapMinutes: 30 },
        });

        return {
            cronFile: ghcr.cronFile,
            content: ghcr.content,
            endpoints: cache.endpoints,
            nodes: cache.nodes,
            cronFiles: cache.cronFiles,
        };
    };
}
