"""Scrapy settings of the crawler (`scrapy.cfg` points here); `nianbao crawl` uses the same.

Politeness is the default: robots.txt obeyed, AutoThrottle, at most 2 requests in flight per host
with a delay, a User-Agent that says who we are and where to complain. Tests and the benchmark
relax the delays through settings, never by editing this file.
"""

from archive.project import CRAWLER_CONTACT_URL
from crawler.psl import use_bundled_suffix_list

use_bundled_suffix_list()  # no public-suffix download at crawl start (see crawler/psl.py)

BOT_NAME = "nianbao"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# the contact page the site's footer links too (archive/project.py)
USER_AGENT = f"NianbaoArchiveBot/0.1 (+{CRAWLER_CONTACT_URL}; archive of 政府信息公开年报)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOADER = "crawler.downloader.PerHostCapDownloader"  # holds the cap above (see crawler/downloader.py)
SCHEDULER = "crawler.scheduler.BudgetScheduler"  # drops a spent host's queued requests at once (crawler/scheduler.py)
DOWNLOAD_DELAY = 1.0
DOWNLOAD_DELAY_JITTER = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 60.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 60  # a whole download, body included; a timed-out URL is retried once (NIANBAO_TIMEOUT_RETRIES)
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024  # the parser refuses inputs over 32 MB; this bounds memory per response
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
# Lists first: breadth over depth keeps one slow column from starving the rest.
DEPTH_PRIORITY = 0
FEED_EXPORT_ENCODING = "utf-8"

DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.scope.ScopeMiddleware": 40,
    "crawler.middlewares.hostmap.HostMapMiddleware": 45,
    "crawler.middlewares.budget.HostBudgetMiddleware": 48,
    "crawler.middlewares.conditional.ConditionalGetMiddleware": 120,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    "crawler.middlewares.challenge.ChallengeMiddleware": 560,
    "crawler.middlewares.record.RecordMiddleware": 585,
}
SPIDER_MIDDLEWARES = {
    "crawler.middlewares.columns.ColumnCapMiddleware": 850,
    "crawler.middlewares.budget.HostBudgetSpiderMiddleware": 860,
}
ITEM_PIPELINES = {"crawler.pipelines.ArchivePipeline": 300}
EXTENSIONS = {"crawler.progress.Progress": 500, "scrapy.extensions.logstats.LogStats": None}

# --- the project's own settings -----------------------------------------------------------------
# What to crawl: set from a `CrawlOptions` (crawler/options.py), the one translation of `nianbao crawl`'s
# options and of `scrapy crawl portals -a …`'s arguments into settings.
NIANBAO_DB = None  # SQLite path of the archive (spider argument `db`)
NIANBAO_ENTRIES: list[str] = []  # entry URLs (spider argument `entry`); none: the registry's portals
NIANBAO_REGISTRY = None  # portal registry YAML (spider argument `registry`); default crawler/portals.yml
NIANBAO_RAW = None  # raw store root; default: next to the database
NIANBAO_PARSE_JOBS = None  # parse worker processes of the crawl (`nianbao crawl --jobs`); None: one per core
NIANBAO_PARSE_STOP_GRACE = 10.0  # seconds running parses get when the crawl is stopped; then archived unparsed
NIANBAO_SCOPE_HOSTS: list[str] = []  # extra hosts in scope besides the registry's and the suffixes
NIANBAO_SCOPE_SUFFIXES = [".gov.cn"]
NIANBAO_ALLOW_PRIVATE_HOSTS = False
NIANBAO_HOST_MAP: dict[str, str] = {}  # hostname → "127.0.0.1:port" (fixture portals: these may reach loopback)
NIANBAO_SHARD = None  # "K/N": crawl only the entry points whose host falls in share K of N machines
NIANBAO_MAX_LIST_PAGES = 200  # per column: a pagination trap ends here
# Pagination dialects of known CMS families (crawler/dialects) go before the generic list walker; False turns
# them all off, so that only the walker pages the lists (what a portal of an unknown family gets).
NIANBAO_DIALECTS = True
# A column page with no rows, no pager and no data API readable from its script, whose scripts draw it, is
# rendered in headless Chromium (crawler/browser.py; one page at a time); False never starts a browser.
NIANBAO_BROWSER = True
NIANBAO_BROWSER_EXECUTABLE = "/usr/bin/chromium"  # Debian's (scripts/apt-packages.txt)
NIANBAO_BROWSER_TIMEOUT = 20.0  # seconds for a page to load and its network to go quiet
NIANBAO_RETRY_BACKOFF = 2.0  # seconds; doubled per attempt unless Retry-After says otherwise
NIANBAO_RETRY_MAX_WAIT = 120.0  # our own backoff's cap (a server's Retry-After is honoured up to the next)
NIANBAO_RETRY_AFTER_MAX = 600.0  # a Retry-After longer than this is not waited for: the URL is given up, recorded
NIANBAO_TIMEOUT_RETRIES = 1  # a download that timed out is tried this many times more (stalls cost 2 x timeout)
# Seconds a host may take from its first request (0: no limit); then its remaining requests are dropped,
# each recorded in `fetches`, and the crawl exits 3 (crawler/failures.py). A portal of a few thousand
# pages at the polite 1-2 s a request fits; a stalling or throttling one no longer holds the crawl.
NIANBAO_HOST_BUDGET = 2 * 3600.0
NIANBAO_MAX_COLUMNS_PER_HOST = 200  # 年报 columns (and dialect sub-lists) walked per host: a column trap ends here
NIANBAO_CONDITIONAL_GET = True
# For servers without ETag/Last-Modified: a report under a list page that came back byte for byte unchanged is
# taken from the archive instead of being fetched again (set False for a full re-fetch).
NIANBAO_COMPARE_LISTS = True
NIANBAO_PROGRESS_INTERVAL = 5.0
NIANBAO_PROGRESS_JSON = False
# Shared frontier (`--frontier redis://…`, crawler/frontier.py): key prefix of the crawl in Redis, how long a
# dead worker's hosts and requests stay leased before another worker takes them (seconds), worker name.
NIANBAO_FRONTIER = None
NIANBAO_FRONTIER_KEY = "nianbao"
NIANBAO_FRONTIER_LEASE = 30.0
NIANBAO_FRONTIER_HOST_TURN = 60.0  # seconds a worker keeps a host while other workers are alive
NIANBAO_FRONTIER_WORKER = None
