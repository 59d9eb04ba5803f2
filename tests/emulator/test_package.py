"""The package's own rules, read from its source: independent of the product, one explicit install list,
no module that nothing uses."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import relay_emulator
from relay_emulator import install

PACKAGE = Path(relay_emulator.__file__).parent
PRODUCT = ("relay", "app")
# Entry points: `python -m relay_emulator.server`, and `process`, which the CLI and tests use to run it.
ENTRY_POINTS = {"relay_emulator.server", "relay_emulator.process"}


def _name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(path): ast.parse(path.read_text(), str(path)) for path in sorted(PACKAGE.rglob("*.py"))}
PACKAGES = {_name(path) for path in PACKAGE.rglob("__init__.py")}


def _imports(module: str) -> set[str]:
    """Every module `module` imports, top-level or inside functions, as absolute dotted names."""
    found: set[str] = set()
    for node in ast.walk(MODULES[module]):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:  # relative: from the module's package, one package up per extra dot
                base = module if module in PACKAGES else module.rpartition(".")[0]
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                source = ".".join(filter(None, [base, node.module]))
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names)
    return found


def _defines_install(module: str) -> bool:
    return any(isinstance(node, ast.FunctionDef) and node.name == "install" for node in MODULES[module].body)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_the_product(module: str) -> None:
    product = sorted(name for name in _imports(module) if name.split(".")[0] in PRODUCT)
    assert product == [], f"{module} imports {product}: the embedded AWS must not depend on Relay's product"


def test_every_installer_is_listed_once_under_its_own_module_name() -> None:
    names = [name for name, _ in install.INSTALLERS]
    assert sorted(name for name in set(names) if names.count(name) > 1) == []
    for name, installer in install.INSTALLERS:
        assert (installer.__module__, installer.__name__) == (f"relay_emulator.{name}", "install"), name
    defining = {module.removeprefix("relay_emulator.") for module in MODULES if _defines_install(module)}
    assert sorted(defining - set(names)) == [], "modules with an install() that INSTALLERS leaves out"


def test_every_module_is_installed_imported_or_an_entry_point() -> None:
    installed = {f"relay_emulator.{name}" for name, _ in install.INSTALLERS}
    imported = {name for module in MODULES for name in _imports(module) - {module}}
    unused = sorted(set(MODULES) - installed - imported - ENTRY_POINTS - PACKAGES)
    assert unused == [], "modules nothing installs or imports: delete them, or list or import them"


def test_the_cli_starts_without_importing_the_emulator() -> None:
    """Every `relay` command imports `process` to find the emulator; loading moto and every extension
    there cost each command over a second of CPU. Only the emulator's own process may load them."""
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, relay.cli; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    heavy = sorted(name for name in loaded if name.split(".")[0] == "moto" or name == "relay_emulator.server")
    assert heavy == [], f"importing the CLI loads {heavy[:5]}..."
