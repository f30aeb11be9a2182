"""The `nianbao` command: parse one report, or summarise the bundled samples (`nianbao samples`).

A file that is not a report is an everyday event (the crawler downloads thousands of odd files),
so every problem with the input is ONE line on stderr and an exit code, never a traceback; even a
bug inside the parser is reported that way. `--debug` gives developers the traceback back.
The parser and the summary are imported only when needed, so that a parser that does not import
(it is being written) still yields one clear line and `--version` always works.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from nianbao import __version__
from nianbao.interrupts import terminated_cleanly

if TYPE_CHECKING:
    from extract.model import Report

    ParseFn = Callable[..., Report]

EXIT_NOT_REPORT = 1  # the input was read but is not a report, or the parser failed on it
EXIT_USAGE = 2  # the input could not be read at all: missing file, directory, no permission

# `samples` parses the sample reports bundled with the repo (the demo archives them too).
SAMPLES_DIR = Path(__file__).resolve().parents[1] / "samples"


class CliError(Exception):
    """A problem to report as one line on stderr, with the exit code it deserves."""

    def __init__(self, message: str, code: int = EXIT_NOT_REPORT) -> None:
        super().__init__(message)
        self.code = code


def one_line(text: object) -> str:
    """Exception messages can span lines or carry control characters from the input; the error
    contract is one plain line."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())


def display_name(path: str) -> str:
    """A file name as the user typed it, even under an ASCII locale (where argv holds surrogate
    escapes) or when its bytes are not UTF-8 (GBK names from Windows archives): escaped, not lost."""
    try:
        name = os.fsencode(path).decode("utf-8", "backslashreplace")
    except UnicodeError:
        name = path.encode("utf-8", "backslashreplace").decode("utf-8")
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in name)


def _describe(exc: BaseException) -> str:
    message = one_line(exc)
    return f"{type(exc).__name__}: {message}" if message else type(exc).__name__


def _fail(name: str | None, message: str, code: int) -> NoReturn:
    click.echo(f"nianbao: {name}: {message}" if name else f"nianbao: {message}", err=True)
    sys.exit(code)


def _utf8_streams() -> None:
    """Reports are Chinese: print UTF-8 even when stdout is a pipe under a C/ASCII locale."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError, io.UnsupportedOperation):
                reconfigure(encoding="utf-8", errors="replace")


def _emit(text: str) -> None:
    """Print to stdout; a reader that goes away (`| head`) ends the command quietly."""
    try:
        click.echo(text)
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_NOT_REPORT)


def _load_parser() -> tuple[ParseFn, type[Exception]]:
    """The parser's public API, imported late (see the module docstring)."""
    from extract import ParseError, parse_report

    return parse_report, ParseError


def _parser(debug: bool) -> tuple[ParseFn, type[Exception]]:
    """The parser, run in a worker process with limits (archive/workers.py): a document that crashes or
    overruns it is one line, and an interrupted parse leaves no LibreOffice behind. `--debug` keeps it in
    this process, so its traceback can be shown."""
    try:
        parse, parse_error = _load_parser()
        if not debug and getattr(parse, "__module__", None) == "extract.parse":
            from archive.workers import WorkerParser

            worker = WorkerParser()
            click_ctx = click.get_current_context(silent=True)
            if click_ctx is not None:
                click_ctx.call_on_close(worker.close)  # the worker ends with the command
            parse = worker
        elif getattr(parse, "__module__", None) == "extract.parse":  # in this process: the same caps, at least
            from archive.workers import Limits
            from extract.readers.limits import configure

            configure(**Limits.from_env().caps)
        return parse, parse_error
    except Exception as exc:
        if debug:
            raise
        _fail(None, f"the parser could not be loaded: {_describe(exc)}", EXIT_NOT_REPORT)


