"""Agency pages: one body over the years, and a search that finds it by any name it printed.

* /-/agency/<db>/<agency id>: every year side by side (the key figures of the three tables from the
  `agency_years` view, the reports' flags and check results), a bar chart per figure over the years,
  each report with its sightings, and the parent, sibling and subordinate bodies of the register;
  /-/agency/<db>/<agency id>.json is the same data (agency_data) as JSON.
* /-/agency/<db>?agency=…: the agency search (normalised name, or any printed form in `aliases`); the form
  sits in every page's header (base.html) with a datalist fed from /-/agency/<db>.json?agency=….
* cells naming an agency (`agency` beside an `agency_id`, agencies.name) link to its page, and a report's
  title in the readable list links to its report page.

Hooks carry `specname` so the package (archive/datasette/__init__.py) can re-export them beside the
site plugin's hooks of the same name.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import NotFound, Response
from markupsafe import Markup, escape

from archive.agencies import identify
from archive.datasette.plugins.nianbao_site import _archive_query, _database

AGENCY_ID = re.compile(r"^[0-9a-f]{12}$")
SEARCH_LIMIT = 100
# The figures shown per year: (column of agency_years, label, table it comes from).
FIGURES = (
    ("requests_new", "本年新收申请", "依申请公开"),
    ("requests_handled", "办理总计", "依申请公开"),
    ("granted", "予以公开", "依申请公开"),
    ("denied", "不予公开", "依申请公开"),
    ("licences", "行政许可决定", "主动公开"),
    ("penalties", "行政处罚决定", "主动公开"),
    ("fees_wan_yuan", "收费金额（万元）", "主动公开"),
    ("reviews", "行政复议", "复议诉讼"),
    ("lawsuits", "行政诉讼", "复议诉讼"),
)
CHARTED = ("requests_new", "reviews", "lawsuits")
STATUS_LABELS = {"found": "按时发布", "late": "逾期发布", "missing": "未见报告"}


@lru_cache(maxsize=4096)
def register_id(name: str) -> str | None:
    """The register's id for a body named `name` (a parent government, by name): the id its own report gets."""
    agency = identify(name)
    return agency.id if agency else None


@hookimpl(specname="register_routes")
def agency_routes() -> list[tuple[str, Any]]:
    return [
        (r"^/-/agency/(?P<database>[^/]+)/(?P<agency_id>[0-9a-f]{12})$", agency_page),
        (r"^/-/agency/(?P<database>[^/]+)/(?P<agency_id>[0-9a-f]{12})\.json$", agency_page_json),
        (r"^/-/agency/(?P<database>[^/.]+)$", agency_search),
        (r"^/-/agency/(?P<database>[^/.]+)\.json$", agency_search_json),
    ]


def _agency_url(datasette: Any, database: str, agency_id: str) -> str:
    return str(datasette.urls.path(f"/-/agency/{database}/{agency_id}"))


@hookimpl(specname="render_cell")
def agency_cell(row: Any, value: Any, column: str, table: str | None, database: str,
                datasette: Any) -> Markup | None:
    """An agency's name links to its page; a report's title (the readable list) links to its report page; the
    list's flags read as their labels, not as JSON."""
    if not isinstance(value, str) or not value or row is None:
        return None
    if column == "flags" and table == "report_list" and value.startswith("["):
        return Markup(escape("、".join(str(label) for label in json.loads(value))))
    keys = set(row.keys()) if hasattr(row, "keys") else set()
    if column == "agency" and "agency_id" in keys and isinstance(row["agency_id"], str) \
            and AGENCY_ID.match(row["agency_id"]):
        target = _agency_url(datasette, database, row["agency_id"])
    elif table == "agencies" and column == "name" and "id" in keys and AGENCY_ID.match(str(row["id"])):
        target = _agency_url(datasette, database, str(row["id"]))
    elif column == "title" and table in ("report_list", "reports", "report_figures"):
        report_id = row["report_id"] if "report_id" in keys else row["id"] if "id" in keys else None
        if not isinstance(report_id, str) or len(report_id) != 16:
            return None
        target = str(datasette.urls.path(f"/-/report/{database}/{report_id}"))
    else:
        return None
    return Markup(f'<a href="{escape(target)}">{escape(value)}</a>')


