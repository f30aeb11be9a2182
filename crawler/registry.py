"""The portal registry (`crawler/portals.yml`): entry URLs with their division code and level.

Why a file and not a list in code: it is what a user edits and schedules; the crawler takes its
hosts as the crawl scope and stamps each report with the code and level of the portal it came from.
"""

from __future__ import annotations

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
