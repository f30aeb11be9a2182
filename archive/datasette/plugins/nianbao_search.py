"""The search page journalists use: /-/search/<db>?q=… (HTML), .json (the same page as data), .csv (every match).

The canned `search` query stays for SQL users; this page counts every match ("共 N 份报告"), pages
through all of them, sorts by relevance (bm25) or year, filters by province, level, year and finding,
shows a sentence of the narrative where the words occur (archive/snippets.py) and downloads every
match as one CSV. The query syntax (OR / 或, -词, "短语") is archive/cjk.parse_query's; the search is
archive/search.py. The CSV body is streamed without a BOM: nianbao_downloads' wrapper adds it and
makes it an attachment, as for every other .csv of the site.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from datasette import hookimpl
from datasette.utils.asgi import AsgiStream, Response

from archive import search as finder
from archive.cjk import parse_query
from archive.datasette.plugins.nianbao_site import _database

ROUTE = r"^/-/search/(?P<database>[^/]+?)(?:\.(?P<format>json|csv))?$"
MAX_PAGE = 100_000
HEADERS_ZH = {"report_id": "报告编号", "agency": "发布机关", "year": "年度", "province": "省份", "level": "层级",
              "title": "标题", "published": "发布日期", "flags": "发现的问题", "checks_failed": "未通过的勾稽关系",
              "page_url": "原网页", "report_url": "本站报告页"}
FACET_LABELS = {"province": "省份", "level": "层级", "year": "年度", "flag": "发现的问题"}


@hookimpl(specname="register_routes")
def search_routes() -> list[tuple[str, Any]]:
    return [(ROUTE, search_view)]


def _int(value: str | None, default: int | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def read_args(args: Any) -> tuple[str, finder.Filters, str, int]:
    """q, filters, sort and page from the URL; anything malformed falls back to its default."""
    def text(name: str) -> str | None:
        value = (args.get(name) or "").strip()
        return value or None

    filters = finder.Filters(province=text("province"), level=text("level"), year=_int(args.get("year"), None),
                             flag=text("flag"))
    sort = args.get("sort") or "relevance"
    page = min(max(1, _int(args.get("page"), 1) or 1), MAX_PAGE)
    return (args.get("q") or "").strip(), filters, sort if sort in finder.SORTS else "relevance", page


def _linker(path: str, q: str, filters: finder.Filters, sort: str) -> Callable[..., str]:
    """link(**changes): this search's URL with some arguments changed (None drops one)."""
    base: dict[str, Any] = {"q": q, **dict(filters.items()), "sort": sort if sort != "relevance" else None}

    def link(suffix: str = "", **changes: Any) -> str:
        merged = {**base, **changes}
        kept = {k: v for k, v in merged.items() if v not in (None, "")}
        return f"{path}{suffix}" + (f"?{urlencode(kept)}" if kept else "")

    return link


async def search_view(datasette: Any, request: Any) -> Any:
    name, fmt = request.url_vars["database"], request.url_vars.get("format")
    db = _database(datasette, name)
    q, filters, sort, page = read_args(request.args)
    query = parse_query(q)
    if fmt == "csv":
        return await _download(datasette, db, request, query, filters, sort)
    found = await db.execute_fn(lambda conn: finder.search(conn, query, filters, sort, page))
    path = datasette.urls.path(f"/-/search/{name}")
    if fmt == "json":
        return Response.json({
            "q": q, "error": query.error, "total": found.total, "page": found.page, "pages": found.pages,
            "per_page": found.per_page, "sort": found.sort, "filters": dict(filters.items()),
            "results": [{**r, "snippet": str(r["snippet"]) if r["snippet"] else None} for r in found.results],
            "facets": {f.name: [{"value": v, "label": label, "count": n} for v, label, n in f.options]
                       for f in found.facets},
            "csv": _linker(path, q, filters, sort)(".csv"),
        })
    context = {
        "database": name, "q": q, "query": query, "found": found, "filters": dict(filters.items()),
        "sorts": finder.SORTS, "facet_labels": FACET_LABELS, "link": _linker(path, q, filters, sort),
        "pager": _pager(found.page, found.pages),
    }
    return Response.html(await datasette.render_template("nianbao_search.html", context, request=request))


def _pager(page: int, pages: int) -> list[int | None]:
    """Page numbers to show: the first, the last, two around the current one; None is a gap."""
    wanted = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    out: list[int | None] = []
    for n in wanted:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out


async def _download(datasette: Any, db: Any, request: Any, query: Any, filters: finder.Filters,
                    sort: str) -> AsgiStream:
    """Every filtered match as CSV, in the page's order, read 500 reports at a time."""
    ids = await db.execute_fn(lambda conn: finder.every_match(conn, query, filters, sort))
    zh = request.args.get("headers") == "zh"
    columns = [*finder.DETAIL_COLUMNS, "report_url"]
    site = request.url.split("/-/search/", 1)[0]

    async def stream(writer: Any) -> None:
        buffer = io.StringIO()
        out = csv.writer(buffer)
        out.writerow([HEADERS_ZH[c] for c in columns] if zh else columns)
        for chunk in finder.chunks(ids):
            rows = await db.execute_fn(lambda conn, chunk=chunk: finder.details(conn, chunk))
            for row in rows:
                row["flags"] = "；".join(f["label"] for f in row["flags"])
                page = datasette.urls.path(f"/-/report/{db.name}/{row['report_id']}")
                row["report_url"] = f"{site}{page}"
                out.writerow(["" if row[c] is None else row[c] for c in columns])
            await writer.write(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
        if buffer.getvalue():
            await writer.write(buffer.getvalue())

    filename = f"search-{db.name}.csv"
    return AsgiStream(stream, headers={
        "content-disposition": f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"},
        content_type="text/csv; charset=utf-8")
