"""The settings that turn a crawl into a worker on a shared Redis frontier (`--frontier redis://…`).

Why a function and not a settings file: the same crawl runs alone or as a worker; only the scheduler,
one extension and the Redis address differ, and they are set here, before Scrapy freezes the settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy.settings import Settings


def use_frontier(settings: Settings, url: str, worker: str | None = None) -> None:
    """Point settings at the frontier at url (redis://HOST:PORT/DB); ValueError for another scheme."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"--frontier {url!r}: give a Redis URL, e.g. redis://127.0.0.1:6379/0")
    settings.set("NIANBAO_FRONTIER", url, priority="cmdline")
    settings.set("REDIS_URL", url, priority="cmdline")
    settings.set("SCHEDULER", "crawler.frontier_scheduler.FrontierScheduler", priority="cmdline")
    settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority="cmdline")
    settings.set("SCHEDULER_PERSIST", True, priority="cmdline")
    if worker:
        settings.set("NIANBAO_FRONTIER_WORKER", worker, priority="cmdline")
    extensions = dict(settings.getdict("EXTENSIONS"))
    extensions["crawler.frontier_scheduler.FrontierLink"] = 0
    settings.set("EXTENSIONS", extensions, priority="cmdline")


def reach_frontier(url: str) -> None:
    """Say now, in one line, that the frontier's Redis cannot be reached (ValueError), not from inside the crawl."""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5).ping()
    except (redis.RedisError, OSError) as exc:
        raise ValueError(f"--frontier {url}: cannot reach Redis: {exc}") from None
