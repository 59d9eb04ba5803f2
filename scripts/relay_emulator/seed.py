"""What every real account has before anyone creates anything, at server start and after every reset.

Templates attach AWS-managed IAM policies by ARN and read AMI ids from SSM public parameters
(`/aws/service/ami-amazon-linux-latest/...`). moto has both as bundled data: the managed policies only
when MOTO_IAM_LOAD_MANAGED_POLICIES is true, the AMI parameters loaded lazily per region. Here the
switch is set, and both are loaded for Relay's regions at start and again after `POST /moto-api/reset`
(moto's reset is wrapped), so the first request after a reset sees a complete account.
`/relay-api/seed`: GET reports what is seeded, POST seeds again.
"""

from __future__ import annotations

import os
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.iam.models import iam_backends
from moto.moto_api._internal.models import MotoAPIBackend
from moto.ssm.models import ssm_backends
from werkzeug.wrappers import Request

from relay_emulator.control import route

REGIONS = ("us-east-1", "us-west-2")  # interfaces.md: primary and standby
AMI_PATH = "/aws/service/ami-amazon-linux-latest"
AL2023_X86 = f"{AMI_PATH}/al2023-ami-kernel-default-x86_64"
_MANAGED_POLICY_PREFIX = "arn:aws:iam::aws:policy/"


def seed() -> dict[str, Any]:
    """Load the AWS-managed policies and the public AMI parameters; return what the account has."""
    policies = iam_backends[DEFAULT_ACCOUNT_ID]["aws"].managed_policies
    amis: dict[str, int] = {}
    for region in REGIONS:
        backend = ssm_backends[DEFAULT_ACCOUNT_ID][region]
        backend.get_parameter(AL2023_X86)  # moto loads the region's public AMI parameters on first read
        amis[region] = sum(1 for name in list(backend._parameters) if name.startswith(AMI_PATH))
    return {
        "iam_managed_policies": sum(1 for arn in policies if arn.startswith(_MANAGED_POLICY_PREFIX)),
        "ami_parameters": amis,
    }


_moto_reset = MotoAPIBackend.reset


def _reset(self: MotoAPIBackend) -> None:
    _moto_reset(self)
    seed()


@route("seed")
def _control(request: Request) -> dict[str, Any]:
    return seed()


def install() -> None:
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
    MotoAPIBackend.reset = _reset
    seed()
