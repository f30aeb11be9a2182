"""The real PDFs in ../shared/corpus parse with every table cell right, against gold files written
by reading the documents (tests/gold/*.json), scored by the shared scorer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from extract import parse_report
from tests.shared import CORPUS, need_shared, scorer

GOLD = Path(__file__).parent / "gold"
CASES = sorted(p.stem for p in GOLD.glob("*.json"))


def test_gold_files_present() -> None:
    assert {"huaian-2024", "hongze-2023", "hongze-2024"} <= set(CASES)


@pytest.mark.parametrize("name", CASES)
def test_real_pdf_every_cell_right(name: str) -> None:
    need_shared()
    gold = json.loads((GOLD / f"{name}.json").read_text(encoding="utf-8"))
    report = parse_report((CORPUS / f"{name}.pdf").read_bytes())
    assert report.source.format == "pdf" and not report.source.ocr
    result = scorer().score(gold, report.to_dict())
    assert result["right"] == result["cells"], result["wrong"][:10]
    assert not result["extra"], result["extra"][:10]
    assert result["sections_ok"], result["sections"]
    assert all(result["meta"].values()), result["meta"]
    for section in report.sections:  # page numbers are furniture, and no paragraph is cut at a page break
        assert not re.search(r"^\s*-\s*\d+\s*-\s*$", section.text, re.M), section.text
        assert all(line.endswith(("。", "：", ":", "；", "）", ")", "”")) for line in section.text.split("\n")
                   if len(line) > 40), section.text
