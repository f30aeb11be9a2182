"""Versions that mean something: the parser's comes from its code, the archive's schema is checked on open.

PARSER_VERSION decides "same parser: do not parse this report again", so it must change whenever
`extract/` does; an archive of an older schema is refused with the command that fixes it.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import extract
from archive import Archive, ArchiveVersionError, Fetch
from archive.schema import SCHEMA_VERSION
from extract.version import PACKAGE_DIR, source_digest
from nianbao.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "shuyang-2025.txt"
PAGE = "http://www.example.gov.cn/nb/shuyang-2025.html"


def test_parser_version_is_the_digest_of_the_parser_sources() -> None:
    assert f"src-{source_digest()[:16]}" == extract.PARSER_VERSION
    assert Path(extract.__file__).resolve().parent == PACKAGE_DIR


def test_any_change_to_the_sources_changes_the_digest(tmp_path: Path) -> None:
    copy = tmp_path / "extract"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    assert source_digest(copy) == source_digest(), "the same sources anywhere give the same version"
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "parse.cpython-311.pyc").write_bytes(b"compiled")
    (copy / "py.typed").write_text("partial\n", encoding="utf-8")
    assert source_digest(copy) == source_digest(), "only .py sources count"
    digests = {source_digest()}
    values = copy / "tables" / "values.py"  # a module of a subpackage counts like one at the top
    values.write_bytes(values.read_bytes() + b"# a comment is a change too\n")
    digests.add(source_digest(copy))
    (copy / "readers" / "new.py").write_text("X = 1\n", encoding="utf-8")
    digests.add(source_digest(copy))
    (copy / "readers" / "new.py").rename(copy / "readers" / "renamed.py")
    digests.add(source_digest(copy))
    assert len(digests) == 4, "an edit, a new module and a rename each give a new version"


def _add_sample(db: Path) -> str:
    with Archive(db) as archive:
        sha = archive.record_fetch(Fetch(url=PAGE, final_url=PAGE, status=200, headers=[("Content-Type", "text/plain")],
                                         body=SAMPLE.read_bytes(), fetched_at="2026-01-01T00:00:00Z"))
        return archive.add_report([sha], page_url=PAGE).status


def test_a_report_parsed_by_another_parser_version_is_parsed_again(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    assert _add_sample(db) == "new"
    assert _add_sample(db) == "unchanged"
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT parser_version FROM reports").fetchone()[0] == extract.PARSER_VERSION
    with conn:
        conn.execute("UPDATE reports SET parser_version = '0.1.0'")
    conn.close()
    assert _add_sample(db) == "reparsed"
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT parser_version FROM reports").fetchone()[0] == extract.PARSER_VERSION
    conn.close()


def _set_schema_version(db: Path, version: int | None) -> None:
    conn = sqlite3.connect(db)
    with conn:
        if version is None:
            conn.execute("DROP TABLE archive_meta")
        else:
            conn.execute("UPDATE archive_meta SET value = ? WHERE key = 'schema_version'", [str(version)])
    conn.close()


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stderr


@pytest.mark.parametrize("old", [SCHEMA_VERSION - 1, None], ids=["older", "unstamped"])
def test_an_old_archive_says_to_rebuild_and_rebuild_fixes_it(tmp_path: Path, old: int | None) -> None:
    db = tmp_path / "old.db"
    _add_sample(db)
    _set_schema_version(db, old)
    with pytest.raises(ArchiveVersionError, match=rf"schema version {old or 0}.*run `nianbao rebuild --db .*old\.db`"):
        Archive(db)
    for command in (["add", str(SAMPLE)], ["export"], ["serve"]):
        code, err = _run(*command, "--db", str(db))
        assert code == 2 and "nianbao rebuild --db" in err and len(err.strip().splitlines()) == 1, (command, err)
    crawl = subprocess.run([sys.executable, "-m", "nianbao.cli", "crawl", "http://www.example.gov.cn/", "--db",
                            str(db)], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert crawl.returncode == 2 and "nianbao rebuild --db" in crawl.stderr, crawl.stderr[-2000:]

    code, err = _run("rebuild", "--db", str(db))
    assert code == 0, err
    assert _add_sample(db) == "unchanged", "the rebuilt archive opens, with its report"


def test_a_newer_archive_or_another_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    _add_sample(db)
    _set_schema_version(db, SCHEMA_VERSION + 1)
    with pytest.raises(ArchiveVersionError, match=r"newer than this nianbao's .*upgrade nianbao"):
        Archive(db)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    with conn:
        conn.execute("CREATE TABLE shopping (item TEXT)")
    conn.close()
    with pytest.raises(ArchiveVersionError, match="not a Nianbao archive"):
        Archive(other)
    code, err = _run("export", "--db", str(other))
    assert code == 2 and "not a Nianbao archive" in err
