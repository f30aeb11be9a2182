"""Parsing speed and memory, per input kind, on one core: `python bench/parse.py [--n N] [--seed S]`.

Inputs are generated reports (tests/reportgen.py) in every text layout and as portal HTML pages with
tables, plus the five real seed texts. Each row prints reports/second/core (CPU time of this one
process; the best of five rounds that each time every input kind once, so a slow spell of a shared
machine distorts it less), the share of
generated cells parsed right (speed is worthless if correctness paid for it) and the peak Python
memory of one pass. Targets from the issue: text >= 1,000/s/core, HTML with tables >= 100/s/core.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import platform
import random
import resource
import sys
import sysconfig
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extract import ParseError, parse_report  # noqa: E402
from extract.readers.html import read_html  # noqa: E402
from tests import reportgen  # noqa: E402

TEXT_LAYOUTS = ("pipes", "cell_per_line", "tabs", "spaces")
TARGETS = {"text": 1000, "html": 100}
FORMAT_TARGETS = {"pdf": "10/s", "ocr": "0.1/s (10 s/page)"}


def _one_pass(docs: list[tuple[bytes, str]]) -> float:
    start = time.process_time()
    for data, ctype in docs:
        with contextlib.suppress(ParseError):
            parse_report(data, content_type=ctype)
    return (time.process_time() - start) / len(docs)


def _html_split(docs: list[tuple[bytes, str]], rounds: int) -> tuple[float, float, float]:
    """CPU seconds per page of: the whole parse, the page reader alone, and the reader without
    trafilatura's pass over the narrative (the DOM walk alone).

    Timed page by page, the three in turn, so that the VM's slow spells (tens of seconds) fall on
    all three alike, and their differences say where a page's time goes (roughly: the reader runs
    just after the parse of the same page, on warm caches). trafilatura's share is the one part
    that work on our code cannot lower."""
    whole = reader = walk = 0.0
    clock = time.process_time
    for _ in range(rounds):
        for data, ctype in docs:
            t0 = clock()
            parse_report(data, content_type=ctype)
            t1 = clock()
            read_html(data, content_type=ctype)
            t2 = clock()
            read_html(data, content_type=ctype, narrative="walk")
            t3 = clock()
            whole += t1 - t0
            reader += t2 - t1
            walk += t3 - t2
    n = rounds * len(docs)
    return whole / n, reader / n, walk / n


def _reference() -> float:
    """CPU seconds of a fixed pure-Python loop: how fast this machine runs the interpreter just now.

    Printed beside the figures so that runs on a shared VM, whose speed swings by half from one
    minute to the next, can be compared: the same parser reads slower exactly when this reads slower."""
    start = time.process_time()
    s = 0
    for i in range(1_000_000):
        s += i * i % 7
    return time.process_time() - start


def _interpreter() -> str:
    """Which CPython runs the benchmark, and how its core is linked.

    Pure-Python figures depend on the interpreter's build as much as on the machine: a libpython
    loaded as a shared library (pyenv's and many hand builds) is compiled position-independent, and
    a build without profile-guided optimisation runs the same loops slower still."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            shared = any("libpython" in line for line in maps)
        linkage = "libpython loaded as a shared library" if shared else "libpython linked into the executable"
    except OSError:  # not Linux: say what the build was configured for
        shared_build = sysconfig.get_config_var("Py_ENABLE_SHARED")
        linkage = "built with a shared libpython" if shared_build else "built with a static libpython"
    where = os.path.realpath(sys.executable)  # the interpreter a venv points at
    return f"{platform.python_implementation()} {platform.python_version()} ({where}; {linkage})"


def _interleaved(sets: dict[str, list[tuple[bytes, str]]], rounds: int) -> dict[str, float]:
    """Best CPU seconds per report of each set, its passes spread over `rounds` rounds of all sets
    (and under "reference", the best of the reference loop timed in the same rounds).

    On a shared VM the CPU runs slow for spells of tens of seconds; passes of one set taken back to
    back can all fall into one spell, so each round visits every set once and the best round counts."""
    best = dict.fromkeys([*sets, "reference"], float("inf"))
    for _ in range(rounds):
        best["reference"] = min(best["reference"], _reference())
        for name, docs in sets.items():
            best[name] = min(best[name], _one_pass(docs))
    return best


def _peak_mib(docs: list[tuple[bytes, str]]) -> float:
    tracemalloc.start()
    for data, ctype in docs:
        with contextlib.suppress(ParseError):
            parse_report(data, content_type=ctype)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def _accuracy(rendered: list[reportgen.Rendered]) -> tuple[int, int]:
    right = total = 0
    for r in rendered:
        parsed = parse_report(r.data, content_type=r.content_type)
        for table, cells in r.report.cells.items():
            got = {c.key: c.value for c in parsed.tables.get(table, [])}
            for key, (value, _raw) in cells.items():
                total += 1
                have = got.get(key, "missing")
                if have == value or (isinstance(have, int | float) and isinstance(value, int | float)
                                     and abs(have - value) < 1e-6):
                    right += 1
    return right, total


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300, help="generated reports per input kind")
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--no-formats", action="store_true", help="skip the PDF/DOCX/DOC/OFD/XLSX/OCR rows")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved timing rounds (the best counts)")
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)

    kinds: dict[str, tuple[str, Callable[[], reportgen.Rendered]]] = {
        f"text/{layout}": ("text", lambda layout=layout: reportgen.sample(rng, layout)) for layout in TEXT_LAYOUTS
    }
    kinds["html/tables"] = ("html", lambda: reportgen.sample(rng, "html"))

    print(f"parse benchmark: {args.n} generated reports per kind, seed {args.seed}, one core (CPU time, "
          f"best of {args.rounds} interleaved rounds)")
    print(f"interpreter: {_interpreter()}")
    print(f"{'input':<20} {'reports/s/core':>14} {'ms/report':>10} {'cells right':>16} {'peak MiB':>9}  target")
    rendered = {name: [make() for _ in range(args.n)] for name, (_family, make) in kinds.items()}
    sets = {name: [(r.data, r.content_type) for r in items] for name, items in rendered.items()}
    seeds = sorted((REPO.parent / "shared" / "seeds").glob("*.txt"))
    if seeds:
        sets["text/seeds (real)"] = [(p.read_bytes(), "text/plain") for p in seeds] * 40
    for docs in sets.values():  # warm: caches filled, lazy imports done
        _one_pass(docs[:20])
    best = _interleaved(sets, args.rounds)
    totals: dict[str, list[float]] = {"text": [], "html": []}
    for name, (family, _make) in kinds.items():
        per = best[name]
        right, total = _accuracy(rendered[name])
        totals[family].append(per)
        print(f"{name:<20} {1 / per:>14,.0f} {per * 1000:>10.2f} {right:>7}/{total:<8} {_peak_mib(sets[name]):>9.1f}"
              f"  {TARGETS[family]:,}/s")
    if seeds:
        per = best["text/seeds (real)"]
        print(f"{'text/seeds (real)':<20} {1 / per:>14,.0f} {per * 1000:>10.2f} {'-':>16} "
              f"{_peak_mib(sets['text/seeds (real)']):>9.1f}  {TARGETS['text']:,}/s")
    print(f"machine reference: {best['reference'] * 1000:.0f} ms for a fixed pure-Python loop, best of the same "
          "rounds (lower = a faster machine just now; on one interpreter, figures scale with it)")
    page, reader, walk = _html_split(sets["html/tables"], rounds=2)
    print(f"html page, timed page by page: {page * 1000:.2f} ms = page reader {reader * 1000:.2f} ms (of it "
          f"trafilatura's pass over the narrative {(reader - walk) * 1000:.2f} ms, the DOM walk alone "
          f"{walk * 1000:.2f} ms) + report parser on the reader's output {(page - reader) * 1000:.2f} ms")
    for family, pers in totals.items():
        mean = sum(pers) / len(pers)
        verdict = "meets" if 1 / mean >= TARGETS[family] else "BELOW"
        # Rounded down: 99.6/s printed as "100 … BELOW the 100/s target" read as a contradiction.
        print(f"{family} overall: {math.floor(1 / mean):,} reports/s/core ({verdict} the {TARGETS[family]:,}/s target)")
    if not args.no_formats:
        _format_rows()


