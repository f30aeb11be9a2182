"""Pure report extraction: bytes or text in, the parsed-report contract out.

No Scrapy, no SQLite, no network: the crawler and the archive call in, never the other way.
"""

from .model import Cell, Check, ParseError, Report, Section, Source
from .parse import PARSER_VERSION, parse_report, parse_text

__all__ = ["PARSER_VERSION", "Cell", "Check", "ParseError", "Report", "Section", "Source", "parse_report",
           "parse_text"]
