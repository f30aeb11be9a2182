"""The agency register's rules: normalised names, one id per body, places from the name, ambiguity by context."""

from __future__ import annotations

import pytest

from archive.agencies import identify, normalise_name
from archive.divisions import full_name, resolve, table


@pytest.mark.parametrize(("printed", "name"), [
    ("洛川县永乡镇人民政府2022", "洛川县永乡镇人民政府"),
    ("2023年度 淮安市人民政府", "淮安市人民政府"),
    ("淮安市洪泽區人民政府（圖片版）", "淮安市洪泽区人民政府"),
    ("关于淮安市人民政府的", "淮安市人民政府"),
    ("上海市人民政府办公厅 ", "上海市人民政府办公厅"),
    ("大竹县商务局2020年度", "大竹县商务局"),
    ("梧州市教育局2024年政府信息公开工作年度报告", "梧州市教育局"),
])
def test_printed_forms_normalise_to_one_name(printed: str, name: str) -> None:
    assert normalise_name(printed) == name


def test_every_form_of_one_body_has_one_id_and_a_rename_joins_them() -> None:
    forms = ["洪泽区人民政府", "淮安市洪泽区人民政府", "江苏省淮安市洪泽区人民政府", "淮安市洪泽區人民政府（圖片版）"]
    assert len({identify(f).id for f in forms}) == 1  # type: ignore[union-attr]
    old, new = identify("淮安市环境保护局"), identify("淮安市生态环境局")  # 2019 机构改革, agency-aliases.tsv
    assert old and new and old.id == new.id and old.name == "淮安市生态环境局"
    assert identify("淮安市人民政府").id != identify("淮安市洪泽区人民政府").id  # type: ignore[union-attr]


@pytest.mark.parametrize(("name", "code", "level", "kind", "parent"), [
    ("淮安市洪泽区人民政府", "320813", "县级", "人民政府", "淮安市人民政府"),
    ("洛川县永乡镇人民政府", "610629", "乡镇(街道)", "人民政府", "延安市洛川县人民政府"),
    ("东风区佳东街道办事处", "230805", "乡镇(街道)", "派出机构", "佳木斯市东风区人民政府"),
    ("上海市人民政府办公厅", "310000", "省级", "办公厅(室)", "上海市人民政府"),
    ("梧州市教育局", "450400", "地市级", "部门", "梧州市人民政府"),
    ("恩施州人民政府", "422800", "地市级", "人民政府", "湖北省人民政府"),
    ("北京市朝阳区教育委员会", "110105", "县级", "部门", "北京市朝阳区人民政府"),
])
def test_place_level_kind_and_parent_from_the_name(name: str, code: str, level: str, kind: str, parent: str) -> None:
    agency = identify(name)
    assert agency is not None
    assert (agency.code, agency.level, agency.kind, agency.parent, agency.evidence) == (code, level, kind, parent,
                                                                                       "name")


def test_an_ambiguous_name_is_settled_by_context_or_left_empty_with_its_reason() -> None:
    assert resolve("朝阳区人民政府").place is None
    assert "110105" in (resolve("朝阳区人民政府").reason or "") and "220104" in (resolve("朝阳区人民政府").reason or "")
    by_title = resolve("朝阳区人民政府", title="长春市朝阳区人民政府2023年政府信息公开工作年度报告")
    by_text = resolve("朝阳区人民政府", text="2023年，在北京市委、市政府的领导下，朝阳区……")
    by_portal = resolve("朝阳区人民政府", region_code="220100")
    assert (by_title.place and by_title.place.code, by_title.evidence) == ("220104", "title")
    assert (by_text.place and by_text.place.code, by_text.evidence) == ("110105", "report text")
    assert (by_portal.place and by_portal.place.code, by_portal.evidence) == ("220104", "portal region code")
    wrapped = identify("朝阳区人民政府", title="关于印发北京市朝阳区人民政府2023年政府信息公开工作年度报告的通知")
    assert wrapped is not None and (wrapped.code, wrapped.evidence) == ("110105", "title")


def test_the_portal_is_evidence_never_the_answer() -> None:
    """A bare 教育局 on a county portal is not placed by the portal; its title can place it."""
    assert resolve("教育局", region_code="610629").place is None
    titled = resolve("教育局", title="洛川县教育局2023年政府信息公开工作年度报告")
    assert titled.place is not None and titled.place.code == "610629" and titled.evidence == "title"
    levelled = resolve("县教育局", text="……洛川县教育局认真贯彻落实《条例》……")
    assert levelled.place is not None and levelled.place.code == "610629" and levelled.evidence == "report text"
    assert resolve("洛川县人民政府", region_code="110105").place.code == "610629"  # type: ignore[union-attr]


@pytest.mark.parametrize(("name", "reason"), [
    ("江淮省人民政府", "江淮省 is not a current division"),
    ("三明市梅列区人民政府", "梅列区 is not a current division under 三明市"),  # merged into 三元区 in 2021
    ("市场监督管理局", "no division named"),
])
def test_a_name_no_division_matches_is_left_empty_with_its_reason(name: str, reason: str) -> None:
    found = resolve(name)
    assert found.place is None and reason in (found.reason or "")


def test_two_same_named_bodies_in_different_places_never_share_an_id() -> None:
    beijing = identify("朝阳区人民政府", region_code="110105", host="www.bjchy.gov.cn")
    changchun = identify("朝阳区人民政府", region_code="220104", host="www.chaoyang.gov.cn")
    nowhere = [identify("教育局", host=h) for h in ("www.a.gov.cn", "www.b.gov.cn")]
    assert beijing and changchun and beijing.id != changchun.id
    assert nowhere[0] and nowhere[1] and nowhere[0].id != nowhere[1].id


def test_the_division_table_is_current() -> None:
    names = table()
    assert names["320813"] == "洪泽区" and names["350404"] == "三元区" and "350402" not in names  # 梅列区 gone
    assert full_name("320813") == "江苏省淮安市洪泽区" and len(names) > 3000



def test_vertically_managed_and_national_bodies() -> None:
    tax = identify("国家税务总局淮安市税务局")
    assert tax is not None and (tax.code, tax.level, tax.parent) == ("320800", "地市级", None)
    national = identify("国家发展和改革委员会")
    assert national is not None and national.code is None and "national body" in (national.reason or "")


@pytest.mark.parametrize(("name", "region_code", "parent"), [
    ("淮安市黄码乡人民政府", "320813", "淮安市洪泽区人民政府"),  # a county portal inside the placed city: its county
    ("江苏省黄码乡人民政府", "320813", "淮安市洪泽区人民政府"),  # … inside the placed province
    ("北京市某某街道办事处", "110105", "北京市朝阳区人民政府"),  # a municipality's district
    ("淮安市黄码乡人民政府", "320106", None),  # a portal in another city names no parent
    ("淮安市黄码乡人民政府", "320800", None),  # the city's own portal does not name the county
    ("淮安市黄码乡人民政府", None, None),  # the name stops above the county: no parent is guessed
    ("东莞市虎门镇人民政府", "320813", "东莞市人民政府"),  # a city with no counties: towns answer to it
    ("洛川县永乡镇人民政府", "320813", "延安市洛川县人民政府"),  # the name shows the county: the portal is not asked
])
def test_a_townships_county_government_from_a_consistent_portal(name: str, region_code: str | None,
                                                                  parent: str | None) -> None:
    agency = identify(name, region_code=region_code)
    assert agency is not None and agency.level == "乡镇(街道)"
    assert agency.parent == parent
    assert agency.code == identify(name).code, "the portal is evidence for the parent, never for the place"  # type: ignore[union-attr]