def read_input(path: str) -> bytes:
    """The bytes of FILE (`-` is stdin); CliError with exit 2 when there is nothing to read."""
    from nianbao.inputs import InputTooLarge, read_file_limited, read_limited

    if path == "-":
        if sys.stdin is None:  # started with stdin closed
            raise CliError("no standard input to read", EXIT_USAGE)
        try:
            return read_limited(sys.stdin.buffer)
        except InputTooLarge as exc:
            raise CliError(str(exc)) from None
    p = Path(path)
    if p.is_dir():
        raise CliError("is a directory, not a file", EXIT_USAGE)
    try:
        return read_file_limited(p)
    except InputTooLarge as exc:  # read, and refused: like a file that is not a report (exit 1)
        raise CliError(str(exc)) from None
    except FileNotFoundError:
        raise CliError("no such file", EXIT_USAGE) from None
    except PermissionError:
        raise CliError("permission denied", EXIT_USAGE) from None
    except OSError as exc:
        raise CliError(f"cannot read: {exc.strerror or _describe(exc)}", EXIT_USAGE) from None
    except ValueError as exc:  # a NUL in the name
        raise CliError(f"cannot read: {_describe(exc)}", EXIT_USAGE) from None


def parse_bytes(data: bytes, parse: ParseFn, parse_error: type[Exception], *, debug: bool) -> Report:
    """parse_report with every failure turned into CliError (unless debugging)."""
    if not data or data.isspace():
        raise CliError("not a report: empty file")
    try:
        return parse(data, url=None, content_type=None)
    except parse_error as exc:
        raise CliError(f"not a report: {one_line(exc) or 'no reason given'}") from None
    except Exception as exc:
        if type(exc).__name__ == "WorkerFailure":  # from the worker: a limit, a crash, or a bug with its reason
            bug = getattr(exc, "kind", None) == "bug"
            raise CliError(f"{one_line(exc)} (rerun with --debug for the traceback)" if bug
                           else f"not parsed: {one_line(exc)}") from None
        if debug:
            raise
        raise CliError(f"parser failed: {_describe(exc)} (rerun with --debug for the traceback)") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="nianbao", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Nianbao Archive: read Chinese government information-disclosure annual reports
    (政府信息公开工作年度报告)."""
    _utf8_streams()
    ctx.obj = {"debug": debug}


def _debug(ctx: click.Context, debug: bool) -> bool:
    return debug or bool((ctx.obj or {}).get("debug"))


@main.command()
@click.argument("file", metavar="FILE")
@click.option("--json", "as_json", is_flag=True, help="Print the contract JSON instead of the summary.")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def parse(ctx: click.Context, file: str, as_json: bool, debug: bool) -> None:
    """Parse one report FILE (`-` for stdin) and print its summary or its JSON."""
    debug = _debug(ctx, debug)
    name = "<stdin>" if file == "-" else display_name(file)
    try:
        data = read_input(file)
        if not data or data.isspace():  # said before loading the parser, which need not be involved
            raise CliError("not a report: empty file")
        parse_fn, parse_error = _parser(debug)
        with terminated_cleanly():  # SIGTERM closes the worker (and its LibreOffice) on the way out
            report = parse_bytes(data, parse_fn, parse_error, debug=debug)
        if as_json:
            text = report.to_json()
        else:
            from nianbao.summary import render_summary

            text = render_summary(report, name=name).rstrip("\n")
    except CliError as exc:
        _fail(name, str(exc), exc.code)
    except Exception as exc:  # a bug in rendering: still one line
        if debug:
            raise
        _fail(name, f"failed: {_describe(exc)} (rerun with --debug for the traceback)", EXIT_NOT_REPORT)
    _emit(text)


# --- samples -----------------------------------------------------------------------------------


def _is_metadata(path: Path) -> bool:
    """Files that describe the samples rather than being one (MANIFEST.tsv, README, dotfiles)."""
    return path.name.startswith(".") or path.stem.upper() in {"MANIFEST", "README", "LICENSE"}


def _sample_files(samples: Path) -> list[Path]:
    if not samples.is_dir():
        raise CliError(f"no samples directory at {samples} (`samples` parses the sample reports there)", EXIT_USAGE)
    files = sorted(p for p in samples.iterdir() if p.is_file() and not _is_metadata(p))
    if not files:
        raise CliError(f"no sample reports in {samples}", EXIT_USAGE)
    return files


def _paragraph(path: Path, report: Report) -> list[str]:
    from extract.printed import TEMPLATE_DOCUMENTS
    from nianbao.summary import clean, wrap

    failed = [c.rule for c in report.checks if not c.ok]
    template = (
        f"template {report.template} ({TEMPLATE_DOCUMENTS.get(report.template, '?')})"
        if report.template
        else "template not recognised"
    )
    text = (
        f"{report.title or '(no title found)'}, by {report.agency or '(agency not found)'}, "
        f"covering {report.year or '(year not found)'}; {template}, {report.script} script; "
        f"{len(report.sections)} sections, {report.cell_count} cells read, "
        f"{len(failed)} of {len(report.checks)} checks failed" + (f" ({', '.join(failed)})" if failed else "") + "."
    )
    return [display_name(path.name), *wrap("  " + clean(text), 96, hang=2)]


def _totals(rows: list[tuple[str, str, str, str, str, str]]) -> list[str]:
    from nianbao.summary import display_width, ljust, rjust

    header = ("file", "year", "template", "sections", "cells", "checks failed")
    widths = [max(display_width(r[i]) for r in (header, *rows)) for i in range(len(header))]
    lines = []
    for n, row in enumerate((header, *rows)):
        if n == len(rows):  # before the total line
            lines.append("-" * (sum(widths) + 2 * (len(widths) - 1)))
        cells = [ljust(row[0], widths[0])] + [rjust(v, w) for v, w in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return lines


@main.command()
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def samples(ctx: click.Context, debug: bool) -> None:
    """Parse the bundled sample reports (samples/) and summarise each, without archiving them."""
    debug = _debug(ctx, debug)
    try:
        files = _sample_files(SAMPLES_DIR)
    except CliError as exc:
        _fail(None, str(exc), exc.code)
    parse_fn, parse_error = _parser(debug)
    out: list[str] = []
    rows: list[tuple[str, str, str, str, str, str]] = []
    sections = cells = checks = failed_checks = parsed = 0
    for path in files:
        try:
            with terminated_cleanly():
                report = parse_bytes(read_input(str(path)), parse_fn, parse_error, debug=debug)
        except CliError as exc:
            out += [path.name, f"  {exc}", ""]
            rows.append((path.name, "-", "-", "-", "-", "not parsed"))
            continue
        parsed += 1
        failed = sum(1 for c in report.checks if not c.ok)
        sections += len(report.sections)
        cells += report.cell_count
        checks += len(report.checks)
        failed_checks += failed
        out += [*_paragraph(path, report), ""]
        rows.append(
            (
                path.name,
                str(report.year or "?"),
                report.template or "?",
                str(len(report.sections)),
                str(report.cell_count),
                f"{failed}/{len(report.checks)}",
            )
        )
    rows.append(
        (f"total: {parsed} of {len(files)} parsed", "", "", str(sections), str(cells), f"{failed_checks}/{checks}")
    )
    _emit("\n".join(out + _totals(rows)))
    if parsed < len(files):
        sys.exit(EXIT_NOT_REPORT)


# --- archive commands (issue 4): add, rebuild, export, serve, demo; they live in archive_cmd.py ---------
from nianbao.archive_cmd import ARCHIVE_COMMANDS  # noqa: E402  (registered after the group exists)

for _command in ARCHIVE_COMMANDS:
    main.add_command(_command)

# --- crawler commands (issue 3): crawl, export-warc; they live in crawl_cmd.py ----------------------
from nianbao.crawl_cmd import crawl_command, export_warc_command  # noqa: E402

main.add_command(crawl_command)
main.add_command(export_warc_command)

# --- findings (issue 16): late, missing, copied, contradictory and edited reports --------------------
from nianbao.findings_cmd import findings_cmd  # noqa: E402

main.add_command(findings_cmd)

# --- the shared crawl frontier (issue 18): frontier; it lives in frontier_cmd.py ------------------------
from nianbao.frontier_cmd import frontier_command  # noqa: E402

main.add_command(frontier_command)


if __name__ == "__main__":
    main(prog_name="nianbao")
