"""The archive's commands: add files, rebuild, export, serve with Datasette, and the demo (README's main command).

Registered on the `nianbao` group in nianbao/cli.py. Problems are one line on stderr and an exit
code (the house rule of cli.py); heavy imports (sqlite-utils, Datasette) happen inside the commands.
"""

from __future__ import annotations

import contextlib
import mimetypes
import sys
from collections import deque
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from nianbao.interrupts import terminated_cleanly

if TYPE_CHECKING:
    from archive.workers import Limits

EXIT_NOT_REPORT = 1
EXIT_USAGE = 2
DEFAULT_PORT = 8001
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "samples"

db_option = click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
                         help="The archive's SQLite file.")
raw_option = click.option("--raw-root", type=click.Path(file_okay=False, path_type=Path), default=None,
                          help="Where raw files are kept (default: <db dir>/<db stem>-raw/).")


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"nianbao: {message}", err=True)
    sys.exit(code)


@contextlib.contextmanager
def _one_writer() -> Iterator[None]:
    """Another process writing the archive (archive/lock.py), or an archive of another schema version
    (archive/schema.py: rebuild it), is a usage error of one line, exit 2."""
    from archive import ArchiveBusy, ArchiveVersionError

    try:
        yield
    except (ArchiveBusy, ArchiveVersionError) as exc:
        _fail(str(exc), EXIT_USAGE)


def _readable_archive(db_path: Path) -> None:
    """serve and export only read: an archive of another schema version is refused in one line, exit 2."""
    from archive.schema import ArchiveVersionError, check_archive_file

    if not db_path.is_file():
        _fail(f"{db_path}: no such archive", EXIT_USAGE)
    try:
        check_archive_file(db_path)
    except ArchiveVersionError as exc:
        _fail(str(exc), EXIT_USAGE)


def _content_type(path: Path) -> str | None:
    """A local file has no server to say what it is; its extension is the best hint for the parser."""
    guessed, _ = mimetypes.guess_type(path.name)
    if path.suffix.lower() in {".txt", ".md"}:
        return "text/plain"
    return guessed


def _parse_limits(jobs: int, timeout: float | None, memory: int | None, cpu: int | None) -> Limits:
    """The worker limits from the environment (NIANBAO_PARSE_*, NIANBAO_CAP_*) and the command's options."""
    from archive.workers import Limits

    if jobs < 1:
        _fail("--jobs must be at least 1", EXIT_USAGE)
    try:
        return Limits.from_env(wall_s=timeout, memory_mb=memory, cpu_s=cpu)
    except ValueError as exc:
        _fail(str(exc), EXIT_USAGE)


def _default_jobs() -> int:
    from archive.workers import default_jobs

    return default_jobs()


def limit_options(command: Callable[..., None]) -> Callable[..., None]:
    """--jobs and the per-document limits of the parse workers (archive/workers.py)."""
    for option in reversed([
        click.option("--jobs", "-j", type=int, default=_default_jobs, show_default="the number of cores",
                     help="Documents parsed at once, each in a worker process of its own "
                          "(by default one per core, fewer if memory would not hold them)."),
        click.option("--parse-timeout", type=float, default=None,
                     help="Wall-clock seconds a document may take (default 1800; env NIANBAO_PARSE_TIMEOUT_S)."),
        click.option("--parse-memory", type=int, default=None,
                     help="MB of address space a parse worker may use (default 4096; env NIANBAO_PARSE_MEMORY_MB)."),
        click.option("--parse-cpu", type=int, default=None,
                     help="CPU seconds a document may take (default 600; env NIANBAO_PARSE_CPU_S)."),
    ]):
        command = option(command)
    return command


def _read_file(path: Path) -> bytes | str:
    """The file's bytes up to the input cap, or why it is not archived."""
    from nianbao.inputs import InputTooLarge, read_file_limited

    try:
        body = read_file_limited(path)
    except InputTooLarge as exc:
        return f"not archived: {exc}"
    except OSError as exc:
        return f"not archived: cannot read it ({exc.strerror or exc})"
    return body if body else "not archived: empty file"


