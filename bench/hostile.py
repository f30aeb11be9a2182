"""Peak memory and time of a `rebuild` whose archive holds every hostile file of issue 20 (tests/hostilegen.py)
beside the real sample reports, with the default limits: the writer's peak RSS, the largest parse
worker's, and what became of each hostile file (its recorded parse_error).

The rebuild runs in a child process, so its figures are its own: the writer's RUSAGE_SELF and the
largest worker's RUSAGE_CHILDREN (Linux folds every waited-for descendant's peak into it).
Usage: python bench/hostile.py [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_CHILD = """
import json, resource, sys, time
from archive.rebuild import rebuild
start = time.monotonic()
counts = rebuild(sys.argv[1], jobs=int(sys.argv[2]))
print(json.dumps({"counts": counts, "seconds": time.monotonic() - start,
                  "writer_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--jobs", type=int, default=1)
    args = ap.parse_args()

    from nianbao.archive_cmd import add_files
    from tests.hostilegen import hostile_files

    with tempfile.TemporaryDirectory(prefix="nianbao-bench-hostile-") as tmp:
        folder = Path(tmp) / "files"
        folder.mkdir()
        hostile = hostile_files()
        for name, data in hostile.items():
            (folder / name).write_bytes(data)
        samples = sorted(p for p in (ROOT / "samples").iterdir() if p.is_file() and p.name != "MANIFEST.tsv")
        db = Path(tmp) / "hostile.db"
        start = time.monotonic()
        add_files(db, [*samples, *sorted(folder.iterdir())], jobs=args.jobs)
        added = time.monotonic() - start
        proc = subprocess.run([sys.executable, "-c", _CHILD, str(db), str(args.jobs)], capture_output=True,
                              text=True, check=True, cwd=ROOT)
        figures = json.loads(proc.stdout.strip().splitlines()[-1])
        with sqlite3.connect(db) as con:
            outcomes = con.execute("SELECT url, size, parse_error FROM documents ORDER BY url").fetchall()
    print(f"python {sys.version.split()[0]} ({sys.executable}), jobs {args.jobs}")
    print(f"add of {len(samples)} samples + {len(hostile)} hostile files: {added:.1f} s")
    counts = figures["counts"]
    print(f"rebuild: {figures['seconds']:.1f} s, {counts['reports']} reports, {counts['failed']} sources unreadable")
    print(f"rebuild peak RSS: writer {figures['writer_mb']:.0f} MB, largest parse worker {figures['worker_mb']:.0f} MB")
    for url, size, error in outcomes:
        name = Path(url).name
        if name in hostile:
            print(f"  {name:26} {size:>9,} B  {error or 'parsed'}")


if __name__ == "__main__":
    main()
