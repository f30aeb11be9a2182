"""Two archives compared by the rows a parse makes: what `rebuild --jobs N` must not change.

Row sets, not row order: rowids and insertion order are the writer's business; the rows are the result.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# The derived tables a parse fills, and the documents' parse outcome (status, reason, format, reader).
TABLES = ("reports", "sections", "cells", "checks", "check_cells", "flags", "agencies", "documents")


def rows(db: Path, table: str) -> set[tuple[object, ...]]:
    with sqlite3.connect(db) as con:
        return set(con.execute(f"SELECT * FROM {table}").fetchall())


def differences(a: Path, b: Path, tables: tuple[str, ...] = TABLES) -> dict[str, tuple[int, int]]:
    """Tables whose rows differ: (rows only in a, rows only in b); empty when the two agree."""
    out = {}
    for table in tables:
        left, right = rows(a, table), rows(b, table)
        if left != right:
            out[table] = (len(left - right), len(right - left))
    return out
