"""What every format reader hands to `parse_text`: narrative text, table grids, metadata, provenance.

The HTML reader's shape (text for the narrative, grids with spans expanded for the tables) is the
one the label-based table reader understands, so PDF, DOCX, OFD, spreadsheets and scans all end
up in it; only how they were read (`source`) and where they fell back (`warnings`) differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Source

Grid = list[list[str]]


@dataclass(slots=True)
class ReadDocument:
    """One document as read from its file format, before any report parsing."""

    text: str
    grids: list[Grid]
    source: Source
    meta: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
