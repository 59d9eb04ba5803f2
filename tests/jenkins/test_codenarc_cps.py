"""CodeNarc's Jenkins CPS rules find nothing in vars/ and the Jenkinsfiles, and do find the unsafe fixture.

npm-groovy-lint's presets leave these rules out, so its bundled CodeNarc jar runs them directly (one JVM)
with tests/jenkins/codenarc-jenkins.groovy. Two silent ways to pass are closed: a rule limited to files
named `Jenkinsfile` (every shipped rule must fire on the fixture) and a file that does not compile at
semantic analysis, which CodeNarc only logs while skipping these rules (a fixture proves it is caught).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import pytest

ROOT = Path(__file__).resolve().parents[2]
JENKINS_TESTS = ROOT / "tests" / "jenkins"
RULESET = JENKINS_TESTS / "codenarc-jenkins.groovy"
CODENARC_LIB = ROOT / ".tools" / "node" / "node_modules" / "npm-groovy-lint" / "lib" / "java"
UNSAFE = "tests/jenkins/fixtures/cpsUnsafe.groovy"
UNCOMPILABLE = "tests/jenkins/fixtures/unresolvedAnnotation.groovy"
OURS = ("vars/*.groovy", "Jenkinsfile", "jobs/pipelines/*.Jenkinsfile")
# Jenkins imports @NonCPS and @Library implicitly; CodeNarc resolves them from these stand-ins.
STUBS = (JENKINS_TESTS / "harness", JENKINS_TESTS / "codenarc-stubs")
COMPILE_FAILURE = re.compile(
    r"Compilation failed for \[.*?SourceFile\[(?P<path>[^\]]+)\]"
    r".*?startup failed:\n(?P<error>.*?)\n\d+ error",
    re.S,
)


@dataclass(frozen=True)
class CodeNarcRun:
    """What one CodeNarc run reported: violations per file, files analysed, files it could not compile."""

    violations: dict[str, list[str]]
    total_files: int
    uncompiled: dict[str, str]
    output: str


def codenarc_jar() -> Path:
    """The CodeNarc jar npm-groovy-lint ships; a missing one is a failure (CI fails skipped tests)."""
    jars = sorted(CODENARC_LIB.glob("CodeNarc-*.jar"))
    assert jars, f"no CodeNarc jar in {CODENARC_LIB}: run `.ci/bootstrap node` (installs npm-groovy-lint)"
    return jars[-1]


def shipped_jenkins_rules() -> set[str]:
    """Rule names in the jar's rulesets/jenkins.xml (class name without its `Rule` suffix)."""
    with zipfile.ZipFile(codenarc_jar()) as jar:
        ruleset = ElementTree.fromstring(jar.read("rulesets/jenkins.xml"))
    classes = [rule.attrib["class"] for rule in ruleset.iter() if rule.tag.endswith("}rule")]
    return {name.rsplit(".", 1)[1].removesuffix("Rule") for name in classes}


def parse_report(report: Path) -> tuple[dict[str, list[str]], int]:
    """Violations as `line rule: message` per file path (relative to the root), and the files analysed."""
    tree = ElementTree.parse(report).getroot()
    violations: dict[str, list[str]] = {}
    for package in tree.iter("Package"):
        for source in package.iter("File"):
            path = f"{package.attrib['path']}/{source.attrib['name']}".lstrip("/")
            violations[path] = [
                f"{found.attrib['lineNumber']} {found.attrib['ruleName']}: {found.findtext('Message')}"
                for found in source.iter("Violation")
            ]
    summary = tree.find("PackageSummary")
    assert summary is not None, "CodeNarc's XML report has no PackageSummary"
    return violations, int(summary.attrib["totalFiles"])


@pytest.fixture(scope="module")
def codenarc(tmp_path_factory: pytest.TempPathFactory) -> CodeNarcRun:
    """One CodeNarc run over our files and both fixtures, with the machine's java."""
    java = shutil.which("java")
    assert java, "java is missing: install default-jre-headless (.ci/bootstrap apt)"
    jar = codenarc_jar()
    others = [
        path for path in CODENARC_LIB.glob("*.jar") if path != jar and path.name != "CodeNarcServer.jar"
    ]
    classpath = [jar, *others, *sorted((CODENARC_LIB / "groovy" / "lib").glob("*.jar")), *STUBS]
    report = tmp_path_factory.mktemp("codenarc") / "codenarc.xml"
    result = subprocess.run(
        [
            java,
            "-XX:TieredStopAtLevel=1",  # a short run: the quick JIT tier is enough
            "-cp",
            ":".join(map(str, classpath)),
            "org.codenarc.CodeNarc",
            f"-basedir={ROOT}",
            f"-includes={','.join([*OURS, UNSAFE, UNCOMPILABLE])}",
            f"-rulesetfiles=file:{RULESET}",
            f"-report=xml:{report}",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    output = "".join(
        line for line in (result.stdout + result.stderr).splitlines(True) if " DEBUG " not in line
    )
    assert result.returncode == 0, output
    violations, total_files = parse_report(report)
    uncompiled = {
        str(Path(found["path"]).resolve().relative_to(ROOT)): found["error"].strip()
        for found in COMPILE_FAILURE.finditer(output)
    }
    return CodeNarcRun(violations, total_files, uncompiled, output)


def test_the_ruleset_widens_every_rule_codenarc_ships() -> None:
    configured = set(re.findall(r"^\s*(\w+) \{ applyToFileNames = ours \}$", RULESET.read_text(), re.M))
    assert configured == shipped_jenkins_rules()


def test_vars_and_jenkinsfiles_are_cps_safe(codenarc: CodeNarcRun) -> None:
    ours = sorted(str(path.relative_to(ROOT)) for pattern in OURS for path in ROOT.glob(pattern))
    assert codenarc.total_files == len(ours) + 2, codenarc.output
    uncompiled = {path: error for path, error in codenarc.uncompiled.items() if path != UNCOMPILABLE}
    assert uncompiled == {}, (
        "CodeNarc skips its CPS rules on a file it cannot compile (a class Jenkins imports implicitly?"
        " import it, or add a stand-in to tests/jenkins/codenarc-stubs):\n"
        + "\n".join(f"{path}: {error}" for path, error in uncompiled.items())
    )
    found = {path: lines for path, lines in codenarc.violations.items() if path != UNSAFE and lines}
    assert found == {}, "\n".join(f"{path}:{line}" for path, lines in found.items() for line in lines)


def test_the_check_can_fail(codenarc: CodeNarcRun) -> None:
    fired = {line.split(" ")[1].rstrip(":") for line in codenarc.violations.get(UNSAFE, [])}
    assert fired == shipped_jenkins_rules(), codenarc.output
    assert UNCOMPILABLE in codenarc.uncompiled, codenarc.output
