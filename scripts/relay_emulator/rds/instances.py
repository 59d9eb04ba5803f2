"""moto's RDS and Secrets Manager, wired to the real servers of rds.servers.

moto answers with an endpoint nobody listens on (`<id>.aaaaaaaaaa.<region>.rds.amazonaws.com`, port
3306 for every engine) and an RDS-managed secret holding `admin` / `P@55w0rd!` for every instance.
Here a PostgreSQL instance's endpoint is its server's (127.0.0.1, the real port), the managed secret
holds the master username and a random password as RDS's does, and every way of changing the master
password reaches the server. Read replicas and promotion are wired in rds.replicas.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

from relay_emulator.faults import FAULTS, Faults
from relay_emulator.rds import servers
from relay_emulator.rds.postgres import HOST


def _databases() -> Iterator[Any]:
    from moto.rds.models import rds_backends  # noqa: PLC0415

    for regions in list(rds_backends.values()):
        for backend in list(regions.values()):
            yield from list(backend.databases.values())


def _owner_of(secret_arn: str) -> Any:
    """The DB instance whose RDS-managed master secret this is (moto's replicas share it), or None."""
    for database in _databases():
        secret = getattr(database, "master_user_secret", None)
        if secret is not None and secret.secret_arn == secret_arn and secret.resource is database:
            return database
    return None


def _create(original: Any) -> Any:
    def create_db_instance(self: Any, db_kwargs: dict[str, Any]) -> Any:
        database = original(self, db_kwargs)
        if servers.is_served(database):
            servers.start_primary(database)
        return database

    return create_db_instance


def _delete(original: Any) -> Any:
    def delete_db_instance(self: Any, db_instance_identifier: str, *args: Any, **kwargs: Any) -> Any:
        database = original(self, db_instance_identifier, *args, **kwargs)
        servers.FLEET.remove(database.db_instance_arn)
        return database

    return delete_db_instance


def _update(original: Any) -> Any:
    def update(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if kwargs.get("master_user_password") or kwargs.get("manage_master_user_password") is not None:
            servers.set_master_password(self)
        if kwargs.get("db_parameter_group_name"):
            servers.apply_parameter_group(self)

    return update


def _modify_parameter_group(original: Any) -> Any:
    def modify_db_parameter_group(self: Any, name: str, parameters: Any) -> Any:
        group = original(self, name, parameters)
        for database in list(self.databases.values()):
            if database.db_parameter_group_name == name:
                servers.apply_parameter_group(database)
        return group

    return modify_db_parameter_group


def _reset_parameter_group(self: Any, name: str, names: list[str], everything: bool) -> None:
    """ResetDBParameterGroup (moto has none): the named parameters, or all of them, back to the engine's
    default (no value of the group's own); the servers using the group reload theirs."""
    from moto.rds.exceptions import DBParameterGroupNotFoundError, InvalidParameterCombination  # noqa: PLC0415

    group = self.db_parameter_groups.get(name)
    if group is None:
        raise DBParameterGroupNotFoundError(name)
    if everything == bool(names):
        raise InvalidParameterCombination("Specify either ResetAllParameters or a list of Parameters")
    for parameter in list(group.parameters) if everything else names:
        group.parameters.pop(parameter, None)
    for database in list(self.databases.values()):
        if database.db_parameter_group_name == name:
            servers.apply_parameter_group(database)


def _respond_reset_parameter_group(self: Any) -> Any:
    from moto.core.responses import ActionResult  # noqa: PLC0415

    name = self.params.get("DBParameterGroupName")
    names = [parameter.original_dict()["ParameterName"] for parameter in self.params.get("Parameters", [])]
    _reset_parameter_group(self.backend, name, names, bool(self.params.get("ResetAllParameters")))
    return ActionResult({"DBParameterGroupName": name})


def _reset(original: Any) -> Any:
    def reset(self: Any) -> None:
        for database in list(self.databases.values()):
            servers.FLEET.remove(database.db_instance_arn)
        original(self)

    return reset


def _address(original: Any) -> Any:
    def address(self: Any) -> str:
        return HOST if servers.is_served(self) else str(original.fget(self))

    return property(address)


def _managed_secret_string(self: Any) -> str:
    """What RDS stores in the managed secret: the master username and a generated password."""
    return json.dumps({"username": self.resource.master_username, "password": servers.random_password()})


def _put_secret_value(original: Any) -> Any:
    def put_secret_value(self: Any, secret_id: str, *args: Any, **kwargs: Any) -> Any:
        answer = original(self, secret_id, *args, **kwargs)
        database = _owner_of(self.secrets[secret_id].arn)
        if database is not None:
            servers.set_master_password(database)
        return answer

    return put_secret_value


def _rotate_secret(original: Any) -> Any:
    def rotate_secret(self: Any, secret_id: str, *args: Any, **kwargs: Any) -> Any:
        """An RDS-managed secret is rotated by RDS: a new password, set on the server at once."""
        secret = self.secrets.get(secret_id)
        database = _owner_of(secret.arn) if secret is not None else None
        if secret is None or database is None:
            return original(self, secret_id, *args, **kwargs)
        value = json.dumps({"username": database.master_username, "password": servers.random_password()})
        self.put_secret_value(secret_id, value, None, None, ["AWSCURRENT"])
        secret.last_rotation_date = int(time.time())
        return secret.to_short_dict()

    return rotate_secret


def _apply_faults(faults: Faults) -> None:
    replicas = {db.db_instance_arn: db.db_instance_identifier for db in _databases() if db.is_replica}
    servers.FLEET.apply_faults(faults, replicas)


def install() -> None:
    from moto.rds.models import DBInstance, MasterUserSecret, RDSBackend  # noqa: PLC0415
    from moto.rds.responses import RDSResponse  # noqa: PLC0415
    from moto.secretsmanager.models import SecretsManagerBackend  # noqa: PLC0415

    RDSBackend.create_db_instance = _create(RDSBackend.create_db_instance)
    RDSBackend.delete_db_instance = _delete(RDSBackend.delete_db_instance)
    RDSBackend.modify_db_parameter_group = _modify_parameter_group(RDSBackend.modify_db_parameter_group)
    RDSBackend.reset = _reset(RDSBackend.reset)
    RDSResponse.reset_db_parameter_group = _respond_reset_parameter_group
    DBInstance.update = _update(DBInstance.update)
    DBInstance.address = _address(DBInstance.address)
    MasterUserSecret._generate_secret_string = _managed_secret_string
    SecretsManagerBackend.put_secret_value = _put_secret_value(SecretsManagerBackend.put_secret_value)
    SecretsManagerBackend.rotate_secret = _rotate_secret(SecretsManagerBackend.rotate_secret)
    FAULTS.listen(_apply_faults)
    servers.stop_on_exit()
