"""Chinese wording for the few sentences Datasette and its plugins build in English in Python, not in templates.

Datasette 0.65 hands the table page one English sentence (`human_description_en`: "where province = "上海市"
sorted by year descending"), and datasette-dashboards adds a menu link labelled "Dashboards". Templates can be
overridden, those strings cannot: the templates pass them through these filters instead.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

# Datasette's filter clauses (datasette/filters.py human templates), longest first so "not like" wins over "like".
_CLAUSES = (
    (re.compile(r'^search column "(.+?)" matches "(.*)"$'), r'\1 全文检索 "\2"'),
    (re.compile(r'^search matches "(.*)"$'), r'全文检索 "\1"'),
    (re.compile(r'^"(.+?)" is on date (.*)$'), r"\1 日期为 \2"),
    (re.compile(r"^(.+?) does not contain (.*)$"), r"\1 不包含 \2"),
    (re.compile(r"^(.+?) contains (.*)$"), r"\1 包含 \2"),
    (re.compile(r"^(.+?) ends with (.*)$"), r"\1 以 \2 结尾"),
    (re.compile(r"^(.+?) starts with (.*)$"), r"\1 以 \2 开头"),
    (re.compile(r"^(.+?) not like (.*)$"), r"\1 不匹配 \2"),
    (re.compile(r"^(.+?) like (.*)$"), r"\1 匹配 \2"),
    (re.compile(r"^(.+?) glob (.*)$"), r"\1 通配 \2"),
    (re.compile(r"^(.+?) is not null$"), r"\1 不为空值"),
    (re.compile(r"^(.+?) is null$"), r"\1 为空值"),
    (re.compile(r"^(.+?) is not blank$"), r"\1 不为空"),
    (re.compile(r"^(.+?) is blank$"), r"\1 为空"),
    (re.compile(r"^(.+?) not in (.*)$"), r"\1 不在 \2 中"),
    (re.compile(r"^(.+?) in (\[.*)$"), r"\1 在 \2 中"),
)
_SORTED = re.compile(r"(?:^| )sorted by (.+?)( descending)?$")

MENU_LABELS = {"Dashboards": "图表 Dashboards"}


def _clause(text: str) -> str:
    for pattern, replacement in _CLAUSES:
        if pattern.match(text):
            return pattern.sub(replacement, text)
    return text


def human_description_zh(english: str | None) -> str:
    """Datasette's "where … sorted by …" sentence in Chinese: 筛选条件 then 排序 (column names stay as they are)."""
    if not english:
        return ""
    text, order = english, ""
    sort = _SORTED.search(text)
    if sort:
        order = f"按 {sort.group(1)} {'降序' if sort.group(2) else '升序'}排列"
        text = text[: sort.start()]
    where = ""
    if text.startswith("where "):
        # Datasette joins the clauses as "a, b and c"; a value holding ", " or " and " is split wrongly only in
        # this sentence, never in the query
        clauses = re.split(r", | and ", text[len("where "):])
        where = "筛选：" + "，".join(_clause(c) for c in clauses)
    elif text.strip():
        where = text.strip()
    return "；".join(part for part in (where, order) if part)


def menu_label(label: str) -> str:
    """A plugin's menu link in Chinese when one is known, else as the plugin named it."""
    return MENU_LABELS.get(label, label)


def unquote_url(url: str | None) -> str:
    """A URL as a reader types it: percent-escapes decoded (UTF-8, else GB18030), else left as they are."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return unquote(url or "", encoding=encoding, errors="strict")
        except UnicodeDecodeError:
            continue
    return url or ""
