"""An emulated instance's server takes TLS only, with a certificate for its endpoint address signed by the
run's CA: a client verifying against that CA gets in (`sslmode=verify-full`), one trusting another CA, or
asking for no TLS, is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest

from relay.aws import AwsFactory
from relay_emulator.process import EmulatorState
from tests.emulator.rds.databases import PRIMARY, connect, create_primary, new_name, wait_available
from tests.emulator.relay_api import control
from tests.tls_certs import self_signed

pytestmark = pytest.mark.xdist_group("dr")


@pytest.fixture
def db(aws_dr: AwsFactory) -> dict[str, Any]:
    name = new_name("tls")
    create_primary(aws_dr, name)
    return wait_available(aws_dr, PRIMARY, name)


def test_a_client_verifying_against_the_runs_ca_connects_over_tls(
    db: dict[str, Any], dr_emulator: EmulatorState
) -> None:
    bundle = control(dr_emulator.port, "/relay-api/tls", method="GET")["ca_bundle"]
    with connect(db, sslmode="verify-full", sslrootcert=bundle) as connection:
        row = connection.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone()
    assert row == (True,)


def test_a_client_trusting_another_ca_is_refused(db: dict[str, Any], tmp_path: Path) -> None:
    other_ca = tmp_path / "other-ca.pem"
    other_ca.write_bytes(self_signed("127.0.0.1")[0])
    with pytest.raises(psycopg.OperationalError, match="certificate verify failed"):
        connect(db, sslmode="verify-full", sslrootcert=str(other_ca))


def test_a_client_without_tls_is_refused(db: dict[str, Any]) -> None:
    with pytest.raises(psycopg.OperationalError, match="no encryption"):
        connect(db, sslmode="disable")
