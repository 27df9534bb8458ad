import * as pulumi from "@pulumi/pulumi";
import * as imagecache from "@imagecache/pulumi";

/** What the stack is given: the registry host's address and the SSH key that reaches it. */
export interface Inputs {
    host: string;
    sshKey: string;
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
            gcSchedule: "0 3 * * 0",
        });

        // The PullThroughCache component is declared here, as one more block.

        return { cronFile: ghcr.cronFile, content: ghcr.content };
    };
}
