"""Facts the crawler and the parser share live in one module of extract/, and one name means one thing.

Copies drift: the date regex and the year-evidence order were written in crawler/ and extract/, OpenCC
was built four times, and `canonical_url`, `is_report_title` and `parse_date` each named two different
functions. These checks read the source, so a new copy fails here rather than drifting quietly.
"""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from extract import dates, metadata

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("extract", "archive", "crawler", "nianbao")


def _sources() -> dict[str, str]:
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8")
            for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))}


def test_opencc_is_built_in_one_place() -> None:
    builders = [name for name, text in _sources().items() if "OpenCC(" in text]
    assert builders == ["extract/script.py"]


def test_the_date_regex_is_written_once() -> None:
    pattern = r"[-/.年]\s*(\d{1,2})\s*[-/.月]"
    assert [name for name, text in _sources().items() if pattern in text] == ["extract/dates.py"]
    assert metadata._DATE_LINE.pattern.count(dates.DATE.pattern) == 1


@pytest.mark.parametrize("name", ["canonical_url", "is_report_title", "parse_date"])
def test_a_shared_name_means_one_function(name: str) -> None:
    defined = [module for module, text in _sources().items()
               for node in ast.parse(text).body if isinstance(node, ast.FunctionDef) and node.name == name]
    assert len(defined) <= 1, defined


def test_year_by_evidence_reads_the_period_only_without_a_title_year() -> None:
    asked: list[str] = []

    def period() -> int | None:
        asked.append("period")
        return 2024

    assert dates.year_by_evidence(2023, period, 2026) == 2023 and asked == []
    assert dates.year_by_evidence(None, period, 2026) == 2024 and asked == ["period"]
    assert dates.year_by_evidence(None, lambda: None, 2026) == 2025
    assert dates.year_by_evidence(None, lambda: None, None) is None


def test_crawler_and_parser_read_a_date_alike() -> None:
    for text in ("2024-03-28", "2024/3/28", "2026.03.05 14:48:00", "2024年3月28日", "２０２４年３月２８日"):
        found = dates.to_date(text)
        assert found is not None and metadata.iso_date(text) == found.isoformat()
    assert dates.to_date("2024年13月1日") is None and metadata.iso_date("2024年13月1日") is None
    assert dates.to_date(1737338400) == date(2025, 1, 20)


def test_the_parser_year_order_is_the_shared_one() -> None:
    body = "统计期限为2024年1月1日至2024年12月31日。"
    assert metadata.year_covered("某局2022年政府信息公开工作年度报告", body, "2025-02-01", None) == 2022
    assert metadata.year_covered(None, body, "2026-02-01", None) == 2024
    assert metadata.year_covered(None, "", "2026-02-01", None) == 2025
    assert metadata.year_covered(None, "", None, "2023年度，本局……2023年") == 2023


def test_crawler_and_parser_know_the_same_content_containers() -> None:
    from crawler.page import CONTENT_SELECTORS
    from extract import containers
    from extract.readers.html import content

    known = {("class", n) for n in content.CONTENT_CLASSES} | {("id", n) for n in content.CONTENT_IDS} \
        | {("tag", n) for n in content._CONTENT_TAGS}
    assert known == {(kind, name) for _rank, kind, name in containers.CONTAINERS}
    assert containers.css_selectors() == CONTENT_SELECTORS
    assert CONTENT_SELECTORS[0] == ".TRS_Editor" and CONTENT_SELECTORS[-2:] == ("article", "main")
    written = [name for name, text in _sources().items() if '"TRS_Editor"' in text or "'.TRS_Editor'" in text
               or '".TRS_Editor"' in text]
    assert written == ["extract/containers.py"]


def test_the_crawler_takes_the_best_container_with_text() -> None:
    from parsel import Selector

    from crawler.page import content

    page = Selector(text="<html><body><div class='content'>外层<div id='zoom'>正文</div></div>"
                         "<main>页脚</main></body></html>")
    assert content(page).attrib.get("id") == "zoom"
    empty = Selector(text="<html><body><div class='TRS_Editor'></div><div class='content'>正文</div></body></html>")
    assert content(empty).attrib.get("class") == "content"
