"""Pure report extraction: bytes or text in, the parsed-report contract out.

No Scrapy, no SQLite, no network: the crawler and the archive call in, never the other way.

The package, in the order a document goes through it:

* `parse` — `parse_report(bytes)` / `parse_text(str)`: sniff, pick a reader, run the steps below.
* `readers/` — the format readers, each bytes → text, table grids, metadata (`readers.document`):
  `decode` (sniffing; bytes → text), `formats` (which reader, from the bytes), `html/` (portal pages),
  `pdf`, `ofd`, `ocr` and the `fixed_layout` page reader they share, `docx`, `office` (DOC/WPS via
  LibreOffice), `sheets`; `safezip` and `limits` guard them against hostile files.
* `script`, `normalize` — traditional → simplified (one cached converter); full-width folding and
  label keys.
* `containers` — the ranked content containers of portal pages (shared with the crawler).
* `dates` — date reading, statistics periods and the year-evidence order (shared with the crawler).
* `sections` — the numbered top-level parts (一、… 七、) and what each is.
* `tables/` — the three statistical tables by their printed labels: `values`, `labels`, `slots`,
  `text` (from text), `grids` (from grids).
* `metadata` — title, agency, year covered, publication date.
* `checks` — the four consistency rules (勾稽关系) on the cells read.
* The contract: `model` (the dataclasses and their JSON), `codes` (codes and official labels),
  `version` (`PARSER_VERSION`, a digest of this package's sources); `printed` (how the official
  tables are printed: row order, numbering, column and header labels, check-rule labels).
"""

from .model import Cell, Check, ParseError, Report, Section, Source
from .parse import PARSER_VERSION, parse_report, parse_text

__all__ = ["PARSER_VERSION", "Cell", "Check", "ParseError", "Report", "Section", "Source", "parse_report",
           "parse_text"]
