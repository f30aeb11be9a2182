"""The portal registry (`crawler/portals.yml`): entry URLs with their division code and level.

Why a file and not a list in code: it is what a user edits and schedules; the crawler takes its
hosts as the crawl scope and stamps each report with the code and level of the portal it came from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml

from crawler.urls import host_of

DEFAULT_REGISTRY = Path(__file__).with_name("portals.yml")
LEVELS = frozenset({"central", "province", "city", "county", "town", "department", "city-platform", "platform"})


@dataclass(frozen=True, slots=True)
class Portal:
    name: str
    entry: str
    region_code: str | None
    level: str | None

    @property
    def host(self) -> str:
        return host_of(self.entry)


def load_registry(path: str | Path = DEFAULT_REGISTRY) -> list[Portal]:
    """Portals from a registry file; templated entries (`{orgcode}`) are skipped: they need a unit id."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    portals = []
    for row in data.get("portals") or []:
        entry = str(row.get("entry") or "")
        if not entry or "{" in entry:
            continue
        code = row.get("region_code")
        level = row.get("level")
        if level is not None and level not in LEVELS:
            raise ValueError(f"{path}: unknown level {level!r} for {entry}")
        portals.append(Portal(str(row.get("name") or host_of(entry)), entry, str(code) if code else None,
                              str(level) if level else None))
    return portals


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` (1 <= K <= N): this machine's share when N machines crawl one registry."""
    k, sep, n = str(text).partition("/")
    if not sep or not k.strip().isdigit() or not n.strip().isdigit() or not 1 <= int(k) <= int(n):
        raise ValueError(f"shard {text!r}: give K/N with 1 <= K <= N, e.g. 2/3")
    return int(k), int(n)


def in_shard(host: str, shard: tuple[int, int]) -> bool:
    """Whether host belongs to shard K of N. By host, not by entry, so that every entry point of a
    host is crawled from one machine and its 2-requests-per-host limit holds across the machines."""
    k, n = shard
    return int(hashlib.sha1(host.lower().encode("utf-8")).hexdigest(), 16) % n == k - 1
