"""The stack's resources, declared with the generated Python SDK (pulumi_imagecache)."""
from dataclasses import dataclass
from typing import Callable, Tuple

import pulumi
import pulumi_imagecache as imagecache


@dataclass(frozen=True)
class Inputs:
    """What the stack is given: the registry host's address, the SSH key that reaches it (and the nodes),
    when garbage collection runs, and for the pull-through cache its proxies' image, the upstreams' URLs,
    quay's port and the nodes' addresses."""

    host: str
    ssh_key: str
    gc_schedule: str = "0 3 * * 0"
    registry_image: str = "registry:3.0.0"
    docker_upstream: str = "https://registry-1.docker.io"
    quay_upstream: str = "https://quay.io"
    quay_port: int = 5020
    nodes: Tuple[str, ...] = ()


def program(inputs: Inputs) -> Callable[[], None]:
    def declare() -> None:
        registry_host = imagecache.ConnectionArgs(
            host=inputs.host,
            private_key=pulumi.Output.secret(inputs.ssh_key),
        )

        # The maintenance cron file of one registry proxy.
        ghcr = imagecache.MaintenanceSchedule(
            "ghcrMaintenance",
            connection=registry_host,
            container_name="registry-ghcr",
            upstream_url="https://ghcr.io",
            gc_schedule=inputs.gc_schedule,
        )
        pulumi.export("cronFile", ghcr.cron_file)
        pulumi.export("content", ghcr.content)

        # The PullThroughCache component: a proxy and its maintenance per upstream, every node's containerd pointed at them.
        cache = imagecache.PullThroughCache(
            "cache",
            registry_host=registry_host,
            advertise_address=inputs.host,
            image=inputs.registry_image,
            upstreams=[
                imagecache.UpstreamArgs(name="docker", registry="docker.io", remote_url=inputs.docker_upstream, port=5000),
                imagecache.UpstreamArgs(name="quay", registry="quay.io", remote_url=inputs.quay_upstream, port=inputs.quay_port),
            ],
            nodes=[
                imagecache.NodeArgs(connection=imagecache.ConnectionArgs(
                    host=node, private_key=pulumi.Output.secret(inputs.ssh_key)))
                for node in inputs.nodes
            ],
            dial_timeout="1s",
            maintenance=imagecache.MaintenanceArgs(gc_schedule="0 3 * * 0", gc_gap_minutes=30),
        )
        pulumi.export("endpoints", cache.endpoints)
        pulumi.export("nodes", cache.nodes)
        pulumi.export("cronFiles", cache.cron_files)

    return declare
