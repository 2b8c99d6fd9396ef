"""Every third-party module Kenzen imports is a declared runtime dependency.

`make run` installs only those; a module that arrives through a development dependency
(numpy through pandas, once) works in the test suite and fails on a user's machine.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

SOURCE = Path(__file__).parent.parent / "src" / "kenzen"
PYPROJECT = Path(__file__).parent.parent / "pyproject.toml"


def _imported_modules() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"kenzen"}


def _runtime_distributions() -> set[str]:
    """What pyproject.toml declares (not the installed metadata, which a shared development
    environment keeps from its last install), with the extras a user opts into:
    ``kenzen[spark]``, whose ``kenzen.metrics.spark`` imports PySpark only when asked to
    run on Spark, and ``kenzen[s3]``, imported only for an event store on S3."""
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    declared = [*project["dependencies"], *extras["spark"], *extras["s3"]]
    runtime = [Requirement(r) for r in declared]
    return {r.name.lower().replace("_", "-") for r in runtime if not r.marker}


def test_every_imported_module_is_a_declared_runtime_dependency() -> None:
    providers = metadata.packages_distributions()
    declared = _runtime_distributions()
    undeclared = {
        module: providers.get(module, ["?"])
        for module in _imported_modules()
        if not {d.lower().replace("_", "-") for d in providers.get(module, [])} & declared
    }
    assert undeclared == {}
