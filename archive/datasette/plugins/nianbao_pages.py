"""The site's own pages around Datasette's: the home page, the Chinese 404, and what every page's chrome needs.

* `/` (templates/index.html): what the archive is, a search box, coverage (current reports by province
  and year, a table-heatmap in plain HTML/CSS), the latest reports, the analyses (canned queries) and
  dashboards, and how to cite. Its figures are asked here, once per request, by plain SQL.
* every page's header and footer (templates/base.html, _footer.html) read `nianbao_site()`: the archive
  served (for the agency search in the header) and the repository / crawler contact URLs of
  archive/project.py, the same the crawler's User-Agent names.
* the reports table leaves its JSON and digest columns out of the HTML table (REPORTS_HIDDEN) unless asked.
* a 404 (an unknown path, table, report or agency) is rendered in Chinese with the site's navigation,
  still with status 404; a `.json` path keeps Datasette's JSON error.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response
from jinja2 import BaseLoader, ChoiceLoader, TemplateNotFound

from archive.datasette.zh import human_description_zh, menu_label, unquote_url
from archive.project import CRAWLER_CONTACT_URL, REPOSITORY_URL

LATEST = 10
UNPLACED = "未定"
# Datasette's English 404 messages as a reader should see them (the original stays, small).
NOT_FOUND_MESSAGES = (("Database not found", "没有这个数据库"), ("Table not found", "没有这个表"),
                      ("Row not found", "没有这一行"), ("no such report", "没有这份报告"),
                      ("no such agency", "没有这个机关"), ("no such archived file", "没有这个存档文件"))


SEARCH_PLUGIN = "archive.datasette.plugins.nianbao_search"


def search_path(database: str) -> str:
    """Where the home page's search box (field `q`) goes: the search page (/-/search/STEM, its own plugin)
    when this install has it, else the canned `search` query."""
    if importlib.util.find_spec(SEARCH_PLUGIN) is not None:
        return f"/-/search/{database}"
    return f"/{database}/search"


def archive_name(datasette: Any) -> str | None:
    """The archive this site serves: the first database that is not Datasette's own (nor in memory)."""
    for name, db in datasette.databases.items():
        if not name.startswith("_") and not getattr(db, "is_memory", False):
            return str(name)
    return None


@hookimpl(specname="prepare_jinja2_environment")
def site_globals(env: Any, datasette: Any) -> None:
    """Globals, not template vars: Datasette renders its error pages without extra_template_vars; filters put the
    English sentences Datasette builds in Python into Chinese."""
    def site() -> dict[str, Any]:
        name = archive_name(datasette)
        return {"archive": name, "search": search_path(name) if name else None, "repository": REPOSITORY_URL,
                "contact": CRAWLER_CONTACT_URL}

    env.globals["nianbao_site"] = site
    env.filters["nb_zh_description"] = human_description_zh
    env.filters["nb_menu_label"] = menu_label
    env.filters["nb_unquote"] = unquote_url
    env.loader = ChoiceLoader([overriding_loader(), env.loader])


# Templates of another plugin that ours replace. Datasette searches the plugins' template folders in the order
# of a set (pluggy's get_plugins), so a plugin's template of the same name wins only sometimes: these are
# looked up before every folder.
PLUGIN_TEMPLATE_OVERRIDES = ("dashboard_list.html",)


