"""What the parser makes of every stored document, one canonical JSON per file, to prove a change kept output.

A restructuring of `extract/` (moved modules, a split file) must not change one byte of what
`nianbao parse --json` prints. This parses every seed (`../shared/seeds`), every corpus file
(`../shared/corpus`), every document of the fixture portals as served (`crawler/testing/portals/*/files`),
every stored fixture page (`tests/fixtures`) and every sample (`samples/`), through the same
`parse_bytes` + `Report.to_json` the command uses (in this process, with the default caps), and writes
`<out>/<group>/<path>.json`: the report's JSON, or `{"error": …}` with the message the command would
print. Run it on the tree before and after the change, then compare:

    python bench/parse_snapshot.py generate /tmp/generated   # once: DOC, OFD, XLSX, scans (LibreOffice, OCR)
    python bench/parse_snapshot.py snapshot /tmp/before --generated /tmp/generated   # on the old tree
    python bench/parse_snapshot.py snapshot /tmp/after --generated /tmp/generated    # on the new one
    python bench/parse_snapshot.py compare /tmp/before /tmp/after

The one thing that must change is the parser version: `source.reader` of an HTML or text report names
it (`nianbao-html src-…`), and it is a digest of `extract/`'s sources, so any edit, move or rename
changes it. Each snapshot records its version in `PARSER_VERSION`; `compare` counts files identical
byte for byte, and files identical once each side's own version is replaced by a placeholder. Nothing
else is masked.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
# A README or manifest is not a document.
SKIP_NAMES = {"MANIFEST.tsv", "README.md"}


GROUPS = ("seeds", "corpus", "portals", "fixtures", "samples", "generated")


def inputs(repo: Path, shared: Path, generated: Path | None) -> Iterator[tuple[str, Path, Path]]:
    """(group, root, file) for every stored document, in a fixed order."""
    roots = [("seeds", shared / "seeds"), ("corpus", shared / "corpus"),
             ("portals", repo / "crawler" / "testing" / "portals"), ("fixtures", repo / "tests" / "fixtures"),
             ("samples", repo / "samples")]
    if generated is not None:
        roots.append(("generated", generated))
    for group, root in roots:
        if not root.is_dir():
            sys.exit(f"missing {root}: the snapshot must cover it")
        for path in sorted(root.rglob("*")):
            if not path.is_file() or path.name in SKIP_NAMES or "__pycache__" in path.parts:
                continue
            if group == "portals" and "files" not in path.relative_to(root).parts[1:2]:
                continue  # site.json / truth.json describe a portal; the served bodies are under files/
            yield group, root, path


def canonical(data: bytes) -> tuple[str, str]:
    """(kind, text): what `nianbao parse --json` prints for these bytes, or the error it reports."""
    from extract import ParseError, parse_report
    from nianbao.cli import CliError, parse_bytes

    try:
        report = parse_bytes(data, parse_report, ParseError, debug=False)
    except CliError as exc:
        return "error", json.dumps({"error": str(exc)}, ensure_ascii=False, indent=1)
    return "report", report.to_json()


def generate(out: Path) -> int:
    """The formats no stored file is in (DOC, OFD, XLSX, scans for OCR), made once by tests/formatgen.py
    from the filled-in 2021 template, so that both snapshots read the very same bytes."""
    from tests import formatgen

    filled = formatgen.fill_template(seed=20261125)
    from extract.readers.office import convert

    pdf = convert(filled.docx, ".docx", "pdf")
    page = formatgen.render_page(pdf, 1)
    docs = {"filled.docx": filled.docx, "filled.pdf": pdf,
            "filled.doc": convert(filled.docx, ".docx", "doc:MS Word 97"),
            "filled.ofd": formatgen.pdf_to_ofd(pdf),
            "filled.xlsx": formatgen.grids_to_xlsx(filled.title, filled.grids),
            "page2.png": page, "page2-scan.pdf": formatgen.images_to_pdf([page])}
    out.mkdir(parents=True, exist_ok=True)
    for name, data in docs.items():
        (out / name).write_bytes(data)
    print(f"{len(docs)} documents → {out}")
    return 0


def snapshot(out: Path, shared: Path, generated: Path | None) -> int:
    from extract import PARSER_VERSION

    out.mkdir(parents=True, exist_ok=True)
    (out / "PARSER_VERSION").write_text(PARSER_VERSION + "\n", encoding="utf-8")
    counts: Counter[str] = Counter()
    start = time.perf_counter()
    for group, root, path in inputs(REPO, shared, generated):
        kind, text = canonical(path.read_bytes())
        target = out / group / (path.relative_to(root).as_posix() + ".json")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text + "\n", encoding="utf-8")
        counts[group] += 1
        counts[kind] += 1
    took = time.perf_counter() - start
    groups = ", ".join(f"{g} {counts[g]}" for g in GROUPS if counts[g])
    print(f"{sum(counts[g] for g in GROUPS)} files ({groups}): "
          f"{counts['report']} reports, {counts['error']} refused; parser {PARSER_VERSION}; {took:.1f} s → {out}")
    return 0


def compare(before: Path, after: Path) -> int:
    """The same file names, and in each the same bytes once each side's parser version is masked."""
    a = {p.relative_to(before).as_posix(): p for p in before.rglob("*.json")}
    b = {p.relative_to(after).as_posix(): p for p in after.rglob("*.json")}
    version_a, version_b = ((d / "PARSER_VERSION").read_text(encoding="utf-8").strip().encode()
                            for d in (before, after))
    differ: list[str] = []
    exact = 0
    for name in sorted(a.keys() & b.keys()):
        bytes_a, bytes_b = a[name].read_bytes(), b[name].read_bytes()
        if bytes_a == bytes_b:
            exact += 1
        elif bytes_a.replace(version_a, b"<parser version>") != bytes_b.replace(version_b, b"<parser version>"):
            differ.append(name)
    only_a, only_b = sorted(a.keys() - b.keys()), sorted(b.keys() - a.keys())
    for name in differ:
        print(f"differs: {name}")
    for name in only_a:
        print(f"only before: {name}")
    for name in only_b:
        print(f"only after: {name}")
    same = len(a.keys() & b.keys()) - len(differ)
    print(f"parser {version_a.decode()} → {version_b.decode()}: {len(a)} files before, {len(b)} after; "
          f"{same} identical ({exact} byte for byte, {same - exact} once the parser version is masked), "
          f"{len(differ)} differ, {len(only_a)} only before, {len(only_b)} only after")
    return 1 if differ or only_a or only_b else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot")
    snap.add_argument("out", type=Path)
    snap.add_argument("--shared", type=Path, default=SHARED, help="the shared folder (default: ../shared)")
    snap.add_argument("--generated", type=Path, help="also the documents `generate` wrote there")
    sub.add_parser("generate").add_argument("out", type=Path)
    cmp = sub.add_parser("compare")
    cmp.add_argument("before", type=Path)
    cmp.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    if args.command == "snapshot":
        return snapshot(args.out, args.shared, args.generated)
    if args.command == "generate":
        return generate(args.out)
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