async def _matches(db: Any, q: str, limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """Agencies whose name or any printed form contains every term of `q`; most reports first."""
    terms = [t for t in q.split() if t][:5]
    if not terms:
        rows = await _archive_query(db, "SELECT id, name, province, city, county, level, kind, reports, first_year, "
                                        "last_year FROM agencies ORDER BY reports DESC, name LIMIT ?", [limit])
        return [dict(r) for r in rows]
    where = " AND ".join(["(instr(name, ?) > 0 OR instr(coalesce(aliases, ''), ?) > 0)"] * len(terms))
    params: list[Any] = [p for t in terms for p in (t, t)]
    rows = await _archive_query(db, f"SELECT id, name, province, city, county, level, kind, reports, first_year, "
                                    f"last_year FROM agencies WHERE {where} ORDER BY reports DESC, name LIMIT ?",
                                [*params, limit])
    return [dict(r) for r in rows]


async def agency_search(datasette: Any, request: Any) -> Response:
    name = request.url_vars["database"]
    db = _database(datasette, name)
    q = (request.args.get("agency") or "").strip()
    found = await _matches(db, q)
    if q and len(found) == 1:  # one body answers: go to it
        return Response.redirect(_agency_url(datasette, name, found[0]["id"]))
    total = (await _archive_query(db, "SELECT count(*) FROM agencies", [])).first()[0]
    context = {"database": name, "q": q, "agencies": found, "total": total, "limit": SEARCH_LIMIT}
    return Response.html(await datasette.render_template("nianbao_agencies.html", context, request=request))


async def agency_search_json(datasette: Any, request: Any) -> Response:
    """The picker's suggestions: up to 20 agencies for what has been typed so far."""
    db = _database(datasette, request.url_vars["database"])
    found = await _matches(db, (request.args.get("agency") or "").strip(), limit=20)
    return Response.json([{"id": a["id"], "name": a["name"], "province": a["province"], "reports": a["reports"]}
                          for a in found])


def number(value: Any) -> str:
    """A figure as a reader writes it: thousands separated, at most two decimals (万元), — when not printed."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def _bars(years: list[dict[str, Any]], column: str) -> dict[str, Any]:
    """One small bar chart over the years (SVG geometry computed here: no script, no network)."""
    values = [y.get(column) for y in years]
    top = max((v for v in values if isinstance(v, int | float)), default=0) or 1
    width, height, gap = 36, 90, 6
    bars = []
    for n, (year, value) in enumerate(zip((y["year"] for y in years), values, strict=True)):
        h = round(height * (value or 0) / top, 1) if isinstance(value, int | float) else 0
        bars.append({"x": 4 + n * (width + gap), "y": 16 + height - h, "h": h, "w": width, "year": year,
                     "text": number(value), "missing": value is None})
    return {"column": column, "label": dict((c, lbl) for c, lbl, _t in FIGURES)[column], "bars": bars,
            "width": 8 + len(years) * (width + gap), "height": height + 36, "base": 16 + height}


async def agency_data(db: Any, agency_id: str) -> dict[str, Any]:
    """Everything the agency page shows, as data: the register's row, every year of agency_years with its
    reports (their flags and checks), reports without a year, and the parent, sibling and subordinate bodies.
    The HTML page and its .json form are both made from this, so they cannot disagree."""
    agency = (await _archive_query(db, "SELECT * FROM agencies WHERE id = ?", [agency_id])).first()
    if agency is None:
        raise NotFound("没有这个机关 no such agency")
    agency = dict(agency)
    agency["aliases"] = json.loads(agency.get("aliases") or "[]")
    agency["hosts"] = json.loads(agency.get("hosts") or "[]")
    years = [dict(r) for r in await db.execute(
        "SELECT * FROM agency_years WHERE agency_id = ? AND year IS NOT NULL ORDER BY year", [agency_id])]
    reports = [dict(r) for r in await db.execute(
        "SELECT r.id, r.year, r.title, r.published, r.page_url, r.template, r.checks_failed, "
        "(SELECT count(*) FROM reports s WHERE s.publication = r.publication) AS sightings "
        "FROM reports r WHERE r.agency_id = ? AND r.is_current = 1 ORDER BY r.year, r.id", [agency_id])]
    ids = [r["id"] for r in reports]
    flags: dict[str, list[dict[str, Any]]] = {}
    for f in await db.execute(
            "SELECT f.report_id, f.code, f.detail, l.label FROM flags f LEFT JOIN flag_codes l ON l.code = f.code "
            "WHERE f.report_id IN (SELECT value FROM json_each(?)) ORDER BY l.ord, f.seq", [json.dumps(ids)]):
        flags.setdefault(f["report_id"], []).append(dict(f))
    checks: dict[str, list[dict[str, Any]]] = {}
    for c in await db.execute(
            "SELECT k.report_id, k.rule, k.ok, k.detail, l.label FROM checks k LEFT JOIN check_rules l "
            "ON l.code = k.rule WHERE k.report_id IN (SELECT value FROM json_each(?)) ORDER BY l.ord",
            [json.dumps(ids)]):
        checks.setdefault(c["report_id"], []).append(dict(c))
    by_year: dict[int, list[dict[str, Any]]] = {}
    for r in reports:
        r["flags"], r["checks"] = flags.get(r["id"], []), checks.get(r["id"], [])
        by_year.setdefault(r["year"], []).append(r)
    for y in years:
        y["reports"] = by_year.get(y["year"], [])
        y["status_label"] = STATUS_LABELS.get(y["status"], y["status"])
    return {"agency": agency, "years": years, "undated": [r for r in reports if r["year"] is None],
            **await _relatives(db, agency)}


async def agency_page(datasette: Any, request: Any) -> Response:
    name, agency_id = request.url_vars["database"], request.url_vars["agency_id"]
    data = await agency_data(_database(datasette, name), agency_id)
    for y in data["years"]:
        y["shown"] = {column: number(y.get(column)) for column, _label, _group in FIGURES}
    context = {"database": name, "figures": FIGURES,
               "charts": [_bars(data["years"], c) for c in CHARTED] if data["years"] else [], **data}
    return Response.html(await datasette.render_template("nianbao_agency.html", context, request=request))


async def agency_page_json(datasette: Any, request: Any) -> Response:
    """The agency page as data (for a newsroom's own charts): the same rows the HTML shows, each report with
    the address of its page and of its sightings, and the figures' labels."""
    name, agency_id = request.url_vars["database"], request.url_vars["agency_id"]
    data = await agency_data(_database(datasette, name), agency_id)
    for report in [r for y in data["years"] for r in y["reports"]] + data["undated"]:
        report["report_url"] = datasette.urls.path(f"/-/report/{name}/{report['id']}")
        report["sightings_url"] = f"{datasette.urls.table(name, 'report_sightings')}?report_id={report['id']}"
    for relative in [data["parent"] or {}, *data["siblings"], *data["children"]]:
        if relative.get("id"):
            relative["agency_url"] = _agency_url(datasette, name, relative["id"])
    data["figures"] = [{"column": c, "label": label, "table": table} for c, label, table in FIGURES]
    data["page_url"] = _agency_url(datasette, name, agency_id)
    return Response(json.dumps(data, ensure_ascii=False), content_type="application/json; charset=utf-8")


async def _relatives(db: Any, agency: dict[str, Any]) -> dict[str, Any]:
    """The parent government (by the register's id for its name), bodies sharing that parent, and bodies
    whose parent is this one."""
    parent = None
    if agency.get("parent"):
        parent_id = register_id(agency["parent"])
        row = (await db.execute("SELECT id, name FROM agencies WHERE id = ?", [parent_id])).first() \
            if parent_id else None
        parent = {"id": row["id"] if row else None, "name": row["name"] if row else agency["parent"]}
    siblings = [dict(r) for r in await db.execute(
        "SELECT id, name, kind, reports FROM agencies WHERE parent = ? AND id != ? ORDER BY kind, name LIMIT 60",
        [agency.get("parent"), agency["id"]])] if agency.get("parent") else []
    parents = [r["parent"] for r in await db.execute("SELECT DISTINCT parent FROM agencies WHERE parent IS NOT NULL")]
    mine = [p for p in parents if register_id(p) == agency["id"]]
    children = [dict(r) for r in await db.execute(
        "SELECT id, name, kind, reports FROM agencies WHERE parent IN (SELECT value FROM json_each(?)) "
        "ORDER BY kind, name LIMIT 60", [json.dumps(mine)])] if mine else []
    return {"parent": parent, "siblings": siblings, "children": children}
