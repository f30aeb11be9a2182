"""Who a report belongs to, for findings: one key per agency, and what kind of body it is.

Why here and so small: the agency register (archive/agencies.py) decides who a body is and what it
is; these two functions are the only places the findings read it, so the findings and the register
can never disagree on a name or a class.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from archive.agencies import identify, normalise_name

AgencyKind = Literal["government", "department", "township", "other"]

# the register's kinds (archive/agencies.py: KINDS) as the deadline rules group them
_REGISTER_KINDS: dict[str, AgencyKind] = {"人民政府": "government", "办公厅(室)": "government", "部门": "department",
                                          "派出机构": "other", "其他": "other"}


def agency_key(report: Mapping[str, Any]) -> str | None:
    """The key findings group reports by: the register's agency_id (every alias of one body gives the
    same id), else the register's normalised name for a report the register has not seen."""
    return report.get("agency_id") or normalise_name(report.get("agency"))


def agency_kind(name: str | None, level: str | None = None, register_kind: str | None = None) -> AgencyKind:
    """The body's kind for the publication deadline, from the register's level and kind (a 乡镇(街道)
    body is a township; 人民政府 and its 办公厅/办公室 publish the government's own report; 部门 are
    departments). A report stored without them is classified by the register from its name."""
    if level is None and register_kind is None and (body := identify(name)) is not None:
        level, register_kind = body.level, body.kind
    if level == "乡镇(街道)":
        return "township"
    return _REGISTER_KINDS.get(register_kind or "", "other")
