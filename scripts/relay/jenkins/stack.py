"""The Jenkins stack (`relay-jenkins-<env>`): its params file, and a deploy that brings its configuration.

It is deployed like the app's root (change set, preview, data-loss refusal, confirmation, events) by
`relay.stacks.deploy`; what differs is the name, the params file under params/jenkins/ and the
rendered configuration, uploaded content-addressed to the staging bucket before the change set so a
new configuration is a new launch template version, hence a new controller on the same volume.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from relay.aws import AwsFactory
from relay.console import err
from relay.jenkins.casc import Rendered
from relay.stacks.deploy import DeployResult, deploy
from relay.stacks.package import ensure_staging_bucket, staging_bucket_name
from relay.stacks.target import StackTarget, cfn_dir_from_environment
from relay.vocabulary import check_environment, check_region


@dataclass(frozen=True)
class JenkinsTarget(StackTarget):
    """`relay-jenkins-<env>` in one region, from `<cfn_dir>/params/jenkins/<env>.<region>.json`."""

    @property
    def stack_name(self) -> str:
        return f"relay-jenkins-{self.env}"

    @property
    def params_file(self) -> Path:
        return self.cfn_dir / "params" / "jenkins" / f"{self.env}.{self.region}.json"


def jenkins_target(env: str, region: str, cfn_dir: Path | None = None) -> JenkinsTarget:
    return JenkinsTarget(check_environment(env), check_region(region), cfn_dir or cfn_dir_from_environment())


def upload_configuration(aws: AwsFactory, target: JenkinsTarget, rendered: Rendered) -> dict[str, str]:
    """Store the JCasC YAML and plugins.txt under their SHA-256; the stack parameters naming them."""
    account = aws.client("sts", target.region).get_caller_identity()["Account"]
    s3 = aws.client("s3", target.region)
    bucket = staging_bucket_name(target.env, account, target.region)
    ensure_staging_bucket(s3, bucket, target.region)
    keys = {}
    for parameter, body, suffix in (
        ("CascObjectKey", rendered.casc_yaml, "yaml"),
        ("PluginsObjectKey", rendered.plugins, "txt"),
    ):
        data = body.encode()
        key = f"jenkins/{hashlib.sha256(data).hexdigest()}.{suffix}"
        s3.put_object(Bucket=bucket, Key=key, Body=data, ServerSideEncryption="AES256")
        keys[parameter] = key
    return {"ConfigurationBucket": bucket, **keys}


def deploy_jenkins(
    aws: AwsFactory,
    target: JenkinsTarget,
    rendered: Rendered,
    *,
    parameter_overrides: Mapping[str, str] | None = None,
    yes: bool = False,
    allow_replacement: bool = False,
    timeout: float,
    console: Console = err,
) -> DeployResult:
    """Upload the configuration, then create or update the stack through a change set."""
    overrides = {**upload_configuration(aws, target, rendered), **(parameter_overrides or {})}
    return deploy(
        aws,
        target.env,
        target.region,
        parameter_overrides=overrides,
        yes=yes,
        allow_replacement=allow_replacement,
        timeout=timeout,
        console=console,
        target=target,
    )
