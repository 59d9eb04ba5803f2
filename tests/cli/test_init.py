"""`relay init` in a WSGI repository: files relay and Jenkins Job Builder accept; nothing overwritten."""

from __future__ import annotations

import json
import runpy
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from relay.cli import main
from relay.service.load import REPOSITORY_CONFIG
from tests.gunicorn_settings import gunicorn_settings

ROOT = REPOSITORY_CONFIG.parent
JENKINS_JOBS = Path(sys.executable).with_name("jenkins-jobs")
WRITTEN = ["relay.yaml", "Jenkinsfile", "appspec.yml", "jobs/shop.yaml"]


def relay(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """The exit code, stdout and stderr of one relay command line."""
    capsys.readouterr()
    return (main(list(args)), *capsys.readouterr())


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """An existing WSGI service with nothing of Relay's yet."""
    service = tmp_path / "shop"
    service.mkdir()
    (service / "wsgi.py").write_text("def application(environ, start_response):\n    return []\n")
    return service


def init(capsys: pytest.CaptureFixture[str], repository: Path, *args: str) -> tuple[int, str, str]:
    """`relay init` in `repository`, serving its wsgi.py unless args give another --wsgi (the last wins)."""
    return relay(capsys, "init", "--directory", str(repository), "--wsgi", "wsgi:application", *args)


def test_init_writes_a_config_relay_accepts_and_says_what_to_fill_in(
    capsys: pytest.CaptureFixture[str], repository: Path
) -> None:
    code, out, err = init(
        capsys,
        repository,
        "--port",
        "8080",
        "--health-path",
        "/ping",
        "--primary",
        "eu-west-1",
        "--standby",
        "eu-central-1",
    )

    assert code == 0, err
    assert [line.removeprefix("wrote ") for line in err.splitlines()] == [
        str(repository / name) for name in WRITTEN
    ]
    assert "shop-release-managers" in out and "jobs/shop.yaml: the repository URL" in out
    code, out, err = relay(capsys, "--config", str(repository / "relay.yaml"), "config", "check")
    assert (code, err) == (0, "")
    assert out.endswith("service shop, environments staging (eu-west-1), prod (eu-west-1 + eu-central-1)\n")
    code, out, _ = relay(
        capsys, "--config", str(repository / "relay.yaml"), "--output", "json", "config", "show"
    )
    settings = {setting["key"]: setting["value"] for setting in json.loads(out)["settings"]}
    assert (settings["app.port"], settings["app.health_path"]) == (8080, "/ping")


def test_the_service_is_named_after_the_directory_and_the_jenkinsfile_calls_relay_pipeline(
    capsys: pytest.CaptureFixture[str], repository: Path
) -> None:
    assert init(capsys, repository)[0] == 0

    assert "\nservice: shop  #" in (repository / "relay.yaml").read_text()
    assert (repository / "Jenkinsfile").read_text().splitlines()[-1] == "relayPipeline()"
    assert (repository / "appspec.yml").read_text() == (ROOT / "codedeploy" / "appspec.yml").read_text()


def test_the_jjb_entry_renders_beside_relay_s_jobs(
    capsys: pytest.CaptureFixture[str], repository: Path, tmp_path: Path
) -> None:
    assert init(capsys, repository, "--repo", "https://git.example/shop.git")[0] == 0
    folder = tmp_path / "jjb"
    folder.mkdir()
    for path in [*(ROOT / "jobs").glob("*.yaml"), repository / "jobs" / "shop.yaml"]:
        (folder / path.name).write_text(path.read_text())

    result = subprocess.run(
        [str(JENKINS_JOBS), "test", "--config-xml", str(folder), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    rendered = sorted(path.parent.name for path in (tmp_path / "out").glob("shop-*/config.xml"))
    assert rendered == ["shop-dr", "shop-drift", "shop-pipeline"]
    pipeline = ET.parse(tmp_path / "out" / "shop-pipeline" / "config.xml").getroot()
    assert pipeline.findtext(".//scm/userRemoteConfigs/*/url") == "https://git.example/shop.git"


def test_re_running_refuses_without_force_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], repository: Path
) -> None:
    assert init(capsys, repository)[0] == 0
    (repository / "relay.yaml").write_text("# edited\n")

    code, _, err = init(capsys, repository, "--port", "9000")

    assert code == 1
    assert "already exist(s); nothing written (--force overwrites)" in err
    assert (repository / "relay.yaml").read_text() == "# edited\n"
    assert init(capsys, repository, "--port", "9000", "--force")[0] == 0
    assert "port: 9000" in (repository / "relay.yaml").read_text()


def test_options_that_make_a_wrong_config_write_nothing(
    capsys: pytest.CaptureFixture[str], repository: Path
) -> None:
    code, _, err = init(capsys, repository, "--primary", "eu-west-1", "--standby", "eu-west-1")

    assert code == 1
    assert "relay.yaml:17: environments.prod.regions.standby: 'eu-west-1' is the primary region" in err
    assert sorted(path.name for path in repository.iterdir()) == ["wsgi.py"]


def test_a_directory_name_that_is_no_service_name_asks_for_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    odd = tmp_path / "_"
    odd.mkdir()

    code, _, err = init(capsys, odd)

    assert code == 1
    assert "cannot name the service after the directory '_'; pass --service NAME" in err


def test_the_app_block_names_what_the_bundle_and_the_hooks_need(
    capsys: pytest.CaptureFixture[str], repository: Path
) -> None:
    code, out, err = init(capsys, repository, "--migrate", "shop.migrate")

    assert code == 0, err
    code, out, _ = relay(
        capsys, "--config", str(repository / "relay.yaml"), "--output", "json", "config", "show"
    )
    assert code == 0
    settings = {setting["key"]: setting["value"] for setting in json.loads(out)["settings"]}
    assert {key: settings[f"app.{key}"] for key in ("wsgi", "package", "lock", "migrate")} == {
        "wsgi": "wsgi:application",
        "package": str(repository),
        "lock": str(repository / "requirements.lock"),
        "migrate": "shop.migrate",
    }
    assert relay(capsys, "--config", str(repository / "relay.yaml"), "config", "check")[0] == 0


def test_the_next_steps_name_the_app_s_contract_and_the_release_commands(
    capsys: pytest.CaptureFixture[str], repository: Path
) -> None:
    code, out, _ = init(capsys, repository, "--output", "json")

    assert code == 0
    steps = "\n".join(json.loads(out)["next"])
    for needed in (
        "release_id (from RELAY_RELEASE_ID",
        "readiness path 200",
        "gunicorn.conf.py beside wsgi in the installed wheel",
        "`relay bundle --relock`",
        "`relay stack deploy` in both regions",
        "`relay bundle --upload`",
        "`relay release`",
        "`relay smoke`",
    ):
        assert needed in steps


def test_gunicorn_settings_are_written_beside_the_entry_point_once(
    capsys: pytest.CaptureFixture[str], repository: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("RELAY_APP_BIND", "PORT", "RELAY_APP_WORKERS"):
        monkeypatch.delenv(name, raising=False)
    package = repository / "shop" / "web"
    package.mkdir(parents=True)
    (repository / "shop" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("def create_app():\n    return None\n")
    conf = package / "gunicorn.conf.py"

    code, out, err = init(capsys, repository, "--wsgi", "shop.web:create_app()")

    assert code == 0, err
    assert f"wrote {conf}" in err.splitlines()
    assert '[tool.setuptools.package-data] shop.web = ["gunicorn.conf.py"]' in out
    settings = runpy.run_path(str(conf))
    assert settings["bind"] == "0.0.0.0:8000"
    assert gunicorn_settings(conf).control_socket_disable is True  # tests/app/test_gunicorn.py: why
    conf.write_text("bind = '0.0.0.0:9999'\n")

    code, _, err = init(capsys, repository, "--wsgi", "shop.web:create_app()", "--force")

    assert code == 0, err
    assert f"kept {conf} (the app's own gunicorn settings)" in err
    assert conf.read_text() == "bind = '0.0.0.0:9999'\n"


def test_a_module_of_a_package_gets_the_settings_beside_it(
    capsys: pytest.CaptureFixture[str], repository: Path
) -> None:
    (repository / "shop").mkdir()
    (repository / "shop" / "__init__.py").write_text("")
    (repository / "shop" / "wsgi.py").write_text("application = None\n")

    assert init(capsys, repository, "--wsgi", "shop.wsgi:application")[0] == 0

    assert (repository / "shop" / "gunicorn.conf.py").is_file()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--wsgi", "shop", "--wsgi 'shop' is not MODULE:CALLABLE"),
        ("--wsgi", "shop:app:x", "--wsgi 'shop:app:x' is not MODULE:CALLABLE"),
        ("--migrate", "shop/migrate.py", "--migrate 'shop/migrate.py' is not a module name"),
    ],
)
def test_a_bad_entry_point_is_refused_and_nothing_written(
    capsys: pytest.CaptureFixture[str], repository: Path, option: str, value: str, message: str
) -> None:
    code, _, err = init(capsys, repository, option, value)

    assert code == 1
    assert message in err and "nothing written" in err
    assert sorted(path.name for path in repository.iterdir()) == ["wsgi.py"]


def test_wsgi_has_no_default(capsys: pytest.CaptureFixture[str], repository: Path) -> None:
    code, _, err = relay(capsys, "init", "--directory", str(repository))

    assert code != 0
    assert "Missing option '--wsgi'" in err
    assert sorted(path.name for path in repository.iterdir()) == ["wsgi.py"]
