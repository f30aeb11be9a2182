"""`nianbao crawl` and `nianbao export-warc`: the crawler and its WARC export from the command line.

`crawl` runs the same `portals` spider as `scrapy crawl portals -a entry=… -a db=…`, in this process
(one crawl per command, `CrawlerProcess` through crawler/main.py), its options handed over as one
`CrawlOptions`, with the live progress line on stderr and a per-host summary at the end.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click


@click.command("crawl")
@click.argument("entry_urls", nargs=-1, metavar="[ENTRY_URL ...]")
@click.option("--registry", type=click.Path(exists=True, dir_okay=False),
              help="Portal registry YAML (default crawler/portals.yml when no ENTRY_URL is given).")
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False), help="The archive's SQLite file.")
@click.option("--max-pages", type=int, help="Stop after this many responses.")
@click.option("--shard", metavar="K/N", help="Crawl share K of N (by host) when N machines share the registry; "
              "put the archives together with `nianbao merge`.")
@click.option("--frontier", metavar="redis://HOST:PORT/DB", help="Work on the shared frontier in this Redis: any "
              "number of workers on any number of machines share one queue; each writes its own --db part.")
@click.option("--worker-id", help="This worker's name on the frontier (default: host name and --db stem; a "
              "restart under the same name takes back what the killed run had taken).")
@click.option("--allow-private-hosts", is_flag=True, help="Allow loopback/private addresses (fixtures, demo).")
@click.option("--host-map", help='JSON {"host": "127.0.0.1:port"}: send these hostnames to a local server.')
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Parse worker processes: reports are parsed while downloads go on  [default: the number of "
                   "cores that memory holds]")
@click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE", help="A Scrapy setting (value as JSON).")
def crawl_command(entry_urls: tuple[str, ...], registry: str | None, db_path: str, max_pages: int | None,
                  shard: str | None, frontier: str | None, worker_id: str | None, allow_private_hosts: bool,
                  host_map: str | None, jobs: int | None, overrides: tuple[str, ...]) -> None:
    """Crawl portals for annual reports into the archive at --db (polite: robots, 2 per host, delays).

    Exit 0 when done, 2 on a usage error or an archive another process writes, 3 when done but
    incomplete (private addresses refused, URLs given up for a long Retry-After, a host's time budget
    spent): the last lines say which, and the archive's `fetches` table has a row for each.
    """
    from crawler.main import run_crawl
    from crawler.options import CrawlOptions

    _db_folder(db_path)
    options = CrawlOptions(db=db_path, entries=entry_urls, registry=registry, max_pages=max_pages, shard=shard,
                           frontier=frontier, worker_id=worker_id, allow_private_hosts=allow_private_hosts,
                           parse_jobs=jobs,
                           host_map=_json_option("--host-map", host_map) if host_map else {},
                           settings=dict(_setting(o) for o in overrides))
    sys.exit(run_crawl(options))


def _setting(text: str) -> tuple[str, Any]:
    """`--set NAME=VALUE`: the value as JSON, else as the text it is (`--set LOG_LEVEL=ERROR`)."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise click.BadParameter(f"{text!r}: give NAME=VALUE", param_hint="--set")
    try:
        return name.strip(), json.loads(value)
    except ValueError:
        return name.strip(), value


def _json_option(name: str, text: str) -> dict[str, str]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise click.BadParameter(f"not JSON: {exc}", param_hint=name) from None
    if not isinstance(value, dict):
        raise click.BadParameter('give a JSON object, e.g. {"www.x.gov.cn": "127.0.0.1:8080"}', param_hint=name)
    return {str(k): str(v) for k, v in value.items()}


def _db_folder(db_path: str) -> None:
    """The archive's folder is created when missing (as `add` does), and said so; a path that cannot
    be one (a file in the way, no permission) is a usage error of one line, before the crawl starts."""
    folder = Path(db_path).parent
    if folder.is_dir():
        return
    blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        click.echo(f"nianbao: --db {db_path}: {blocker} is a file, not a folder", err=True)
        sys.exit(2)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        click.echo(f"nianbao: --db {db_path}: cannot create its folder {folder}: {exc.strerror or exc}", err=True)
        sys.exit(2)
    click.echo(f"nianbao: created {folder} for the archive", err=True)


@click.command("export-warc")
@click.option("--db", "db_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.argument("out", type=click.Path(dir_okay=False))
def export_warc_command(db_path: str, out: str) -> None:
    """Write every fetch the archive logged (status, headers, bytes) to OUT as WARC (.warc.gz: gzipped)."""
    from crawler.warc import export_warc

    count = export_warc(db_path, out)
    click.echo(f"{count} records written to {out}")
