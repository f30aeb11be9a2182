"""The whole findings pass (archive/findings/) on a large archive: time, memory and what it found.

    .venv/bin/python bench/findings.py [--reports 100000] [--db build/bench-findings/nianbao.db] [--reuse]

The archive is written straight into SQLite from generated report content (tests/reportgen.py: cells,
sections), not parsed from rendered bytes (bench/search.py measures that path): ~25,000 agencies over
four years, so continuity has its pairs. Each report gets its own text beside the generator's stock
sentences (`--own-chars` per report, default 1,500, over three sections), and a known share is planted:
1 % copy a section from another agency's report of the same year, 2 % copy last year's, 1 % state a
wrong number of requests, 10 % carry no usable date. Target: the pass under 10 minutes on one core.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import random
import resource
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import Archive
from tests import reportgen

YEARS = (2021, 2022, 2023, 2024)
POOL = ("政务公开平台建设规范信息发布审查机制培训督查考核回应关切解读网站新媒体档案目录清单标准财政预决算"
        "重点领域公共资源配置重大建设项目社会救助教育卫生食品药品安全生态环境就业创业乡村振兴营商环境")


def _own(rng: random.Random, n: int) -> str:
    """n characters in sentences of 20-60: text no other report has."""
    out: list[str] = []
    while sum(map(len, out)) < n:
        out.append("".join(rng.choice(POOL) for _ in range(rng.randint(20, 60))) + "。")
    return "".join(out)


def build(db: Path, n: int, own_chars: int, seed: int = 7) -> dict[str, list[list[str]]]:
    """Write n current reports; returns the planted findings: code → [report id, other report id]."""
    rng = random.Random(seed)
    planted: dict[str, list[list[str]]] = {"copied_section": [], "narrative_mismatch": []}
    ids: dict[tuple[int, int], str] = {}
    agencies = max(1, n // len(YEARS))
    texts: dict[tuple[int, int], dict[str, str]] = {}  # (agency, year) → kind → section text
    with Archive(db) as archive:
        conn = archive.db.conn
        conn.execute("PRAGMA synchronous = OFF")
        for i in range(n):
            agency_no, year = i % agencies, YEARS[(i // agencies) % len(YEARS)]
            report = reportgen.generate(rng, template="2021")
            agency = f"第{agency_no}县{('商务局', '民政局', '人民政府', '教育局')[agency_no % 4]}"
            rid, key = f"{i:016x}", f"k{i:015x}"
            third = own_chars // 3
            own = {kind: _own(rng, third) for kind in ("overview", "problems", "other")}
            roll = rng.random()
            new = report.cells["requests"][("", "new", "total")][0] or 0
            stated = new + 3 if 0.03 <= roll < 0.04 else new
            if stated != new:
                planted["narrative_mismatch"].append([rid, ""])
            full = {}
            for spec in report.sections:
                text = "\n".join(spec.paragraphs)
                if spec.kind == "overview":
                    text = f"{year}年，共收到政府信息公开申请{stated}件。\n" + text
                full[spec.kind] = text + own.get(spec.kind, "")
            # a copied section is the other report's whole section
            if roll < 0.01 and (agency_no - 1, year) in texts:
                full["problems"] = texts[(agency_no - 1, year)]["problems"]
                planted["copied_section"] += [[rid, ids[(agency_no - 1, year)]], [ids[(agency_no - 1, year)], rid]]
            elif roll < 0.03 and (agency_no, year - 1) in texts:
                full["overview"] = texts[(agency_no, year - 1)]["overview"]
                planted["copied_section"].append([rid, ids[(agency_no, year - 1)]])
            texts[(agency_no, year)], ids[(agency_no, year)] = full, rid
            published = None if rng.random() < 0.1 else f"{year + 1}-0{rng.randint(1, 4)}-{rng.randint(10, 28)}"
            conn.execute(
                "INSERT INTO reports (id, report_key, version, is_current, agency, year, title, published, template, "
                "province, level, page_url, host, cells, checks_failed) VALUES (?, ?, 1, 1, ?, ?, ?, ?, '2021', "
                "'四川省', 'county', ?, ?, ?, 0)",
                [rid, key, agency, year, f"{agency}{year}年政府信息公开工作年度报告", published,
                 f"http://www.b{agency_no % 997}.gov.cn/nb/{i}.html", f"www.b{agency_no % 997}.gov.cn",
                 sum(len(t) for t in report.cells.values())])
            conn.execute("INSERT INTO report_sources (id, report_key, page_url, documents, hints, first_seen, "
                         "last_seen) VALUES (?, ?, ?, '[]', '{}', ?, ?)",
                         [rid, key, f"http://www.b{agency_no % 997}.gov.cn/nb/{i}.html",
                          f"{year + 1}-05-01T00:00:00Z", "2025-06-01T00:00:00Z"])
            rows = [(f"{rid}:{seq}", rid, seq, spec.number, spec.kind, spec.heading, full[spec.kind])
                    for seq, spec in enumerate(report.sections, start=1)]
            conn.executemany("INSERT INTO sections (id, report_id, seq, number, kind, heading, text) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
            conn.executemany(
                "INSERT OR REPLACE INTO cells (report_id, tbl, part, row, col, value, raw, seq) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(rid, tbl, part, row, col, value, raw, k) for tbl, cells in report.cells.items()
                 for k, ((part, row, col), (value, raw)) in enumerate(cells.items())])
            if i % 10000 == 9999:
                conn.commit()
                print(f"  built {i + 1}/{n}", flush=True)
        conn.execute("INSERT INTO fetches (id, url, status, fetched_at) VALUES ('x', 'http://www.b0.gov.cn/', "
                     "200, '2025-06-01T00:00:00Z')")
        conn.commit()
    return dict(planted)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reports", type=int, default=100_000)
    ap.add_argument("--own-chars", type=int, default=1500)
    ap.add_argument("--db", type=Path, default=Path("build/bench-findings/nianbao.db"))
    ap.add_argument("--reuse", action="store_true", help="Keep an archive built by an earlier run.")
    ap.add_argument("--profile", action="store_true", help="Print the 25 most expensive functions.")
    args = ap.parse_args()
    if not (args.reuse and args.db.is_file()):
        args.db.parent.mkdir(parents=True, exist_ok=True)
        for leftover in (args.db, Path(f"{args.db}-wal"), Path(f"{args.db}-shm")):
            leftover.unlink(missing_ok=True)
        start = time.perf_counter()
        planted = build(args.db, args.reports, args.own_chars)
        args.db.with_suffix(".planted.json").write_text(json.dumps(planted), encoding="utf-8")
        print(f"built {args.reports} reports in {time.perf_counter() - start:.0f} s; planted: "
              f"{ {code: len(pairs) for code, pairs in planted.items()} }")
    from archive.findings.run import refresh

    conn = sqlite3.connect(args.db)
    conn.execute("PRAGMA cache_size = -131072")
    reports = conn.execute("SELECT count(*) FROM reports WHERE is_current = 1").fetchone()[0]
    profile = cProfile.Profile() if args.profile else None
    start, cpu = time.perf_counter(), time.process_time()
    if profile:
        profile.enable()
    found = refresh(conn)
    if profile:
        profile.disable()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    conn.close()
    counts: dict[str, Any] = Counter(f.code for f in found.flags)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"findings pass over {reports} current reports: {wall:.0f} s wall, {cpu:.0f} s CPU (one core), "
          f"peak RSS {peak:.0f} MB; target < 600 s")
    print(f"  flags: {json.dumps(dict(sorted(counts.items())), ensure_ascii=False)}; "
          f"coverage rows: {len(found.coverage)}")
    planted_file = args.db.with_suffix(".planted.json")
    if planted_file.is_file():  # how many planted findings were found (recall), per code
        planted = json.loads(planted_file.read_text(encoding="utf-8"))
        for code, pairs in planted.items():
            got = {(f.report_id, f.other_report_id or "") for f in found.flags if f.code == code}
            if code == "narrative_mismatch":
                got = {(rid, "") for rid, _ in got}
            hit = sum(1 for rid, other in pairs if (rid, other) in got)
            print(f"  {code}: {hit} of {len(pairs)} planted found; {len(got)} found in all")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
