"""The parser's notes and the consistency checks' details, in Chinese, for the report page.

The contract keeps them in English (`warnings`, `checks[].detail`: extract/ is the same for every reader and the
export carries them as data); a reader of the report page reads Chinese. Codes in them (rows, columns, groups) are
given their official wording from extract.codes. A note of a shape not known here is shown as written, after a
Chinese lead, so nothing the parser said is lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from extract import codes, printed

TABLES = {code: title.split("、", 1)[-1] for code, title in printed.TABLE_TITLES.items()}
TABLES.update({"ocr": "文字识别", "pdf": "PDF", "ofd": "OFD", "html": "网页"})

_REQUEST_ROWS = {code: label for rows in codes.REQUEST_ROWS.values() for code, label, _g in rows}
LABELS: dict[str, dict[str, str]] = {
    "requests": {**_REQUEST_ROWS, **dict(codes.REQUEST_COLUMNS)},
    "review_litigation": {**dict(codes.REVIEW_GROUPS), **dict(codes.REVIEW_COLUMNS)},
    "active_disclosure": {**codes.ACTIVE_COLUMN_LABELS, **codes.ITEM_LABELS,
                          **{r.row: r.label for rows in codes.ACTIVE_ROWS.values() for r in rows}},
}


def label(table: str, code: str) -> str:
    """A row, column or group code in the official wording of its table (the code itself when unknown)."""
    return LABELS.get(table, {}).get(code, code)


def _path(table: str, text: str) -> str:
    """`row/column` → 行·列 in the table's wording."""
    return "·".join(label(table, part) for part in text.split("/") if part)


def _codes(table: str, text: str) -> str:
    """A comma-separated list of codes in the table's wording."""
    return "、".join(label(table, c.strip()) for c in text.split(",") if c.strip()) or "无"


def _aligned(table: str, text: str) -> str:
    """`labels found[; values N]` of a row that could not be aligned."""
    found, _sep, values = text.partition("; values ")
    return f"找到的列：{_codes(table, found.replace('none', ''))}" + (f"；数值 {values}" if values else "")


Rewrite = Callable[[str, re.Match[str]], str]
_NOTES: tuple[tuple[re.Pattern[str], Rewrite], ...] = (
    (re.compile(r"template not recognised from the labels; cells kept as read$"),
     lambda t, m: "未能从标签识别表格格式，单元格按读到的保留"),
    (re.compile(r"(\d+) cells do not belong to the (\d{4}) format and were left out \((.*)\)$"),
     lambda t, m: f"{m[1]} 个单元格不属于 {m[2]} 年格式，未计入（{_codes(t, m[3].replace('…', ''))}…）"),
    (re.compile(r"(.+) printed twice; the first one is kept$"),
     lambda t, m: f"{_path(t, m[1])} 印了两次，保留第一次"),
    (re.compile(r"column labels incomplete \(found (.*)\); the official column order was assumed$"),
     lambda t, m: f"列标签不全（找到：{_codes(t, m[1].replace('none', ''))}），按官方列顺序读取"),
    (re.compile(r"column labels incomplete in the table header; the official column order was assumed$"),
     lambda t, m: "表头列标签不全，按官方列顺序读取"),
    (re.compile(r"group/column labels incomplete(?: in the table header)?; the official order.* was assumed$"),
     lambda t, m: "分组或列标签不全，按官方顺序（复议、直接起诉、复议后起诉 × 维持、纠正、其他、尚未审结、总计）读取"),
    (re.compile(r"unrecognised row label (.*); its numbers were left out$"),
     lambda t, m: f"无法识别的行标签 {m[1]}，该行数字未计入"),
    (re.compile(r"row (\w+) \((.*)\) out of the printed order; left out$"),
     lambda t, m: f"“{label(t, m[1])}”行（{m[2]}）不在印刷顺序中，未计入"),
    (re.compile(r"row (\w+) has (\d+) values for (\d+) columns; left out rather than guessed$"),
     lambda t, m: f"“{label(t, m[1])}”行有 {m[2]} 个数字、{m[3]} 列，未予猜测，未计入"),
    (re.compile(r"(\d+) values for (\d+) columns; left out rather than guessed$"),
     lambda t, m: f"{m[1]} 个数字、{m[2]} 列，未予猜测，未计入"),
    (re.compile(r"(\d+) value columns, (\d+) named; table left out$"),
     lambda t, m: f"{m[1]} 个数值列，其中 {m[2]} 个有列名；整表未计入"),
    (re.compile(r"(\S+) value (.*) not understood$"),
     lambda t, m: f"{_path(t, m[1])} 的值 {m[2]} 无法理解"),
    (re.compile(r"row (\w+) could not be aligned with its column labels \((.*)\)$"),
     lambda t, m: f"“{label(t, m[1])}”行无法与列标签对齐（{_aligned(t, m[2])}）"),
    (re.compile(r"row (\w+): column labels lost, official order assumed \((.*)\)$"),
     lambda t, m: f"“{label(t, m[1])}”行：列标签缺失，按官方顺序读取（{_codes(t, m[2])}）"),
    (re.compile(r"only the first (\d+) of (\d+) (?:scanned |image )?pages were read$"),
     lambda t, m: f"共 {m[2]} 页，只读取了前 {m[1]} 页"),
    (re.compile(r"page (\d+) could not be read \((.*)\)$"),
     lambda t, m: f"第 {m[1]} 页无法读取（{m[2]}）"),
    (re.compile(r"elements nested over (\d+) deep; .* dropped to read the page$"),
     lambda t, m: f"网页元素嵌套超过 {m[1]} 层，为读取页面去掉了部分容器元素"),
)