def add_files(db_path: Path, files: list[Path], *, raw_root: Path | None = None, url: str | None = None,
              agency: str | None = None, year: int | None = None, jobs: int = 1,
              limits: Limits | None = None) -> list[tuple[Path, str, str]]:
    """Archive local files as reports (one report per file); returns (file, status, message) each.
    With `jobs` > 1 the next files are parsed while one is stored (files are read a window ahead)."""
    from archive import Archive, Fetch
    from archive.private import local_url
    from archive.workers import ParsePool

    results: dict[int, tuple[Path, str, str]] = {}
    ahead: deque[tuple[int, Path, str, str, object]] = deque()  # read, recorded, parsing: not yet stored

    def store(archive: Archive) -> None:
        i, path, sha, page_url, _key = ahead.popleft()
        outcome = archive.add_report([sha], page_url=page_url, agency=agency, year=year)
        if outcome.status == "failed":
            results[i] = (path, "failed", f"archived as {sha[:12]} but not a report: "
                                          f"{next(iter(outcome.errors.values()), 'unreadable')}")
        else:
            results[i] = (path, outcome.status, f"report {outcome.report_id} v{outcome.version} ({outcome.status})")

    with Archive(db_path, raw_root=raw_root) as archive, ParsePool(jobs, limits) as pool:
        archive.parse_pool = pool
        for i, path in enumerate(files):
            body = _read_file(path)
            if isinstance(body, str):
                results[i] = (path, "failed", body)
                continue
            page_url = url or local_url(path, body)  # never the operator's folder (archive/private.py)
            ctype = _content_type(path)
            fetch = Fetch(url=page_url, final_url=page_url, status=200,
                          headers=[("Content-Type", ctype)] if ctype else [], body=body,
                          fetched_at=datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")
                          .replace("+00:00", "Z"))
            sha = archive.record_fetch(fetch)
            del body, fetch
            ahead.append((i, path, sha, page_url, archive.parse_ahead(sha)))
            while len(ahead) > 2 * jobs:
                store(archive)
        while ahead:
            store(archive)
        archive.refresh_findings()
    return [results[i] for i in sorted(results)]


@click.command("add")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@raw_option
@click.option("--url", default=None, help="The page the file came from (default: local:<digest>/<name>, no folder).")
@click.option("--agency", default=None, help="The reporting body, when the file does not name it.")
@click.option("--year", type=int, default=None, help="The year covered, when the file does not say.")
@limit_options
def add_cmd(files: tuple[Path, ...], db_path: Path, raw_root: Path | None, url: str | None, agency: str | None,
            year: int | None, jobs: int, parse_timeout: float | None, parse_memory: int | None,
            parse_cpu: int | None) -> None:
    """Archive report FILEs you already have (HTML, text, PDF, Word …: whatever `parse` reads)."""
    if url and len(files) > 1:
        _fail("--url names one page: give one file with it", EXIT_USAGE)
    limits = _parse_limits(jobs, parse_timeout, parse_memory, parse_cpu)
    with _one_writer(), terminated_cleanly():
        results = add_files(db_path, list(files), raw_root=raw_root, url=url, agency=agency, year=year, jobs=jobs,
                            limits=limits)
    for path, _status, message in results:
        click.echo(f"{path}: {message}")
    if any(status == "failed" for _p, status, _m in results):
        sys.exit(EXIT_NOT_REPORT)


def _replay_progress(what: str) -> Callable[[int, int], None]:
    def progress(n: int, total: int) -> None:
        if n == total or n % 500 == 0:
            click.echo(f"{what}: {n}/{total} report versions replayed", err=True)

    return progress


