"""Where the project lives and where a portal operator reaches the people running the crawler.

One place for both URLs: the crawler's User-Agent names the contact page (crawler/settings.py) and the
site's footer links the repository and that same contact page, so what a webmaster finds in their logs
and what a reader finds on the site always agree (tests/test_site_pages.py checks it).
"""

from __future__ import annotations

REPOSITORY_URL = "https://github.com/nianbao-archive/nianbao-archive"
# Issues on the repository: where an agency asks us to slow down, stop, or correct a report.
CRAWLER_CONTACT_URL = f"{REPOSITORY_URL}/issues"