class _OverridingLoader(BaseLoader):
    """Our copies of PLUGIN_TEMPLATE_OVERRIDES. It lists what it holds: Datasette's router calls
    list_templates() on the whole loader chain at start-up (a FunctionLoader refuses to list)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template not in PLUGIN_TEMPLATE_OVERRIDES:
            raise TemplateNotFound(template)
        path = self.folder / template
        return path.read_text(encoding="utf-8"), str(path), lambda: True

    def list_templates(self) -> list[str]:
        return sorted(PLUGIN_TEMPLATE_OVERRIDES)


def overriding_loader() -> BaseLoader:
    return _OverridingLoader(Path(__file__).resolve().parents[1] / "templates")


# The reports table's columns a reader does not scan (JSON lists, digests, parser internals): left out of the
# HTML table unless asked for (?_col=… or ?_nb_all=1); every export still carries them.
REPORTS_HIDDEN = ("warnings", "documents", "report_key", "content_key", "figures_key", "publication", "document",
                  "parser_version", "reader")


@hookimpl(specname="extra_template_vars")
def page_vars(template: str, table: str | None, request: Any, datasette: Any) -> Any:
    if template == "table.html":
        asks = request is not None and any(k in request.args for k in ("_col", "_nocol", "_nb_all"))
        return {"nb_hidden_columns": REPORTS_HIDDEN if table == "reports" and not asks else ()}
    if template != "index.html":
        return None

    async def inner() -> dict[str, Any]:
        name = archive_name(datasette)
        if name is None:
            return {"home": None}
        db = datasette.get_database(name)
        try:
            return {"home": await home_figures(datasette, db, name)}
        except sqlite3.OperationalError:  # a database without the archive's tables: Datasette's plain list
            return {"home": None}

    return inner


async def home_figures(datasette: Any, db: Any, name: str) -> dict[str, Any]:
    """Coverage by province × year, the latest reports, the analyses and dashboards of the archive `name`."""
    counts = [dict(r) for r in await db.execute(
        "SELECT coalesce(province, ?) AS province, year, count(*) AS n FROM reports "
        "WHERE is_current = 1 AND year IS NOT NULL GROUP BY 1, 2", [UNPLACED])]
    years = sorted({c["year"] for c in counts})
    totals: dict[str, int] = {}
    for c in counts:
        totals[c["province"]] = totals.get(c["province"], 0) + c["n"]
    top = max((c["n"] for c in counts), default=1)
    grid = {(c["province"], c["year"]): c["n"] for c in counts}
    rows = [{"province": p, "total": totals[p],
             "cells": [{"year": y, "n": grid.get((p, y), 0), "shade": _shade(grid.get((p, y), 0), top)}
                       for y in years]}
            for p in sorted(totals, key=lambda p: (p == UNPLACED, -totals[p], p))]
    summary = dict((await db.execute(
        "SELECT (SELECT count(*) FROM reports WHERE is_current = 1) AS reports, "
        "(SELECT count(*) FROM agencies WHERE reports > 0) AS agencies, "
        "(SELECT count(DISTINCT province) FROM reports WHERE is_current = 1 AND province IS NOT NULL) AS provinces, "
        "(SELECT min(year) FROM reports WHERE is_current = 1) AS first_year, "
        "(SELECT max(year) FROM reports WHERE is_current = 1) AS last_year, "
        "(SELECT max(last_seen) FROM report_sources) AS last_seen")).first())
    latest = [dict(r) for r in await db.execute(
        "SELECT id, title, agency, agency_id, year, province, published, first_seen FROM reports "
        "WHERE is_current = 1 ORDER BY coalesce(published, '') DESC, first_seen DESC LIMIT ?", [LATEST])]
    queries = await datasette.get_canned_queries(name, None)
    dashboards = ((datasette.plugin_config("datasette-dashboards") or {}).get(name) or {})
    return {
        "database": name, "years": years, "rows": rows, "summary": summary, "latest": latest,
        "queries": [{"name": k, "title": v.get("title") or k, "description": v.get("description")}
                    for k, v in queries.items()],
        "dashboard": dashboards.get("title") if dashboards else None,
        "search": search_path(name),
    }


def _shade(n: int, top: int) -> int:
    """A heat level 0–5 for a count (0 only for none at all)."""
    return 0 if n <= 0 else 1 + min(4, int(4 * n / max(top, 1)))


@hookimpl(specname="handle_exception")
def not_found_page(datasette: Any, request: Any, exception: Exception) -> Any:
    status = getattr(exception, "status", None)
    if status != 404 or request is None or request.path.split("?")[0].endswith(".json"):
        return None

    async def inner() -> Response:
        detail = str(exception.args[0]) if exception.args else ""
        message = next((zh for en, zh in NOT_FOUND_MESSAGES if en.lower() in detail.lower()), "没有这个页面")
        html = await datasette.render_template(
            "nianbao_404.html", {"message": message, "detail": detail if detail != "404" else "",
                                 "status": 404, "path": request.path}, request=request)
        return Response.html(html, status=404)

    return inner
