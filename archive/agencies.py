"""The agency register: one body under one stable id, whatever form its name was printed in.

Why: reports name their agency in many forms (traditional script, a year glued on, 图片版, "关于…的"),
and a body renamed in a 机构改革 keeps publishing. Totals by agency need one id per body; and places by
agency need the body's own division (archive/divisions.py), not the portal's. Two bodies that share a name
in different places (朝阳区人民政府) never share an id: an id is the normalised name with its division
code, and a name whose place cannot be settled is kept apart per host, never merged by guesswork.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from archive.cjk import normalise
from archive.divisions import Place, Resolution, resolve, table, unknown_place, vertical_prefix

ALIASES_FILE = Path(__file__).with_name("agency-aliases.tsv")

_PUNCT = re.compile(r"[\s\u3000·・•,，。.、:：;；\"'“”‘’()（）\[\]【】《》<>〈〉「」『』—–\-_/|*#＊]+")
_YEAR = re.compile(r"(?:^(?:19|20)\d{2}年?度?)|(?:(?:19|20)\d{2}年?度?$)|(?:年度$)")
_TAIL = re.compile(r"(?:政府信息公开|信息公开).*$")
_WRAPPER = re.compile(r"^关于(.+?)的?$")
_TOWNSHIP = re.compile(r"[\u4e00-\u9fff]{1,6}?(?:镇|乡|街道|苏木)")
_ZONE = re.compile(r"(?:开发区|高新区|园区|新区|管理区|示范区|试验区|实验区|保税区|合作区|管委会|管理委员会)")
_OFFICE = re.compile(r"(?:人民政府|政府|国务院)(?:办公厅|办公室)$|政府办$")
_GOVERNMENT = re.compile(r"(?:人民政府|政府)$")
_DEPARTMENT = re.compile(r"(?:局|厅|委员会|委|办公室|办|署|中心|院|会|所|处|队|站|部|馆|社|集团|公司)$")
_UNKNOWN_LEVEL = (("自治区", "省级"), ("省", "省级"), ("区", "县级"), ("县", "县级"), ("旗", "县级"))

LEVELS = ("省级", "地市级", "县级", "乡镇(街道)")
KINDS = ("人民政府", "办公厅(室)", "部门", "派出机构", "其他")


@dataclass(frozen=True)
class Agency:
    """One body as the register knows it."""

    id: str
    name: str                      # normalised (and renamed, when a 机构改革 alias is recorded)
    printed: str                   # as the report printed it
    code: str | None               # GB/T 2260, six digits
    province: str | None
    city: str | None
    county: str | None
    level: str | None              # 省级 | 地市级 | 县级 | 乡镇(街道)
    kind: str                      # 人民政府 | 办公厅(室) | 部门 | 派出机构 | 其他
    parent: str | None             # the government it belongs to, by name
    evidence: str | None           # what settled the place: name | title | report text | portal region code
    reason: str | None             # why the place is empty


def normalise_name(raw: str | None) -> str | None:
    """The name with its print forms removed: spacing and punctuation, traditional script, full-width
    letters, a year or 年度 glued on, 图片版, a "关于…的" wrapper, a trailing report title."""
    if not raw:
        return None
    name = _PUNCT.sub("", normalise(raw))
    name = name.replace("图片版", "")
    previous = None
    while name != previous:
        previous = name
        wrapped = _WRAPPER.match(name)
        if wrapped:
            name = wrapped.group(1)
        name = _TAIL.sub("", name)
        name = _YEAR.sub("", name)
    return name or None


@lru_cache(maxsize=1)
def aliases() -> dict[str, str]:
    """Recorded renames and merges (机构改革): an old name → the name it is filed under now."""
    if not ALIASES_FILE.is_file():
        return {}
    out: dict[str, str] = {}
    with ALIASES_FILE.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"):
            old, new = normalise_name(row["alias"]), normalise_name(row["name"])
            if old and new:
                out[old] = new
    return out


def _kind(name: str, rest: str) -> str:
    if _OFFICE.search(name):
        return "办公厅(室)"
    zone = _ZONE.search(rest)
    zone_body = zone and rest[zone.end():].removesuffix("管委会").removesuffix("管理委员会") == ""
    if name.endswith(("街道办事处", "街道办")) or (zone_body and not _GOVERNMENT.search(name)):
        return "派出机构"
    if _GOVERNMENT.search(name):
        return "人民政府"
    if _DEPARTMENT.search(name) and rest:
        return "部门"
    return "其他"


def _level(name: str, resolution: Resolution) -> str | None:
    if _TOWNSHIP.match(resolution.rest) or (not resolution.matched and _TOWNSHIP.search(name)
                                            and not _ZONE.search(name)):
        return "乡镇(街道)"
    place = resolution.place
    if place is not None:
        return {"province": "省级", "city": "地市级", "county": "县级"}[place.depth]
    if resolution.matched or resolution.candidates:
        depths = {"province" if c.endswith("0000") else "city" if c.endswith("00") else "county"
                  for c in resolution.candidates}
        if len(depths) == 1:
            return {"province": "省级", "city": "地市级", "county": "县级"}[depths.pop()]
    token = unknown_place(name)
    return next((level for suffix, level in _UNKNOWN_LEVEL if token and token.endswith(suffix)), None)


def _government_of(code: str) -> str:
    """The people's government of a division, by name (北京市人民政府, 淮安市洪泽区人民政府)."""
    names = table()
    if code.endswith("0000"):
        return names[code] + "人民政府"
    above = names.get(code[:4] + "00") or names.get(code[:2] + "0000") if not code.endswith("00") else None
    return f"{above or ''}{names[code]}人民政府"


