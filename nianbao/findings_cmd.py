"""`nianbao findings --db PATH`: what the findings pass found, counted by code, province and year.

The findings themselves are rows of the archive's `flags` table (archive/findings/); this prints the
summary a reader starts from, and `--recompute` runs the pass again first (e.g. after editing
archive/findings/deadlines.tsv).
"""

from __future__ import annotations

import sqlite3
import sys
from collections import Counter
from pathlib import Path

import click

from nianbao.archive_cmd import EXIT_USAGE, _fail, _one_writer, db_option


def _table(title: str, keys: list[str], counts: Counter[tuple[str, str]], codes: list[str]) -> list[str]:
    """Rows of keys, a column per code with any finding, a total column."""
    from nianbao.summary import display_width, ljust, rjust

    width = max([display_width(title), *(display_width(k) for k in keys)]) + 2
    cols = [max(len(c), 5) + 2 for c in codes]
    lines = [ljust(title, width) + "".join(rjust(c, w) for c, w in zip(codes, cols, strict=True)) + rjust("total", 8)]
    for key in keys:
        row = [counts[(key, c)] for c in codes]
        lines.append(ljust(key, width) + "".join(rjust(str(n), w) for n, w in zip(row, cols, strict=True))
                     + rjust(str(sum(row)), 8))
    return lines


def summary(db_path: Path) -> str:
    from archive.findings.model import FLAG_CODES
    from nianbao.summary import ljust

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'flags'").fetchone() is None:
            return f"{db_path}: no findings yet (run `nianbao findings --recompute --db {db_path}`)"
        rows = conn.execute("SELECT f.code, coalesce(r.province, '(unknown)'), coalesce(r.year, 0), f.report_id "
                            "FROM flags f JOIN reports r ON r.id = f.report_id").fetchall()
        reports = conn.execute("SELECT count(*) FROM reports WHERE is_current = 1").fetchone()[0]
        meta = dict(conn.execute("SELECT key, value FROM archive_meta WHERE key LIKE 'findings_%'").fetchall())
        ledger = Counter(dict(conn.execute("SELECT status, count(*) FROM coverage WHERE year = ? GROUP BY status",
                                           [int(meta.get("findings_year") or 0)]).fetchall()))
    finally:
        conn.close()
    codes = [c for c in FLAG_CODES if any(r[0] == c for r in rows)]
    out = [f"{db_path}: {len(rows)} findings on {len({r[3] for r in rows})} of {reports} current reports "
           f"(judged as of {meta.get('findings_as_of', '?')})", ""]
    by_code = Counter(r[0] for r in rows)
    flagged = {c: len({r[3] for r in rows if r[0] == c}) for c in codes}
    out.append(ljust("code", 26) + ljust("label", 24) + "findings  reports")
    for code in FLAG_CODES:
        out.append(ljust(code, 26) + ljust(FLAG_CODES[code][0], 24) + f"{by_code[code]:>8}  {flagged.get(code, 0):>7}")
    if codes:
        by_province = Counter((r[1], r[0]) for r in rows)
        by_year = Counter((str(r[2] or "?"), r[0]) for r in rows)
        out += ["", *_table("province", sorted({r[1] for r in rows}), by_province, codes)]
        out += ["", *_table("year", sorted({str(r[2] or "?") for r in rows}), by_year, codes)]
    year = meta.get("findings_year")
    if year:
        out += ["", f"reports for {year} (due in {int(year) + 1}): " + ", ".join(
            f"{status} {ledger[status]}" for status in ("found", "late", "missing", "not_due"))]
    return "\n".join(out)


@click.command("findings")
@db_option
@click.option("--recompute", is_flag=True, help="Run the findings pass over the archive first.")
def findings_cmd(db_path: Path, recompute: bool) -> None:
    """Summarise the findings (late, missing, copied, contradictory, edited reports) by code, province, year."""
    if not db_path.is_file():
        _fail(f"{db_path}: no such archive", EXIT_USAGE)
    if recompute:
        from archive import Archive

        with _one_writer(), Archive(db_path) as archive:
            archive.refresh_findings()
    click.echo(summary(db_path))
    sys.stdout.flush()
