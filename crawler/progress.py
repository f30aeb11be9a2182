"""A live progress line while crawling, and a per-host summary at the end.

Why our own and not LogStats: the numbers that matter here are reports, attachments, errors and
blocked hosts, per portal; then how far each portal's lists were walked (crawler/coverage.py). With
NIANBAO_PROGRESS_JSON the same figures go to stdout as JSON lines
(what `crawler.run.crawl` reads: its progress callback, and the end totals it returns).
"""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Any

from scrapy import signals
from twisted.internet import task

from crawler.coverage import coverage, coverage_table
from crawler.failures import BUDGET, PRIVATE, RETRY_AFTER, failure_counts, incomplete

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

COUNTERS = ("pages", "reports", "attachments", "errors")
_PREFIX = "nianbao/host/"


class Progress:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.interval = crawler.settings.getfloat("NIANBAO_PROGRESS_INTERVAL", 2.0)
        self.as_json = crawler.settings.getbool("NIANBAO_PROGRESS_JSON")
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        ext = cls(crawler)
        crawler.signals.connect(ext.opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.closed, signal=signals.spider_closed)
        return ext

    def totals(self) -> dict[str, Any]:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        out: dict[str, Any] = {k: int(stats.get(f"nianbao/{k}", 0)) for k in COUNTERS}
        out["requests"] = int(stats.get("downloader/request_count", 0))
        out["not_modified"] = int(stats.get("nianbao/not_modified", 0))
        out["blocked"] = sorted(k.split("/", 2)[2] for k in stats if k.startswith("nianbao/blocked/"))
        out["failed"] = failure_counts(stats)  # kind → fetches that brought nothing (each one in `fetches`)
        out["incomplete"] = incomplete(stats)  # the kinds of those that make the exit code 3
        out["budget_spent"] = sorted(k.split("/", 2)[2] for k in stats if k.startswith("nianbao/budget_spent/"))
        out["elapsed"] = round(time.monotonic() - self.started, 2)
        return out

    def per_host(self) -> dict[str, dict[str, Any]]:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        hosts: dict[str, dict[str, Any]] = {}
        for key, value in stats.items():
            if key.startswith(_PREFIX):
                host, what = key[len(_PREFIX):].rsplit("/", 1)
                hosts.setdefault(host, {})[what] = value
            elif key.startswith("nianbao/blocked/"):
                hosts.setdefault(key.split("/", 2)[2], {})["blocked"] = value
            elif key.startswith("nianbao/budget_spent/"):
                hosts.setdefault(key.split("/", 2)[2], {})["budget_spent"] = value
            elif key.startswith("nianbao/capped/"):  # columns that ended at the page cap (the spider)
                hosts.setdefault(key.split("/", 2)[2], {})["capped"] = value
        return dict(sorted(hosts.items()))

    def line(self) -> str:
        t = self.totals()
        blocked = f" | blocked {len(t['blocked'])}" if t["blocked"] else ""
        failed = f" | failed {sum(t['failed'].values())}" if t["failed"] else ""
        private = f" | refused private {t['failed'][PRIVATE]}" if t["failed"].get(PRIVATE) else ""
        return (f"[nianbao] {t['elapsed']:.0f}s | requests {t['requests']} | pages {t['pages']} | "
                f"reports {t['reports']} | attachments {t['attachments']} | unchanged {t['not_modified']} | "
                f"errors {t['errors']}{failed}{private}{blocked}")

    @staticmethod
    def failure_lines(t: dict[str, Any]) -> list[str]:
        """The end summary's account of what was not fetched, and whether the crawl is incomplete."""
        if not t["failed"]:
            return []
        out = ["not fetched (each in the archive's fetches table, with the reason): "
               + ", ".join(f"{kind} {n}" for kind, n in t["failed"].items())]
        if t["incomplete"]:
            why = {PRIVATE: "private addresses refused (--allow-private-hosts to fetch them)",
                   RETRY_AFTER: "URLs given up for a Retry-After too long",
                   BUDGET: f"requests dropped, host time budget spent ({', '.join(t['budget_spent'])})"}
            out.append("INCOMPLETE (exit 3): " + "; ".join(f"{n} {why[k]}" for k, n in t["incomplete"].items()))
        return out

    def tick(self) -> None:
        if self.as_json:
            print(json.dumps({"progress": self.totals()}, ensure_ascii=False), flush=True)
        else:
            print(self.line(), file=sys.stderr, flush=True)

    def opened(self, spider: Spider) -> None:
        if self.interval > 0:
            self.loop = task.LoopingCall(self.tick)
            self.loop.start(self.interval, now=False)

    def closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        totals, hosts = self.totals(), self.per_host()
        summary = {"reason": reason, **totals, "hosts": hosts, "coverage": coverage(hosts)}
        if self.as_json:
            print(json.dumps({"summary": summary}, ensure_ascii=False), flush=True)
            return
        out = [self.line() + f" | finished ({reason})", f"{'host':<32} {'pages':>6} {'reports':>7} {'files':>6} "
               f"{'errors':>6} {'failed':>6}  blocked"]
        for host, row in hosts.items():
            note = " ".join(filter(None, [str(row.get("blocked", "")),
                                          "budget spent" if row.get("budget_spent") else ""]))
            out.append(f"{host:<32} {row.get('pages', 0):>6} {row.get('reports', 0):>7} "
                       f"{row.get('attachments', 0):>6} {row.get('errors', 0):>6} {row.get('failed', 0):>6}  {note}")
        out += self.failure_lines(totals)
        out.append(coverage_table(hosts))
        print("\n".join(out), file=sys.stderr, flush=True)
