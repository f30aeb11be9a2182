"""The archive's commands as a user runs them: add, export, rebuild, serve --write-metadata."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from nianbao.cli import main
from tests.shared import SEEDS, need_shared


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_add_export_rebuild(tmp_path: Path) -> None:
    need_shared()
    db = tmp_path / "mine.db"
    seeds = sorted(str(p) for p in SEEDS.glob("*.txt"))
    code, out, _err = run("add", *seeds, "--db", str(db))
    assert code == 0 and out.count("v1 (new)") == len(seeds)
    code, out, _err = run("add", seeds[0], "--db", str(db))
    assert code == 0 and "(unchanged)" in out, "adding the same file twice changes nothing"

    junk = tmp_path / "notes.txt"
    junk.write_text("购物清单：苹果、梨。\n", encoding="utf-8")
    code, out, _err = run("add", str(junk), "--db", str(db))
    assert code == 1 and "not a report" in out

    code, out, _err = run("export", "--db", str(db))
    docs = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and len(docs) == len(seeds) and all(d["url"].startswith("local:") for d in docs)
    code, out, _err = run("export", "--db", str(db), "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("report_id,agency,year")

    code, out, _err = run("rebuild", "--db", str(db))
    assert code == 0 and f"{len(seeds)} report versions, 1 sources unreadable" in out
    code, out2, _err = run("export", "--db", str(db))
    assert [json.loads(line) for line in out2.splitlines()] == docs


def test_missing_archive_is_one_line_and_exit_2(tmp_path: Path) -> None:
    for command in ("export", "rebuild", "serve"):
        code, _out, err = run(command, "--db", str(tmp_path / "none.db"))
        assert code == 2 and err.strip().endswith("no such archive"), command


def test_serve_writes_the_merged_metadata_for_publishing(tmp_path: Path) -> None:
    target = tmp_path / "metadata.json"
    code, _out, _err = run("serve", "--db", str(tmp_path / "archive2025.db"), "--write-metadata", str(target))
    metadata = json.loads(target.read_text(encoding="utf-8"))
    assert code == 0 and "archive2025" in metadata["databases"]
    assert "search" in metadata["databases"]["archive2025"]["queries"]


def test_demo_says_at_once_when_its_port_is_taken(tmp_path: Path) -> None:
    """Before a minute of crawling, not after it."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _out, err = run("demo", "--db", str(tmp_path / "d.db"), "--port", str(port))
    assert code == 2 and f"127.0.0.1:{port} is in use" in err
    assert not (tmp_path / "d.db").exists()
