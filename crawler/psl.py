"""Keep Scrapy's cookie middleware off the network: use tldextract's bundled public-suffix snapshot.

Why: Scrapy's CookiesMiddleware builds `TLDExtract()` with its defaults, which downloads the public
suffix list from GitHub on first use. A crawl must reach only the hosts in its scope (and a test
nothing but loopback); the snapshot shipped inside tldextract is enough to tell `gov.cn` is public.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares import cookies
from tldextract import TLDExtract


def use_bundled_suffix_list() -> None:
    cookies._split_domain = TLDExtract(suffix_list_urls=(), include_psl_private_domains=True)  # type: ignore[attr-defined]
