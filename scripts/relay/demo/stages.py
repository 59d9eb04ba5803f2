"""The demo's stages, in pipeline order; each drives the real `relay` CLI and returns a one-line outcome."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from relay.aws import AwsFactory
from relay.contract import read_root_stack
from relay.demo import api_tour
from relay.demo.runner import DemoContext, Stage
from relay.errors import RelayError
from relay.release.http import CA_BUNDLE_VARIABLE, Endpoint
from relay.release.layout import listener_endpoint
from relay.service.load import REPOSITORY_CONFIG, load
from relay.stacks.zone import record_name
from relay.tokens import pipeline_token

ENV = "demo"
# The demo deploys Relay itself: its regions are those of Relay's own relay.yaml, whatever --config says.
PRIMARY, STANDBY = load(REPOSITORY_CONFIG).environment(ENV).regions
# The environment and the direction of every cross-region command (promote-standby, dr).
ACROSS = ("--env", ENV, "--from", PRIMARY, "--to", STANDBY)


def emulator_up(context: DemoContext) -> str:
    context.env["RELAY_FLEET_DIR"] = str(Path(context.env["RELAY_STATE_DIR"]) / "fleet")
    context.relay("emulator", "start")
    _use_emulator(context)
    endpoint = context.env["AWS_ENDPOINT_URL"]
    context.facts["emulator"] = endpoint
    return f"moto + Relay extensions on {endpoint} (us-east-1 and us-west-2)"


def templates_linted(context: DemoContext) -> str:
    templates = sorted(str(path) for path in (context.root / "cloudformation").rglob("*.yaml"))
    context.run([str(Path(sys.executable).with_name("cfn-lint")), "--", *templates])
    return f"cfn-lint: {len(templates)} templates, 0 findings"


def stacks_deployed(context: DemoContext, region: str) -> str:
    """Deploy one region's root stack (nested children included) through a change set, in the demo's zone."""
    zone_id = hosted_zone(context)
    certificate = certificate_arn(context, region)
    context.relay(
        "stack",
        "deploy",
        "--env",
        ENV,
        "--region",
        region,
        "--yes",
        "-p",
        f"HostedZoneId={zone_id}",
        "-p",
        f"CertificateArn={certificate}",
        # The app verifies its database with the run's CA, which signs the emulated RDS's certificates.
        "-p",
        f"DbCaBundle={context.env[CA_BUNDLE_VARIABLE]}",
    )
    outputs = _outputs(context, region)
    (context.report_dir / f"stack-outputs.{region}.json").write_text(json.dumps(outputs, indent=2))
    tree = stack_tree(context, region)
    (context.report_dir / f"stack-tree.{region}.txt").write_text(tree)
    children = tree.count("\n") - 1
    live = outputs["ActiveSlot"]
    return (
        f"relay-{ENV} in {region}: {children} nested stacks, {len(outputs)} outputs, live slot {live}, "
        f"failover record {outputs['RecordName']} in zone {zone_id}, "
        f"HTTPS with certificate {certificate.rsplit('/', 1)[-1]}"
    )


def certificate_arn(context: DemoContext, region: str) -> str:
    """An issued ACM certificate in `region` for the params files' RecordName, requested when absent.

    As prod's: the operator requests it once per region with DNS validation in the demo's zone and gives
    it to the stacks by ARN (`-p CertificateArn=...`), so a stack update never replaces it. The emulator
    issues it at once, signed by its local CA (`relay emulator env` exports the bundle).
    """
    name = record_name(ENV)
    acm = context.aws("acm", region)
    issued = acm.list_certificates(CertificateStatuses=["ISSUED"])["CertificateSummaryList"]
    found = [summary["CertificateArn"] for summary in issued if summary["DomainName"] == name]
    arn = (
        found[0]
        if found
        else acm.request_certificate(DomainName=name, ValidationMethod="DNS", IdempotencyToken=f"relay{ENV}")[
            "CertificateArn"
        ]
    )
    status = acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"]
    if status != "ISSUED":
        raise RelayError(
            f"the certificate {arn} for {name} is {status}; validate it in the zone, then re-run"
        )
    return str(arn)


def hosted_zone(context: DemoContext) -> str:
    """The ID of the public zone holding the params files' RecordName, through `relay zone` (created when
    absent, found by name on a re-run), as the README's by-hand path gets it."""
    zone_id = context.relay("zone", "--env", ENV).stdout.strip()
    context.facts["hosted_zone"] = f"{record_name(ENV).split('.', 1)[1]}. ({zone_id})"
    return zone_id


