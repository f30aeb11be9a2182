"""The `nianbao` command, in-process (CliRunner) and as a real subprocess.

The promise under test: any input gives either output and exit 0, or ONE line on stderr and a
non-zero exit (2 when there is nothing to read, 1 when it is not a report or the parser failed),
never a traceback; and the output is UTF-8 whatever the locale. In-process tests swap in a fake
parser so the CLI's own behaviour is tested on its own; the subprocess tests use the real parser
and the shared seed reports.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from extract import codes
from extract.model import Cell, Check, ParseError, Report, Section
from nianbao import __version__, cli

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SEEDS = sorted((SHARED / "seeds").glob("*.txt")) if (SHARED / "seeds").is_dir() else []
CONTRACT_KEYS = {
    "title",
    "agency",
    "year",
    "published",
    "template",
    "script",
    "sections",
    "tables",
    "checks",
    "source",
}
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00"


def garbage() -> bytes:
    """Random bytes with NULs in them, the same every run."""
    data = bytearray(random.Random(20240601).randbytes(4096))
    data[::97] = b"\x00" * len(data[::97])
    return bytes(data)


def sample_report() -> Report:
    report = Report(
        title="大竹县商务局2020年政府信息公开工作年度报告",
        agency="大竹县商务局",
        year=2020,
        published="2021-01-08",
        template="2019",
        sections=[Section(1, "overview", "总体情况", "2020年，…")],
        checks=[Check("requests.balance", False, "total: 1 + 0 ≠ 0 + 0")],
        warnings=["a warning"],
    )
    for row in codes.ACTIVE_ROWS["2019"]:
        report.tables["active_disclosure"] += [Cell(row.row, c, 0, "0", item=row.item) for c in row.columns]
    for code, _label, _group in codes.REQUEST_ROWS["2019"]:
        report.tables["requests"] += [Cell(code, c, 1, "1") for c, _l in codes.REQUEST_COLUMNS]
    for group, _label in codes.REVIEW_GROUPS:
        report.tables["review_litigation"] += [Cell(None, c, 0, "0", group=group) for c, _l in codes.REVIEW_COLUMNS]
    return report


class FakeParser:
    """Stands in for extract.parse_report: records its calls, returns a report or raises."""

    def __init__(self) -> None:
        self.calls: list[tuple[bytes, dict[str, Any]]] = []
        self.raises: BaseException | None = None

    def __call__(self, data: bytes, **kwargs: Any) -> Report:
        self.calls.append((data, kwargs))
        if self.raises is not None:
            raise self.raises
        return sample_report()


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeParser:
    parser = FakeParser()
    monkeypatch.setattr(cli, "_load_parser", lambda: (parser, ParseError))
    return parser


@pytest.fixture
def run() -> Callable[..., Result]:
    def invoke(*args: str, input: bytes | None = None) -> Result:
        return CliRunner().invoke(cli.main, list(args), input=input)

    return invoke


def assert_one_line_error(stderr: str, name: str, *phrases: str) -> None:
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith(f"nianbao: {name}: "), lines[0]
    for phrase in phrases:
        assert phrase in lines[0]


@pytest.fixture
def report_file(tmp_path: Path) -> Path:
    path = tmp_path / "报告.txt"
    path.write_text("一、总体情况\n", encoding="utf-8")
    return path


# --- in-process, with a fake parser -----------------------------------------------------------


def test_version(run: Callable[..., Result]) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"nianbao {__version__}"


def test_help_lists_commands(run: Callable[..., Result]) -> None:
    result = run("--help")
    assert result.exit_code == 0
    assert all(c in result.stdout for c in ("parse", "samples", "demo", "crawl", "serve"))


def test_parse_prints_summary_with_tables(run: Callable[..., Result], fake: FakeParser, report_file: Path) -> None:
    result = run("parse", str(report_file))
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for expected in (
        "国办公开办函〔2019〕60号",
        "第二十条第（一）项",
        "自然人",
        "（七）总计",
        "行政复议",
        "复议后起诉",
    ):
        assert expected in out
    assert "FAILED requests.balance" in out and "a warning" in out
    assert fake.calls == [(report_file.read_bytes(), {"url": None, "content_type": None})]
    assert result.stderr == ""


def test_parse_json_is_exactly_the_contract(run: Callable[..., Result], fake: FakeParser, report_file: Path) -> None:
    result = run("parse", str(report_file), "--json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == sample_report().to_json() + "\n"
    doc = json.loads(result.stdout)
    assert set(doc) >= CONTRACT_KEYS and set(doc) - CONTRACT_KEYS <= {"warnings"}
    assert doc["agency"] == "大竹县商务局"  # not \\u-escaped
    assert "\\u" not in result.stdout


def test_parse_reads_stdin(run: Callable[..., Result], fake: FakeParser) -> None:
    result = run("parse", "-", "--json", input="一、总体情况\n".encode())
    assert result.exit_code == 0, result.stderr
    assert fake.calls[0][0] == "一、总体情况\n".encode()


def test_not_a_report(run: Callable[..., Result], fake: FakeParser, report_file: Path) -> None:
    fake.raises = ParseError("binary data,\nnot a report text")
    result = run("parse", str(report_file))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert_one_line_error(result.stderr, str(report_file), "not a report: binary data, not a report text")


@pytest.mark.parametrize("exc", [RuntimeError("boom\nsecond line"), KeyError("x"), RecursionError()])
def test_parser_bug_is_one_line(
    run: Callable[..., Result], fake: FakeParser, report_file: Path, exc: Exception
) -> None:
    fake.raises = exc
    result = run("parse", str(report_file))
    assert result.exit_code == 1
    assert_one_line_error(result.stderr, str(report_file), type(exc).__name__)


def test_debug_reraises(run: Callable[..., Result], fake: FakeParser, report_file: Path) -> None:
    fake.raises = RuntimeError("boom")
    for args in (["parse", str(report_file), "--debug"], ["--debug", "parse", str(report_file)]):
        result = run(*args)
        assert isinstance(result.exception, RuntimeError)


def test_parser_that_does_not_import(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, report_file: Path
) -> None:
    def broken() -> None:
        raise ImportError("cannot import name 'parse_report'")

    monkeypatch.setattr(cli, "_load_parser", broken)
    result = run("parse", str(report_file))
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "nianbao: the parser could not be loaded: ImportError: cannot import name 'parse_report'"
    ]


def test_missing_file(run: Callable[..., Result], fake: FakeParser, tmp_path: Path) -> None:
    path = tmp_path / "不存在.pdf"
    result = run("parse", str(path))
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, str(path), "no such file")
    assert fake.calls == []


def test_directory(run: Callable[..., Result], fake: FakeParser, tmp_path: Path) -> None:
    result = run("parse", str(tmp_path))
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, str(tmp_path), "directory")


@pytest.mark.parametrize("content", [b"", b" \n\t\r\n"])
def test_empty_file(run: Callable[..., Result], fake: FakeParser, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    result = run("parse", str(path))
    assert result.exit_code == 1
    assert_one_line_error(result.stderr, str(path), "not a report", "empty")
    assert fake.calls == []


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(run: Callable[..., Result], fake: FakeParser, report_file: Path) -> None:
    report_file.chmod(0)
    result = run("parse", str(report_file))
    assert result.exit_code == 2
    assert_one_line_error(result.stderr, str(report_file), "permission denied")


def test_missing_argument_is_a_usage_error(run: Callable[..., Result]) -> None:
    result = run("parse")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


# --- samples, in-process ----------------------------------------------------------------------


@pytest.fixture
def samples(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "samples"
    folder.mkdir()
    for name in ("a-2020.txt", "b-2021.html"):
        (folder / name).write_text("一、总体情况\n", encoding="utf-8")
    (folder / "MANIFEST.tsv").write_text("file\tagency\n", encoding="utf-8")
    monkeypatch.setattr(cli, "SAMPLES_DIR", folder)
    return folder


def test_samples_summarises_each_sample_and_totals(run: Callable[..., Result], fake: FakeParser, samples: Path) -> None:
    result = run("samples")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for name in ("a-2020.txt", "b-2021.html"):
        assert f"\n{name}\n" in f"\n{out}"
    assert "MANIFEST" not in out
    flat = "".join(out.split())  # paragraphs are wrapped: compare without whitespace
    for phrase in (
        "大竹县商务局2020年政府信息公开工作年度报告",
        "covering2020",
        "国办公开办函〔2019〕60号",
        "simplified",
    ):
        assert phrase in flat
    assert f"1sections,{sample_report().cell_count}cellsread" in flat
    assert "1of1checksfailed(requests.balance)" in flat
    assert out.splitlines()[-1].split() == [
        "total:",
        "2",
        "of",
        "2",
        "parsed",
        "2",
        str(2 * sample_report().cell_count),
        "2/2",
    ]


def test_samples_reports_a_failing_sample_and_exits_1(
    run: Callable[..., Result], fake: FakeParser, samples: Path
) -> None:
    fake.raises = ParseError("no report structure found")
    result = run("samples")
    assert result.exit_code == 1
    assert "not a report: no report structure found" in result.stdout
    assert "not parsed" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_samples_without_samples_dir(
    run: Callable[..., Result], fake: FakeParser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "SAMPLES_DIR", tmp_path / "nowhere")
    result = run("samples")
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1
    assert "no samples directory" in result.stderr and "nowhere" in result.stderr


def test_samples_dir_is_in_the_repo() -> None:
    assert cli.SAMPLES_DIR == ROOT / "samples"


# --- real subprocess, real parser -------------------------------------------------------------


def nianbao(
    *args: str, input: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """`python -m nianbao.cli ARGS` from the repo root, as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "nianbao.cli", *args],
        cwd=ROOT,
        input=input,
        capture_output=True,
        timeout=120,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_subprocess_version() -> None:
    done = nianbao("--version")
    assert done.returncode == 0
    assert done.stdout.decode().strip() == f"nianbao {__version__}"


