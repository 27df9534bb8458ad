// The driver: runs `program` as an inline Automation API program through the Pulumi CLI on PATH (the
// engine starts with --client and talks to this process; no Node.js language host is needed).
//
//   ts-node main.ts preview|up|refresh|destroy
//
// Environment: IMAGECACHE_EXAMPLE_STACK, IMAGECACHE_EXAMPLE_PROJECT, IMAGECACHE_EXAMPLE_HOST,
// IMAGECACHE_EXAMPLE_GC_SCHEDULE (default "0 3 * * 0"), IMAGECACHE_EXAMPLE_REGISTRY_IMAGE,
// IMAGECACHE_EXAMPLE_DOCKER_UPSTREAM, IMAGECACHE_EXAMPLE_QUAY_UPSTREAM, IMAGECACHE_EXAMPLE_QUAY_PORT (default 5020),
// IMAGECACHE_EXAMPLE_NODES (node addresses, comma-separated) and IMAGECACHE_EXAMPLE_SSH_KEY_FILE (a file: the key is never on a command line or in the environment);
// the backend, passphrase and plugin settings come from the usual PULUMI_* variables.
// The engine's progress goes to stdout, then one line `IMAGECACHE_RESULT {"outputs":...,"changes":...}`.
import * as fs from "fs";
import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { program } from "./program";

async function main(command: string): Promise<void> {
    const env = (name: string): string => {
        const value = process.env[name];
        if (!value) {
            throw new Error(`${name} is not set`);
        }
        return value;
    };
    const stack = await LocalWorkspace.createOrSelectStack({
        stackName: env("IMAGECACHE_EXAMPLE_STACK"),
        projectName: env("IMAGECACHE_EXAMPLE_PROJECT"),
        program: program({
            host: env("IMAGECACHE_EXAMPLE_HOST"),
            sshKey: fs.readFileSync(env("IMAGECACHE_EXAMPLE_SSH_KEY_FILE"), "utf8"),
            gcSchedule: process.env.IMAGECACHE_EXAMPLE_GC_SCHEDULE || "0 3 * * 0",
            registryImage: env("IMAGECACHE_EXAMPLE_REGISTRY_IMAGE"),
            dockerUpstream: env("IMAGECACHE_EXAMPLE_DOCKER_UPSTREAM"),
            quayUpstream: env("IMAGECACHE_EXAMPLE_QUAY_UPSTREAM"),
            quayPort: Number(process.env.IMAGECACHE_EXAMPLE_QUAY_PORT || "5020"),
            nodes: env("IMAGECACHE_EXAMPLE_NODES").split(","),
        }),
    });
    const onOutput = (out: string) => process.stdout.write(out);
    const outputs: Record<string, unknown> = {};
    let changes: Record<string, number> = {};
    switch (command) {
        case "preview": {
            const r = await stack.preview({ onOutput, diff: true });
            changes = r.changeSummary as Record<string, number>;
            break;
        }
        case "up": {
            const r = await stack.up({ onOutput, diff: true });
            for (const [name, v] of Object.entries(r.outputs)) {
                outputs[name] = v.secret ? "[secret]" : v.value;
            }
            changes = (r.summary.resourceChanges ?? {}) as Record<string, number>;
            break;
        }
        case "refresh": {
            const r = await stack.refresh({ onOutput });
            changes = (r.summary.resourceChanges ?? {}) as Record<string, number>;
            break;
        }
        case "destroy": {
            const r = await stack.destroy({ onOutput });
            changes = (r.summary.resourceChanges ?? {}) as Record<string, number>;
            break;
        }
        default:
            throw new Error(`unknown command ${command} (preview, up, refresh, destroy)`);
    }
    process.stdout.write(`IMAGECACHE_RESULT ${JSON.stringify({ outputs, changes })}\n`);
}

main(process.argv[2] ?? "").catch((err) => {
    console.error(`error: ${err instanceof Error ? err.message : err}`);
    process.exit(1);
});
