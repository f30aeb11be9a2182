"""Registry bodies in the agency register: the government a registry portal belongs to has a register row
before any report names it (reports 0), under the id a report naming it gets, and keeps it through a rebuild."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from scrapy.utils.test import get_crawler

from archive import Archive
from archive.agencies import identify, registry_body
from archive.merge import merge
from archive.rebuild import rebuild
from crawler.archive_link import archive_for
from crawler.spiders.portals import PortalsSpider
from tests.test_identity import _bytes, _generate, _page

ANHUI = {"name": "安徽省", "entry": "https://www.ah.gov.cn/site/tpl/7931", "region_code": "340000"}
BEIJING = [{"name": "北京市", "entry": "https://www.beijing.gov.cn/gongkai/zfxxgk/gknb/", "region_code": "110000"},
           {"name": "北京市共享平台 机构 110016", "entry": "http://zfxxgk.beijing.gov.cn/110016/zfxxgknb/list.shtml",
            "region_code": "110000"}]
CENTRAL = {"name": "国务院办公厅", "entry": "http://www.gov.cn/zhengce/xxgkzl.htm", "region_code": None}
COLUMNS = "id, name, code, level, kind, parent, reports, first_year, aliases"


def _agencies(db: Path, where: str = "1") -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT {COLUMNS} FROM agencies WHERE {where} ORDER BY code").fetchall()


def _count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(sql).fetchone()[0])


def test_a_registry_portal_gives_its_government_a_row_before_any_report(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        assert archive.register_bodies([ANHUI, *BEIJING, CENTRAL]) == 2, "one body per region; no code, no body"
        archive.register_bodies([ANHUI])  # a second crawl start changes nothing
        archive.refresh_findings()
    anhui = identify("安徽省人民政府")
    assert anhui is not None
    assert _agencies(db) == [
        (identify("北京市人民政府").id, "北京市人民政府", "110000", "省级", "人民政府", "国务院", 0, None, "[]"),  # type: ignore[union-attr]
        (anhui.id, "安徽省人民政府", "340000", "省级", "人民政府", "国务院", 0, None, "[]")]
    with sqlite3.connect(db) as conn:
        portals = conn.execute("SELECT portals FROM registry_bodies WHERE region_code = '110000'").fetchone()[0]
    assert "北京市共享平台 机构 110016" in portals and "北京市" in portals
    for view in ("agency_years", "province_years", "report_figures", "coverage", "unplaced_agencies"):
        assert _count(db, f"SELECT count(*) FROM {view}") == 0, f"a body with no report makes no figures in {view}"


def test_a_report_naming_a_registry_body_joins_its_row_and_the_row_survives_a_rebuild(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    rep = _generate(7, "安徽省人民政府", 2023)
    body, ctype = _bytes(rep)
    url = "https://www.ah.gov.cn/public/nb2023.html"
    with Archive(db) as archive:
        archive.register_bodies([ANHUI, BEIJING[0]])
        page = _page(archive, url, body, ctype)
        archive.add_report([page], page_url=url, title=rep.title, year=2023, region_code="340000")
        archive.refresh_findings()
    anhui = registry_body("340000")
    assert anhui is not None and anhui.name == "安徽省人民政府"
    before = _agencies(db, "code = '340000'")
    assert [(r[0], r[6], r[7]) for r in before] == [(anhui.id, 1, 2023)], "the report's row is the registry's row"
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT DISTINCT agency_id FROM reports").fetchall() == [(anhui.id,)]
    assert _count(db, "SELECT count(*) FROM agency_years WHERE agency_code = '110000'") == 0
    rebuild(db)
    assert _agencies(db, "code = '340000'") == before
    assert [(r[1], r[6]) for r in _agencies(db, "code = '110000'")] == [("北京市人民政府", 0)], \
        "a registry body with no report survives the rebuild"


def test_a_body_not_in_the_registry_still_leaves_the_register_with_its_last_report(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        archive.register_bodies([ANHUI])
        anhui = registry_body("340000")
        other = identify("淮安市人民政府")
        assert anhui and other
        archive._refresh_agency(other.id)  # no report, not in the registry: no row
        archive._refresh_agency(anhui.id)  # no report, in the registry: its row stays
    assert [r[0] for r in _agencies(db)] == [anhui.id]


def test_a_crawl_started_from_a_registry_registers_its_portals_governments(tmp_path: Path) -> None:
    registry = tmp_path / "portals.yml"
    registry.write_text(
        "portals:\n"
        "  - {name: 淮安市, entry: 'http://www.f1-city.gov.cn/nb/', region_code: '320800', level: city}\n"
        "  - {name: 洪泽区, entry: 'http://www.f1-district.gov.cn/nb/', region_code: '320813', level: county}\n"
        "  - {name: 国务院办公厅, entry: 'http://www.f1-central.gov.cn/', region_code: null, level: central}\n",
        encoding="utf-8")
    db = tmp_path / "crawl.db"
    crawler = get_crawler(PortalsSpider, {"NIANBAO_DB": str(db)})
    spider = PortalsSpider()
    spider.crawler, spider.portals = crawler, PortalsSpider._portals(None, str(registry))

    async def first_request() -> object:
        return await anext(spider.start())

    assert asyncio.run(first_request()) is not None
    archive_for(crawler).close()
    assert [(r[1], r[2], r[3], r[5], r[6]) for r in _agencies(db)] == [
        ("淮安市人民政府", "320800", "地市级", "江苏省人民政府", 0),
        ("淮安市洪泽区人民政府", "320813", "县级", "淮安市人民政府", 0)]
    assert [r[0] for r in _agencies(db, "code = '320813'")] == [identify("洪泽区人民政府").id]  # type: ignore[union-attr]


def test_merged_parts_keep_their_registry_bodies_and_an_older_archive_rebuilds_without_them(tmp_path: Path) -> None:
    part_a, part_b, into = tmp_path / "a.db", tmp_path / "b.db", tmp_path / "all.db"
    with Archive(part_a) as archive:
        archive.register_bodies([ANHUI, BEIJING[0]])
    with Archive(part_b) as archive:
        archive.register_bodies([BEIJING[1]])
    merge(into, [part_a, part_b])
    assert [(r[1], r[6]) for r in _agencies(into)] == [("北京市人民政府", 0), ("安徽省人民政府", 0)]
    with sqlite3.connect(into) as conn:
        portals = conn.execute("SELECT portals FROM registry_bodies WHERE region_code = '110000'").fetchone()[0]
    assert "北京市" in portals and "北京市共享平台 机构 110016" in portals, "both machines' portals"
    with sqlite3.connect(part_b) as conn:  # an archive written before registry bodies were kept
        conn.execute("DROP TABLE registry_bodies")
    rebuild(part_b)
    assert _count(part_b, "SELECT count(*) FROM registry_bodies") == 0 and _agencies(part_b) == []
