"""The site stays up: one anonymous request cannot make SQLite build gigabytes (a value is capped by
SQLite's length limit, a result by its bytes), and Datasette's `_internal` database is no archive
for the report and raw-file routes (a clean 404, not a 500)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from archive.datasette.config import make_datasette
from archive.datasette.plugins.nianbao_site import MAX_RESULT_BYTES, MAX_VALUE_BYTES
from tests.archive_db import build

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[1]
MANY_ROWS = ("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 1000) "
             f"SELECT hex(randomblob({MAX_VALUE_BYTES // 4})) FROM r")  # 1000 rows of 8 MB: 8 GB unchecked


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Any:
    built = build(tmp_path_factory.mktemp("limits"), generated=4)
    return {"ds": make_datasette(built.db), "db": built.db}


def get(ds: Any, path: str) -> Any:
    async def go() -> Any:
        return await ds.client.get(path)

    return asyncio.run(go())


def sql(q: str, fmt: str = ".json") -> str:
    return f"/nianbao{fmt}?sql={quote(q)}"


@pytest.mark.parametrize("query", [
    "SELECT hex(randomblob(300000000))",
    "SELECT zeroblob(2000000000)",
    "SELECT replace(hex(randomblob(4000000)), '0', hex(randomblob(1000)))",
    "WITH RECURSIVE r(s) AS (SELECT 'xx' UNION ALL SELECT s || s FROM r LIMIT 40) SELECT length(s) FROM r",
    MANY_ROWS,
])
def test_a_query_that_would_build_gigabytes_is_refused_small(site: Any, query: str) -> None:
    for fmt in (".json", ""):
        response = get(site["ds"], sql(query, fmt))
        assert response.status_code == 400 and len(response.content) < 20_000, (query, fmt)
    error = json.loads(get(site["ds"], sql(query)).text)["error"]
    assert "too big" in error or "too large" in error


def test_printf_past_the_limit_gives_null_not_a_gigabyte(site: Any) -> None:
    response = get(site["ds"], sql("SELECT printf('%1000000000d', 1) AS s") + "&_shape=array")
    assert response.status_code == 200 and json.loads(response.text) == [{"s": None}]


def test_ordinary_queries_and_downloads_still_work(site: Any) -> None:
    rows = json.loads(get(site["ds"], sql("SELECT count(*) AS n FROM reports", ".json") + "&_shape=array").text)
    assert rows[0]["n"] >= 4
    big = json.loads(get(site["ds"], sql(f"SELECT length(hex(randomblob({MAX_VALUE_BYTES // 2 - 1}))) AS n")
                         + "&_shape=array").text)
    assert big == [{"n": MAX_VALUE_BYTES - 2}], "values up to the limit are fine"
    streamed = get(site["ds"], "/nianbao/sections.csv?_stream=1")
    assert streamed.status_code == 200 and streamed.text.count("\n") > 4
    under = f"SELECT hex(randomblob({MAX_RESULT_BYTES // 8})) FROM (SELECT 1 UNION ALL SELECT 2)"  # half the cap
    assert get(site["ds"], sql(under)).status_code == 200


@pytest.mark.parametrize("path", ["/-/raw/_internal/" + "a" * 64, "/-/report/_internal/" + "a" * 16,
                                  "/-/raw/nosuchdb/" + "a" * 64, "/-/report/nosuchdb/" + "a" * 16])
def test_internal_and_unknown_databases_are_a_clean_404(site: Any, path: str) -> None:
    assert get(site["ds"], path).status_code == 404


SERVE_ONCE = """
import asyncio, resource, sys
from archive.datasette.config import make_datasette
ds = make_datasette(sys.argv[1])
async def go(path):
    return await ds.client.get(path)
asyncio.run(go("/nianbao.json?sql=select+1"))  # everything imported and warmed up
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
status = asyncio.run(go(sys.argv[2])).status_code
print(status, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


@pytest.mark.parametrize("query", ["SELECT hex(randomblob(300000000))", MANY_ROWS])
def test_the_server_process_stays_small_while_refusing(site: Any, query: str) -> None:
    """The measured failure: 600 MB for randomblob(300000000), 5.4 GB for the server. Now the peak
    memory of a server process answering it grows by less than the result cap and a few copies."""
    done = subprocess.run([sys.executable, "-c", SERVE_ONCE, str(site["db"]), sql(query)], cwd=ROOT,
                          capture_output=True, text=True, timeout=100)
    assert done.returncode == 0, done.stderr[-2000:]
    status, grown_mb = map(int, done.stdout.split())
    assert status == 400 and grown_mb < 4 * MAX_RESULT_BYTES // (1024 * 1024), grown_mb
