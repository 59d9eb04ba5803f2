"""The token settings an emulated instance's app reads from SSM, as it does on EC2.

On EC2 user data writes `RELAY_APP_CONFIG_SSM_PATH` and the app reads every setting under it
(app/aws_config.py). The local fleet gives its instances an explicit database URL (a local database),
which makes the app skip SSM; so the fleet hands the app the `AUTH_*` parameters under the path the
instance's user data names, read from this emulator's SSM: the issuer and audience the stack wrote.
"""

from __future__ import annotations

import base64
import contextlib
import re

from moto.ec2.models import ec2_backends
from moto.ssm.models import ssm_backends

ACCOUNT = "123456789012"  # moto's default account, the one the CLI and the fleet use
PARAMETERS = ("AUTH_ISSUER", "AUTH_AUDIENCE", "AUTH_JWKS_URL", "AUTH_TOKEN_URL")  # app/config.py reads them
PATH_LINE = re.compile(r"^\s*RELAY_APP_CONFIG_SSM_PATH=(?P<path>\S+)\s*$", re.M)


def ssm_path(instance_id: str, region: str) -> str | None:
    """The settings path the instance's user data names; None for an instance without one."""
    try:
        instance = ec2_backends[ACCOUNT][region].get_instance(instance_id)
    except Exception:
        return None
    encoded = instance.user_data[0] if isinstance(instance.user_data, list) else instance.user_data
    if not encoded:
        return None
    text = encoded.decode() if isinstance(encoded, bytes) else str(encoded)
    with contextlib.suppress(ValueError):  # else it is plain text already
        text = base64.b64decode(text, validate=True).decode()
    found = PATH_LINE.search(text)
    return found["path"] if found else None


def auth_settings(instance_id: str, region: str) -> dict[str, str]:
    """RELAY_APP_AUTH_* from the AUTH_* parameters under the instance's settings path (those that exist)."""
    path = ssm_path(instance_id, region)
    if path is None:
        return {}
    prefix = path.rstrip("/") + "/"
    found = ssm_backends[ACCOUNT][region].get_parameters([prefix + name for name in PARAMETERS])
    return {f"RELAY_APP_{name[len(prefix) :]}": str(parameter.value) for name, parameter in found.items()}