def _cpu_with_children(docs: list[bytes], passes: int) -> tuple[float, float]:
    """CPU seconds per document, LibreOffice's child processes and OCR's threads included; and wall seconds."""
    best = wall = float("inf")
    for _ in range(passes):
        start = time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
        started = time.perf_counter()
        for data in docs:
            parse_report(data)
        spent = time.process_time() + resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - start
        best = min(best, spent / len(docs))
        wall = min(wall, (time.perf_counter() - started) / len(docs))
    return best, wall


def _format_rows() -> None:
    """One row per binary format: the official template filled with known numbers in each format
    (tests/formatgen.py), and the real corpus PDFs; every cell is checked against the known numbers."""
    from extract.readers.office import convert, soffice
    from tests import formatgen

    filled = formatgen.fill_template(seed=20261125)
    docs: dict[str, list[bytes]] = {"docx": [filled.docx],
                                    "xlsx": [formatgen.grids_to_xlsx(filled.title, filled.grids)]}
    if soffice() is not None:
        pdf = convert(filled.docx, ".docx", "pdf")
        docs["pdf (generated)"] = [pdf]
        docs["doc (LibreOffice)"] = [convert(filled.docx, ".docx", "doc:MS Word 97")]
        docs["ofd"] = [formatgen.pdf_to_ofd(pdf)]
        docs["image (OCR, 1 page)"] = [formatgen.render_page(pdf, 1)]
    else:
        print("(LibreOffice missing: no generated PDF, DOC, OFD or OCR rows)")
    corpus = [p.read_bytes() for p in sorted((REPO.parent / "shared" / "corpus").glob("*.pdf"))]
    print(f"\n{'format':<22} {'reports/s/core':>14} {'ms/report':>10} {'wall s':>7} {'cells right':>12} "
          f"{'peak MiB':>9}  target")
    for name, items in docs.items():
        slow = name.startswith(("doc", "image"))
        per, wall = _cpu_with_children(items * (1 if slow else 10), passes=1 if slow else 3)
        report = parse_report(items[0])
        got = {(t, c.item or c.group or "", c.row or "", c.column): c.value for t, cl in report.tables.items()
               for c in cl}
        right = sum(1 for k, v in filled.cells.items() if got.get(k) == v)
        ocr_page = name.startswith("image")  # the page with the requests table, and no other
        total = sum(1 for k in filled.cells if k[0] == "requests") if ocr_page else len(filled.cells)
        target = FORMAT_TARGETS["ocr"] if ocr_page else FORMAT_TARGETS["pdf"] if "pdf" in name else ""
        print(f"{name:<22} {1 / per:>14,.2f} {per * 1000:>10.0f} {wall:>7.2f} {right:>5}/{total:<6} "
              f"{_peak_mib([(items[0], None)]):>9.1f}  {target}")
    if corpus:
        per, wall = _cpu_with_children(corpus * 5, passes=3)
        print(f"{'pdf (corpus, real)':<22} {1 / per:>14,.2f} {per * 1000:>10.0f} {wall:>7.2f} {'-':>12} "
              f"{_peak_mib([(d, None) for d in corpus]):>9.1f}  {FORMAT_TARGETS['pdf']}")
    _scan_rows()
    print(f"process max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB "
          "(peak MiB above is Python's own allocations: pdfium and onnxruntime allocate natively)")