def _outputs(context: DemoContext, region: str) -> dict[str, str]:
    """The root stack's outputs, through `relay stack outputs` like any consumer."""
    answer = context.relay("--output", "json", "stack", "outputs", "--env", ENV, "--region", region).stdout
    outputs: dict[str, str] = json.loads(answer)
    return outputs


def stack_tree(context: DemoContext, region: str) -> str:
    """The root and its nested stacks as an indented list with their status, for the report folder."""
    cfn = context.aws("cloudformation", region)
    lines: list[str] = []

    def visit(stack: str, depth: int) -> None:
        [described] = cfn.describe_stacks(StackName=stack)["Stacks"]
        lines.append(f"{'  ' * depth}{described['StackName']}  {described['StackStatus']}")
        for resource in cfn.describe_stack_resources(StackName=stack)["StackResources"]:
            if resource["ResourceType"] == "AWS::CloudFormation::Stack":
                visit(resource["PhysicalResourceId"], depth + 1)

    visit(f"relay-{ENV}", 0)
    return "\n".join(lines) + "\n"


def primary_deployed(context: DemoContext) -> str:
    return stacks_deployed(context, PRIMARY)


def standby_deployed(context: DemoContext) -> str:
    return stacks_deployed(context, STANDBY)


def bundle_built(context: DemoContext) -> str:
    url = (
        context.relay("bundle", "--upload", "--env", ENV, "--region", PRIMARY).stdout.strip().splitlines()[-1]
    )
    context.facts["bundle"] = url
    return f"revision uploaded to {url}"


def _use_emulator(context: DemoContext) -> None:
    """`eval "$(relay emulator env)"`, once, as the README's by-hand path does: the endpoint (which also
    says where its load balancers listen locally), credentials and the local CA."""
    for line in context.relay("emulator", "env").stdout.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        context.env[key] = os.environ[key] = value.strip("'")  # for child commands and this process's boto3


def _released(context: DemoContext, *extra: str) -> str:
    context.relay("release", "--env", ENV, "--region", PRIMARY, "--bundle", context.facts["bundle"], *extra)
    status = json.loads(
        context.relay("--output", "json", "release", "status", "--env", ENV, "--region", PRIMARY).stdout
    )
    (context.report_dir / "release-status.json").write_text(json.dumps(status, indent=2))
    _, version = _production(context).request("GET", "/version")
    return f"{PRIMARY}: live slot {version['slot']} serves release {version['release_id']}"


def _production(context: DemoContext, region: str = PRIMARY) -> Endpoint:
    """A region's production listener as clients reach it (HTTPS, verified for RecordName); the facts say
    how to call it by hand: curl with the local CA and the local port that plays the load balancer."""
    aws = AwsFactory.from_environment(endpoint_url=context.env["AWS_ENDPOINT_URL"])
    stack = read_root_stack(aws, ENV, region)
    endpoint = listener_endpoint(aws, stack, stack.listener_arn)
    address, port = endpoint.address()
    if address == endpoint.host:
        raise RelayError(f"the emulator maps no local port for {endpoint.host}:{endpoint.port}")
    context.facts["api"] = endpoint.url
    context.facts["api_region"] = region
    context.facts["api_local"] = f"{address}:{port}"
    context.facts["api_curl"] = endpoint.curl_command(context.env[CA_BUNDLE_VARIABLE])
    return endpoint


def first_release(context: DemoContext) -> str:
    return _released(context)


def second_release(context: DemoContext) -> str:
    """Release again, canary first: traffic moves to the other slot in two steps."""
    return _released(context, "--canary", "50")


def api_exercised(context: DemoContext) -> str:
    aws = AwsFactory.from_environment(endpoint_url=context.env["AWS_ENDPOINT_URL"])
    token = pipeline_token(aws, read_root_stack(aws, ENV, PRIMARY), api_tour.SCOPES)
    seen = api_tour.tour(_production(context), token)
    (context.report_dir / "api-tour.json").write_text(json.dumps(seen, indent=2))
    stored = seen["import"].get("stored_at", "")
    if not str(stored).startswith("s3://"):
        raise RelayError(f"the CSV import was not kept in the emulator's S3: stored_at={stored!r}")
    return (
        f"write without a token refused (401); with the pipeline client's token: "
        f"product {seen['product']['sku']}, order #{seen['order']['id']} "
        f"({seen['order']['total_cents']} cents), "
        f"{seen['import']['created']} products imported, raw file at {stored}"
    )


