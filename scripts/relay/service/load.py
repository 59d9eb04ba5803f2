"""Find, read and check relay.yaml: the published schema first, then what a schema cannot say.

Every problem is one line `FILE:LINE: key.path: what to do`, so an editor or Jenkins log jumps to it.
The file is read once per process (per path): commands ask for it many times.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import click
from jsonschema import Draft202012Validator, ValidationError

from relay.errors import RelayError
from relay.service.document import Document, Problem, dotted, read
from relay.service.model import Account, App, Environment, ServiceConfig, Sizes
from relay.service.regions import not_a_region, partition_of

BUCKET_NAME_MAX = 63
ACCOUNT_ID_LENGTH = 12
CONFIG_META_KEY = "relay.service.config"  # where --config leaves its path, in click's shared context meta
REPOSITORY_CONFIG = Path(__file__).resolve().parents[3] / "relay.yaml"
ROLE_ARN = re.compile(r"^arn:(?P<partition>[a-z-]+):iam::(?P<account>[0-9]{12}):role/")
PLATFORM_TEMPLATES = REPOSITORY_CONFIG.parent / "cloudformation"  # Relay's own, any service's by default
TYPE_NAMES = {
    "object": "a mapping",
    "string": "a string",
    "integer": "a whole number",
    "boolean": "true or false",
    "array": "a list",
}


class ServiceConfigError(RelayError):
    """relay.yaml is wrong: `problems` holds one line per thing to fix."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@cache
def schema() -> dict[str, Any]:
    """The published JSON Schema of relay.yaml."""
    document: dict[str, Any] = json.loads(
        resources.files("relay.service").joinpath("relay.schema.json").read_text(encoding="utf-8")
    )
    return document


def locate() -> Path:
    """The file to read: --config, else $RELAY_CONFIG, else ./relay.yaml, else Relay's own."""
    context = click.get_current_context(silent=True)
    chosen = context.meta.get(CONFIG_META_KEY) if context else None
    if isinstance(chosen, Path):
        return chosen
    if configured := os.environ.get("RELAY_CONFIG"):
        return Path(configured)
    local = Path("relay.yaml")
    return local if local.is_file() else REPOSITORY_CONFIG


def current() -> ServiceConfig:
    """The service configuration this command runs under."""
    return load(locate())


def load(file: Path) -> ServiceConfig:
    """The checked configuration in `file`; ServiceConfigError lists everything wrong with it."""
    return _load(file.resolve(), str(file))


@cache
def _load(file: Path, shown_as: str) -> ServiceConfig:
    """`load`, once per file (by its absolute path: a relative one may mean another after a chdir)."""
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as error:
        raise ServiceConfigError(
            [f"{shown_as}: cannot read it ({error.strerror}); pass --config PATH or set RELAY_CONFIG"]
        ) from error
    document = read(text)
    for stage in (_reading_problems, _schema_problems, _rule_problems):
        problems = sorted(
            dict.fromkeys(stage(document)), key=lambda problem: (problem.line, dotted(problem.path))
        )
        if problems:
            raise ServiceConfigError([problem.render(shown_as) for problem in problems])
    return _build(file, shown_as, document)


def _reading_problems(document: Document) -> Iterator[Problem]:
    yield from document.problems


def _schema_problems(document: Document) -> Iterator[Problem]:
    for error in Draft202012Validator(schema()).iter_errors(document.data):
        yield from _explain(error, document)


def _explain(error: ValidationError, document: Document) -> Iterator[Problem]:
    """The schema's complaint as problems at the line of the key it is about."""
    path = tuple(error.absolute_path)
    instance = error.instance
    if "propertyNames" in error.schema_path:
        key = (*path, instance)
        yield Problem(document.line(key), key, f"name {instance!r} must match {error.validator_value}")
    elif error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = list(error.schema.get("properties", {}))
        for extra in sorted(set(instance) - set(allowed)):
            key = (*path, extra)
            yield Problem(document.line(key), key, f"unknown key; allowed here: {', '.join(allowed)}")
    elif error.validator == "required" and isinstance(instance, dict):
        for missing in (name for name in error.validator_value if name not in instance):
            yield Problem(document.line(path), (*path, missing), "missing; add it")
    elif error.validator == "minProperties":
        yield Problem(document.line(path), path, "empty; define at least one")
    elif error.validator == "type":
        expected = TYPE_NAMES.get(str(error.validator_value), str(error.validator_value))
        yield Problem(document.line(path), path, f"expected {expected}, got {instance!r}")
    else:
        yield Problem(document.line(path), path, error.message)


