"""`CrawlOptions` is the one translation of a crawl's options into Scrapy settings: `nianbao crawl`,
`scrapy crawl portals -a …` and a child started by `crawler.run` all arrive at the same settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from scrapy.crawler import Crawler
from scrapy.settings import Settings

from crawler.options import LOOPBACK_SETTINGS, CrawlOptions
from crawler.run import command
from crawler.spiders.portals import PortalsSpider

FULL = CrawlOptions(db="/tmp/a.db", entries=("http://www.x.gov.cn/", "http://www.y.gov.cn/nb/"), max_pages=40,
                    shard="1/2", allow_private_hosts=True, host_map={"WWW.X.gov.cn": "127.0.0.1:8080"},
                    raw="/tmp/raw", settings={"DOWNLOAD_DELAY": 0.5, "NIANBAO_DB": "/tmp/other.db"})
NAMES = ("NIANBAO_DB", "NIANBAO_RAW", "NIANBAO_ENTRIES", "NIANBAO_REGISTRY", "CLOSESPIDER_PAGECOUNT", "NIANBAO_SHARD",
         "NIANBAO_ALLOW_PRIVATE_HOSTS", "NIANBAO_HOST_MAP", "DOWNLOAD_DELAY")


def project_settings() -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    return settings


def applied(options: CrawlOptions) -> dict[str, Any]:
    settings = project_settings()
    options.apply(settings)
    return {name: settings.get(name) for name in NAMES}


def test_every_option_becomes_its_setting_and_wins_over_a_setting_given_by_hand() -> None:
    assert applied(FULL) == {
        "NIANBAO_DB": "/tmp/a.db", "NIANBAO_RAW": "/tmp/raw", "NIANBAO_ENTRIES": list(FULL.entries),
        "NIANBAO_REGISTRY": None, "CLOSESPIDER_PAGECOUNT": 40, "NIANBAO_SHARD": "1/2",
        "NIANBAO_ALLOW_PRIVATE_HOSTS": True, "NIANBAO_HOST_MAP": {"www.x.gov.cn": "127.0.0.1:8080"},
        "DOWNLOAD_DELAY": 0.5}


def test_an_option_not_given_leaves_the_projects_setting() -> None:
    defaults = project_settings()
    got = applied(CrawlOptions(db="/tmp/a.db"))
    assert got["NIANBAO_DB"] == "/tmp/a.db"
    assert got == {**{k: defaults.get(k) for k in NAMES}, "NIANBAO_DB": "/tmp/a.db"}


def test_a_frontier_worker_gets_the_shared_scheduler_and_keeps_the_other_extensions() -> None:
    settings = project_settings()
    CrawlOptions(db="w.db", frontier="redis://127.0.0.1:6379/0", worker_id="w1").apply(settings)
    assert settings.get("SCHEDULER") == "crawler.frontier_scheduler.FrontierScheduler"
    assert settings.get("REDIS_URL") == settings.get("NIANBAO_FRONTIER") == "redis://127.0.0.1:6379/0"
    assert settings.get("NIANBAO_FRONTIER_WORKER") == "w1" and settings.getbool("SCHEDULER_PERSIST")
    extensions = settings.getdict("EXTENSIONS")
    assert extensions["crawler.frontier_scheduler.FrontierLink"] == 0 and "crawler.progress.Progress" in extensions


@pytest.mark.parametrize(("options", "message"), [
    (CrawlOptions(db="a.db", shard="3/2"), "give K/N"),
    (CrawlOptions(db="a.db", shard="1/2", frontier="redis://127.0.0.1:6379/0"), "exclude each other"),
    (CrawlOptions(db="a.db", frontier="http://127.0.0.1:6379/"), "give a Redis URL"),
])
def test_usage_errors_are_one_line_before_anything_starts(options: CrawlOptions, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        options.check()


def test_the_child_gets_the_same_options_as_json_with_loopback_politeness_and_json_progress() -> None:
    argv = command(FULL)
    assert argv[1:3] == ["-m", "crawler.main"] and len(argv) == 4
    child = CrawlOptions.from_json(argv[3])
    assert child.settings == {**LOOPBACK_SETTINGS, **FULL.settings, "NIANBAO_PROGRESS_JSON": True}
    assert applied(child) == applied(FULL)
    real_host = CrawlOptions(db="a.db", entries=("http://www.x.gov.cn/",))
    assert CrawlOptions.from_json(command(real_host)[3]).settings == {"NIANBAO_PROGRESS_JSON": True}, \
        "politeness is relaxed only for a crawl sent to loopback fixture portals"


def test_scrapy_crawl_arguments_and_nianbao_crawl_give_the_spider_the_same_settings(tmp_path: Path) -> None:
    registry = tmp_path / "portals.yml"
    registry.write_text("portals:\n  - {name: 某市, entry: 'http://www.z.gov.cn/', region_code: '320800', "
                        "level: city}\n", encoding="utf-8")
    arguments = {"entry": "http://www.x.gov.cn/,http://www.y.gov.cn/nb/", "db": "/tmp/a.db", "max_pages": "40",
                 "host_map": "WWW.X.gov.cn=127.0.0.1:8080", "allow_private_hosts": "1", "registry": str(registry)}
    options = CrawlOptions(db="/tmp/a.db", entries=("http://www.x.gov.cn/", "http://www.y.gov.cn/nb/"), max_pages=40,
                           host_map={"www.x.gov.cn": "127.0.0.1:8080"}, allow_private_hosts=True,
                           registry=str(registry))
    assert CrawlOptions.from_spider_arguments(arguments) == options

    def spider(**kwargs: Any) -> tuple[list[str], dict[str, Any]]:
        settings = project_settings()
        settings.set("NIANBAO_BROWSER", False)
        if not kwargs:
            options.apply(settings)
        made = PortalsSpider.from_crawler(Crawler(PortalsSpider, settings), **kwargs)  # as Crawler.crawl makes it
        s = made.crawler.settings
        return [p.entry for p in made.portals], {n: s.get(n) for n in (*NAMES, "NIANBAO_SCOPE_HOSTS")}

    from_arguments, from_options = spider(**arguments), spider()
    assert from_arguments == from_options
    assert from_options[0] == ["http://www.x.gov.cn/", "http://www.y.gov.cn/nb/", "http://www.z.gov.cn/"]
    assert from_options[1]["NIANBAO_SCOPE_HOSTS"] == ["www.x.gov.cn", "www.y.gov.cn", "www.z.gov.cn"]


def test_nianbao_crawl_hands_its_command_line_over_as_one_crawl_options(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import crawler.main
    from nianbao.cli import main

    given: list[CrawlOptions] = []
    monkeypatch.setattr(crawler.main, "run_crawl", lambda options: given.append(options) or 0)
    db = tmp_path / "new" / "a.db"
    result = CliRunner().invoke(main, [
        "crawl", "http://www.x.gov.cn/", "--db", str(db), "--max-pages", "7", "--shard", "2/3",
        "--allow-private-hosts", "--host-map", json.dumps({"www.x.gov.cn": "127.0.0.1:9"}),
        "--set", "DOWNLOAD_DELAY=0", "--set", "LOG_LEVEL=ERROR", "--set", "DOWNLOAD_DELAY=2"])
    assert result.exit_code == 0, result.output
    assert given == [CrawlOptions(db=str(db), entries=("http://www.x.gov.cn/",), max_pages=7, shard="2/3",
                                  allow_private_hosts=True, host_map={"www.x.gov.cn": "127.0.0.1:9"},
                                  settings={"DOWNLOAD_DELAY": 2, "LOG_LEVEL": "ERROR"})]
    assert db.parent.is_dir(), "the archive's folder is made, as before"


@pytest.mark.parametrize("args", [["--host-map", "{not json"], ["--host-map", "[1]"], ["--set", "NOVALUE"]])
def test_a_malformed_option_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    from nianbao.cli import main

    result = CliRunner().invoke(main, ["crawl", "http://www.x.gov.cn/", "--db", str(tmp_path / "a.db"), *args])
    assert result.exit_code == 2 and "Traceback" not in result.output
