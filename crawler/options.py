"""`CrawlOptions`: what one crawl was asked to do, and the one place it becomes Scrapy settings.

Why one place: a crawl is started four ways — `nianbao crawl` (click), `scrapy crawl portals -a …`
(spider arguments), `crawler.run.crawl` from Python (tests, demo, bench; a child process) and a
frontier worker — and each used to translate its options on its own (click → argv → argparse →
spider kwargs → settings). Each entry point now builds a `CrawlOptions`; `apply` writes the settings
and `check` says what is wrong in one line. The child process gets the same object as JSON, not a
command line that would need parsing again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from crawler.registry import parse_shard

if TYPE_CHECKING:
    from scrapy.settings import Settings

# Politeness relaxed for loopback fixture portals (tests, demo, bench): never for real hosts.
LOOPBACK_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY_JITTER": 0,
    "NIANBAO_RETRY_BACKOFF": 0.1, "NIANBAO_RETRY_MAX_WAIT": 2.0, "NIANBAO_RETRY_AFTER_MAX": 10.0, "DOWNLOAD_TIMEOUT": 3,
    "NIANBAO_PROGRESS_INTERVAL": 1.0, "LOG_LEVEL": "WARNING",
}

# `scrapy crawl portals -a NAME=VALUE`: the spider arguments that are crawl options (all strings there).
SPIDER_ARGUMENTS = ("db", "raw", "entry", "registry", "max_pages", "shard", "allow_private_hosts", "host_map")


@dataclass(frozen=True)
class CrawlOptions:
    """One crawl: where it writes, where it starts, what it may reach, and Scrapy settings on top.

    `settings` are applied first, the options after them, so an option always wins over a setting of
    the same meaning given by hand (as `--db` wins over `--set NIANBAO_DB=…`)."""

    db: str | None = None
    entries: tuple[str, ...] = ()  # entry URLs; none: the registry's portals
    registry: str | None = None  # portals.yml to crawl (besides the entries); default crawler/portals.yml
    max_pages: int | None = None  # stop after this many responses
    shard: str | None = None  # "K/N": this machine's share of the entry points, by host
    frontier: str | None = None  # redis://…: a worker on the shared frontier (crawler/frontier.py)
    worker_id: str | None = None  # its name there
    allow_private_hosts: bool = False
    host_map: Mapping[str, str] = field(default_factory=dict)  # hostname → "127.0.0.1:port" (fixture portals)
    raw: str | None = None  # raw store root; default beside the database
    parse_jobs: int | None = None  # parse worker processes; None: NIANBAO_PARSE_JOBS (default: the cores memory holds)
    settings: Mapping[str, Any] = field(default_factory=dict)  # NAME → value, as `--set NAME=JSON`

    def check(self) -> None:
        """A usage error as a ValueError of one line, before anything starts."""
        if self.shard:
            parse_shard(self.shard)
            if self.frontier:
                raise ValueError("--shard and --frontier exclude each other: the frontier shares the work itself")
        if self.frontier and not self.frontier.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"--frontier {self.frontier!r}: give a Redis URL, e.g. redis://127.0.0.1:6379/0")

    def apply(self, settings: Settings) -> None:
        """Write these options into settings (still unfrozen: before the crawler starts, or in the
        spider's from_crawler)."""
        for name, value in self.settings.items():
            settings.set(name, value, priority="cmdline")
        chosen: dict[str, Any] = {
            "NIANBAO_DB": self.db, "NIANBAO_RAW": self.raw, "NIANBAO_REGISTRY": self.registry,
            "NIANBAO_ENTRIES": list(self.entries) or None, "CLOSESPIDER_PAGECOUNT": self.max_pages or None,
            "NIANBAO_SHARD": self.shard, "NIANBAO_ALLOW_PRIVATE_HOSTS": self.allow_private_hosts or None,
            "NIANBAO_HOST_MAP": _host_map(self.host_map) or None, "NIANBAO_PARSE_JOBS": self.parse_jobs}
        for name, value in chosen.items():
            if value is not None:  # an option not given leaves the setting as it was
                settings.set(name, value, priority="cmdline")
        if self.frontier:
            _use_frontier(settings, self.frontier, self.worker_id)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> CrawlOptions:
        data = json.loads(text)
        return cls(**{**data, "entries": tuple(data.get("entries") or ())})

    @classmethod
    def from_spider_arguments(cls, kwargs: Mapping[str, Any]) -> CrawlOptions:
        """`scrapy crawl portals -a entry=URL,URL -a db=PATH -a max_pages=N -a host_map=h=127.0.0.1:8080,…
        -a allow_private_hosts=1 -a shard=K/N -a registry=FILE -a raw=DIR` (strings; a list or a dict
        is taken as it is)."""
        entry = kwargs.get("entry")
        entries = entry if isinstance(entry, list | tuple) else [u for u in str(entry or "").split(",") if u.strip()]
        flag = kwargs.get("allow_private_hosts")
        return cls(db=_text(kwargs.get("db")), raw=_text(kwargs.get("raw")), registry=_text(kwargs.get("registry")),
                   entries=tuple(u.strip() for u in entries), shard=_text(kwargs.get("shard")),
                   max_pages=int(kwargs["max_pages"]) if kwargs.get("max_pages") else None,
                   allow_private_hosts=str(flag).strip().lower() in ("1", "true", "yes", "on"),
                   host_map=_host_map(kwargs.get("host_map")))


def _use_frontier(settings: Settings, url: str, worker: str | None) -> None:
    """A worker on the shared frontier differs from a crawl alone by its scheduler, dupefilter, one
    extension and the Redis address; the same crawl runs either way."""
    frontier = {"NIANBAO_FRONTIER": url, "REDIS_URL": url, "SCHEDULER": "crawler.frontier_scheduler.FrontierScheduler",
                "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter", "SCHEDULER_PERSIST": True,
                "EXTENSIONS": {**settings.getdict("EXTENSIONS"), "crawler.frontier_scheduler.FrontierLink": 0}}
    if worker:
        frontier["NIANBAO_FRONTIER_WORKER"] = worker
    for name, value in frontier.items():
        settings.set(name, value, priority="cmdline")


def _text(value: object) -> str | None:
    return str(value) if value else None


def _host_map(value: object) -> dict[str, str]:
    """`host=127.0.0.1:8080,host2=…` (a spider argument) or a mapping (settings, JSON): lower-case hosts."""
    if isinstance(value, Mapping):
        return {str(k).lower(): str(v) for k, v in value.items()}
    pairs = [p.split("=", 1) for p in str(value or "").split(",") if "=" in p]
    return {k.strip().lower(): v.strip() for k, v in pairs}


def host_map_of(settings: Settings) -> dict[str, str]:
    """NIANBAO_HOST_MAP as the spider and the browser read it (lower-case hosts)."""
    return _host_map(settings.getdict("NIANBAO_HOST_MAP"))
