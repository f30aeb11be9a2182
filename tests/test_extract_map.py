"""extract/ shows its architecture: its map names every part, and no module reaches into another's privates.

The map is the docstring of `extract/__init__.py` (and of each subpackage's `__init__.py`); a module
added without a line there fails here, so the map cannot drift from the tree. A `_name` is private to
its module: a module that needs it means it should be public under a proper name, or live elsewhere.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

EXTRACT = Path(__file__).resolve().parents[1] / "extract"
PACKAGES = sorted(p.parent for p in EXTRACT.rglob("__init__.py"))


def _parts(package: Path) -> list[str]:
    """The modules and subpackages directly inside `package`."""
    return sorted([p.stem for p in package.glob("*.py") if p.name != "__init__.py"]
                  + [p.name for p in package.iterdir() if (p / "__init__.py").is_file()])


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.relative_to(EXTRACT.parent).as_posix())
def test_the_package_docstring_names_every_part(package: Path) -> None:
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""
    missing = [name for name in _parts(package) if f"`{name}`" not in doc and f"`{name}/`" not in doc]
    assert not missing, f"{package.name}/__init__.py's map does not name {missing}"


def _private_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return [f"{path.name}:{node.lineno} imports {alias.name} from {node.module}"
            for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module != "__future__"
            for alias in node.names if alias.name.startswith("_") and not alias.name.startswith("__")]


def test_no_module_imports_a_private_name() -> None:
    wrong = [f"{path.parent.relative_to(EXTRACT.parent)}/{line}"
             for path in sorted(EXTRACT.rglob("*.py")) for line in _private_imports(path)]
    assert not wrong


def test_the_private_import_check_sees_one(tmp_path: Path) -> None:
    """The scan finds a private import in both forms (else the test above could never fail)."""
    module = tmp_path / "m.py"
    module.write_text("from .sections import _candidate\nfrom extract.html import X, _Y\n", encoding="utf-8")
    assert len(_private_imports(module)) == 2
