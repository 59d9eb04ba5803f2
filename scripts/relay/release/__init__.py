"""Blue/green releases on two stack-owned ASG slots with CodeDeploy (docs/adr/0008-*.md).

`release(aws, env, region, bundle_url, ...)` is the entry point other parts (DR) call.
"""

from __future__ import annotations

from relay.release.orchestrate import ReleaseOptions, release

__all__ = ["ReleaseOptions", "release"]