def _rule_problems(document: Document) -> Iterator[Problem]:
    """What the schema cannot check: real regions, one partition, a standby apart from the primary, a role
    in the environment's account."""
    for name, env in document.data["environments"].items():
        regions = env["regions"]
        for role, region in regions.items():
            if partition_of(region) is None:
                key = ("environments", name, "regions", role)
                yield Problem(document.line(key), key, f"{region!r} is {not_a_region(region)}")
        if problem := _bucket_name_problem(document.data["service"], name, max(regions.values(), key=len)):
            yield Problem(document.line(("environments", name)), ("environments", name), problem)
        if "standby" in regions:
            key = ("environments", name, "regions", "standby")
            problem = _standby_problem(regions["primary"], regions["standby"])
            if problem:
                yield Problem(document.line(key), key, problem)
        if "account" in env:
            key = ("environments", name, "account", "role")
            problem = _role_problem(env["account"], regions["primary"])
            if problem:
                yield Problem(document.line(key), key, problem)


def _bucket_name_problem(service: str, env: str, region: str) -> str | None:
    """Why the longest bucket the platform templates name (storage.yaml's artifact bucket) would not fit."""
    longest = f"{service}-{env}-artifacts-<account>-{region}"
    length = len(longest) - len("<account>") + ACCOUNT_ID_LENGTH
    if length <= BUCKET_NAME_MAX:
        return None
    return (
        f"{longest} is {length} characters; S3 takes {BUCKET_NAME_MAX} in a bucket name: "
        "shorten the service's or the environment's name"
    )


def _standby_problem(primary: str, standby: str) -> str | None:
    """Why `standby` cannot stand by for `primary`, or None."""
    if standby == primary:
        return f"{standby!r} is the primary region; a standby must be another region"
    partitions = partition_of(primary), partition_of(standby)
    if None not in partitions and partitions[0] != partitions[1]:
        return (
            f"{standby!r} is in partition {partitions[1]}, the primary in {partitions[0]}; "
            "pick a standby in the primary's partition"
        )
    return None


def _role_problem(account: dict[str, str], primary: str) -> str | None:
    """Why the role ARN cannot be assumed for this environment (another account or partition), or None."""
    arn = ROLE_ARN.match(account["role"])
    if arn is None:
        return None  # a role name: it is in account `id`
    partition = partition_of(primary)
    if arn["account"] != account["id"]:
        return f"the role is in account {arn['account']}, not in {account['id']} (`id`); name one account"
    if partition and arn["partition"] != partition:
        return f"the role is in partition {arn['partition']}, the environment's regions in {partition}"
    return None


def _role_arn(account: dict[str, str], primary: str) -> str:
    """The role's ARN: as given, or built from its name in account `id` of the primary's partition."""
    role = account["role"]
    return role if ROLE_ARN.match(role) else f"arn:{partition_of(primary)}:iam::{account['id']}:role/{role}"


def _default(*path: str) -> Any:
    """A default as the schema publishes it."""
    node = schema()
    for part in path:
        node = node[part]
    return node["default"]


def _build(file: Path, shown_as: str, document: Document) -> ServiceConfig:
    data = document.data
    templates = _templates(file.resolve().parent, data.get("templates"))
    environment = ("$defs", "environment", "properties")
    return ServiceConfig(
        shown_as=shown_as,
        service=data["service"],
        templates=templates,
        app=_app(file.resolve().parent, data.get("app", {})),
        environments={
            name: Environment(
                name=name,
                primary=env["regions"]["primary"],
                standby=env["regions"].get("standby"),
                drills=env.get("drills", _default(*environment, "drills")),
                approvers=tuple(env.get("approvers", ())),
                sizes=_sizes(env.get("sizes", {})),
                account=_account(env),
            )
            for name, env in data["environments"].items()
        },
        drift_ignore=file.resolve().parent / data["drift"]["ignore"]
        if "ignore" in data.get("drift", {})
        else None,
        lines=document.lines,
        borrows_templates=templates == PLATFORM_TEMPLATES and "templates" not in data,
    )


def _account(env: dict[str, Any]) -> Account | None:
    account = env.get("account")
    if account is None:
        return None
    role_arn = _role_arn(account, env["regions"]["primary"])
    return Account(id=account["id"], role_arn=role_arn, external_id=account.get("external_id"))


def _app(root: Path, app: dict[str, Any]) -> App:
    """The app block with the schema's defaults; its files resolved beside relay.yaml."""
    properties = schema()["properties"]["app"]["properties"]
    values = {name: app.get(name, properties[name].get("default")) for name in App.__dataclass_fields__}
    values["lock"] = root / values["lock"]
    values["package"] = root / values["package"] if values["package"] else None
    return App(**values)


def _templates(folder: Path, configured: str | None) -> Path:
    """The file's `templates`; without one, the repository's own tree, else Relay's platform templates."""
    if configured is not None:
        return folder / configured
    own = folder / _default("properties", "templates")
    return own if own.is_dir() else PLATFORM_TEMPLATES


def _sizes(given: dict[str, Any]) -> Sizes:
    sizes = ("$defs", "sizes", "properties")
    return Sizes(**{name: given.get(name, _default(*sizes, name)) for name in Sizes.__dataclass_fields__})
