"""Unit tests of the report generator itself: if it lies, the property tests prove nothing."""

from __future__ import annotations

import random
import re

import pytest
from lxml import html as lxml_html

from extract import codes

from .reportgen import (
    LAYOUTS,
    RULES,
    GeneratedReport,
    Knobs,
    Layout,
    exclusive_keys,
    generate,
    iter_expected_raw,
    random_knobs,
    render,
    s2t,
    t2s,
    template_keys,
    vocabulary,
    with_visible_blanks,
)

SEEDS = range(60)


def _report(seed: int, **kwargs: object) -> tuple[GeneratedReport, random.Random]:
    rng = random.Random(seed)
    return generate(rng, **kwargs), rng  # type: ignore[arg-type]


def test_deterministic() -> None:
    """Same seed, same report and same bytes: failures must be reproducible from the seed."""
    for layout in LAYOUTS:
        a, rng_a = _report(7)
        b, rng_b = _report(7)
        assert a == b
        assert render(a, layout, rng_a).data == render(b, layout, rng_b).data


@pytest.mark.parametrize("layout", LAYOUTS)
def test_renders_decode_and_carry_every_cell(layout: Layout) -> None:
    """Every printed cell's raw text is in the rendering, so a parser can find it."""
    for seed in SEEDS:
        report, rng = _report(seed)
        out = render(report, layout, rng)
        text = out.text()
        assert out.layout == layout
        assert out.content_type.startswith("text/html" if layout == "html" else "text/plain")
        for table, key, raw in iter_expected_raw(out.report):
            assert raw in text, (seed, table, key, raw)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_trap_rows_and_headings_are_printed(layout: Layout) -> None:
    """The requests rows that look like headings are always there, and so is every section heading."""
    for seed in SEEDS:
        report, rng = _report(seed)
        text = t2s(render(report, layout, rng).text())
        text = text.translate(str.maketrans("():,;", "（）：，；"))
        if layout == "html":
            text = re.sub(r"<[^>]+>", "\n", text)
        for trap in ("一、本年", "二、上年", "三、本年度办理结果", "四、结转"):
            assert trap in text or trap in text.replace("\n", ""), (seed, trap)
        numerals = "一二三四五六七"
        for number, _kind, heading in report.expected_sections():
            assert f"{numerals[number - 1]}、{heading}" in text, (seed, heading)


def test_cell_keys_follow_the_template() -> None:
    """Expected keys are exactly the format's (with the chosen （六） variant), never the other format's."""
    for seed in range(200):
        report, _rng = _report(seed)
        keys = template_keys(report.template, other_split=report.other_split)
        for table in codes.TABLE_NAMES:
            assert set(report.cells[table]) == keys[table]
            assert not set(report.cells[table]) & exclusive_keys(report.template)[table]
        assert len(report.cells["requests"]) == 7 * len(report.request_rows())
        assert len(report.cells["review_litigation"]) == 15


def test_templates_and_years_match() -> None:
    for seed in range(100):
        r19, _ = _report(seed, template="2019")
        r21, _ = _report(seed, template="2021")
        assert r19.template == "2019" and r19.year in (2019, 2020)
        assert r21.template == "2021" and r21.year >= 2021
        assert ("", "other", "total") in r19.cells["requests"]
        assert r21.other_split == (("", "other_other", "total") in r21.cells["requests"])


def test_consistent_reports_satisfy_every_rule() -> None:
    """Consistent numbers pass all four rules whichever way a parser reads a blank (0 or missing)."""
    for seed in range(300):
        report, _rng = _report(seed, consistent=True)
        for rule, outcome in report.rule_outcomes().items():
            assert outcome.if_zero is True, (seed, rule)
            assert outcome.if_missing in (True, None), (seed, rule)


def test_inconsistent_reports_break_rules() -> None:
    broken = 0
    for seed in range(100):
        report, _rng = _report(seed, consistent=False, blanks=False)
        outcomes = report.rule_outcomes()
        assert set(outcomes) == set(RULES)
        broken += any(o.if_zero is False for o in outcomes.values())
    assert broken > 80


