"""The vars/ steps and every Jenkinsfile under real Groovy 2.4 (Jenkins core's), in the recording harness."""

from __future__ import annotations

from groovy_runner import HARNESS, ROOT, run_groovy_tests

TESTS = ROOT / "tests" / "jenkins" / "groovy"
FIXTURES = ROOT / "tests" / "jenkins" / "fixtures"


def test_groovy_tests_pass() -> None:
    result = run_groovy_tests(TESTS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 failed" in result.stdout


def test_every_step_and_pipeline_script_has_a_test() -> None:
    tested = "\n".join(path.read_text() for path in TESTS.glob("*.groovy"))
    steps = [path.stem for path in (ROOT / "vars").glob("*.groovy") if path.stem != "relaySupport"]
    scripts = ["Jenkinsfile", *(path.name for path in (ROOT / "jobs" / "pipelines").glob("*.Jenkinsfile"))]
    assert [name for name in steps + scripts if name not in tested] == []
    assert sorted(path.stem for path in (ROOT / "vars").glob("*.txt")) == sorted(
        path.stem for path in (ROOT / "vars").glob("*.groovy")
    )


def test_the_runner_fails_when_a_test_fails() -> None:
    result = run_groovy_tests(FIXTURES / "FailingFixtureTest.groovy")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "groovy tests: 2 run, 2 failed" in result.stdout
    assert "unknown pipeline step 'shh'" in result.stderr
    assert "expects a sh line the step does not run" in result.stderr


def test_the_runner_fails_when_no_test_ran() -> None:
    result = run_groovy_tests(HARNESS / "com")  # a folder without *Test.groovy files
    assert result.returncode == 1, result.stdout + result.stderr
    assert "groovy tests: 0 run" in result.stdout
