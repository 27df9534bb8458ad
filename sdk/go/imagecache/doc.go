// Container image pull-through caches for Kubernetes: one Registry v2 proxy per upstream registry, their maintenance jobs, and every node's containerd pointed at them through hosts.toml.
package imagecache