def test_blanks_only_replace_zeros_and_are_printed_as_told() -> None:
    """Blanks have value None and raw "", "/", "—", "-" or "无" (traditional 無); no blanks when off."""
    seen: set[str] = set()
    for seed in range(200):
        report, _rng = _report(seed)
        for table in report.cells.values():
            for value, raw in table.values():
                if value is None:
                    assert raw in {"", "/", "—", "-", "无", "無"}
                    seen.add(raw or "")
        plain, _rng = _report(seed, blanks=False)
        assert not any(v is None for t in plain.cells.values() for v, _raw in t.values())
    assert seen >= {"", "/", "—", "-"}


def test_spaces_never_prints_an_empty_cell() -> None:
    """In space-separated rows an empty cell would vanish; its expectation must be visible too."""
    for seed in SEEDS:
        report, rng = _report(seed, knobs=Knobs())
        out = render(report, "spaces", rng)
        assert all(raw != "" for t in out.report.cells.values() for _v, raw in t.values())
        assert with_visible_blanks(out.report, rng) is out.report


def test_numbers_and_money_forms() -> None:
    """Signed changes, thousands separators, full-width digits and 元 amounts decode to their value."""
    fw = str.maketrans("０１２３４５６７８９＋－．", "0123456789+-.")
    seen_yuan = seen_signed = seen_thousands = seen_fullwidth = False
    for seed in range(300):
        report, _rng = _report(seed, blanks=False)
        for (item, row, column), (value, raw) in report.cells["active_disclosure"].items():
            assert value is not None and raw
            text = raw.translate(fw).replace(",", "").replace("萬", "万")
            if column == "amount":
                if text.endswith("万元"):
                    assert float(text[:-2]) == pytest.approx(value, abs=1e-6)
                elif text.endswith("元"):
                    seen_yuan = seen_yuan or value != 0
                    assert float(text[:-1]) / 10000 == pytest.approx(value, abs=1e-6)
                else:
                    assert float(text) == pytest.approx(value, abs=1e-6)
            else:
                assert int(text) == value, (item, row, column, raw)
                seen_signed = seen_signed or raw.startswith(("+", "-", "＋", "－"))
            seen_thousands = seen_thousands or "," in raw
            seen_fullwidth = seen_fullwidth or raw != raw.translate(fw)
    assert seen_yuan and seen_signed and seen_thousands and seen_fullwidth


def test_metadata_expectations() -> None:
    """Title variants, agency only when findable, published only when printed."""
    styles: set[str] = set()
    for seed in range(300):
        report, rng = _report(seed)
        knobs = report.knobs
        styles.add(knobs.title)
        if knobs.title == "none":
            assert report.title is None
        else:
            assert report.title is not None and str(report.year) in report.title
            assert report.title.endswith("政府信息公开工作年度报告")
        if report.agency is None:
            assert knobs.title in ("none", "no_agency") and not knobs.agency_in_overview
        else:
            assert report.agency == report.author
        if knobs.agency_in_overview:
            assert report.sections[0].paragraphs[0].startswith(report.author)
        text = t2s(render(report, rng.choice(LAYOUTS), rng).text())
        has_date_label = any(lab in text for lab in ("发布日期", "发布时间", "公开日期"))
        assert has_date_label == (report.published is not None)
        if report.agency is None:
            assert report.author not in text  # the text must not name it anywhere
    assert styles == {"agency_year", "year_agency", "agency_niandu", "no_agency", "none"}


def test_sections() -> None:
    for seed in range(100):
        report, _rng = _report(seed)
        kinds = [kind for _n, kind, _h in report.expected_sections()]
        assert kinds[:6] == [k for k, _l in codes.SECTION_KINDS]
        assert kinds[6:] in ([], [codes.EXTRA_SECTION_KIND])
        assert [n for n, _k, _h in report.expected_sections()] == list(range(1, len(kinds) + 1))
        for s in report.sections:  # no table line inside a section's text
            for p in s.paragraphs:
                assert "本年新收政府信息公开申请数量" not in p and "第二十条第" not in p


def test_vocabulary_survives_script_round_trip() -> None:
    """Expected names are simplified; a traditional report must convert back to exactly them."""
    for word in vocabulary():
        assert t2s(s2t(word)) == word, word


def test_traditional_renders_traditional() -> None:
    report, rng = _report(3, knobs=Knobs(traditional=True))
    text = render(report, "cell_per_line", rng).text()
    assert "政府信息公開" in text and "政府信息公开" not in text
    assert report.script == "traditional"


