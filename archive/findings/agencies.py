"""Who a report belongs to, for findings: one key per agency, and what kind of body it is.

Why one place: the agency register (archive/agencies.py) decides who a body is; these two functions
are the only places the findings read it, so the register's id and classes are used everywhere alike.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any, Literal

AgencyKind = Literal["government", "department", "township", "other"]

_TOWNSHIP = re.compile(r"(?:乡|镇|街道|苏木)(?:人民政府|办事处)?$|街道办事处$")
_GOVERNMENT = re.compile(r"人民政府(?:办公厅|办公室)?$")
_OTHER = re.compile(r"(?:管理委员会|管委会)$")
_DEPARTMENT = re.compile(r"(?:局|委员会|委|办公室|办|厅|署|部|中心|院|所|站|队|处|馆|会|社)$")


def normalise_name(name: str | None) -> str | None:
    """NFKC, no blanks: 大竹县 商务局 and 大竹县商务局 are one body."""
    if not name:
        return None
    out = "".join(unicodedata.normalize("NFKC", name).split())
    return out or None


def agency_key(report: Mapping[str, Any]) -> str | None:
    """The key findings group reports by: the register's agency_id (every alias of one body gives the
    same id), else the normalised name for a report the register has not seen."""
    return report.get("agency_id") or normalise_name(report.get("agency"))


_REGISTER_KINDS: dict[str, AgencyKind] = {"人民政府": "government", "办公厅(室)": "government", "部门": "department",
                                          "派出机构": "other", "其他": "other"}


def agency_kind(name: str | None, level: str | None = None, register_kind: str | None = None) -> AgencyKind:
    """The body's kind for the publication deadline: the register's level and kind where it has them
    (a 乡镇(街道) body is a township), else read from the name. 人民政府 and its 办公厅/办公室 publish the
    government's own report; 局/委/办… are departments; 管委会 and bodies the name does not place are
    `other`."""
    if level == "乡镇(街道)":
        return "township"
    if register_kind in _REGISTER_KINDS:
        return _REGISTER_KINDS[register_kind]
    n = normalise_name(name) or ""
    if _TOWNSHIP.search(n) or (level == "town" and _GOVERNMENT.search(n)):
        return "township"
    if _GOVERNMENT.search(n):
        return "government"
    if _OTHER.search(n):
        return "other"
    if _DEPARTMENT.search(n):
        return "department"
    return "other"
