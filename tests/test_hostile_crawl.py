"""A crawl always ends: `nianbao crawl` against the hostile loopback portal (tests/hostile_server.py).

One crawl, with the budgets set low, is shared by the checks: it finishes within its host budget
plus a download timeout or two; every failure (Retry-After 999999, stall, drip, reset, cut-off body,
refused connection, private address, column cap, host budget) is a row in `fetches` with its reason;
the summary and the exit code say the crawl is incomplete and why.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import CannotResolveHostError, DownloadConnectionRefusedError, DownloadTimeoutError
from twisted.internet.error import ConnectionLost
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from crawler.failures import (
    BUDGET,
    COLUMN_CAP,
    CUT_OFF,
    DNS,
    INCOMPLETE,
    PRIVATE,
    REFUSED,
    RESET,
    TIMEOUT,
    classify,
)
from crawler.options import LOOPBACK_SETTINGS
from tests.hostile_server import (
    BAD_PAGES,
    CLOSED,
    ENTRIES,
    HOSTILE,
    PRIVATE_URL,
    SLOW,
    SLOW_REPORTS,
    THROTTLE,
    THROTTLE_REPORTS,
    serve_hostile,
)

# The module's crawl of the hostile server is made once, on one xdist worker; its tests are e2e.
pytestmark = [pytest.mark.timeout(120), pytest.mark.xdist_group("hostile_crawl")]
ROOT = Path(__file__).resolve().parents[1]
BUDGET_S = 8.0
TIMEOUT_S = 1.5
COLUMNS = 6
SETTINGS: dict[str, Any] = {
    **LOOPBACK_SETTINGS, "LOG_LEVEL": "CRITICAL", "DOWNLOAD_TIMEOUT": TIMEOUT_S, "NIANBAO_TIMEOUT_RETRIES": 1,
    "NIANBAO_RETRY_AFTER_MAX": 5, "NIANBAO_HOST_BUDGET": BUDGET_S, "NIANBAO_MAX_LIST_PAGES": 4,
    "NIANBAO_MAX_COLUMNS_PER_HOST": COLUMNS, "NIANBAO_SCOPE_HOSTS": ["10.0.0.8"],
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    db = tmp_path_factory.mktemp("hostile") / "h.db"
    with serve_hostile(slow_seconds=1.0) as server:
        started = time.monotonic()
        # no --allow-private-hosts: the mapped hosts are the operator's own choice, 10.0.0.8 is not
        done = subprocess.run([sys.executable, "-m", "nianbao.cli", "crawl",
                               *[f"--set={k}={json.dumps(v)}" for k, v in SETTINGS.items()], *ENTRIES,
                               "--db", str(db), "--host-map", json.dumps(server.host_map)],
                              cwd=ROOT, capture_output=True, text=True, timeout=100)
        elapsed = time.monotonic() - started
        seen = server.requests()
    con = sqlite3.connect(db)
    rows = con.execute("SELECT url, status, error FROM fetches ORDER BY fetched_at").fetchall()
    archived = {row[0] for row in con.execute("SELECT page_url FROM report_sources")}
    con.close()
    return {"done": done, "elapsed": elapsed, "seen": seen, "rows": rows, "archived": archived}


def errors_of(crawled: dict[str, Any], url: str) -> list[str]:
    return [error for u, _status, error in crawled["rows"] if u == url and error]


@pytest.mark.e2e  # the loopback crawl
def test_the_crawl_ends_within_its_budget(crawled: dict[str, Any]) -> None:
    # each host stops asking at its budget; a download on the wire then ends within its timeout
    assert crawled["elapsed"] < BUDGET_S + 2 * TIMEOUT_S + 8, crawled["done"].stderr[-3000:]
    slow = [s for s in crawled["seen"] if s.host == SLOW]
    assert slow[-1].started - slow[0].started <= BUDGET_S + 0.5, "nothing leaves for a host past its budget"
    assert len(slow) < SLOW_REPORTS, "the slow host could not be crawled whole in its budget"


@pytest.mark.e2e  # the loopback crawl
@pytest.mark.parametrize(("path", "kind"), sorted(BAD_PAGES.items()))
def test_every_hostile_page_is_recorded_with_its_reason(crawled: dict[str, Any], path: str, kind: str) -> None:
    errors = errors_of(crawled, f"http://{HOSTILE}{path}")
    assert errors and all(e.startswith(f"{kind}: ") for e in errors), errors
    asked = [s for s in crawled["seen"] if s.host == HOSTILE and s.path == path]
    # each of the crawler's attempts is a row (Twisted may resend once itself on a reused connection)
    assert 1 <= len(errors) <= len(asked) <= 2 * len(errors)


@pytest.mark.e2e  # the loopback crawl
def test_retry_after_too_long_is_given_up_at_once(crawled: dict[str, Any]) -> None:
    rows = [(status, error) for url, status, error in crawled["rows"] if url.endswith("/nb/retry-after.html")]
    assert (429, None) in rows, "the 429 itself is archived as answered"
    assert [r for r in rows if r[1]] == [(429, "retry-after too long: asked to wait 999999 s, more than the 5 s "
                                                "we wait")]


@pytest.mark.e2e  # the loopback crawl
def test_a_short_retry_after_pauses_the_host_then_it_goes_on_at_its_pace(crawled: dict[str, Any]) -> None:
    """The list says 429, Retry-After 2: asked again 2 s later, then the host's pages come at the loopback
    pace again (the raised delay used to stay for the rest of the crawl: 20 pages would take 40 s)."""
    host = [s for s in crawled["seen"] if s.host == THROTTLE and s.path != "/robots.txt"]
    lists = [s.started for s in host if s.path == "/"]
    assert len(lists) == 2 and lists[1] - lists[0] >= 2 - 0.05
    pages = [s.started for s in host if s.path.startswith("/nb/q")]
    # at the doubled delay (the backoff base on loopback: 0.1 s) 20 pages take 2 s; at a kept 2 s, 40 s
    assert len(pages) == THROTTLE_REPORTS and pages[-1] - lists[1] < 8, "all pages soon after the pause's end"
    assert not [u for u, _s, e in crawled["rows"] if e and THROTTLE in u]


@pytest.mark.e2e  # the loopback crawl
def test_a_stall_costs_two_timeouts_not_four(crawled: dict[str, Any]) -> None:
    for path in ("/nb/stall.html", "/nb/drip.html"):  # silence, and a body dripped byte by byte
        assert len(errors_of(crawled, f"http://{HOSTILE}{path}")) == 2


@pytest.mark.e2e  # the loopback crawl
def test_refused_connection_and_private_address_are_rows(crawled: dict[str, Any]) -> None:
    refused = errors_of(crawled, f"http://{CLOSED}/nb/refused.html")
    assert refused and all(e.startswith(f"{REFUSED}: ") for e in refused)
    private = errors_of(crawled, PRIVATE_URL)
    assert len(private) == 1 and private[0].startswith(f"{PRIVATE}: 10.0.0.8 is a private address")
    assert not [s for s in crawled["seen"] if s.host == "10.0.0.8"]


@pytest.mark.e2e  # the loopback crawl
def test_fresh_columns_stop_at_the_per_host_cap(crawled: dict[str, Any]) -> None:
    columns = {s.path.split("/")[2] for s in crawled["seen"] if s.path.startswith("/trap/")}
    assert len(columns) <= COLUMNS
    capped = [u for u, _s, e in crawled["rows"] if e and e.startswith(f"{COLUMN_CAP}: ")]
    assert capped and len(capped) == len(set(capped)), "each column refused is named once"
    assert not {u.split("/")[4] for u in capped} & columns


@pytest.mark.e2e  # the loopback crawl
def test_the_host_budget_drops_and_records_the_rest(crawled: dict[str, Any]) -> None:
    dropped = {u for u, _s, e in crawled["rows"] if e and e.startswith(f"{BUDGET}: ")}
    fetched = {f"http://{SLOW}{s.path}" for s in crawled["seen"] if s.host == SLOW}
    assert dropped and all(u.startswith(f"http://{SLOW}/nb/r") for u in dropped)
    pages = {u for u in dropped | fetched if u.endswith(".html") and "/nb/r" in u}
    assert len(pages) == SLOW_REPORTS, "every report link was either asked or recorded as dropped"
    assert not dropped & fetched


@pytest.mark.e2e  # the loopback crawl
def test_a_report_whose_attachment_was_dropped_is_still_archived(crawled: dict[str, Any]) -> None:
    """The page came, its PDF fell to the budget: the report is archived with the page alone."""
    pages = {f"http://{SLOW}{s.path}" for s in crawled["seen"] if s.host == SLOW and s.path.endswith(".html")
             and s.path.startswith("/nb/r")}
    dropped_files = {u for u, _s, e in crawled["rows"] if e and e.startswith(f"{BUDGET}: ") and u.endswith(".pdf")}
    assert dropped_files, "the budget must fall between a page and its attachment for this test to mean anything"
    assert pages <= crawled["archived"]


@pytest.mark.e2e  # the loopback crawl
def test_summary_and_exit_code_say_incomplete(crawled: dict[str, Any]) -> None:
    done = crawled["done"]
    assert done.returncode == INCOMPLETE, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    last = done.stderr.splitlines()
    assert any("refused private 1" in line and "finished (finished)" in line for line in last)
    why = next(line for line in last if line.startswith("INCOMPLETE (exit 3)"))
    assert "1 private addresses refused" in why and "Retry-After" in why and SLOW in why
    kinds = Counter(e.split(":", 1)[0] for _u, _s, e in crawled["rows"] if e)
    told = next(line for line in last if line.startswith("not fetched"))
    for kind, n in kinds.items():
        assert f"{kind} {n}" in told


def test_failures_are_classified_by_what_the_downloader_raised() -> None:
    assert classify(DownloadTimeoutError("took longer than 3 seconds"), 3)[1].startswith("no complete answer "
                                                                                        "within 3 s")
    assert classify(CannotResolveHostError("nx.example"))[0] == DNS
    assert classify(DownloadConnectionRefusedError("111"))[0] == REFUSED
    assert classify(ResponseFailed([Failure(ConnectionLost("gone"))]))[0] == RESET
    from twisted.web._newclient import _DataLoss

    assert classify(ResponseFailed([Failure(_DataLoss())]))[0] == CUT_OFF
    assert classify(TimeoutError())[0] == TIMEOUT
    assert classify(ValueError("odd"))[1].startswith("ValueError: odd")
