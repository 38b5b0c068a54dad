"""Every third-party package the code imports is declared in pyproject.toml, so a fresh
`make install` gives everything the code needs (nothing arrives only as another package's
dependency, to vanish when that one changes)."""

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIRST_PARTY = {"normsdb", "instruments", "obligations", "tests", "manage"}


def normalised(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["dev"]
    return {normalised(re.match(r"[A-Za-z0-9_.-]+", r).group()) for r in requirements}


def imports():
    """(full module name, file) of every absolute import in the project's own Python files."""
    files = [ROOT / "manage.py"]
    for folder in ["normsdb", "instruments", "obligations", "tests"]:
        files += sorted((ROOT / folder).rglob("*.py"))
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                yield name, path.relative_to(ROOT)


def imported_modules():
    """{top-level module: first file importing it}."""
    found = {}
    for name, path in imports():
        found.setdefault(name.split(".")[0], path)
    return found


def third_party(module):
    return not (
        module in FIRST_PARTY or module in sys.stdlib_module_names or module == "__future__"
    )


def test_every_third_party_import_is_a_declared_dependency():
    distributions = importlib.metadata.packages_distributions()
    wanted = declared()
    undeclared = []
    for module, path in sorted(imported_modules().items()):
        if not third_party(module):
            continue
        owners = {normalised(d) for d in distributions.get(module, [])}
        if not owners:
            undeclared.append(f"{module} (imported by {path}) is not installed")
        elif not owners & wanted:
            undeclared.append(f"{module} (imported by {path}) comes from {sorted(owners)}")
    assert not undeclared, "Declare in pyproject.toml:\n" + "\n".join(undeclared)


def test_the_check_sees_the_imports_it_is_about():
    """The walk finds third-party imports at all (a broken walk would pass the test above)."""
    modules = imported_modules()
    assert {"django", "rest_framework", "tantivy", "ijson", "hypothesis", "yaml"} <= set(modules)


def test_no_private_module_of_a_package_is_imported():
    """A package's _private modules change without notice; use what it exports."""
    private = sorted(
        f"{name} (in {path})"
        for name, path in imports()
        if third_party(name.split(".")[0])
        and any(part.startswith("_") for part in name.split(".")[1:])
    )
    assert not private, private