def test_gbk_html() -> None:
    """The GBK page is GBK bytes (not UTF-8) declared gb2312 in a meta tag."""
    report, rng = _report(5, knobs=Knobs(gbk=True))
    out = render(report, "html", rng)
    assert out.encoding == "gbk"
    text = out.data.decode("gbk")
    assert "charset=gb2312" in text
    with pytest.raises(UnicodeDecodeError):
        out.data.decode("utf-8")
    plain, rng = _report(5, knobs=Knobs())
    assert render(plain, "html", rng).data.decode("utf-8")


def _spans(table: lxml_html.HtmlElement) -> list[list[tuple[str, int, int]]]:
    return [[(td.text_content().strip(), int(td.get("rowspan", 1)), int(td.get("colspan", 1)))
             for td in tr.findall("td")] for tr in table.iter("tr")]


def _row_widths(rows: list[list[tuple[str, int, int]]]) -> list[int]:
    """Width of each row counting cells merged down from above (the HTML table model)."""
    carry: dict[int, int] = {}
    widths: list[int] = []
    for r, row in enumerate(rows):
        width = sum(c for _t, _r, c in row) + sum(w for until, w in carry.items() if until > r)
        widths.append(width)
        for _t, rs, cs in row:
            if rs > 1:
                carry[r + rs] = carry.get(r + rs, 0) + cs
    return widths


@pytest.mark.parametrize("seed", range(20))
def test_html_tables_use_the_official_spans(seed: int) -> None:
    """Three report tables, rectangular, with the merged cells of the official template."""
    report, rng = _report(seed, knobs=Knobs(gbk=seed % 2 == 0, traditional=seed % 5 == 0))
    out = render(report, "html", rng)
    # The page says gb2312 but holds GBK (as portals do): lxml must get text, not those bytes.
    doc = lxml_html.fromstring(out.data.decode(out.encoding))
    tables = [t for t in doc.iter("table") if "xxgk-meta" not in (t.get("class") or "")]
    assert len(tables) == 3
    active, requests, review = (_spans(t) for t in tables)
    assert set(_row_widths(active)) == {4}
    assert set(_row_widths(requests)) == {10}
    assert set(_row_widths(review)) == {15}
    flat = {(t2s(text).replace("\n", ""), rs, cs) for row in requests for text, rs, cs in row}
    outcome_rows = sum(1 for _c, _l, g in report.request_rows() if g is not None)
    assert any(text.startswith("法人或其他组织") and cs == 5 for text, _rs, cs in flat)
    assert any(text.startswith("三") and rs == outcome_rows for text, rs, _cs in flat)
    assert any(re.match(r"[（(]三[）)]不予", text) and rs == 8 for text, rs, _cs in flat)
    top = [(t2s(text), cs) for text, _rs, cs in review[0]]
    assert top == [("行政复议", 5), ("行政诉讼", 10)]
    assert [cs for _t, _rs, cs in review[1]][-2:] == [5, 5]


def test_cell_per_line_can_print_a_vertical_group_label() -> None:
    found = False
    for seed in range(60):
        report, rng = _report(seed, knobs=Knobs(split_headers=True))
        if "三\n、\n本\n年\n度\n办\n理\n结\n果" in render(report, "cell_per_line", rng).text():
            found = True
            break
    assert found


def test_tabs_layout_shape() -> None:
    """Word text: cells after a tab, lone tabs for merged-down cells, a blank line between rows."""
    report, rng = _report(2, knobs=Knobs())
    lines = render(report, "tabs", rng).text().split("\n")
    assert "\t" in lines  # lone tab
    i = lines.index("\t一、本年新收政府信息公开申请数量")
    assert lines[i + 8] == "" and lines[i + 9] == "\t二、上年结转政府信息公开申请数量"


def test_pipes_layout_shape() -> None:
    for seed in range(30):
        report, rng = _report(seed, knobs=Knobs())
        text = render(report, "pipes", rng).text()
        assert re.search(r"第二十条第（一）项 \| *\|", text)
        assert " | " in text


def test_random_knobs_vary() -> None:
    rng = random.Random(0)
    drawn = [random_knobs(rng) for _ in range(300)]
    for name in ("traditional", "gbk", "typos", "split_headers", "extra_section", "title_split"):
        values = {getattr(k, name) for k in drawn}
        assert values == {True, False}, name