def _drift(context: DemoContext, name: str) -> tuple[int, dict[str, Any]]:
    """Scan both regions once; keep the JSON and JUnit reports; return the exit code and the JSON."""
    regions = ("--region", PRIMARY, "--region", STANDBY)
    junit = ("--junit-file", str(context.report_dir / f"drift-{name}.xml"))
    pages = ("--report-dir", str(context.report_dir / "drift" / name))
    result = context.relay(
        "--output", "json", "drift", "--stack", f"relay-{ENV}", *regions, *junit, *pages, ok_codes=(0, 2)
    )
    (context.report_dir / f"drift-{name}.json").write_text(result.stdout)
    return result.returncode, json.loads(result.stdout)


def _app_setting(context: DemoContext) -> str:
    outputs = _outputs(context, PRIMARY)
    return f"{outputs['AppConfigParameterPath']}RELAY_ROLE"


def drift_caught(context: DemoContext) -> str:
    """A clean scan, a console change caught (exit 2), the change reverted, a clean scan again."""
    code, _ = _drift(context, "clean")
    if code != 0:
        raise RelayError(
            f"the first scan should be clean, exit {code}: see {context.report_dir}/drift-clean.json"
        )
    ssm = context.aws("ssm", PRIMARY)
    name = _app_setting(context)
    original = ssm.get_parameter(Name=name)["Parameter"]["Value"]
    ssm.put_parameter(Name=name, Value="edited-in-the-console", Overwrite=True)
    code, report = _drift(context, "changed")
    ssm.put_parameter(Name=name, Value=original, Overwrite=True)
    if code != 2:
        raise RelayError(f"the out-of-band change of {name} was not caught (exit {code})")
    reverted, _ = _drift(context, "reverted")
    if reverted != 0:
        raise RelayError(f"the scan after reverting {name} is not clean (exit {reverted})")
    return f"clean → {name} edited out of band: caught (exit 2, {_drift_counts(report)}) → reverted: clean"


def _drift_counts(report: dict[str, Any]) -> str:
    """The scan's counts in words: "1 of 50 checked resources drifted (94 not checked) in 18 stacks"."""
    summary = report.get("summary", {})
    return (
        f"{summary.get('resources_drifted', '?')} of {summary.get('resources_checked', '?')} checked "
        f"resources drifted ({summary.get('resources_not_checked', '?')} not checked) "
        f"in {summary.get('stacks', '?')} stacks"
    )


def standby_on_release(context: DemoContext) -> str:
    context.relay("release", "promote-standby", *ACROSS, "--bundle", context.facts["bundle"])
    status = json.loads(
        context.relay("--output", "json", "release", "status", "--env", ENV, "--region", STANDBY).stdout
    )
    (context.report_dir / "release-status.standby.json").write_text(json.dumps(status, indent=2))
    return f"{STANDBY} runs the same bundle ({context.facts['bundle'].rsplit('/', 1)[-1][:12]}…)"


def dr_drilled(context: DemoContext) -> str:
    """The whole DR cycle on the emulator: plan, promote the standby, verify, re-protect (the old primary
    becomes the standby); timeline kept. The demo does not switch back: it ends saying how."""
    dr_dir = context.report_dir / "dr"
    plan = json.loads(
        context.relay("--output", "json", "dr", "plan", *ACROSS, "--report-dir", str(dr_dir)).stdout
    )
    result = context.relay(
        "--output",
        "json",
        "dr",
        "drill",
        *ACROSS,
        "--execute",
        "--confirm",
        f"{ENV}-{STANDBY}",
        "--report-dir",
        str(dr_dir),
    )
    (context.report_dir / "dr-drill.json").write_text(result.stdout)
    report = json.loads(result.stdout)
    live = _live_region(context, dr_dir)
    api_tour.wait_ready(_production(context, live))
    dns = _dns_moved(context, report)
    drill = report.get("facts", {}).get("drill", {})
    context.facts["promote_rto_seconds"] = str(drill.get("rto_seconds"))
    lost = report.get("orders_lost")
    context.facts["orders_lost"] = "unknown" if lost is None else str(lost)
    back = f"--env {ENV} --from {live} --to {PRIMARY}"
    context.facts["switch_back"] = (
        f"relay dr plan {back} && relay dr promote {back} --execute --confirm {ENV}-{PRIMARY}"
    )
    return (
        f"promote RTO {_seconds(drill.get('rto_seconds'))} measured on the emulator "
        f"(modelled on AWS: {_minutes(plan.get('modelled_rto_seconds'))}), "
        f"orders lost {context.facts['orders_lost']}; whole drill, promote + "
        f"re-protect {PRIMARY} as the standby: {_seconds(drill.get('drill_seconds'))}; {dns}; "
        f"{live} now serves; timeline in {dr_dir}"
    )