@click.command("rebuild")
@db_option
@raw_option
@limit_options
def rebuild_cmd(db_path: Path, raw_root: Path | None, jobs: int, parse_timeout: float | None,
                parse_memory: int | None, parse_cpu: int | None) -> None:
    """Re-parse every archived document with this parser into a fresh database, swapped in atomically."""
    from archive.rebuild import rebuild

    if not db_path.is_file():
        _fail(f"{db_path}: no such archive", EXIT_USAGE)
    limits = _parse_limits(jobs, parse_timeout, parse_memory, parse_cpu)
    with _one_writer(), terminated_cleanly():
        counts = rebuild(db_path, raw_root, progress=_replay_progress("rebuild"), jobs=jobs, limits=limits)
    click.echo(f"rebuilt {db_path}: {counts['reports']} report versions, {counts['failed']} sources unreadable")


@click.command("merge")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
def merge_cmd(sources: tuple[Path, ...], db_path: Path) -> None:
    """Merge archives crawled elsewhere (`nianbao crawl --shard K/N` on N machines) into --db."""
    from archive.merge import merge

    with _one_writer():
        try:
            counts = merge(db_path, sources, progress=_replay_progress("merge"))
        except ValueError as exc:  # an archive merged into itself
            _fail(str(exc), EXIT_USAGE)
    click.echo(f"merged {len(sources)} archive(s) into {db_path}: {counts['files']} new files, "
               f"{counts['fetches']} fetches, {counts['reports']} report versions, {counts['failed']} unreadable")


@click.command("export")
@db_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl", show_default=True,
              help="jsonl: contract JSON per current report; csv: the key-figures view.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of stdout.")
def export_cmd(db_path: Path, fmt: str, output: Path | None) -> None:
    """Export every current report as contract JSON lines, or the key figures as CSV."""
    from archive.export import export

    _readable_archive(db_path)
    if output is None:
        export(db_path, sys.stdout, fmt)
        return
    with output.open("w", encoding="utf-8", newline="") as fh:
        n = export(db_path, fh, fmt)
    click.echo(f"wrote {n} records to {output}", err=True)


def serve(db_path: Path, host: str, port: int, raw_root: Path | None = None) -> None:
    """Serve the archive read-only until interrupted."""
    import uvicorn

    from archive.datasette.config import make_datasette

    ds = make_datasette(db_path, raw_root=raw_root)
    name = db_path.stem
    click.echo(f"Serving {db_path} at http://{host}:{port}/{name}  (search: http://{host}:{port}/{name}/search ,"
               f" dashboard: http://{host}:{port}/-/dashboards/{name}); Ctrl-C stops.")
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning")


