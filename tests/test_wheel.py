"""The package installs anywhere: the wheel, in a clean venv, with pip resolving pyproject's ranges.

No lock here on purpose: `pip install nianbao-archive` gets the newest releases the ranges allow, and
that is how lxml 6.2 once broke every HTML page (its `html_clean` extra moved to `lxml_html_clean`).
The installed package then parses an HTML page, a PDF and a DOCX to the same tables as this checkout
does, and serves an archive: the plugin from its entry point, the metadata and template from the
wheel. Needs PyPI (or a mirror pip is configured for); a few minutes, mostly pip.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import extract
from extract import parse_report
from tests import formatgen
from tests.shared import CORPUS, need_shared

# One worker builds the wheel and the venv once (make test's `--dist loadgroup`), not each worker its own.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200), pytest.mark.xdist_group("wheel")]

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "tests" / "fixtures" / "html" / "trs-gbk-2023.html"
# The build reads the source tree only; what a checkout also holds (venv, caches, outputs) stays out.
NOT_SOURCE = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "out", "test-artifacts",
                                    "__pycache__", ".*_cache", ".hypothesis")


def _run(cmd: list[str], cwd: Path, timeout: float) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(cmd)}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from a copy of the source tree, so the build writes nothing into this checkout."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(ROOT, source, symlinks=True, ignore=NOT_SOURCE)
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(work / "dist"),
          str(source)], cwd=work, timeout=600)
    (built,) = (work / "dist").glob("nianbao_archive-*.whl")
    return built


@pytest.fixture(scope="module")
def clean_venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with nothing but the wheel and what pip resolves for its ranges (no requirements.lock)."""
    where = tmp_path_factory.mktemp("venv") / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(where)
    _run([str(where / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], cwd=where.parent,
         timeout=1000)
    return where


def test_wheel_carries_the_site_and_registers_the_plugin(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as whl:
        names = set(whl.namelist())
        metadata = whl.read("archive/datasette/datasette-metadata.yml")
        (entry_points,) = (n for n in names if n.endswith(".dist-info/entry_points.txt"))
        points = whl.read(entry_points).decode("utf-8")
        (meta_file,) = (n for n in names if n.endswith(".dist-info/METADATA"))
        requires = whl.read(meta_file).decode("utf-8")
    assert metadata == (ROOT / "datasette-metadata.yml").read_bytes(), "the top-level file's content, not a link"
    assert {"archive/datasette/templates/nianbao_report.html", "archive/datasette/plugins/nianbao_site.py",
            "crawler/portals.yml", "extract/py.typed"} <= names
    assert "[datasette]\nnianbao = archive.datasette\n" in points
    assert "Requires-Dist: lxml_html_clean" in requires


def _installed(clean_venv: Path, code: str) -> Any:
    """Run code in the clean venv, away from this checkout (so nothing is imported from it)."""
    done = _run([str(clean_venv / "bin" / "python"), "-c", code], cwd=clean_venv, timeout=120)
    return json.loads(done.stdout)


def test_installed_parser_is_this_parser(clean_venv: Path) -> None:
    found = _installed(clean_venv, "import json, extract, lxml, importlib.metadata as m; print(json.dumps("
                                   "[extract.__file__, extract.PARSER_VERSION, lxml.__version__, "
                                   "m.version('lxml_html_clean')]))")
    where, version, lxml_version, _clean = found
    assert not where.startswith(str(ROOT)) and "site-packages" in where
    assert version == extract.PARSER_VERSION, "the wheel holds exactly this checkout's parser sources"
    print(f"clean venv: lxml {lxml_version}, lxml_html_clean {_clean}")


def _tables(report: dict[str, Any]) -> dict[str, Any]:
    return {k: report[k] for k in ("tables", "title", "agency", "year", "template")}


def test_installed_parser_reads_html_pdf_and_docx(clean_venv: Path, tmp_path: Path) -> None:
    need_shared()
    docx = tmp_path / "filled-2021.docx"
    docx.write_bytes(formatgen.fill_template(seed=20261205).docx)
    files = {"html": HTML, "pdf": CORPUS / "huaian-2024.pdf", "docx": docx}
    for fmt, path in files.items():
        done = _run([str(clean_venv / "bin" / "nianbao"), "parse", str(path), "--json"], cwd=tmp_path, timeout=300)
        installed = json.loads(done.stdout)
        here = parse_report(path.read_bytes()).to_dict()  # as `nianbao parse` does: sniffed
        assert installed["source"]["format"] == fmt
        assert sum(len(cells) for cells in installed["tables"].values()) > 100, fmt
        assert _tables(installed) == _tables(here), f"{fmt}: the wheel's dependencies read other tables"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode("utf-8"))


@contextlib.contextmanager
def _serving(cmd: list[str], cwd: Path) -> Iterator[None]:
    """Run a server command until it answers on its port; stop it after the block."""
    server = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    port = cmd[cmd.index("--port") + 1]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get(f"http://127.0.0.1:{port}/-/versions.json")
                break
            except OSError:
                assert server.poll() is None, server.communicate()[0][-3000:]
                assert time.monotonic() < deadline, f"{cmd[0]} did not start"
                time.sleep(0.3)
        yield
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_installed_package_serves_an_archive(clean_venv: Path, tmp_path: Path) -> None:
    bin_dir = clean_venv / "bin"
    db = tmp_path / "site.db"
    _run([str(bin_dir / "nianbao"), "add", str(HTML), "--db", str(db)], cwd=tmp_path, timeout=120)
    with sqlite3.connect(db) as conn:
        (report_id,) = conn.execute("SELECT id FROM reports").fetchone()
    conn.close()
    port = str(_free_port())
    base = f"http://127.0.0.1:{port}"
    with _serving([str(bin_dir / "nianbao"), "serve", "--db", str(db), "--port", port], tmp_path):
        plugins = {p["name"] for p in json.loads(_get(f"{base}/-/plugins.json"))}
        assert "nianbao-archive" in plugins, "registered by the wheel's entry point (named by its distribution)"
        page = _get(f"{base}/-/report/site/{report_id}")
        assert "三、收到和处理政府信息公开申请情况" in page, "the report page, from the wheel's template"
        search = json.loads(_get(f"{base}/site/search.json?q=%E5%A4%8D%E8%AE%AE&_shape=array"))
        assert [row["report_id"] for row in search] == [report_id], "the canned search, from the wheel's metadata"
    # A plain Datasette in that venv, given the metadata `nianbao serve --write-metadata` writes (as for
    # `datasette publish`), gets the plugin and its template from the entry point alone.
    metadata = tmp_path / "metadata.json"
    _run([str(bin_dir / "nianbao"), "serve", "--db", str(db), "--write-metadata", str(metadata)], cwd=tmp_path,
         timeout=60)
    with _serving([str(bin_dir / "datasette"), "serve", "-i", str(db), "-m", str(metadata), "--port", port],
                  tmp_path):
        assert "三、收到和处理政府信息公开申请情况" in _get(f"{base}/-/report/site/{report_id}")
        for term, want in (("%E5%A4%8D%E8%AE%AE", [report_id]), ("%E7%81%AB%E6%98%9F", [])):  # 复议, 火星
            found = json.loads(_get(f"{base}/site/reports.json?_search={term}&_shape=array"))
            assert [row["id"] for row in found] == want, "the table's search box asks the per-character index"
