"""The RTO/RPO model: what each step waits for on AWS, and the critical path through the plan.

A plan replaces the typical figures below with the environment's own where the step's wait depends on
it (relay.dr.configured: the slot's warm-up and health checks, the Route 53 health check and record
TTL, whether a step is skipped); these are the figures without an environment. Sources (AWS
documentation; the numbers are gathered in the project's tooling notes):
- RDS read-replica promotion: "several minutes or longer", a reboot included (RDS User Guide,
  "Promoting a read replica"); modelled at 5 minutes.
- Scaling the standby slot: nothing when it serves at production size already; else the launch of
  new instances until the group has them in service (CodeDeploy's EC2 blue/green example provisions
  in 3 min 40 s, relay.release.plan); 3 minutes typical.
- Releasing the live bundle to the standby: nothing when its live slot runs it already (the usual
  case: `relay release promote-standby` keeps it there); otherwise the plan takes the release team's
  model of a release at the standby's configuration (`relay release --plan`), which is what the step
  runs: a whole blue/green release, the old slot's deregistration delay included.
- Smoke test: the release's three requests, then Route 53 seeing the standby healthy (at once when its
  health check passes already, else interval x failure threshold).
- Route 53: a change is INSYNC on every name server within 60 s, then resolvers keep the old answer
  for the record's TTL (60 s for an alias record).
- Fencing (ADR 0011, addendum): `default_transaction_read_only` is a dynamic parameter, which RDS
  applies without a reboot ("applied immediately", RDS User Guide, "Working with parameter groups");
  modelled at 10 s until the instance reports its parameter group `in-sync`. The old slots, scaled to
  0 at the same time, leave service within a minute (the 30 s deregistration delay, then shutdown):
  50 s more, beside the promotion. Failback resets the parameter in seconds.
- Counting the orders lost: two read-only queries, one per region, on the orders of the last hour;
  seconds, outside the RTO.
- Recording the outcome in the stacks: a change set on each root stack, ~2 minutes for slot sizes, ~5
  for the new primary's (its database is modified: managed secret, backups); after recovery, outside
  the RTO.
- Re-protecting: a final snapshot and delete of the old writer, ~10 minutes; creating a cross-region
  replica copies a snapshot across regions, modelled at 15 minutes for a small database.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

DNS_TTL_SECONDS = 60
DNS_PROPAGATION_SECONDS = 60

TYPICAL_SECONDS: dict[str, float] = {
    "fence-writers": 10,
    "drain-old-slots": 50,
    "promote-replica": 300,
    "point-app-at-db": 10,
    "scale-standby-slot": 180,
    "release-live-bundle": 0,  # the no-op; the plan records the release's modelled time when one is due
    "smoke-test": 30,
    "move-dns": DNS_PROPAGATION_SECONDS + DNS_TTL_SECONDS,
    "verify": 30,
    "count-lost-orders": 10,
    "record-old-region": 120,
    "record-new-primary": 300,
    "retire-old-writer": 600,
    "create-replica": 900,
    "lift-read-only": 10,
    "wait-replicating": 60,
    "warm-old-slot": 180,
}
RTO_TARGET_SECONDS = 600


@dataclass(frozen=True)
class Node:
    """A step as the model sees it: its name, what must finish first, its typical duration."""

    name: str
    after: tuple[str, ...]
    seconds: float


def critical_path(nodes: Iterable[Node]) -> tuple[float, list[str], dict[str, float]]:
    """Earliest finish of every step when independent steps overlap; the RTO is the latest finish.

    Returns (modelled RTO, the steps on the critical path in order, earliest start per step).
    """
    by_name = {node.name: node for node in nodes}
    finish: dict[str, float] = {}
    start: dict[str, float] = {}

    def earliest_finish(name: str) -> float:
        if name not in finish:
            node = by_name[name]
            start[name] = max((earliest_finish(dep) for dep in node.after if dep in by_name), default=0.0)
            finish[name] = start[name] + node.seconds
        return finish[name]

    for name in by_name:
        earliest_finish(name)
    if not finish:
        return 0.0, [], {}
    last = max(finish, key=lambda name: finish[name])
    path = [last]
    while True:
        deps = [dep for dep in by_name[path[-1]].after if dep in by_name]
        if not deps:
            break
        path.append(max(deps, key=lambda dep: finish[dep]))
    return finish[last], list(reversed(path)), start


def serial_seconds(nodes: Iterable[Node]) -> float:
    """What the same steps would take one after another: what parallelism saves is the difference."""
    return sum(node.seconds for node in nodes)