def note_zh(note: str) -> tuple[str, bool]:
    """(the note in Chinese, whether it was translated); an unknown note keeps its words after a Chinese lead."""
    table, sep, rest = note.partition(": ")
    if not sep or not re.fullmatch(r"[a-z_]+", table):
        table, rest = "", note
    where = f"{TABLES.get(table, table)}：" if table else ""
    for pattern, rewrite in _NOTES:
        m = pattern.match(rest)
        if m:
            return where + rewrite(table, m), True
    return f"{where}解析提示（原文）{rest}", False


_OK = {
    "requests.balance": (r"new \+ carried_over = total \+ carried_forward in (\d+) columns", "{0} 列均相符"),
    "requests.outcomes_sum": (r"total = sum of outcome rows in (\d+) columns", "{0} 列均相符"),
    "requests.columns_sum": (r"total column = sum of the six applicant columns in (\d+) rows", "{0} 行均相符"),
    "review_litigation.group_sum": (r"total = upheld \+ corrected \+ other \+ pending in (\d+) groups",
                                    "{0} 组均相符"),
}
_FAILED = (
    (re.compile(r"(\w+): (.+) ≠ (.+)$"), "requests", "{0}：{1} ≠ {2}"),
    (re.compile(r"(\w+): outcomes sum to (\S+), total printed (\S+)$"), "requests",
     "{0}：各项办理结果合计 {1}，印刷的总计为 {2}"),
    (re.compile(r"(\w+): applicants sum to (\S+), total printed (\S+)$"), "requests",
     "{0}：各类申请人合计 {1}，印刷的总计为 {2}"),
    (re.compile(r"(\w+): (.+) = (\S+), total printed (\S+)$"), "review_litigation", "{0}：{1} = {2}，印刷的总计为 {3}"),
)


def check_detail_zh(rule: str, detail: str | None) -> tuple[str, bool]:
    """(a check's detail in Chinese, whether it was translated): the columns, rows or groups that failed, by
    their official wording, and by how much; or for a rule that holds, how many it compared (the rule's own
    label, shown beside it, says what)."""
    if not detail:
        return "", True
    ok = _OK.get(rule)
    if ok:
        m = re.fullmatch(ok[0], detail)
        if m:
            return ok[1].format(*m.groups()), True
    parts, known = [], True
    for piece in detail.split("; "):
        for pattern, table, wording in _FAILED:
            m = pattern.match(piece)
            if m:
                parts.append(wording.format(label(table, m[1]), *m.groups()[1:]))
                break
        else:
            parts.append(piece)
            known = False
    return "；".join(parts), known