needs_seeds = pytest.mark.skipif(not SEEDS, reason=f"no seed reports in {SHARED / 'seeds'}")
# An ASCII locale must not turn Chinese output into an encoding error.
ASCII_ENV = {"LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": "ascii", "PYTHONUTF8": "0"}


@needs_seeds
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_seed_json(seed: Path) -> None:
    done = nianbao("parse", str(seed), "--json", env=ASCII_ENV)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stderr
    doc = json.loads(done.stdout.decode("utf-8"))
    assert set(doc) >= CONTRACT_KEYS and set(doc) - CONTRACT_KEYS <= {"warnings"}
    assert set(doc["tables"]) == set(codes.TABLE_NAMES)
    assert doc["template"] in (*codes.TEMPLATES, None)


@needs_seeds
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_seed_summary(seed: Path) -> None:
    done = nianbao("parse", str(seed), env=ASCII_ENV)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    out = done.stdout.decode("utf-8")
    for expected in (
        "第二十条第（一）项",
        "自然人",
        "法人或其他组织",
        "一、本年新收政府信息公开申请数量",
        "行政复议",
        "Checks:",
    ):
        assert expected in out
    assert "\x1b" not in out  # no colour codes into a pipe


@needs_seeds
def test_seed_from_stdin() -> None:
    done = nianbao("parse", "-", "--json", input=SEEDS[0].read_bytes())
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert set(json.loads(done.stdout)) >= CONTRACT_KEYS


