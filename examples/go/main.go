// The driver: runs Program as an inline Automation API program through the Pulumi CLI on PATH
// (the engine starts with --client and talks to this process; no Go language host is needed).
//
//	go run . preview|up|refresh|destroy
//
// Environment: IMAGECACHE_EXAMPLE_STACK, IMAGECACHE_EXAMPLE_PROJECT, IMAGECACHE_EXAMPLE_HOST,
// IMAGECACHE_EXAMPLE_GC_SCHEDULE (default "0 3 * * 0"), IMAGECACHE_EXAMPLE_REGISTRY_IMAGE,
// IMAGECACHE_EXAMPLE_DOCKER_UPSTREAM, IMAGECACHE_EXAMPLE_QUAY_UPSTREAM, IMAGECACHE_EXAMPLE_QUAY_PORT (default 5020),
// IMAGECACHE_EXAMPLE_NODES (node addresses, comma-separated) and IMAGECACHE_EXAMPLE_SSH_KEY_FILE (a file: the key is never on a command line or in the environment);
// the backend, passphrase and plugin settings come from the usual PULUMI_* variables.
// The engine's progress goes to stdout, then one line `IMAGECACHE_RESULT {"outputs":...,"changes":...}`.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: example preview|up|refresh|destroy")
	}
	key, err := os.ReadFile(os.Getenv("IMAGECACHE_EXAMPLE_SSH_KEY_FILE"))
	if err != nil {
		return err
	}
	ctx := context.Background()
	gc := os.Getenv("IMAGECACHE_EXAMPLE_GC_SCHEDULE")
	if gc == "" {
		gc = "0 3 * * 0"
	}
	quayPort := 5020
	if p := os.Getenv("IMAGECACHE_EXAMPLE_QUAY_PORT"); p != "" {
		if quayPort, err = strconv.Atoi(p); err != nil {
			return err
		}
	}
	program := Program(Inputs{Host: os.Getenv("IMAGECACHE_EXAMPLE_HOST"), SSHKey: string(key), GcSchedule: gc,
		RegistryImage:  os.Getenv("IMAGECACHE_EXAMPLE_REGISTRY_IMAGE"),
		DockerUpstream: os.Getenv("IMAGECACHE_EXAMPLE_DOCKER_UPSTREAM"),
		QuayUpstream:   os.Getenv("IMAGECACHE_EXAMPLE_QUAY_UPSTREAM"),
		QuayPort:       quayPort,
		Nodes:          strings.Split(os.Getenv("IMAGECACHE_EXAMPLE_NODES"), ","),
	})
	stack, err := auto.UpsertStackInlineSource(ctx, os.Getenv("IMAGECACHE_EXAMPLE_STACK"),
		os.Getenv("IMAGECACHE_EXAMPLE_PROJECT"), program)
	if err != nil {
		return err
	}
	outputs := map[string]any{}
	changes := map[string]int{}
	switch args[0] {
	case "preview":
		r, err := stack.Preview(ctx, optpreview.ProgressStreams(os.Stdout), optpreview.Diff())
		if err != nil {
			return err
		}
		for op, n := range r.ChangeSummary {
			changes[string(op)] = n
		}
	case "up":
		r, err := stack.Up(ctx, optup.ProgressStreams(os.Stdout), optup.Diff())
		if err != nil {
			return err
		}
		for name, v := range r.Outputs {
			if v.Secret {
				outputs[name] = "[secret]"
			} else {
				outputs[name] = v.Value
			}
		}
		if r.Summary.ResourceChanges != nil {
			changes = *r.Summary.ResourceChanges
		}
	case "refresh":
		r, err := stack.Refresh(ctx, optrefresh.ProgressStreams(os.Stdout))
		if err != nil {
			return err
		}
		if r.Summary.ResourceChanges != nil {
			changes = *r.Summary.ResourceChanges
		}
	case "destroy":
		r, err := stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stdout))
		if err != nil {
			return err
		}
		if r.Summary.ResourceChanges != nil {
			changes = *r.Summary.ResourceChanges
		}
	default:
		return fmt.Errorf("unknown command %q (preview, up, refresh, destroy)", args[0])
	}
	result, err := json.Marshal(map[string]any{"outputs": outputs, "changes": changes})
	if err != nil {
		return err
	}
	fmt.Printf("IMAGECACHE_RESULT %s\n", result)
	return nil
}
