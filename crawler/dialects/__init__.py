"""Pagination dialects, one module each; `DIALECTS` is the order the spider tries them in."""

from crawler.dialects.base import Dialect, ListContext
from crawler.dialects.fjapi import FjApiDialect
from crawler.dialects.gkmlpt import GkmlptDialect
from crawler.dialects.hanweb import HanwebDialect
from crawler.dialects.jpaas import JpaasDialect
from crawler.dialects.trs import TrsDialect
from crawler.dialects.xxgkml import XxgkmlDialect

DIALECTS: tuple[Dialect, ...] = (HanwebDialect(), JpaasDialect(), GkmlptDialect(), FjApiDialect(), TrsDialect(),
                                 XxgkmlDialect())
BY_NAME: dict[str, Dialect] = {d.name: d for d in DIALECTS}

__all__ = ["BY_NAME", "DIALECTS", "Dialect", "ListContext"]
