"""relay.yaml: every mistake is one line naming the file, the line and the key; Relay's own file passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from relay.service.load import PLATFORM_TEMPLATES, REPOSITORY_CONFIG, ServiceConfigError, load

VALID = """\
service: shop
environments:
  live:
    regions: {primary: eu-west-1, standby: eu-central-1}
"""

CASES = [
    (
        "unknown key",
        VALID + "    region: eu-west-1\n",
        "5: environments.live.region: unknown key; allowed here: regions, drills, approvers, sizes",
    ),
    (
        "names too long",
        VALID.replace("shop", "s" * 32).replace("  live:", "  " + "l" * 16 + ":"),
        f"3: environments.{'l' * 16}: {'s' * 32}-{'l' * 16}-artifacts-<account>-eu-central-1 is 85 "
        "characters; S3 takes 63 in a bucket name: shorten the service's or the environment's name",
    ),
    (
        "a size of the wrong type",
        VALID + "    sizes: {capacity: two}\n",
        "5: environments.live.sizes.capacity: expected a whole number, got 'two'",
    ),
    (
        "wrong type",
        VALID + "    drills: 'yes'\n",
        "5: environments.live.drills: expected true or false, got 'yes'",
    ),
    (
        "standby is the primary",
        VALID.replace("eu-central-1", "eu-west-1"),
        "4: environments.live.regions.standby: 'eu-west-1' is the primary region; "
        "a standby must be another region",
    ),
    (
        "unknown region",
        VALID.replace("eu-central-1", "eu-central-9"),
        "4: environments.live.regions.standby: 'eu-central-9' is not an AWS region in botocore's endpoint "
        "data (did you mean ",
    ),
    (
        "two partitions",
        VALID.replace("eu-central-1", "cn-north-1"),
        "4: environments.live.regions.standby: 'cn-north-1' is in partition aws-cn, the primary in aws; "
        "pick a standby in the primary's partition",
    ),
    (
        "duplicate environment",
        VALID + "  live:\n    regions: {primary: us-east-1}\n",
        "5: environments.live: defined twice (first on line 3); keep one",
    ),
    ("no environments", "service: shop\nenvironments: {}\n", "2: environments: empty; define at least one"),
    ("missing key", "service: shop\n", "1: environments: missing; add it"),
    (
        "bad environment name",
        VALID.replace("  live:", "  Live_1:"),
        "3: environments.Live_1: name 'Live_1' must match ^[a-z][a-z0-9]{0,15}$",
    ),
    ("not YAML", VALID + "  - oops\n", "5: (file): not valid YAML: expected <block end>, but found '-'"),
]


@pytest.mark.parametrize(("text", "expected"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_each_mistake_is_one_line_with_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "relay.yaml"
    path.write_text(text)
    with pytest.raises(ServiceConfigError) as caught:
        load(path)
    [problem] = caught.value.problems
    assert problem.startswith(f"{path}:{expected}")


def test_every_mistake_is_reported_in_file_order(tmp_path: Path) -> None:
    path = tmp_path / "relay.yaml"
    path.write_text(
        "servce: shop\nenvironments:\n  live:\n    regions: {primary: eu-west-1}\n    drills: 1\n"
    )
    with pytest.raises(ServiceConfigError) as caught:
        load(path)
    assert caught.value.problems == [
        f"{path}:1: servce: unknown key; allowed here: service, templates, app, environments",
        f"{path}:1: service: missing; add it",
        f"{path}:5: environments.live.drills: expected true or false, got 1",
    ]


def test_relay_s_own_file_describes_what_is_deployed() -> None:
    """Every environment and region of relay.yaml has its params file, and every params file its region."""
    config = load(REPOSITORY_CONFIG)
    declared = {f"{env.name}.{region}" for env in config.environments.values() for region in env.regions}
    params = {path.name.removesuffix(".json") for path in (config.templates / "params").glob("*.json")}
    assert declared == params
    assert config.service == "relay"
    assert [env.name for env in config.environments.values() if env.drills] == ["demo", "staging"]


def test_defaults_come_from_the_schema_and_are_marked_default(tmp_path: Path) -> None:
    path = tmp_path / "relay.yaml"
    path.write_text(VALID)
    config = load(path)
    assert (config.templates, config.borrows_templates) == (PLATFORM_TEMPLATES, True)  # no ./cloudformation
    own = tmp_path / "own"
    (own / "cloudformation").mkdir(parents=True)
    (own / "relay.yaml").write_text(VALID)
    assert (load(own / "relay.yaml").templates, load(own / "relay.yaml").borrows_templates) == (
        own / "cloudformation",
        False,
    )
    assert (config.app.port, config.app.health_path) == (8000, "/healthz")
    assert config.environments["live"].drills is False
    sources = {setting.key: setting.source for setting in config.settings()}
    assert sources["service"] == f"{path}:1"
    assert sources["environments.live.regions.standby"] == f"{path}:4"
    assert sources["app.port"] == sources["environments.live.drills"] == "default"
