"""Nothing private is published: an archive built through the real paths (`nianbao add` of a file in
the operator's folder, a crawl's fetch whose answer set a cookie) holds neither the folder's absolute
path nor the cookie or credential values — in any text column of any table the site serves, in the
export, or on the report page (archive/private.py says why and what is kept instead)."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from archive import Archive, Fetch
from archive.datasette.config import make_datasette
from archive.export import export
from archive.private import REDACTED, redact_headers
from nianbao.archive_cmd import add_files
from tests.shared import SEEDS, need_shared

pytestmark = pytest.mark.timeout(120)
COOKIE = "JSESSIONID=s3cr3t-0f-th3-0p3rat0r"
TOKEN = "Bearer t0k3n-n0t-t0-publish"
FETCHED_AT = "2025-02-01T08:00:00Z"


@pytest.fixture(scope="module")
def private(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    need_shared()
    home = tmp_path_factory.mktemp("operator-home")
    folder = home / "私人 文件夹" / "reports"
    folder.mkdir(parents=True)
    seed = sorted(SEEDS.glob("*.txt"))[0]
    mine = folder / "2024年报.txt"
    shutil.copy(seed, mine)
    other = home / "elsewhere"
    other.mkdir()
    shutil.copy(sorted(SEEDS.glob("*.txt"))[1], other / mine.name)  # another file with the same name

    db = tmp_path_factory.mktemp("site") / "archive.db"
    first = add_files(db, [mine, other / mine.name])
    again = add_files(db, [mine])
    with Archive(db) as archive:  # what the crawler's record middleware hands over
        secret_headers = [("Content-Type", "text/html; charset=utf-8"), ("Set-Cookie", f"{COOKIE}; Path=/"),
                          ("Authorization", TOKEN), ("ETag", '"v1"'),
                          ("Last-Modified", "Sat, 01 Feb 2025 08:00:00 GMT")]
        url = "http://www.cookie.gov.cn/list.html"
        archive.record_fetch(Fetch(url=url, final_url=url, status=200, headers=secret_headers,
                                   body="<html>列表</html>".encode(), fetched_at=FETCHED_AT))
        archive.record_failures([Fetch(url=url + "?p=2", final_url=url + "?p=2", status=412,
                                       headers=[("Set-Cookie", COOKIE)], body=b"", fetched_at=FETCHED_AT,
                                       error="challenge")])
        validators = archive.validators(url)
    return {"db": db, "home": home, "first": first, "again": again, "validators": validators}


def secrets_in(text: str, home: Path) -> list[str]:
    return [s for s in (str(home), home.as_uri(), COOKIE, TOKEN, "s3cr3t", "t0k3n") if s in text]


def get(ds: Any, path: str) -> Any:
    async def go() -> Any:
        return await ds.client.get(path)

    return asyncio.run(go())


def test_every_served_table_is_free_of_the_operators_path_and_credentials(private: dict[str, Any]) -> None:
    ds = make_datasette(private["db"])
    stem = private["db"].stem
    tables = get(ds, f"/{stem}.json").json()["tables"]
    assert {"reports", "documents", "fetches", "report_sources"} <= {t["name"] for t in tables}
    scanned = 0
    for table in tables:
        path: str | None = f"/{stem}/{table['name']}.json?_size=max&_nocount=1"
        while path:
            page = get(ds, path).json()
            assert page.get("ok", True), (table["name"], page)
            found = secrets_in(json.dumps(page["rows"], ensure_ascii=False), private["home"])
            assert not found, (table["name"], found)
            scanned += len(page["rows"])
            nxt = urlsplit(page["next_url"]) if page.get("next_url") else None
            path = f"{nxt.path}?{nxt.query}" if nxt else None
    assert scanned > 0


def test_no_table_of_the_database_file_holds_them_either(private: dict[str, Any]) -> None:
    """The file itself (FTS shadow tables, hidden tables included) is what `nianbao serve` publishes."""
    conn = sqlite3.connect(private["db"])
    names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for name in names:
        for row in conn.execute(f'SELECT * FROM "{name}"'):
            text = " ".join(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row)
            assert not secrets_in(text, private["home"]), name
    conn.close()


def test_export_and_report_page_name_the_file_not_the_folder(private: dict[str, Any]) -> None:
    for fmt in ("jsonl", "csv"):
        out = io.StringIO()
        assert export(private["db"], out, fmt) == 2
        assert not secrets_in(out.getvalue(), private["home"]) and "local:" in out.getvalue()
    docs = [json.loads(line) for line in _jsonl(private["db"]).splitlines()]
    assert all(d["url"].startswith("local:") and d["url"].endswith("/2024年报.txt") for d in docs)
    ds = make_datasette(private["db"])
    for doc in docs:
        page = get(ds, f"/-/report/{private['db'].stem}/{doc['report_id']}")
        assert page.status_code == 200 and "2024年报.txt" in page.text and not secrets_in(page.text, private["home"])


def test_the_name_keeps_identity_re_adding_changes_nothing(private: dict[str, Any]) -> None:
    first, again = private["first"], private["again"]
    assert [status for _p, status, _m in first] == ["new", "new"], "same name, other bytes: another report"
    assert [status for _p, status, _m in again] == ["unchanged"]


def test_redaction_keeps_the_names_and_the_validators(private: dict[str, Any]) -> None:
    assert private["validators"] == ('"v1"', "Sat, 01 Feb 2025 08:00:00 GMT"), "conditional GET still works"
    conn = sqlite3.connect(private["db"])
    logged = [json.loads(h) for (h,) in conn.execute("SELECT headers FROM fetches WHERE url LIKE '%cookie.gov.cn%' "
                                                     "ORDER BY status")]
    conn.close()
    assert ["Set-Cookie", REDACTED] in logged[0] and ["Authorization", REDACTED] in logged[0]
    assert ["Set-Cookie", REDACTED] in logged[1]
    assert redact_headers([("set-cookie2", "a"), ("Cookie", "b"), ("Proxy-Authorization", "c"),
                           ("WWW-Authenticate", 'Basic realm="x"')]) == [
        ("set-cookie2", REDACTED), ("Cookie", REDACTED), ("Proxy-Authorization", REDACTED),
        ("WWW-Authenticate", 'Basic realm="x"')]


def _jsonl(db: Path) -> str:
    out = io.StringIO()
    export(db, out, "jsonl")
    return out.getvalue()
