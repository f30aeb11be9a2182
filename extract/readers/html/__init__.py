"""The HTML reader: a portal's report page → title, metadata, narrative and tables, in these steps:

* `reader` — `read_html`: decode and parse the page, then run the steps below in order.
* `text` — an element's text, whitespace as a reader sees it, the walk into paragraphs (used by all).
* `meta` — the `<head>` meta tags and the visible 索引号 block, read and then dropped from the page.
* `content` — the content root: the element holding the report inside the site's chrome.
* `tables` — data tables → grids with rowspan/colspan expanded; layout tables left to the narrative.
* `title` — the report's title from a metadata field, a heading or the first line.
* `narrative` — the paragraphs without chrome or tables (the lxml walk, filtered by trafilatura).
"""

from .reader import HtmlPage, read_html
from .tables import GridTooLarge, expand_grid
from .title import cut_site_suffix

__all__ = ["GridTooLarge", "HtmlPage", "cut_site_suffix", "expand_grid", "read_html"]