def _scan_rows() -> None:
    """The real corpus PDFs rendered at 200 dpi into image-only PDFs (scans), OCR'd, and scored
    against the gold files written for their text layers (tests/gold)."""
    import json

    import pypdfium2 as pdfium

    from extract.readers.ocr import engine_version
    from tests import formatgen
    from tests.shared import scorer

    gold_dir = REPO / "tests" / "gold"
    corpus = REPO.parent / "shared" / "corpus"
    if engine_version() is None or not corpus.is_dir():
        return
    for gold_file in sorted(gold_dir.glob("*.json")):
        data = (corpus / f"{gold_file.stem}.pdf").read_bytes()
        pages = len(pdfium.PdfDocument(data))
        scan = formatgen.images_to_pdf([formatgen.render_page(data, i) for i in range(pages)])
        per, wall = _cpu_with_children([scan], passes=1)
        result = scorer().score(json.loads(gold_file.read_text(encoding="utf-8")), parse_report(scan).to_dict())
        print(f"{'scan ' + gold_file.stem:<22} {1 / per:>14,.3f} {per / pages * 1000:>10.0f} {wall / pages:>7.2f} "
              f"{result['right']:>5}/{result['cells']:<6} {'-':>9}  10 s/page (per-page figures)")


if __name__ == "__main__":
    main()
