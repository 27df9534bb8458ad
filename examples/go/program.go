package main

import (
	"github.com/imagecache/pulumi-imagecache/sdk/go/imagecache"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Inputs is what the stack is given: the registry host's address, the SSH key that reaches it, and
// when garbage collection runs.
type Inputs struct {
	Host       string
	SSHKey     string
	GcSchedule string
}

// Program declares the stack's resources with the generated Go SDK (package imagecache).
func Program(in Inputs) pulumi.RunFunc {
	return func(ctx *pulumi.Context) error {
		registryHost := imagecache.ConnectionArgs{
			Host:       pulumi.String(in.Host),
			PrivateKey: pulumi.ToSecret(pulumi.String(in.SSHKey)).(pulumi.StringOutput),
		}

		// The maintenance cron file of one registry proxy.
		ghcr, err := imagecache.NewMaintenanceSchedule(ctx, "ghcrMaintenance", &imagecache.MaintenanceScheduleArgs{
			Connection:    registryHost,
			ContainerName: pulumi.String("registry-ghcr"),
			UpstreamUrl:   pulumi.String("https://ghcr.io"),
			GcSchedule:    pulumi.String(in.GcSchedule),
		})
		if err != nil {
			return err
		}
		ctx.Export("cronFile", ghcr.CronFile)
		ctx.Export("content", ghcr.Content)

		// The PullThroughCache component is declared here, as one more block.
		return nil
	}
}
