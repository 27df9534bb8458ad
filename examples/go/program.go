package main

import (
	"github.com/imagecache/pulumi-imagecache/sdk/go/imagecache"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Inputs is what the stack is given: the registry host's address, the SSH key that reaches it (and the
// nodes), when garbage collection runs, and for the pull-through cache its proxies' image, the upstreams'
// URLs, quay's port and the nodes' addresses.
type Inputs struct {
	Host           string
	SSHKey         string
	GcSchedule     string
	RegistryImage  string
	DockerUpstream string
	QuayUpstream   string
	QuayPort       int
	Nodes          []string
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

		// The PullThroughCache component: a proxy and its maintenance per upstream, every node's containerd pointed at them.
		nodes := imagecache.NodeArray{}
		for _, node := range in.Nodes {
			nodes = append(nodes, imagecache.NodeArgs{Connection: imagecache.ConnectionArgs{
				Host:       pulumi.String(node),
				PrivateKey: pulumi.ToSecret(pulumi.String(in.SSHKey)).(pulumi.StringOutput),
			}})
		}
		cache, err := imagecache.NewPullThroughCache(ctx, "cache", &imagecache.PullThroughCacheArgs{
			RegistryHost:     registryHost,
			AdvertiseAddress: pulumi.String(in.Host),
			Image:            pulumi.String(in.RegistryImage),
			Upstreams: imagecache.UpstreamArray{
				imagecache.UpstreamArgs{Name: pulumi.String("docker"), Registry: pulumi.String("docker.io"),
					RemoteUrl: pulumi.String(in.DockerUpstream), Port: pulumi.Int(5000)},
				imagecache.UpstreamArgs{Name: pulumi.String("quay"), Registry: pulumi.String("quay.io"),
					RemoteUrl: pulumi.String(in.QuayUpstream), Port: pulumi.Int(in.QuayPort)},
			},
			Nodes:       nodes,
			DialTimeout: pulumi.String("1s"),
			Maintenance: imagecache.MaintenanceArgs{GcSchedule: pulumi.String("0 3 * * 0"), GcGapMinutes: pulumi.Int(30)},
		})
		if err != nil {
			return err
		}
		ctx.Export("endpoints", cache.Endpoints)
		ctx.Export("nodes", cache.Nodes)
		ctx.Export("cronFiles", cache.CronFiles)
		return nil
	}
}
