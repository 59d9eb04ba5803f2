"""Benchmark: `relay drift --all` on an account-sized estate under AWS-style API throttling.

Setup: an emulator of our own with 250 root stacks per region, each with one nested child (1,000
stacks in two regions), one child in 25 changed out of band, and the emulator's throttling mode on
(relay_emulator.throttling): a token bucket per account, region and API family, refusing the excess
with `Throttling: Rate exceeded` as AWS does. The scan runs with its defaults (no hand-tuned
--concurrency). Baselines: the same estate without limits (what this host can do at all), and the
scanner one stack at a time, one region after the other, over a sample of roots (it is linear in the
stacks, and a full run would take most of an hour here), scaled to the estate.

The floor is the least time the limits allow: per region and family, the calls the scan cannot do
without (per stack: ListStackResources, DetectStackDrift, one DescribeStackDriftDetectionStatus,
DescribeStackResourceDrifts, GetTemplate; per region one DescribeStacks), less the burst, over the rate;
the slowest family of the slower region sets it. Prints JSON; targets: throughput >= 0.8 of the
floor's, nothing dropped, no changed stack reported in sync.

Run: .venv/bin/python bench/drift_bench.py [--roots-per-region 250] [--sequential-sample 25]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError, WaiterError
from botocore.parsers import ResponseParserError

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests" / "drift"))

from drift_helpers import TEMPLATES  # noqa: E402 - the drift tests' stacks, so both scan the same shapes

from relay.aws import AwsFactory  # noqa: E402
from relay_emulator import process  # noqa: E402

REGIONS = ("us-east-1", "us-west-2")
CHANGED_EVERY = 25  # one root in 25 has its child's parameter changed out of band
READ_ACTIONS = ["cloudformation:Describe*", "cloudformation:List*", "cloudformation:Get*"]
RateLimit = dict[str, Any]
# Per account and region. AWS does not publish CloudFormation's rates (DescribeStacks is reported at
# about 5/s); these are chosen so the emulator on a small shared host can serve both regions at them.
RATE_LIMITS: dict[str, RateLimit] = {
    "cfn-read": {"actions": READ_ACTIONS, "rate": 36.0, "burst": 36.0},
    "cfn-detect": {"actions": ["cloudformation:DetectStackDrift"], "rate": 6.0, "burst": 6.0},
}
READS_PER_STACK = 4  # ListStackResources, one detection status, one page of drifts, GetTemplate


def control(port: int, path: str, body: object | None = None, method: str = "POST") -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.load(answer)


def deploy_estate(aws: AwsFactory, templates: Path, roots_per_region: int) -> list[tuple[str, str]]:
    """Root stacks `relay-b<region index><n>` with their children, and the repository-shaped templates
    folder the scan compares them with; answers (region, stack name) of the roots changed out of band."""
    (templates / "params").mkdir(parents=True)
    for name in ("root.yaml", "child.yaml"):
        (templates / name).write_text((TEMPLATES / name).read_text())
    names = [(region, f"b{r}x{n:04d}") for r, region in enumerate(REGIONS) for n in range(roots_per_region)]
    for region in REGIONS:
        bucket = f"relay-drift-bench-{region}"
        s3 = aws.client("s3", region)
        location = (
            {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
        )
        s3.create_bucket(Bucket=bucket, **location)
        s3.put_object(Bucket=bucket, Key="child.yaml", Body=(TEMPLATES / "child.yaml").read_bytes())
    for region, env in names:
        (templates / "params" / f"{env}.{region}.json").write_text(json.dumps({"Template": "root.yaml"}))

    def create(target: tuple[str, str]) -> None:
        region, env = target
        url = f"https://s3.amazonaws.com/relay-drift-bench-{region}/child.yaml"
        body = (TEMPLATES / "root.yaml").read_text().replace("TemplateURL: child.yaml", f"TemplateURL: {url}")
        cfn = aws.client("cloudformation", region)
        name = f"relay-{env}"
        for attempt in range(3):
            try:
                through_races(
                    lambda: cfn.create_stack(
                        StackName=name,
                        TemplateBody=body,
                        Parameters=[{"ParameterKey": "Environment", "ParameterValue": env}],
                    )
                )
            except ClientError as error:
                if error.response["Error"]["Code"] != "AlreadyExistsException":
                    raise
            try:
                through_races(
                    lambda: cfn.get_waiter("stack_create_complete").wait(
                        StackName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 120}
                    )
                )
                return
            except WaiterError:  # rolled back: moto's concurrent creation lost a race of its own
                if attempt == 2:
                    raise
                through_races(lambda: cfn.delete_stack(StackName=name))
                through_races(lambda: cfn.get_waiter("stack_delete_complete").wait(StackName=name))

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(create, names))
    changed = names[::CHANGED_EVERY]
    for region, env in changed:
        aws.client("ssm", region).put_parameter(
            Name=f"/relay/{env}/app/feature", Value="off", Type="String", Overwrite=True
        )
    return [(region, f"relay-{env}") for region, env in changed]


def through_races(call: Callable[[], object]) -> None:
    """Call again when moto answers 500 because two of its threads raced (its stack list is not locked)."""
    for _ in range(10):
        try:
            call()
            return
        except ResponseParserError:
            time.sleep(0.5)
    call()


def relay_drift(
    endpoint: str, templates: Path, *args: str, every: bool = True
) -> tuple[float, dict[str, Any], str]:
    """Run `relay drift` (every root stack, or those named in `args`); answer seconds, report, log."""
    env = {**os.environ, "AWS_ENDPOINT_URL": endpoint}
    scope = ["--all"] if every else []
    command = [
        sys.executable,
        "-m",
        "relay",
        "--output",
        "json",
        "drift",
        *scope,
        "--templates",
        str(templates),
    ]
    started = time.perf_counter()
    result = subprocess.run([*command, *args], capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 2):
        raise SystemExit(f"relay drift failed ({result.returncode}): {result.stderr[-2000:]}")
    return elapsed, json.loads(result.stdout), result.stderr


def floor_seconds(stacks_per_region: int) -> float:
    """The least time the rate limits allow for the calls a scan cannot do without."""
    needed = {"cfn-read": READS_PER_STACK * stacks_per_region + 1, "cfn-detect": stacks_per_region}
    return max(
        max(0.0, needed[family] - float(limit["burst"])) / float(limit["rate"])
        for family, limit in RATE_LIMITS.items()
    )


def audit(report: dict[str, Any], expected_stacks: int, changed: list[tuple[str, str]]) -> dict[str, int]:
    """What a scan lost or got wrong: stacks missing, resources not checked for a reason other than an
    unsupported type, changed stacks reported in sync."""
    stacks = [stack for root in report["roots"] for stack in root["stacks"]]
    resources = [r for stack in stacks for r in stack["resources"]]
    lost = [r for r in resources if r["status"] == "NOT_CHECKED" and "not supported" not in r["reason"]]
    by_root = {(root["region"], root["name"]): root for root in report["roots"]}
    in_sync_but_changed = sum(
        (region, name) in by_root and all(s["status"] == "IN_SYNC" for s in by_root[(region, name)]["stacks"])
        for region, name in changed
    )
    return {
        "stacks_missing": expected_stacks - len(stacks),
        "stacks_not_checked": sum(stack["status"] == "NOT_CHECKED" for stack in stacks),
        "resources_not_checked": len(lost),
        "changed_reported_in_sync": in_sync_but_changed,
        "changed_not_found": sum((region, name) not in by_root for region, name in changed),
    }


def calls(port: int) -> dict[str, dict[str, int]]:
    """Calls the buckets admitted and refused, per family, both regions together."""
    totals: dict[str, dict[str, int]] = {}
    for bucket in control(port, "/relay-api/throttling", method="GET")["buckets"]:
        family = totals.setdefault(bucket["family"], {"admitted": 0, "refused": 0})
        family["admitted"] += bucket["admitted"]
        family["refused"] += bucket["refused"]
    return totals


def sequential_seconds(endpoint: str, templates: Path, sample: int) -> float:
    """One stack at a time, one region after the other, over the first `sample` roots of each region."""
    total = 0.0
    for r, region in enumerate(REGIONS):
        names = [arg for n in range(sample) for arg in ("--stack", f"relay-b{r}x{n:04d}")]
        command = ["--region", region, "--concurrency", "1", *names]
        total += relay_drift(endpoint, templates, *command, every=False)[0]
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--roots-per-region", type=int, default=250)
    parser.add_argument(
        "--sequential-sample",
        type=int,
        default=25,
        help="roots per region the one-at-a-time baseline scans; its time is scaled to the estate (0: skip)",
    )
    arguments = parser.parse_args()
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1"
    )
    regions = [arg for region in REGIONS for arg in ("--region", region)]
    with tempfile.TemporaryDirectory() as workdir:
        state, _ = process.start(directory=Path(workdir) / "state")
        try:
            templates = Path(workdir) / "cloudformation"
            aws = AwsFactory(endpoint_url=state.endpoint)
            changed = deploy_estate(aws, templates, arguments.roots_per_region)
            stacks = 2 * len(REGIONS) * arguments.roots_per_region
            control(state.port, "/relay-api/faults", {"rate_limits": RATE_LIMITS})
            seconds, report, log = relay_drift(state.endpoint, templates, *regions)
            peak_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # only it has ended
            scan_calls = calls(state.port)
            control(state.port, "/relay-api/faults", {"rate_limits": {}})
            unthrottled_seconds = relay_drift(state.endpoint, templates, *regions)[0]
            baseline: dict[str, Any] = {}
            if arguments.sequential_sample:
                control(state.port, "/relay-api/faults", {"rate_limits": RATE_LIMITS})
                sample = min(arguments.sequential_sample, arguments.roots_per_region)
                measured = sequential_seconds(state.endpoint, templates, sample)
                estimated = measured * arguments.roots_per_region / sample
                baseline = {
                    "sequential_sample_roots_per_region": sample,
                    "sequential_seconds_measured": round(measured, 1),
                    "sequential_seconds_scaled_to_estate": round(estimated, 1),
                    "speedup_over_sequential": round(estimated / seconds, 1),
                }
        finally:
            control(state.port, "/relay-api/faults", method="DELETE")
            process.stop(Path(workdir) / "state")
    floor = floor_seconds(stacks // len(REGIONS))  # the regions run side by side
    print(
        json.dumps(
            {
                "stacks": report["summary"]["stacks"],
                "root_stacks": report["summary"]["roots"],
                "regions": list(REGIONS),
                "rate_limits_per_region": {
                    family: [limit["rate"], limit["burst"]] for family, limit in RATE_LIMITS.items()
                },
                "floor_seconds": round(floor, 1),
                "scan_seconds": round(seconds, 1),
                "throughput_vs_floor": round(floor / seconds, 2),
                "unthrottled_scan_seconds": round(unthrottled_seconds, 1),
                **baseline,
                "calls": scan_calls,
                "pace": [line for line in log.splitlines() if "checked" in line],
                "peak_rss_mb": round(peak_rss_mb, 1),
                "resources_checked": report["summary"]["resources_checked"],
                **audit(report, stacks, changed),
                "changed_stacks": len(changed),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
