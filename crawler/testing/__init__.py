"""Fixture portals F1-F6 (../shared/crawler/FIXTURE_SPEC.md) and the loopback server that plays them,
for the tests, the demo (`nianbao demo` crawls them) and the benchmark. `tests/portalgen.py` builds
the stored portals under portals/."""

from crawler.testing.server import PORTAL_NAMES, PortalServer, Site, load_portals, serve_portals

__all__ = ["PORTAL_NAMES", "PortalServer", "Site", "load_portals", "serve_portals"]