def _seconds(value: object) -> str:
    return f"{value:.1f} s" if isinstance(value, (int, float)) else "?"


def _minutes(value: object) -> str:
    return f"{value / 60:.1f} min" if isinstance(value, (int, float)) else "?"


def _dns_moved(context: DemoContext, report: dict[str, Any]) -> str:
    """The drill's DNS step must have moved the record; the failover records as Route 53 now answers."""
    step = next((s for s in report.get("steps", []) if s.get("name") == "promote:move-dns"), None)
    if step is None or step.get("status") != "done":
        raise RelayError(f"the drill did not move DNS: promote:move-dns is {step}")
    context.facts["dns_move"] = str(step.get("detail", ""))
    outputs = _outputs(context, STANDBY)
    route53 = context.aws("route53", STANDBY)
    name = outputs["RecordName"].rstrip(".") + "."
    records = route53.list_resource_record_sets(HostedZoneId=outputs["HostedZoneId"], StartRecordName=name)
    roles = {
        record["SetIdentifier"].removeprefix(f"relay-{ENV}-"): record["Failover"]
        for record in records["ResourceRecordSets"]
        if record["Name"] == name and "Failover" in record
    }
    context.facts["dns_records"] = ", ".join(f"{region} {role}" for region, role in sorted(roles.items()))
    return f"DNS moved: {name} {context.facts['dns_records']}"


def _live_region(context: DemoContext, dr_dir: Path) -> str:
    """After a drill the standby serves: ask `relay dr status` which region holds the writer now."""
    answer = context.relay(
        "--output",
        "json",
        "dr",
        "status",
        *ACROSS,
        "--report-dir",
        str(dr_dir),
    ).stdout
    status = json.loads(answer)
    live = status.get("live_region") or (status.get("writer_regions") or [None])[0]
    if live not in (PRIMARY, STANDBY):
        raise RelayError(f"`relay dr status` names no live region after the drill: {answer[:200]}")
    return str(live)


def stop_started_processes(state_dir: Path) -> list[str]:
    """Stop what the demo started (API, emulator); say what was stopped."""
    stopped = []
    api_state = state_dir / "demo-api.json"
    if api_state.exists():
        pid = json.loads(api_state.read_text())["pid"]
        try:
            os.killpg(pid, signal.SIGTERM)
            stopped.append(f"API (pid {pid})")
        except ProcessLookupError:
            pass
        api_state.unlink()
    result = subprocess.run(
        [sys.executable, "-m", "relay", "emulator", "stop"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "RELAY_STATE_DIR": str(state_dir)},
    )
    if "emulator stopped" in result.stderr:
        stopped.append("emulator")
    return stopped


EMULATOR, LINT, PRIMARY_STACKS, STANDBY_STACKS = (
    "emulator up",
    "templates linted",
    "primary stacks deployed",
    "standby stacks deployed",
)
BUNDLE, FIRST_RELEASE, API, SECOND_RELEASE = (
    "bundle built",
    "blue/green release",
    "API exercised",
    "second release (canary)",
)
STANDBY_RELEASE = "standby on the release"

# What a pipeline would overlap: linting while the emulator starts; the standby region's stacks while the
# bundle builds and the primary releases; the standby kept on the release (once the primary took it) while
# the primary goes on. Drift and the DR drill look at both regions, so they wait until both are settled.
STAGES: list[Stage] = [
    Stage(EMULATOR, emulator_up, after=()),
    Stage(LINT, templates_linted, after=()),
    Stage(PRIMARY_STACKS, primary_deployed, after=(EMULATOR, LINT)),
    Stage(STANDBY_STACKS, standby_deployed, after=(PRIMARY_STACKS,)),
    Stage(BUNDLE, bundle_built, after=(PRIMARY_STACKS,)),
    Stage(FIRST_RELEASE, first_release, after=(PRIMARY_STACKS, BUNDLE)),
    Stage(API, api_exercised, after=(FIRST_RELEASE,)),
    Stage(SECOND_RELEASE, second_release, after=(API,)),
    Stage("drift scan", drift_caught, after=(SECOND_RELEASE, STANDBY_STACKS, STANDBY_RELEASE)),
    Stage(STANDBY_RELEASE, standby_on_release, after=(STANDBY_STACKS, FIRST_RELEASE)),
    Stage("DR drill", dr_drilled),
]
