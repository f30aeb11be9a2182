"""The direction of imports, read from the source: extract/ is pure, archive/ uses extract, crawler/ uses both.

`extract` turns bytes into the contract and nothing else: no Scrapy, no SQLite, no network client,
none of our other packages. `archive` never imports the crawler or the CLI; the crawler never imports
the CLI. A cycle or a shortcut shows up here as the module and the line that made it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OURS = {"extract", "archive", "crawler", "nianbao"}
# What each package may import of ours.
ALLOWED = {"extract": set(), "archive": {"extract"}, "crawler": {"extract", "archive"},
           "nianbao": {"extract", "archive", "crawler"}}
# Third-party and standard modules extract/ must not use: a database, a crawler, a network client.
EXTRACT_FORBIDDEN = {"scrapy", "twisted", "sqlite3", "sqlite_utils", "datasette", "requests", "httpx", "urllib3",
                     "socket", "http", "aiohttp"}
EXTRACT_FORBIDDEN_DOTTED = {"urllib.request"}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_one_way(package: str) -> None:
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {name}"
             for path in _sources(package) for line, name in _imports(path)
             if name.split(".")[0] in OURS - {package} - ALLOWED[package]]
    assert not wrong


def test_extract_is_pure() -> None:
    wrong = [f"{path.relative_to(ROOT)}:{line} imports {name}"
             for path in _sources("extract") for line, name in _imports(path)
             if name.split(".")[0] in EXTRACT_FORBIDDEN or name in EXTRACT_FORBIDDEN_DOTTED]
    assert not wrong


def test_the_checker_sees_imports() -> None:
    """The scan itself finds both import forms (else the tests above could never fail)."""
    names = {name for _line, name in _imports(ROOT / "archive" / "store.py")}
    assert {"extract", "sqlite_utils"} <= {n.split(".")[0] for n in names}
