"""The driver: runs `program` as an inline Automation API program through the Pulumi CLI on PATH (the
engine starts with --client and talks to this process; no Python language host is needed).

    python main.py preview|up|refresh|destroy

Environment: IMAGECACHE_EXAMPLE_STACK, IMAGECACHE_EXAMPLE_PROJECT, IMAGECACHE_EXAMPLE_HOST,
IMAGECACHE_EXAMPLE_GC_SCHEDULE (default "0 3 * * 0"), IMAGECACHE_EXAMPLE_REGISTRY_IMAGE,
IMAGECACHE_EXAMPLE_DOCKER_UPSTREAM, IMAGECACHE_EXAMPLE_QUAY_UPSTREAM, IMAGECACHE_EXAMPLE_QUAY_PORT (default 5020),
IMAGECACHE_EXAMPLE_NODES (node addresses, comma-separated) and IMAGECACHE_EXAMPLE_SSH_KEY_FILE (a file: the key is never on a command line or in the environment);
the backend, passphrase and plugin settings come from the usual PULUMI_* variables.
The engine's progress goes to stdout, then one line `IMAGECACHE_RESULT {"outputs":...,"changes":...}`.
"""
import json
import os
import sys
from typing import Any, Dict, Mapping, Optional

from pulumi import automation as auto

from program import Inputs, program


def _counts(summary: Optional[Mapping[Any, int]]) -> Dict[str, int]:
    """Operation -> count, with the operation as its plain name ("create"), enum or not."""
    return {str(getattr(op, "value", op)): n for op, n in (summary or {}).items()}


def main(command: str) -> None:
    with open(os.environ["IMAGECACHE_EXAMPLE_SSH_KEY_FILE"], encoding="utf-8") as f:
        key = f.read()
    stack = auto.create_or_select_stack(
        stack_name=os.environ["IMAGECACHE_EXAMPLE_STACK"],
        project_name=os.environ["IMAGECACHE_EXAMPLE_PROJECT"],
        program=program(Inputs(host=os.environ["IMAGECACHE_EXAMPLE_HOST"], ssh_key=key,
                               gc_schedule=os.environ.get("IMAGECACHE_EXAMPLE_GC_SCHEDULE") or "0 3 * * 0",
                               registry_image=os.environ["IMAGECACHE_EXAMPLE_REGISTRY_IMAGE"],
                               docker_upstream=os.environ["IMAGECACHE_EXAMPLE_DOCKER_UPSTREAM"],
                               quay_upstream=os.environ["IMAGECACHE_EXAMPLE_QUAY_UPSTREAM"],
                               quay_port=int(os.environ.get("IMAGECACHE_EXAMPLE_QUAY_PORT") or "5020"),
                               nodes=tuple(os.environ["IMAGECACHE_EXAMPLE_NODES"].split(",")))),
    )

    def on_output(line: str) -> None:
        print(line, flush=True)

    outputs: Dict[str, Any] = {}
    changes: Dict[str, int] = {}
    if command == "preview":
        p = stack.preview(on_output=on_output, diff=True)
        changes = _counts(p.change_summary)
    elif command == "up":
        u = stack.up(on_output=on_output, diff=True)
        outputs = {name: "[secret]" if v.secret else v.value for name, v in u.outputs.items()}
        changes = _counts(u.summary.resource_changes)
    elif command == "refresh":
        r = stack.refresh(on_output=on_output)
        changes = _counts(r.summary.resource_changes)
    elif command == "destroy":
        d = stack.destroy(on_output=on_output)
        changes = _counts(d.summary.resource_changes)
    else:
        raise SystemExit(f"unknown command {command} (preview, up, refresh, destroy)")
    print("IMAGECACHE_RESULT " + json.dumps({"outputs": outputs, "changes": changes}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