def _has_counties(code: str) -> bool:
    """Whether a province or city has counties under it (东莞市 and 中山市 have none: towns answer to the city)."""
    width = 2 if code.endswith("0000") else 4
    return any(c[:width] == code[:width] and not c.endswith("00") for c in table())


def _township_parent(place: Place, region_code: str | None) -> str | None:
    """A township answers to a county. Placed only at a city or province (淮安市黄码乡人民政府), its county is
    not in the name: the portal's region code names it when that county lies inside the placed division —
    evidence for the parent only, never for the place; a portal elsewhere says nothing."""
    if place.depth == "county" or not _has_counties(place.code):
        return _government_of(place.code)
    county = region_code if region_code and region_code in table() and not region_code.endswith("00") else None
    width = 2 if place.depth == "province" else 4
    return _government_of(county) if county and county[:width] == place.code[:width] else None


def _parent(name: str, kind: str, level: str | None, resolution: Resolution,
            region_code: str | None = None) -> str | None:
    """The government a body answers to: its own place's for a department, the next one up for a government,
    a county's for a township (from the portal when the name stops above the county)."""
    place = resolution.place
    if vertical_prefix(name):  # managed from above (a tax bureau): its parent is not the local government
        return None
    prefix = name[:len(name) - len(resolution.rest)] if resolution.matched else ""
    if kind in ("部门", "办公厅(室)", "派出机构") and level != "乡镇(街道)":
        if place is not None:
            return _government_of(place.code)
        return f"{prefix}人民政府" if prefix else None
    if level == "乡镇(街道)":
        return _township_parent(place, region_code) if place is not None else (f"{prefix}人民政府" if prefix else None)
    if kind == "人民政府" and place is not None:
        if place.depth == "province":
            return "国务院"
        up = place.code[:2] + "0000" if place.depth == "city" else place.code[:4] + "00"
        if up not in table():
            up = place.code[:2] + "0000"
        return _government_of(up)
    return None


def agency_id(name: str, code: str | None, scope: str | None = None) -> str:
    """Stable id: the division code with the name less its place names (洪泽区人民政府 and 淮安市洪泽区人民政府
    are one body); a name with no settled place is scoped (by host) so two same-named bodies elsewhere
    are never one."""
    key = f"{name}|{code}" if code else f"{name}|?|{scope or ''}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]


def registry_body(region_code: str | None) -> Agency | None:
    """The government a registry portal of `region_code` belongs to (340000 → 安徽省人民政府), as the
    register knows it: the same id a report naming that government gets. None for a code not in the table."""
    if not region_code or region_code not in table():
        return None
    return identify(_government_of(region_code), region_code=region_code)


def identify(printed: str | None, *, title: str | None = None, text: str | None = None,
             region_code: str | None = None, host: str | None = None) -> Agency | None:
    """The register's view of an agency named `printed` in a report (None when no name at all)."""
    name = normalise_name(printed)
    if not name or printed is None:
        return None
    name = aliases().get(name, name)
    resolution = resolve(name, title=normalise_name(title), text=text, region_code=region_code)
    leftover = name
    for form in resolution.matched:
        leftover = leftover.replace(form, "", 1)
    kind = _kind(name, leftover)
    level = _level(name, resolution)
    place: Place | None = resolution.place
    code = place.code if place else None
    # A place left empty because the name is ambiguous or names none: scope the id by host.
    scoped = code is None and (len(resolution.candidates) > 1 or not resolution.matched)
    return Agency(
        id=agency_id(leftover if code else name, code, host if scoped else None), name=name, printed=printed, code=code,
        province=place.province if place else None, city=place.city if place else None,
        county=place.county if place else None, level=level, kind=kind,
        parent=_parent(name, kind, level, resolution, region_code), evidence=resolution.evidence if place else None,
        reason=resolution.reason)