@pytest.mark.parametrize(
    ("name", "content", "code", "phrase"),
    [
        ("empty.txt", b"", 1, "not a report"),
        ("garbage.bin", garbage(), 1, "not a report"),
        ("image.png", PNG + garbage()[:512], 1, "not a report"),
        ("garbage.txt", garbage(), 1, "not a report"),  # the name does not make it text
    ],
)
def test_subprocess_not_a_report(tmp_path: Path, name: str, content: bytes, code: int, phrase: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    done = nianbao("parse", str(path))
    assert done.returncode == code
    assert done.stdout == b""
    assert_one_line_error(done.stderr.decode("utf-8"), str(path), phrase)


def test_subprocess_missing_file_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "没有这个文件.pdf"
    done = nianbao("parse", str(missing), env=ASCII_ENV)
    assert done.returncode == 2
    assert_one_line_error(done.stderr.decode("utf-8"), str(missing), "no such file")
    done = nianbao("parse", str(tmp_path), "--json")
    assert done.returncode == 2
    assert_one_line_error(done.stderr.decode("utf-8"), str(tmp_path), "directory")


def test_subprocess_samples_parses_every_bundled_sample() -> None:
    samples = [p for p in (ROOT / "samples").iterdir() if p.is_file() and not cli._is_metadata(p)]
    assert samples, "the repository bundles sample reports"
    done = nianbao("samples", env=ASCII_ENV)
    out = done.stdout.decode("utf-8")
    assert b"Traceback" not in done.stderr
    assert done.returncode == 0, out + done.stderr.decode(errors="replace")
    for path in samples:
        assert f"\n{path.name}\n" in f"\n{out}"
    assert f"total: {len(samples)} of {len(samples)} parsed" in out


def test_subprocess_non_utf8_file_name(tmp_path: Path) -> None:
    """GBK-named files (from Windows archives) are named with escapes in the error, not a crash."""
    path = os.fsencode(tmp_path) + "/报告.txt".encode("gbk")
    done = nianbao("parse", os.fsdecode(path))
    assert done.returncode == 2
    stderr = done.stderr.decode("utf-8")
    assert_one_line_error(stderr, os.fsencode(tmp_path).decode() + "/\\xb1\\xa8\\xb8\\xe6.txt", "no such file")
