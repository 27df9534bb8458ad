"""The stack's resources, declared with the generated Python SDK (pulumi_imagecache)."""
from dataclasses import dataclass
from typing import Callable

import pulumi
import pulumi_imagecache as imagecache


@dataclass(frozen=True)
class Inputs:
    """What the stack is given: the registry host's address, the SSH key that reaches it, and when
    garbage collection runs."""

    host: str
    ssh_key: str
    gc_schedule: str = "0 3 * * 0"


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

        # The PullThroughCache component is declared here, as one more block.

    return declare
