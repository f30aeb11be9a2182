"""Fixture portals (the loopback server that plays them, for the tests, the demo and the benchmark):
F1-F6 of ../shared/crawler/FIXTURE_SPEC.md, built by `tests/portalgen.py`, and the ten list families
F7-F17 of FAMILIES.md beside this file, built by `tests/familygen.py`. All are stored under portals/."""

from crawler.testing.server import (
    ALL_PORTALS,
    FAMILY_NAMES,
    PORTAL_NAMES,
    PortalServer,
    Site,
    load_portals,
    serve_portals,
)

__all__ = ["ALL_PORTALS", "FAMILY_NAMES", "PORTAL_NAMES", "PortalServer", "Site", "load_portals", "serve_portals"]
