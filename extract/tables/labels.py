"""Recognising printed row and column labels: the only way the parser places a number in a table.

Row labels are matched on their key (label_key) against the official labels, exactly first and
then fuzzily, because real reports drop or mistype characters (`其他法律行政止公开`). Column headers
are scanned for keywords in reading order, because headers arrive split (`商业\\n企业`),
truncated (`本年新`) or scattered, and the order in which they are printed is the column order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from .. import codes
from ..normalize import fold, label_key

RowMatcher = Callable[[str], "tuple[str, float] | None"]

# --- rows -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RowVocab:
    """The official row labels of one table, keyed for matching; `codes` are in official order."""

    keys: dict[str, str]  # label key → row code
    by_length: dict[int, dict[str, str]]
    lengths: tuple[int, ...]  # distinct key lengths, longest first
    # Short keys (≤ 3 characters) are matched only exactly: fuzzy `其他` would match anything.
    fuzzy_keys: tuple[tuple[str, str], ...]


def _vocab(pairs: list[tuple[str, str]]) -> RowVocab:
    keys: dict[str, str] = {}
    for label, code in pairs:
        keys.setdefault(label_key(fold(label)), code)
    by_length: dict[int, dict[str, str]] = {}
    for k, code in keys.items():
        by_length.setdefault(len(k), {})[k] = code
    fuzzy = tuple((k, c) for k, c in keys.items() if len(k) > 3)
    return RowVocab(keys, by_length, tuple(sorted(by_length, reverse=True)), fuzzy)


def _request_pairs() -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for template in codes.TEMPLATES:
        for code, label, _group in codes.REQUEST_ROWS[template]:
            pairs.append((label, code))
    # Printed variants seen in real reports.
    pairs += [
        ("本年新收申请数量", "new"), ("上年结转申请数量", "carried_over"),
        ("部分公开", "partly_granted"), ("结转下年度继续办理", "carried_forward"),
        ("危及三安全一稳定", "denied_security"), ("其他处理", "other"),
        ("申请人无正当理由逾期不补正行政机关不再处理其政府信息公开申请", "other_no_correction"),
        ("申请人逾期未按收费通知要求缴纳费用行政机关不再处理其政府信息公开申请", "other_no_fee"),
        ("合计", "total"),
    ]
    return pairs


REQUEST_ROWS = _vocab(_request_pairs())

ACTIVE_ROWS = _vocab(
    [(r.label, r.row) for t in codes.TEMPLATES for r in codes.ACTIVE_ROWS[t]]
    + [("规范性文件", "normative_documents"), ("行政事业性收费", "fees"), ("政府采购", "procurement"),
       ("其他对外管理服务事项", "other_services")]
)


@lru_cache(maxsize=4096)
def _match_key(key: str, vocab_id: int) -> tuple[str, float] | None:
    vocab = REQUEST_ROWS if vocab_id == 0 else ACTIVE_ROWS
    # Exact: the key ends with an official label (group labels and numbering come first).
    for n in vocab.lengths:
        if n <= len(key):
            code = vocab.by_length[n].get(key[-n:])
            if code is not None:
                return code, 1.0
    # Fuzzy: the label's tail resembles an official label closely enough.
    best: tuple[str, float] | None = None
    second = 0.0
    for k, code in vocab.fuzzy_keys:
        if k[-1] != key[-1] and k[-2] != key[-1]:
            continue  # typos sit inside a label; its last character survives (cheap prefilter)
        tail = key[-(len(k) + 2):]
        ratio = SequenceMatcher(None, k, tail, autojunk=False).ratio()
        if best is None or ratio > best[1]:
            if best is not None and best[0] != code:
                second = max(second, best[1])
            best = (code, ratio)
        elif code != best[0]:
            second = max(second, ratio)
    if best is not None and best[1] >= 0.72 and best[1] - second >= 0.08:
        return best
    return None


@lru_cache(maxsize=8192)
def match_request_row(label: str) -> tuple[str, float] | None:
    """(row code, confidence) for a printed (folded) requests-table row label, or None.

    Cached on the printed text: most reports print the official labels, so most calls are hits."""
    key = label_key(label)
    return _match_key(key, 0) if key else None


@lru_cache(maxsize=4096)
def match_active_row(label: str) -> tuple[str, float] | None:
    key = label_key(label)
    return _match_key(key, 1) if key else None


# --- columns ----------------------------------------------------------------------------------

PARENT = "@parent"  # the merged header above several columns (法人或其他组织 / 行政诉讼)

# Keywords in priority order: longer, more specific ones first so they consume their characters.
_REQUEST_COLUMN_WORDS: tuple[tuple[str, str], ...] = (
    ("法人或其他组织", PARENT), ("法人或者其他组织", PARENT), ("法人", PARENT),
    ("自然人", "natural_person"), ("自然", "natural_person"), ("然人", "natural_person"),
    ("商业企业", "commercial"), ("商业", "commercial"), ("企业", "commercial"),
    ("科研机构", "research"), ("科研", "research"),
    ("社会公益组织", "public_interest"), ("社会公益", "public_interest"), ("公益组织", "public_interest"),
    ("社会", "public_interest"), ("公益", "public_interest"),
    ("法律服务机构", "legal_services"), ("法律服务", "legal_services"), ("法律", "legal_services"),
    ("其他", "other_org"), ("总计", "total"), ("合计", "total"),
)

_REVIEW_WORDS: tuple[tuple[str, str], ...] = (
    ("未经复议直接起诉", "g:litigation_direct"), ("直接起诉", "g:litigation_direct"),
    ("复议后起诉", "g:litigation_after_review"),
    ("行政复议", "g:review"), ("行政诉讼", PARENT),
    ("结果维持", "upheld"), ("维持", "upheld"), ("结果纠正", "corrected"), ("纠正", "corrected"),
    ("其他结果", "other"), ("尚未审结", "pending"), ("未审结", "pending"), ("总计", "total"), ("合计", "total"),
)

_ACTIVE_COLUMN_WORDS: tuple[tuple[str, str], ...] = (
    ("本年新制作", "made"), ("新制作", "made"), ("制作数", "made"),
    ("本年新公开", "published"), ("新公开", "published"),
    ("对外公开总数", "total_published"), ("公开总数", "total_published"),
    ("本年制发", "issued"), ("制发件数", "issued"), ("制发", "issued"),
    ("本年废止", "repealed"), ("废止", "repealed"),
    ("现行有效", "in_force"),
    ("上一年项目数", "previous_items"), ("上一年", "previous_items"), ("上年项目", "previous_items"),
    ("本年增/减", "change"), ("增/减", "change"), ("增减", "change"), ("增/", "change"), ("本年增", "change"),
    ("本年处理决定", "decisions"), ("处理决定", "decisions"), ("决定数量", "decisions"),
    ("收费金额", "amount"), ("采购总金额", "amount"), ("总金额", "amount"),
    ("采购项目数", "items"), ("项目数量", "items"),
)

_SCAN_PATTERNS: dict[str, tuple[re.Pattern[str], dict[str, str]]] = {}


def _pattern(name: str, words: tuple[tuple[str, str], ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    if name not in _SCAN_PATTERNS:
        ordered = sorted(words, key=lambda w: -len(w[0]))
        lookup = {w: c for w, c in ordered}
        _SCAN_PATTERNS[name] = (re.compile("|".join(re.escape(w) for w, _ in ordered)), lookup)
    return _SCAN_PATTERNS[name]


_WORDS = {"requests": _REQUEST_COLUMN_WORDS, "review": _REVIEW_WORDS, "active": _ACTIVE_COLUMN_WORDS}


@lru_cache(maxsize=8192)
def scan(text: str, table: str) -> tuple[tuple[int, str, str], ...]:
    """Keyword hits in reading order: ((position, code, word), …). Adjacent repeats are kept.

    Cached: headers are printed the same way in report after report."""
    pattern, lookup = _pattern(table, _WORDS[table])
    return tuple((m.start(), lookup[m.group()], m.group()) for m in pattern.finditer(text))


def dedupe_adjacent(codes_seen: list[str]) -> list[str]:
    """`商业` `企业` are one column printed in two pieces: collapse runs of the same code."""
    out: list[str] = []
    for c in codes_seen:
        if not out or out[-1] != c:
            out.append(c)
    return out


@lru_cache(maxsize=4096)
def request_column_order(header_text: str) -> tuple[str, ...] | None:
    """Column codes in printed order from a flattened requests header, or None when labels are lost.

    A two-level header prints 自然人 | 法人或其他组织 | 总计 on one line and the five organisation
    columns on the next, so the parent's position is filled with the children in their order.
    """
    seq = dedupe_adjacent([code for _pos, code, _w in scan(header_text, "requests")])
    org = set(codes.ORG_COLUMNS)
    if PARENT in seq:
        first_child = next((i for i, c in enumerate(seq) if c in org), len(seq))
        top = dedupe_adjacent([c for c in seq[:first_child] if c not in org])
        children = [c for c in seq if c in org]
        order: list[str] = []
        for c in top:
            if c == PARENT:
                order.extend(children)
            elif c not in order:
                order.append(c)
        # Top-level labels printed after the children (a flattened header) still count.
        for c in seq[first_child:]:
            if c not in order and c != PARENT:
                order.append(c)
    else:
        order = []
        for c in seq:
            if c not in order:
                order.append(c)
    expected = [c for c, _ in codes.REQUEST_COLUMNS]
    if sorted(order) == sorted(expected):
        return tuple(order)
    return None


@lru_cache(maxsize=4096)
def review_column_order(header_text: str) -> tuple[tuple[str, str], ...] | None:
    """(group, column) pairs in printed order from a flattened review/litigation header, or None.

    Groups come in the order their labels are printed (行政复议 first, 行政诉讼 split into its two
    sub-groups); each group's five columns are the next five column labels in printed order.
    """
    hits = [code for _pos, code, _w in scan(header_text, "review")]
    groups: list[str] = []
    columns: list[str] = []
    parent_at: int | None = None
    for code in hits:
        if code == PARENT:
            if parent_at is None:
                parent_at = len(groups)
        elif code.startswith("g:"):
            g = code[2:]
            if g not in groups:
                groups.append(g)
        else:
            columns.append(code)
    expected_groups = [g for g, _ in codes.REVIEW_GROUPS]
    expected_columns = {c for c, _ in codes.REVIEW_COLUMNS}
    if sorted(groups) != sorted(expected_groups) or len(columns) != 15:
        return None
    out: list[tuple[str, str]] = []
    for i, g in enumerate(groups):
        chunk = columns[i * 5:(i + 1) * 5]
        if set(chunk) != expected_columns:
            return None
        out.extend((g, c) for c in chunk)
    return tuple(out)
