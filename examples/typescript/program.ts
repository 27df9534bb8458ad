import * as pulumi from "@pulumi/pulumi";
import * as imagecache from "@imagecache/pulumi";

/** What the stack is given: the registry host's address, the SSH key that reaches it, and when garbage collection runs. */
export interface Inputs {
    host: string;
    sshKey: string;
    gcSchedule: string;
}

/** Declares the stack's resources with the generated TypeScript SDK (@imagecache/pulumi). */
export function program(inputs: Inputs): () => Promise<Record<string, pulumi.Output<string>>> {
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

        // The PullThroughCache component is declared here, as one more block.

        return { cronFile: ghcr.cronFile, content: ghcr.content };
    };
}