@click.command("serve")
@db_option
@raw_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True)
@click.option("--write-metadata", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the merged Datasette metadata (JSON, for `datasette publish`) here and exit.")
def serve_cmd(db_path: Path, raw_root: Path | None, host: str, port: int, write_metadata: Path | None) -> None:
    """Serve an archive with Datasette (read-only); the database's name in URLs is the file's stem."""
    if write_metadata is not None:
        import json

        from archive.datasette.config import load_config

        metadata, settings = load_config(db_path.stem)
        write_metadata.write_text(json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8")
        click.echo(f"wrote {write_metadata}; pass these settings with --setting: {settings}")
        return
    _readable_archive(db_path)
    serve(db_path, host, port, raw_root)


def sample_files() -> list[Path]:
    return sorted(p for p in SAMPLES_DIR.iterdir()
                  if p.is_file() and not p.name.startswith(".") and p.stem.upper() not in {"MANIFEST", "README"})


def crawl_fixture_portals(db_path: Path) -> None:
    """Crawl the bundled fixture portals (crawler/testing) on loopback into db_path, showing progress.

    In a child process (crawler/run.py), as `--workers N` crawls N at once: the same progress lines
    either way, and this process stays free of a reactor before it serves the site."""
    from crawler.run import crawl
    from crawler.testing.server import ALL_PORTALS, serve_portals

    last = [""]

    def progress(totals: dict[str, object]) -> None:
        line = ", ".join(f"{k} {v}" for k, v in totals.items() if k not in ("elapsed", "blocked"))
        if line != last[0]:  # a line when something moved, not one a second
            last[0] = line
            click.echo(f"  {totals.get('elapsed', 0):>5.0f}s  {line}", err=True)

    with serve_portals(ALL_PORTALS) as server:
        click.echo(f"demo: fixture portals F1-F17 on 127.0.0.1:{server.port} ({len(server.host_map)} hostnames); "
                   f"crawling {len(server.entries())} entry points …", err=True)
        # Politeness relaxed for loopback, but not to the point of tripping F6's 5-requests-a-second
        # throttle (a real crawl waits a second between requests to one host).
        stats = crawl(server.crawl_options(db_path, settings={"DOWNLOAD_DELAY": 0.25}), progress=progress)
    if stats.returncode != 0:
        _fail(f"demo: the crawl failed (exit {stats.returncode}): {stats.stderr.strip()[-800:]}", EXIT_NOT_REPORT)
    blocked = f"; blocked hosts (recorded with the reason, not bypassed): {', '.join(stats.blocked)}" \
        if stats.blocked else ""
    click.echo(f"demo: crawl finished in {stats.elapsed:.0f}s: {stats.reports} reports, {stats.attachments} "
               f"attachments, {stats.pages} pages, {stats.errors} errors{blocked}", err=True)


def _port_free(host: str, port: int) -> bool:
    import socket

    with socket.socket() as s:
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _archive_totals(db_path: Path) -> str:
    import sqlite3

    con = sqlite3.connect(db_path)
    try:
        reports, agencies, failed = con.execute(
            "SELECT count(*), count(DISTINCT agency_id), coalesce(sum(checks_failed > 0), 0) FROM reports "
            "WHERE is_current").fetchone()
        sightings = con.execute("SELECT count(*) FROM report_sightings").fetchone()[0]
        docs, unparsed = con.execute(
            "SELECT count(*), coalesce(sum(parse_status = 'failed'), 0) FROM documents").fetchone()
    finally:
        con.close()
    return (f"{reports} current reports from {agencies} agencies ({failed} with numbers that do not add up), "
            f"seen under {sightings} URLs; "
            f"{docs} archived files, {unparsed} of them not readable as reports (kept, with the reason)")


@click.command("demo")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path), default=Path("out/demo/nianbao.db"),
              show_default=True, help="Where to build the demo archive (rebuilt from scratch).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=DEFAULT_PORT, show_default=True)
@click.option("--no-serve", is_flag=True, help="Build the archive, then stop (for scripts and tests).")
@click.option("--workers", type=click.IntRange(1, 16), default=1, show_default=True,
              help="Crawl with this many workers on a shared Redis frontier (a redis-server of its own), "
                   "then merge their parts.")
def demo_cmd(db_path: Path, host: str, port: int, no_serve: bool, workers: int) -> None:
    """Start the fixture portals on loopback, crawl them, archive the bundled samples, and serve the site."""
    import shutil

    from archive.store import default_raw_root

    if not no_serve and not _port_free(host, port):  # say so now, not after the crawl
        _fail(f"demo: {host}:{port} is in use (another `nianbao serve`?): stop it or pass --port", EXIT_USAGE)
    db_path.unlink(missing_ok=True)
    shutil.rmtree(default_raw_root(db_path), ignore_errors=True)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    if workers > 1:
        from nianbao.demo_workers import crawl_with_workers

        crawl_with_workers(db_path, workers)
    else:
        crawl_fixture_portals(db_path)
    files = sample_files()
    click.echo(f"demo: archiving the {len(files)} sample reports in samples/ …", err=True)
    for path, _status, message in add_files(db_path, files):
        click.echo(f"  {path.name}: {message}", err=True)
    click.echo(f"demo: {db_path}: {_archive_totals(db_path)}", err=True)
    if not no_serve:
        serve(db_path, host, port)


ARCHIVE_COMMANDS = (add_cmd, rebuild_cmd, merge_cmd, export_cmd, serve_cmd, demo_cmd)
