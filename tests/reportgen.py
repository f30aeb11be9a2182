"""Realistic synthetic annual reports (政府信息公开工作年度报告) and the answers a parser must give.

Why: five seed texts cannot cover the layouts and accidents real reports come in. `generate` makes
a report's *content* (agency, year, sections, every table cell with its printed form) and the
contract answer for it; the `render_*` functions print that content the way real sources do
(trafilatura pipes, one cell per line, Word "save as text", space-separated rows, portal HTML).
The property tests render, parse and compare; bench scripts can use `sample` for volume.

Only the standard library, opencc and the project's `extract.codes` and `extract.printed` are used
(no pytest import), so this module is importable from tests/ and from bench/ alike.

Conventions the expectations follow:
* cell keys are `(item or group or "", row or "", column)`, like `extract.model.Cell.key`;
* `raw` is exactly what is printed (full-width digits, "10,087", "790000元", "/", traditional
  "無"); a truly blank cell has raw "" (a parser may give "" or None for it);
* blanks only ever stand where the number would have been 0, so a consistent report stays
  consistent whether a parser counts a blank as 0 or as missing.
"""

from __future__ import annotations

import dataclasses
import html as html_lib
import itertools
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Literal

import opencc

from extract import codes, printed

Number = int | float
CellKey = tuple[str, str, str]
CellExpect = tuple[Number | None, str | None]
Template = Literal["2019", "2021"]
Layout = Literal["pipes", "cell_per_line", "tabs", "spaces", "html"]
TitleStyle = Literal["agency_year", "year_agency", "agency_niandu", "no_agency", "none"]
MoneyStyle = Literal["plain", "wan", "yuan"]

LAYOUTS: tuple[Layout, ...] = ("pipes", "cell_per_line", "tabs", "spaces", "html")
TITLE_STYLES: tuple[TitleStyle, ...] = ("agency_year", "year_agency", "agency_niandu", "no_agency", "none")
MONEY_STYLES: tuple[MoneyStyle, ...] = ("plain", "wan", "yuan")
NUMBERINGS = ("1.", "1、", "1．")
# What a blank cell is printed as; "" is a truly empty cell (kept only where cell boundaries survive).
BLANK_TOKENS = ("", "/", "—", "-", "无")
VISIBLE_BLANKS = ("/", "—")
RULES = ("requests.balance", "requests.outcomes_sum", "requests.columns_sum", "review_litigation.group_sum")
RULE_TABLE = {
    "requests.balance": "requests",
    "requests.outcomes_sum": "requests",
    "requests.columns_sum": "requests",
    "review_litigation.group_sum": "review_litigation",
}

_NUMERALS = "一二三四五六七八九十"


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


def s2t(text: str) -> str:
    """Simplified → traditional, as the traditional-script knob prints a whole report."""
    return str(_converter("s2t").convert(text))


def t2s(text: str) -> str:
    """Traditional → simplified (what the contract reports labels, titles and headings in)."""
    return str(_converter("t2s").convert(text))


# --- knobs -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Knobs:
    """Every accident of presentation a report may have.

    The defaults give the plainest report, so hypothesis shrinks a failure towards it;
    `random_knobs` draws them with roughly the frequencies seen in real reports.
    """

    traditional: bool = False  # the whole text through OpenCC s2t (seed 003)
    title: TitleStyle = "agency_year"
    title_split: bool = False  # title broken over two lines (seed 002)
    agency_in_overview: bool = False  # the overview's first sentence starts with the agency (seed 004)
    published: bool = False  # the page/text states 发布日期 (or 发布时间 / 公开日期)
    preamble: bool = False  # a paragraph before 一、 naming the parts and the 国办 letter
    alt_headings: bool = False  # 政府信息公开总体情况, 政府信息公开被申请行政复议… variants
    extra_section: bool = False  # a 七、 part after 六、
    other_unsplit: bool = False  # 2021 format with （六）其他处理 printed as one row
    fullwidth_digits: bool = False  # ０ １２ ＋５ in cells and row numbering
    thousands: bool = False  # 10,087
    money: MoneyStyle = "plain"  # 79 / 79万元 / 790000元
    halfwidth_punct: bool = False  # （）：，； → ():,; as crawled text often has it (seeds 000, 001, 004)
    numbering: str = "1."  # how sub-rows are numbered: 1. / 1、 / 1．
    typos: bool = False  # a row label with a missing character or a known misprint
    split_headers: bool = False  # 商业\n企业, vertical 自\n然\n人 and 三\n、\n本\n年…
    indent_headings: bool = False  # 　　六、其他需要报告的事项
    gbk: bool = False  # HTML (and Word text) encoded GBK, declared gb2312 or not at all
    page_noise: bool = False  # 上一篇/下一篇 links with other report titles, [bookmark: _GoBack]


def random_knobs(rng: random.Random) -> Knobs:
    """Knobs drawn with realistic frequencies (most reports are plain, a few are odd)."""
    title = rng.choices(TITLE_STYLES, weights=(45, 20, 10, 5, 20))[0]
    return Knobs(
        traditional=rng.random() < 0.12,
        title=title,
        title_split=rng.random() < 0.15,
        agency_in_overview=rng.random() < (0.6 if title in ("none", "no_agency") else 0.2),
        published=rng.random() < 0.5,
        preamble=rng.random() < 0.35,
        alt_headings=rng.random() < 0.5,
        extra_section=rng.random() < 0.15,
        other_unsplit=rng.random() < 0.15,
        fullwidth_digits=rng.random() < 0.1,
        thousands=rng.random() < 0.3,
        money=rng.choices(MONEY_STYLES, weights=(50, 30, 20))[0],
        halfwidth_punct=rng.random() < 0.5,
        numbering=rng.choices(NUMBERINGS, weights=(70, 20, 10))[0],
        typos=rng.random() < 0.3,
        split_headers=rng.random() < 0.35,
        indent_headings=rng.random() < 0.4,
        gbk=rng.random() < 0.3,
        page_noise=rng.random() < 0.4,
    )


# --- the report and its expectations ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SectionSpec:
    """One top-level part: what the parser must report (number, kind, heading) and its body."""

    number: int
    kind: str
    heading: str  # simplified, without numbering: what `sections[i].heading` must be
    paragraphs: tuple[str, ...]  # simplified body text, printed before the part's table


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    """What a rule must say, under both readings of a blank cell (as 0, or as missing).

    None means the rule cannot be evaluated under that reading.
    """

    if_zero: bool | None
    if_missing: bool | None

    def allows(self, ok: bool) -> bool:
        return ok in {v for v in (self.if_zero, self.if_missing) if v is not None}


@dataclass(slots=True)
class GeneratedReport:
    """A report's content plus the contract answer for it (whatever layout prints it)."""

    template: Template
    agency: str | None  # expected agency: None when the text never names the reporting body
    author: str  # the body that wrote it (printed only where `agency` is not None)
    place: str  # the 县/区/市 it belongs to (for site names and extra headings)
    year: int  # the covered year
    published: date | None  # printed only when set
    title: str | None  # expected title (simplified); None when the report prints none
    sections: list[SectionSpec]
    cells: dict[str, dict[CellKey, CellExpect]]  # table → key → (value, raw as printed)
    knobs: Knobs
    consistent: bool
    preamble: tuple[str, ...] = ()
    index_no: str = ""  # 索引号 on portal pages

    @property
    def script(self) -> Literal["simplified", "traditional"]:
        return "traditional" if self.knobs.traditional else "simplified"

    @property
    def other_split(self) -> bool:
        """Whether （六）其他处理 is printed as three rows (2021 format) or one."""
        return self.template == "2021" and not self.knobs.other_unsplit

    def request_rows(self) -> tuple[tuple[str, str, str | None], ...]:
        """The requests rows in printed order: (code, label without numbering, group)."""
        if self.template == "2021" and not self.other_split:
            return (*codes.REQUEST_ROWS_COMMON_HEAD, codes.REQUEST_ROW_OTHER_2019, *codes.REQUEST_ROWS_TAIL)
        return codes.REQUEST_ROWS[self.template]

    def expected_sections(self) -> list[tuple[int, str, str]]:
        return [(s.number, s.kind, s.heading) for s in self.sections]

    def expected_metadata(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "published": self.published.isoformat() if self.published else None,
            "template": self.template,
            "script": self.script,
        }

    def blank_keys(self, table: str) -> set[CellKey]:
        return {k for k, (v, _raw) in self.cells[table].items() if v is None}

    def rule_outcomes(self) -> dict[str, RuleOutcome]:
        """What each check rule must conclude from these numbers."""
        return {rule: RuleOutcome(_eval_rule(self, rule, zero=True), _eval_rule(self, rule, zero=False))
                for rule in RULES}

    def to_gold(self) -> dict[str, Any]:
        """The answer in the shape of ../shared/gold (contract keys, cells with value and raw)."""
        tables: dict[str, list[dict[str, Any]]] = {}
        for name, cells in self.cells.items():
            out: list[dict[str, Any]] = []
            for (head, row, column), (value, raw) in cells.items():
                cell: dict[str, Any] = {}
                if name == "active_disclosure":
                    cell["item"] = head
                elif name == "review_litigation":
                    cell["group"] = head
                if row:
                    cell["row"] = row
                cell.update(column=column, value=value, raw=raw)
                out.append(cell)
            tables[name] = out
        return {
            **self.expected_metadata(),
            "sections": [{"number": n, "kind": k, "heading": h} for n, k, h in self.expected_sections()],
            "tables": tables,
        }


def _eval_rule(report: GeneratedReport, rule: str, *, zero: bool) -> bool | None:
    """One rule over the expected cells; blanks read as 0 (`zero`) or as missing."""
    req = {(r, c): v for (_h, r, c), (v, _raw) in report.cells["requests"].items()}
    rev = {(g, c): v for (g, _r, c), (v, _raw) in report.cells["review_litigation"].items()}

    def get(table: dict[tuple[str, str], Number | None], key: tuple[str, str]) -> Number | None:
        v = table.get(key)
        return 0 if v is None and zero and key in table else v

    conditions: list[tuple[list[Number | None], list[Number | None]]] = []  # left = right, summed
    columns = [c for c, _ in codes.REQUEST_COLUMNS]
    applicants = columns[:-1]
    if rule == "requests.balance":
        for c in columns:
            conditions.append(([get(req, ("new", c)), get(req, ("carried_over", c))],
                               [get(req, ("total", c)), get(req, ("carried_forward", c))]))
    elif rule == "requests.outcomes_sum":
        outcome_rows = [code for code, _l, g in report.request_rows() if g is not None and code != "total"]
        for c in columns:
            conditions.append(([get(req, ("total", c))], [get(req, (r, c)) for r in outcome_rows]))
    elif rule == "requests.columns_sum":
        for code, _l, _g in report.request_rows():
            conditions.append(([get(req, (code, "total"))], [get(req, (code, c)) for c in applicants]))
    elif rule == "review_litigation.group_sum":
        for g, _label in codes.REVIEW_GROUPS:
            conditions.append(([get(rev, (g, "total"))],
                               [get(rev, (g, c)) for c in ("upheld", "corrected", "other", "pending")]))
    else:
        raise ValueError(rule)
    results: list[bool] = []
    for left, right in conditions:
        if any(v is None for v in (*left, *right)):
            continue
        results.append(abs(sum(v for v in left if v is not None) - sum(v for v in right if v is not None))
                       < 1e-6)
    return all(results) if results else None


def template_keys(template: Template, *, other_split: bool | None = None) -> dict[str, set[CellKey]]:
    """Every cell key a report of this format can have (both （六） variants unless told)."""
    out: dict[str, set[CellKey]] = {name: set() for name in codes.TABLE_NAMES}
    for r in codes.ACTIVE_ROWS[template]:
        out["active_disclosure"] |= {(r.item, r.row, c) for c in r.columns}
    rows = {code for code, _l, _g in codes.REQUEST_ROWS[template]}
    if template == "2021" and other_split is not True:
        rows.add("other")
    if template == "2021" and other_split is False:
        rows -= {code for code, _l, _g in codes.REQUEST_ROWS_OTHER_2021}
    out["requests"] = {("", r, c) for r in rows for c, _l in codes.REQUEST_COLUMNS}
    out["review_litigation"] = {(g, "", c) for g, _l in codes.REVIEW_GROUPS for c, _l2 in codes.REVIEW_COLUMNS}
    return out


def exclusive_keys(template: Template) -> dict[str, set[CellKey]]:
    """Cells only the *other* format has: a report of `template` must never carry them."""
    other: Template = "2021" if template == "2019" else "2019"
    mine, theirs = template_keys(template), template_keys(other)
    return {name: theirs[name] - mine[name] for name in codes.TABLE_NAMES}


# --- vocabulary --------------------------------------------------------------------------------

_PROVINCES = ("上海市", "四川省", "浙江省", "湖南省", "广东省", "云南省", "江西省", "黑龙江省", "陕西省")
_CITIES = ("达州市", "临沧市", "安康市", "杭州市", "赣州市", "佳木斯市", "长沙市", "惠州市", "温州市", "滁州市")
_COUNTIES = ("大竹县", "临翔区", "东风区", "桐庐县", "宁乡市", "惠城区", "武侯区", "永嘉县", "章贡区", "定远县",
             "双流区", "瑞金市", "渠县", "沧源佤族自治县", "汉滨区", "长宁区", "南明区", "黄岩区")
_DEPARTMENTS = ("商务局", "政务服务管理局", "财政局", "教育局", "卫生健康局", "自然资源局", "生态环境局",
                "住房和城乡建设局", "交通运输局", "农业农村局", "水利局", "文化和旅游局", "市场监督管理局",
                "民政局", "人力资源和社会保障局", "司法局", "统计局", "医疗保障局", "退役军人事务局",
                "应急管理局", "审计局", "林业局", "发展和改革局", "科学技术局", "国有资产监督管理委员会",
                "城市管理综合行政执法局", "行政审批局")
_TOWNS = ("佳东街道办事处", "城关镇人民政府", "新华街道办事处", "长安镇人民政府", "西城街道办事处",
          "石桥镇人民政府", "东湖街道办事处", "清河乡人民政府")


def _agency(rng: random.Random) -> tuple[str, str]:
    """(agency, place) from realistic pieces: 大竹县商务局, 东风区佳东街道办事处, 上海市人民政府办公厅…"""
    kind = rng.choices(("county_dept", "city_dept", "town", "county_gov", "office", "general_office"),
                       weights=(50, 15, 15, 6, 7, 7))[0]
    if kind == "general_office":
        place = rng.choice(_PROVINCES + _CITIES[:4])
        return f"{place}人民政府办公厅", place
    place = rng.choice(_CITIES) if kind == "city_dept" else rng.choice(_COUNTIES)
    if kind in ("county_dept", "city_dept"):
        return place + rng.choice(_DEPARTMENTS), place
    if kind == "town":
        return place + rng.choice(_TOWNS), place
    if kind == "county_gov":
        return f"{place}人民政府", place
    return f"{place}人民政府办公室", place


def vocabulary() -> list[str]:
    """Every name piece that can reach an expected title/agency/heading (for round-trip tests)."""
    pieces = [*_PROVINCES, *_CITIES, *_COUNTIES, *_DEPARTMENTS, *_TOWNS, "人民政府办公厅", "人民政府办公室"]
    pieces += [h for variants in _HEADINGS.values() for h in variants]
    pieces += [h.format(place=p, year=2020) for h in _EXTRA_HEADINGS for p in (*_COUNTIES, *_CITIES)]
    pieces += ["政府信息公开工作年度报告", "年度政府信息公开工作年度报告"]
    return pieces


def _leaders(place: str) -> str:
    suffix = place[-1] if place else "区"
    return {"县": "县委、县政府", "市": "市委、市政府", "省": "省委、省政府"}.get(suffix, "区委、区政府")


def _pronoun(agency: str) -> str:
    if agency.endswith("局"):
        return "我局"
    if agency.endswith(("办事处", "办公室", "办公厅")):
        return "我办"
    if agency.endswith("委员会"):
        return "我委"
    return ("我单位", "本机关")[sum(map(ord, agency)) % 2]  # stable: same agency, same word


_HEADINGS: dict[str, tuple[str, ...]] = {  # first = the official wording; others are real variants
    "overview": ("总体情况", "政府信息公开总体情况", "政府信息公开工作总体情况"),
    "active_disclosure": ("主动公开政府信息情况",),
    "requests": ("收到和处理政府信息公开申请情况",),
    "review_litigation": ("政府信息公开行政复议、行政诉讼情况", "政府信息公开被申请行政复议、行政诉讼情况"),
    "problems": ("存在的主要问题及改进情况", "政府信息公开工作存在的主要问题及改进情况"),
    "other": ("其他需要报告的事项",),
}
_EXTRA_HEADINGS = (
    "贯彻落实{place}{year}年政务公开重点工作安排情况",
    "{year}年政务公开工作要点落实情况",
    "人大代表建议和政协提案办理结果公开情况",
    "政务公开工作创新做法",
)

_OPENERS_AGENCY = (
    "{agency}始终坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实《中华人民共和国政府信息公开条例》，"
    "坚持以公开为常态、不公开为例外，持续提升政务公开质量和实效。",
    "{agency}认真贯彻落实《中华人民共和国政府信息公开条例》和上级关于政务公开工作的部署要求，"
    "扎实推进政府信息公开各项工作，进一步提高政府工作透明度。",
)
_OPENERS_YEAR = (
    "{year}年，在{leaders}的正确领导下，{subject}深入贯彻落实《中华人民共和国政府信息公开条例》，"
    "不断加强政府信息管理，重点做好主动公开、依申请公开、政府信息管理、平台建设和监督保障等方面的工作。",
    "{year}年，{subject}严格按照《中华人民共和国政府信息公开条例》要求，坚持以公开为常态、不公开为例外，"
    "进一步规范政府信息公开工作流程，推动政务公开工作取得新成效。",
    "{year}年，{subject}认真落实{leaders}关于政务公开工作的决策部署，围绕中心工作及时主动公开各类政府信息，"
    "有效保障了人民群众的知情权、参与权和监督权。",
)
_SUBSECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("主动公开情况", (
        "{year}年，通过政府门户网站主动公开政府信息{a}条，其中机构职能类信息{b}条、政策文件类信息{c}条、"
        "工作动态类信息{d}条。",
        "围绕重点领域信息公开，及时发布财政预决算、公共资源配置、重大建设项目等信息，主动回应社会关切。",
    )),
    ("依申请公开情况", ("{received}",)),
    ("政府信息管理情况", (
        "严格落实政府信息公开保密审查制度，坚持“先审查、后公开”和“一事一审”原则，确保公开信息安全准确。",
        "根据人员变动情况及时调整政务公开工作领导小组，明确专人负责信息发布和日常维护工作。",
    )),
    ("政府信息公开平台建设情况", (
        "充分发挥政府门户网站第一平台作用，持续优化信息公开专栏设置，加强政务新媒体日常管理，确保信息更新及时、"
        "内容准确。",
    )),
    ("监督保障情况", (
        "将政务公开工作纳入年度目标考核，加强日常督促检查，开展政务公开业务培训{f}次，进一步提升工作人员业务能力。",
    )),
)
_PROBLEMS = (
    "{year}年，{subject}政府信息公开工作取得了一定成效，但仍存在一些不足：一是主动公开的及时性有待提高；"
    "二是信息公开的深度和广度还需进一步拓展；三是工作人员业务水平有待提升。",
    "下一步，{subject}将重点做好以下工作：一是加强学习培训，提高工作人员业务素质；二是规范公开流程，"
    "确保信息公开及时、准确、规范；三是加强政策解读和回应关切，不断提升政务公开工作实效。",
)
_OTHER = (
    ("无。",),
    ("暂无其他需要报告的事项。",),
    ("依据《政府信息公开信息处理费管理办法》收取信息处理费的情况：本年度未收取信息处理费。",),
    ("本年度未收取信息处理费。",
     "本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"),
)
_EXTRA_TEXT = (
    "认真贯彻落实{leaders}关于政务公开工作的部署，全面推进决策、执行、管理、服务、结果公开，各项重点工作任务均按时完成。",
)


def _preamble(template: Template, year: int) -> tuple[str, ...]:
    ref = "〔2019〕60号" if template == "2019" else "〔2021〕30号"
    return (
        "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室"
        f"关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函{ref}）要求编制。"
        "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
        "存在的主要问题及改进情况、其他需要报告的事项。",
        f"本报告中使用数据统计期限为{year}年1月1日至{year}年12月31日。",
    )


def _sections(rng: random.Random, *, knobs: Knobs, agency: str, place: str, year: int,
              named: bool, received: int) -> list[SectionSpec]:
    """The six official parts (plus 七、 when asked) with a few realistic sentences each."""
    fill: dict[str, object] = {
        "year": year, "agency": agency, "leaders": _leaders(place), "place": place,
        "subject": agency if named and rng.random() < 0.3 else _pronoun(agency),
        "a": rng.randint(20, 900), "b": rng.randint(1, 20), "c": rng.randint(1, 40), "d": rng.randint(5, 300),
        "f": rng.randint(1, 6),
    }
    fill["received"] = (f"{year}年，共受理政府信息公开申请{received}件，均在法定期限内予以答复。" if received
                        else f"{year}年度未收到政府信息公开申请，无因依申请公开引发的争议。")
    overview: list[str] = []
    if knobs.agency_in_overview:
        overview.append(rng.choice(_OPENERS_AGENCY))
    overview.append(rng.choice(_OPENERS_YEAR))
    for n, (sub, sentences) in enumerate(_SUBSECTIONS[: rng.randint(2, 5)]):
        overview.append(f"（{_NUMERALS[n]}）{sub}")
        overview.extend(rng.sample(sentences, rng.randint(1, len(sentences))))
    parts: list[tuple[str, tuple[str, ...]]] = [
        ("overview", tuple(overview)),
        ("active_disclosure", ()),
        ("requests", ()),
        ("review_litigation", ()),
        ("problems", _PROBLEMS),
        ("other", rng.choice(_OTHER)),
    ]
    out: list[SectionSpec] = []
    for number, (kind, paragraphs) in enumerate(parts, start=1):
        variants = _HEADINGS[kind]
        heading = rng.choice(variants) if knobs.alt_headings else variants[0]
        out.append(SectionSpec(number, kind, heading, tuple(p.format(**fill) for p in paragraphs)))
    if knobs.extra_section:
        heading = rng.choice(_EXTRA_HEADINGS).format(**fill)
        out.append(SectionSpec(7, codes.EXTRA_SECTION_KIND, heading, tuple(p.format(**fill) for p in _EXTRA_TEXT)))
    return out


# --- numbers ------------------------------------------------------------------------------------

_FULLWIDTH = str.maketrans("0123456789+-.", "０１２３４５６７８９＋－．")


def _count(rng: random.Random, *, zero: float = 0.6, big: float = 0.03) -> int:
    """Mostly 0, often a handful, now and then a large figure like 10087."""
    r = rng.random()
    if r < zero:
        return 0
    if r > 1 - big:
        return rng.randint(1000, 20000)
    return 1 + int(rng.expovariate(1 / 6))


def _digits(text: str, knobs: Knobs) -> str:
    return text.translate(_FULLWIDTH) if knobs.fullwidth_digits else text


def _int_raw(value: int, knobs: Knobs) -> str:
    if knobs.thousands and not knobs.fullwidth_digits and abs(value) >= 1000:
        return f"{value:,}"
    return _digits(str(value), knobs)


def _signed(rng: random.Random, knobs: Knobs) -> tuple[int, str]:
    """本年增/减: 0, +5, -3 (and sometimes a bare 5)."""
    r = rng.random()
    if r < 0.55:
        return 0, _digits("0", knobs)
    value = rng.randint(1, 15) if r < 0.85 else -rng.randint(1, 10)
    sign = "+" if value > 0 and rng.random() < 0.8 else ""
    return value, _digits(f"{sign}{value}", knobs)


def _grouped(number: str, knobs: Knobs) -> str:
    """Thousands separators on the integer part of a printed decimal."""
    whole, dot, frac = number.partition(".")
    if knobs.thousands and not knobs.fullwidth_digits and len(whole) > 3:
        whole = f"{int(whole):,}"
    return _digits(whole + dot + frac, knobs)


def _money(rng: random.Random, knobs: Knobs) -> tuple[Number, str]:
    """An amount in 万元 (2191.563, 79), printed bare, with 万元, or converted to 元 (790000元 → 79)."""
    if rng.random() < 0.4:
        unit = {"plain": "", "wan": "万元", "yuan": "元"}[knobs.money]
        return 0, _digits("0", knobs) + (unit if rng.random() < 0.5 else "")
    if knobs.money == "yuan":
        if rng.random() < 0.6:
            yuan = rng.choice((rng.randint(1, 900) * 1000, rng.randint(100, 50_000_000)))
            return _exact(yuan, 10_000), _grouped(str(yuan), knobs) + "元"
        cents = rng.randint(100, 5_000_000_000)
        return _exact(cents, 1_000_000), _grouped(f"{cents // 100}.{cents % 100:02d}", knobs) + "元"
    decimals = rng.choice((0, 0, 1, 2, 3, 4))
    scaled = rng.randint(1, 50_000 * 10**decimals)
    text = str(scaled) if decimals == 0 else f"{scaled // 10**decimals}.{scaled % 10**decimals:0{decimals}d}"
    unit = "万元" if knobs.money == "wan" else ""
    return _exact(scaled, 10**decimals), _grouped(text, knobs) + unit


def _exact(numerator: int, denominator: int) -> Number:
    return numerator // denominator if numerator % denominator == 0 else numerator / denominator


def _active_cells(rng: random.Random, template: Template, knobs: Knobs) -> dict[CellKey, CellExpect]:
    cells: dict[CellKey, CellExpect] = {}
    for r in codes.ACTIVE_ROWS[template]:
        for col in r.columns:
            key = (r.item, r.row, col)
            if col == "change":
                cells[key] = _signed(rng, knobs)
            elif col in codes.MONEY_COLUMNS:
                cells[key] = _money(rng, knobs)
            else:
                zero = 0.9 if r.row == "regulations" else 0.5
                value = _count(rng, zero=zero, big=0.08 if col in ("decisions", "previous_items") else 0.02)
                cells[key] = (value, _int_raw(value, knobs))
    return cells


def _request_numbers(rng: random.Random, rows: Sequence[str], consistent: bool) -> dict[tuple[str, str], int]:
    """Counts per (row, column); when consistent, balance/outcomes/columns rules all hold."""
    applicants = [c for c, _ in codes.REQUEST_COLUMNS if c != "total"]
    outcome_rows = [r for r in rows if r in codes.OUTCOME_ROWS]
    weights = {"granted": 0.5, "partly_granted": 0.15, "unable_not_held": 0.3, "other": 0.15,
               "other_other": 0.15, "refused_repeat": 0.1, "refused_petition": 0.1}
    quiet = rng.random() < 0.35  # many bodies receive no request at all
    n: dict[tuple[str, str], int] = {}
    for col in applicants:
        active = not quiet and rng.random() < {"natural_person": 0.8, "commercial": 0.3}.get(col, 0.1)
        if not consistent:
            for r in rows:
                n[(r, col)] = _count(rng, zero=0.5, big=0.01)
            continue
        for r in outcome_rows:
            p = weights.get(r, 0.04) if active else 0.0
            n[(r, col)] = 1 + int(rng.expovariate(1 / 4)) if rng.random() < p else 0
        total = sum(n[(r, col)] for r in outcome_rows)
        if active and rng.random() < 0.02:
            n[(outcome_rows[0], col)] += rng.randint(1000, 12000)  # the odd large figure
            total = sum(n[(r, col)] for r in outcome_rows)
        forward = rng.randint(0, 3) if active and rng.random() < 0.2 else 0
        carried = rng.randint(0, total + forward) if active and rng.random() < 0.25 else 0
        n[("total", col)] = total
        n[("carried_forward", col)] = forward
        n[("carried_over", col)] = carried
        n[("new", col)] = total + forward - carried
    for r in rows:
        if consistent:
            n[(r, "total")] = sum(n[(r, c)] for c in applicants)
        else:
            n[(r, "total")] = _count(rng, zero=0.4, big=0.01)
    return n


def _review_numbers(rng: random.Random, consistent: bool) -> dict[tuple[str, str], int]:
    n: dict[tuple[str, str], int] = {}
    quiet = rng.random() < 0.65
    for group, _label in codes.REVIEW_GROUPS:
        parts = ("upheld", "corrected", "other", "pending")
        for c in parts:
            n[(group, c)] = 0 if quiet else _count(rng, zero=0.7, big=0.0)
        n[(group, "total")] = (sum(n[(group, c)] for c in parts) if consistent
                               else _count(rng, zero=0.5, big=0.0))
    return n


def _blank_out(rng: random.Random, cells: dict[CellKey, CellExpect], tokens: Sequence[str]) -> None:
    """Print some zero cells as blank, "/", "—", "-" or "无" (value None, raw as printed)."""
    mode = rng.choices(("none", "sparse", "heavy"), weights=(40, 40, 20))[0]
    if mode == "none":
        return
    p = 0.15 if mode == "sparse" else 0.7
    main = rng.choice(tokens)
    for key, (value, _raw) in cells.items():
        if value == 0 and rng.random() < p:
            cells[key] = (None, main if rng.random() < 0.85 else rng.choice(tokens))


def generate(rng: random.Random, *, template: Template | None = None, consistent: bool = True,
             blanks: bool = True, knobs: Knobs | None = None) -> GeneratedReport:
    """A new report: content, knobs and the contract answer.

    `consistent` makes the requests and review tables satisfy every check rule; `blanks` lets some
    zero cells be printed blank or as "/", "—", "-", "无". `knobs` (default: drawn from `rng`)
    fixes the presentation accidents; expectations already account for them.
    """
    template = template or rng.choice(codes.TEMPLATES)  # type: ignore[assignment]
    assert template in ("2019", "2021")
    knobs = knobs if knobs is not None else random_knobs(rng)
    year = rng.choice((2019, 2020)) if template == "2019" else rng.choice((2021, 2022, 2023, 2024))
    author, place = _agency(rng)

    title: str | None
    title_has_agency = knobs.title in ("agency_year", "year_agency", "agency_niandu")
    title = {
        "agency_year": f"{author}{year}年政府信息公开工作年度报告",
        "year_agency": f"{year}年{author}政府信息公开工作年度报告",
        "agency_niandu": f"{author}{year}年度政府信息公开工作年度报告",
        "no_agency": f"{year}年政府信息公开工作年度报告",
        "none": None,
    }[knobs.title]
    agency = author if title_has_agency or knobs.agency_in_overview else None
    published = None
    if knobs.published:
        published = date(year + 1, 1, 5) + timedelta(days=rng.randint(0, 85))

    cells: dict[str, dict[CellKey, CellExpect]] = {name: {} for name in codes.TABLE_NAMES}
    cells["active_disclosure"] = _active_cells(rng, template, knobs)
    report = GeneratedReport(template=template, agency=agency, author=author, place=place, year=year,
                             published=published, title=title, sections=[], cells=cells, knobs=knobs,
                             consistent=consistent)
    rows = [code for code, _l, _g in report.request_rows()]
    req = _request_numbers(rng, rows, consistent)
    for code in rows:
        for col, _label in codes.REQUEST_COLUMNS:
            v = req[(code, col)]
            cells["requests"][("", code, col)] = (v, _int_raw(v, knobs))
    rev = _review_numbers(rng, consistent)
    for group, _gl in codes.REVIEW_GROUPS:
        for col, _cl in codes.REVIEW_COLUMNS:
            v = rev[(group, col)]
            cells["review_litigation"][(group, "", col)] = (v, _int_raw(v, knobs))
    if blanks:
        for name in codes.TABLE_NAMES:
            _blank_out(rng, cells[name], BLANK_TOKENS)
    if knobs.traditional:
        for table in cells.values():
            for key, (value, raw) in table.items():
                table[key] = (value, s2t(raw) if raw else raw)

    report.sections = _sections(rng, knobs=knobs, agency=author, place=place, year=year,
                                named=agency is not None, received=req[("new", "total")])
    if knobs.preamble:
        report.preamble = _preamble(template, year)
    report.index_no = f"{rng.randint(10000000, 99999999)}/{year + 1}-{rng.randint(1, 999):05d}"
    return report


def with_visible_blanks(report: GeneratedReport, rng: random.Random) -> GeneratedReport:
    """The same report with truly empty cells printed as "/" or "—".

    Layouts that lose cell boundaries (spaces) print them so: a vanished cell cannot be aligned.
    """
    if not any(raw == "" for t in report.cells.values() for _v, raw in t.values()):
        return report
    token = rng.choice(VISIBLE_BLANKS)
    cells = {name: {k: (v, token if raw == "" else raw) for k, (v, raw) in t.items()}
             for name, t in report.cells.items()}
    return dataclasses.replace(report, cells=cells)


# --- the printed tables -------------------------------------------------------------------------


@dataclass(slots=True)
class GridCell:
    """A cell of the official table layout; "\\n" in text is a soft break inside the cell."""

    text: str
    rowspan: int = 1
    colspan: int = 1
    value: bool = False  # a number cell (printed raw), not a label


Grid = list[list[GridCell]]


# Real misprints and near-misses of row labels (code → label without numbering).
_KNOWN_TYPOS: dict[str, tuple[str, ...]] = {
    "denied_prohibited": ("其他法律行政止公开", "其它法律行政法规禁止公开"),
    "partly_granted": ("部分公开（区分处理的，只记这一情形，不计其他情形）",
                       "部分公开（区分处理的，只计这一情形，不计其它情形）"),
    "denied_security": ("危及\"三安全一稳定\"", "危及三安全一稳定", "危及‘三安全一稳定’"),
    "unable_not_held": ("本机关不掌握相关的政府信息",),
    "refused_confirmation": ("要求行政机关确认或重新出具已获取的信息",),
    "carried_forward": ("结转下一年度继续办理",),
    "carried_over": ("上年度结转政府信息公开申请数量",),
    "new": ("本年度新收政府信息公开申请数量",),
    "denied_process": ("属于四类过程信息",),
    "unable_needs_creation": ("没有现成信息，需要另行制作",),
}
_SPLITS = {"商业企业": ("商业", "企业"), "科研机构": ("科研", "机构"), "社会公益组织": ("社会公益", "组织"),
           "法律服务机构": ("法律服务", "机构"), "结果维持": ("结果", "维持"), "结果纠正": ("结果", "纠正"),
           "其他结果": ("其他", "结果"), "尚未审结": ("尚未", "审结"), "总计": ("总", "计")}


@dataclass(slots=True)
class _Style:
    """Presentation choices for one rendering (drawn from the report's knobs and the rng)."""

    knobs: Knobs
    labels: dict[str, str]  # requests row code → printed label (typos applied)
    split: bool  # split group labels (（三）不予\n公开) and 自然人 with soft breaks
    split_columns: bool  # split column headers too (商业\n企业); never in `spaces`
    vertical_outcomes: bool  # 三\n、\n本\n年… one character per line
    spaced_headers: bool  # 商 业 企 业 instead of soft breaks
    balance_note: str
    fee_label: str
    procurement_label: str


def _style(report: GeneratedReport, rng: random.Random, layout: Layout) -> _Style:
    knobs = report.knobs
    labels = {code: label for code, label, _g in report.request_rows()}
    if knobs.typos:
        for code in rng.sample(sorted(labels), rng.randint(1, 2)):
            if code in _KNOWN_TYPOS and rng.random() < 0.7:
                labels[code] = rng.choice(_KNOWN_TYPOS[code])
            elif len(labels[code]) >= 8:
                cut = rng.randint(2, len(labels[code]) - 3)
                labels[code] = labels[code][:cut] + labels[code][cut + 1:]
    split = knobs.split_headers
    return _Style(
        knobs=knobs,
        labels=labels,
        split=split,
        split_columns=split and layout != "spaces",
        vertical_outcomes=split and layout in ("cell_per_line", "html") and rng.random() < 0.6,
        spaced_headers=split and layout in ("pipes", "tabs") and rng.random() < 0.4,
        balance_note=rng.choice(("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
                                 "（本列数据的逻辑关系为：第一项加第二项之和，等于第三项加第四项之和）")),
        fee_label=rng.choice(("本年收费金额（单位：万元）", "本年收费金额（万元）")),
        procurement_label=rng.choice((printed.PROCUREMENT_AMOUNT_LABEL, "采购总金额")),
    )


def _numbered(prefix: str, knobs: Knobs) -> str:
    """Sub-row numbering in the report's style (1. / 1、 / 1．, digits maybe full-width)."""
    if prefix[:1].isdigit():
        prefix = prefix[:-1] + knobs.numbering[-1]
        return _digits(prefix, knobs)
    return prefix


def _header(label: str, st: _Style) -> str:
    if not st.split_columns or label not in _SPLITS:
        return label
    if st.spaced_headers:
        return " ".join(label) if len(label) <= 4 else " ".join(_SPLITS[label])
    return "\n".join(_SPLITS[label])


def _active_grid(report: GeneratedReport, st: _Style) -> Grid:
    grid: Grid = []
    for item, group in itertools.groupby(codes.ACTIVE_ROWS[report.template], key=lambda r: r.item):
        rows = list(group)
        grid.append([GridCell(codes.ITEM_LABELS[item], colspan=4)])
        columns = rows[0].columns
        pad = 3 - len(columns)  # 信息内容 + three number columns; shorter rows stretch the last cell
        labels = []
        for col in columns:
            if col == "amount":
                labels.append(st.procurement_label if item == "20.9" else st.fee_label)
            elif col == "decisions" and report.template == "2021":
                labels.append(printed.DECISIONS_2021_LABEL)
            else:
                labels.append(codes.ACTIVE_COLUMN_LABELS[col])
        header = [GridCell("信息内容")] + [GridCell(label) for label in labels]
        header[-1].colspan += pad
        grid.append(header)
        for r in rows:
            line = [GridCell(r.label)]
            for col in r.columns:
                line.append(GridCell(report.cells["active_disclosure"][(r.item, r.row, col)][1] or "", value=True))
            line[-1].colspan += pad
            grid.append(line)
    return grid


def _requests_grid(report: GeneratedReport, st: _Style) -> Grid:
    rows = report.request_rows()
    natural = "\n".join("自然人") if st.split else "自然人"
    grid: Grid = [
        [GridCell(st.balance_note, rowspan=3, colspan=3), GridCell("申请人情况", colspan=7)],
        [GridCell(natural, rowspan=2), GridCell(printed.ORG_PARENT_LABEL, colspan=5), GridCell("总计", rowspan=2)],
        [GridCell(_header(label, st)) for code, label in codes.REQUEST_COLUMNS if code in codes.ORG_COLUMNS],
    ]
    outcome_count = sum(1 for _c, _l, g in rows if g is not None)
    group_sizes = {g: sum(1 for _c, _l, g2 in rows if g2 == g) for g in codes.REQUEST_GROUPS}
    seen: set[str] = set()
    for code, _label, group in rows:
        label = _numbered(printed.REQUEST_ROW_NUMBERING[code], st.knobs) + st.labels[code]
        line: list[GridCell] = []
        if group is not None and "outcomes" not in seen:
            seen.add("outcomes")
            text = codes.REQUEST_GROUPS["outcomes"]
            line.append(GridCell("\n".join(text) if st.vertical_outcomes else text, rowspan=outcome_count))
        if group is None:
            line.append(GridCell(label, colspan=3))
        elif group == "outcomes":
            line.append(GridCell(label, colspan=2))
        else:
            if group not in seen:
                seen.add(group)
                text = codes.REQUEST_GROUPS[group]
                if st.split and len(text) > 5:
                    text = text[:5] + "\n" + text[5:]  # （三）不予\n公开
                line.append(GridCell(text, rowspan=group_sizes[group]))
            line.append(GridCell(label))
        for col, _cl in codes.REQUEST_COLUMNS:
            line.append(GridCell(report.cells["requests"][("", code, col)][1] or "", value=True))
        grid.append(line)
    return grid


def _review_grid(report: GeneratedReport, st: _Style) -> Grid:
    names = [_header(label, st) for _c, label in codes.REVIEW_COLUMNS]
    return [
        [GridCell(codes.REVIEW_GROUPS[0][1], colspan=5), GridCell(printed.LITIGATION_PARENT_LABEL, colspan=10)],
        [*(GridCell(n, rowspan=2) for n in names),
         GridCell(codes.REVIEW_GROUPS[1][1], colspan=5), GridCell(codes.REVIEW_GROUPS[2][1], colspan=5)],
        [GridCell(n) for n in names * 2],
        [GridCell(report.cells["review_litigation"][(g, "", c)][1] or "", value=True)
         for g, _gl in codes.REVIEW_GROUPS for c, _cl in codes.REVIEW_COLUMNS],
    ]


def _grids(report: GeneratedReport, st: _Style) -> dict[str, Grid]:
    return {"active_disclosure": _active_grid(report, st), "requests": _requests_grid(report, st),
            "review_litigation": _review_grid(report, st)}


def _placements(grid: Grid) -> list[list[tuple[int, GridCell, bool]]]:
    """For each printed row: (start column, cell, whether the cell starts in this row), left to right."""
    taken: dict[tuple[int, int], tuple[int, GridCell, bool]] = {}
    for r, row in enumerate(grid):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken[(r + dr, c + dc)] = (c, cell, dr == 0)
            c += cell.colspan
    out: list[list[tuple[int, GridCell, bool]]] = []
    for r in range(len(grid)):
        seen: dict[int, tuple[int, GridCell, bool]] = {}
        for (rr, _c), (start, cell, origin) in sorted(taken.items()):
            if rr == r:
                seen.setdefault(id(cell), (start, cell, origin))
        out.append(sorted(seen.values(), key=lambda t: t[0]))
    return out


def _width(grid: Grid) -> int:
    return sum(cell.colspan for cell in grid[0])


# --- the document -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Block:
    kind: Literal["heading", "para", "table"]
    text: str = ""
    table: str = ""
    grid: Grid = field(default_factory=list)




def _blocks(report: GeneratedReport, st: _Style, indent: str) -> list[_Block]:
    grids = _grids(report, st)
    out = [_Block("para", text=p) for p in report.preamble]
    for s in report.sections:
        out.append(_Block("heading", text=f"{indent}{_NUMERALS[s.number - 1]}、{s.heading}"))
        out.extend(_Block("para", text=p) for p in s.paragraphs)
        if s.kind in grids:  # the three table parts are named like their tables
            out.append(_Block("table", table=s.kind, grid=grids[s.kind]))
    return out


def _title_lines(report: GeneratedReport, rng: random.Random) -> list[str]:
    if report.title is None:
        return []
    if report.knobs.title_split:
        at = report.title.index("政府信息公开工作年度报告")
        if at == 0:  # no_agency: "2020年" / "政府信息公开…" is too short to split realistically
            return [report.title]
        return [report.title[:at], report.title[at:]]
    return [report.title]


def _date_text(d: date, rng: random.Random) -> str:
    return rng.choice((d.isoformat(), f"{d.isoformat()} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}",
                       f"{d.year}年{d.month:02d}月{d.day:02d}日", f"{d.year}年{d.month}月{d.day}日"))


def _date_label(rng: random.Random) -> str:
    return rng.choices(("发布日期", "发布时间", "公开日期"), weights=(60, 25, 15))[0]


def _finish(text: str, report: GeneratedReport) -> str:
    """Whole-text accidents: half-width punctuation, then traditional script."""
    if report.knobs.halfwidth_punct:
        text = text.translate(str.maketrans("（）：，；", "():,;"))
    if report.knobs.traditional:
        text = s2t(text)
    return text


@dataclass(frozen=True, slots=True)
class Rendered:
    """A rendered report: the bytes a crawler would fetch, how they are served, and the answer."""

    layout: Layout
    data: bytes
    content_type: str
    encoding: str
    report: GeneratedReport  # the expectation for exactly these bytes
    url: str | None = None

    def text(self) -> str:
        return self.data.decode(self.encoding)


def _text_meta(report: GeneratedReport, rng: random.Random) -> list[str]:
    """Portal lines that survive into saved text (seed 001's 来源/发布日期/点击数, seed 003's 索引号 table)."""
    if report.published is None:
        return []
    when = _date_text(report.published, rng)
    label = _date_label(rng)
    style = rng.choice(("portal", "line", "table"))
    source = report.agency or "本站"
    if style == "portal":
        return [f"来源：{source}", f"{label}：{when}", "点击数：人次"]
    if style == "line":
        return [f"{label}：{when}    来源：{source}    浏览次数：{rng.randint(10, 3000)}"]
    named = [f"文件名称： | {report.title} | ||"] if report.title else []
    return [*named, f"索引号： | {report.index_no} | {label}： | {when} |",
            "公开目录： | 工作报告 | 公开形式： | 主动公开 |"]


def _compose_with(report: GeneratedReport, rng: random.Random, st: _Style, *,
                  table: Callable[[Grid], list[str]], indent: str, para_indent: str = "",
                  blank_between: bool = False, head: Sequence[str] = ()) -> str:
    lines: list[str] = list(head)
    lines += _title_lines(report, rng)
    lines += _text_meta(report, rng)
    for block in _blocks(report, st, indent):
        if block.kind == "table":
            lines += table(block.grid)
        else:
            text = block.text if block.kind == "heading" else para_indent + block.text
            lines.append(text)
        if blank_between:
            lines.append("")
    return _finish("\n".join(lines) + "\n", report)


def _encode(text: str, report: GeneratedReport, layout: Layout) -> tuple[bytes, str]:
    if report.knobs.gbk and layout in ("html", "tabs"):
        return text.encode("gbk"), "gbk"
    return text.encode("utf-8"), "utf-8"


def _heading_indent(report: GeneratedReport, rng: random.Random, default: str = "") -> str:
    return rng.choice(("　　", "  ", "　")) if report.knobs.indent_headings else default


# --- layout: pipes (trafilatura text, seeds 000 and 004) ----------------------------------------


def render_pipes(report: GeneratedReport, rng: random.Random) -> Rendered:
    """trafilatura text: cells joined by " | ", rows ending "|", short rows padded ("| ||||").

    Three flavours: old trafilatura one row per line (seed 004), old trafilatura with cells on
    their own lines (seed 000), and trafilatura 2.x Markdown rows ("| a |  | b |").
    """
    st = _style(report, rng, "pipes")
    flavour = rng.choices(("inline", "multiline", "markdown"), weights=(50, 25, 25))[0]

    def old(grid: Grid) -> list[str]:
        width = max(len(row) for row in grid) + rng.choice((0, 1))
        out: list[str] = []
        for n, row in enumerate(grid):
            pieces = [f"{c.text.replace(chr(10), ' ')} |" if c.text else "|" for c in row]
            pad = 0 if n == len(grid) - 1 else width - len(row)
            if pad > 0:
                pieces[-1] += " " + "|" * pad
            if flavour == "multiline" and rng.random() < 0.7:
                labels = sum(1 for c in row if not c.value)
                split_all = rng.random() < 0.5
                head = pieces[: len(pieces) if split_all else labels]
                tail = [] if split_all else pieces[labels:]
                out.extend(head)
                if tail:
                    out.append(" ".join(tail))
            else:
                out.append(" ".join(pieces))
        return out

    def markdown(grid: Grid) -> list[str]:
        width = _width(grid)
        out: list[str] = []
        for placed in _placements(grid):
            cells = [""] * width
            for start, cell, origin in placed:
                if origin:
                    cells[start] = cell.text.replace("\n", " ")
            out.append("| " + " | ".join(cells) + " | ")
        return out

    text = _compose_with(report, rng, st, table=markdown if flavour == "markdown" else old,
                         indent=_heading_indent(report, rng), head=[""] if rng.random() < 0.3 else ())
    data, encoding = _encode(text, report, "pipes")
    return Rendered("pipes", data, "text/plain; charset=utf-8", encoding, report)


# --- layout: one cell per line (seed 003) --------------------------------------------------------


def render_cell_per_line(report: GeneratedReport, rng: random.Random) -> Rendered:
    """Every cell on its own line; soft breaks in a cell become more lines (三\\n、\\n本\\n年…)."""
    st = _style(report, rng, "cell_per_line")

    def table(grid: Grid) -> list[str]:
        return [line for row in grid for cell in row for line in cell.text.split("\n")]

    text = _compose_with(report, rng, st, table=table, indent=_heading_indent(report, rng))
    data, encoding = _encode(text, report, "cell_per_line")
    return Rendered("cell_per_line", data, "text/plain; charset=utf-8", encoding, report)


# --- layout: Word "save as text" with tabs (seed 002) --------------------------------------------


def render_tabs(report: GeneratedReport, rng: random.Random) -> Rendered:
    """Each cell on its own line after a tab, a blank line between rows; a merged-down cell and an
    empty cell are a lone tab (Word repeats vertical merges as empty cells, not horizontal ones)."""
    st = _style(report, rng, "tabs")

    def table(grid: Grid) -> list[str]:
        out: list[str] = []
        for placed in _placements(grid):
            for _start, cell, origin in placed:
                out.append("\t" + (cell.text.replace("\n", " ") if origin else ""))
            out.append("")
        out.append("")
        return out

    para = rng.choice(("        ", "　　", ""))
    head = [""] if rng.random() < 0.5 else []
    lines: list[str] = list(head) + _title_lines(report, rng) + _text_meta(report, rng)
    indent = _heading_indent(report, rng)
    bookmark = report.knobs.page_noise
    for block in _blocks(report, st, indent):
        if block.kind == "table":
            lines += table(block.grid)
        elif block.kind == "heading":
            lines.append(block.text)
        else:
            lines.append(("[bookmark: _GoBack]" if bookmark else para) + block.text)
            bookmark = False
    text = _finish("\n".join(lines) + "\n", report)
    data, encoding = _encode(text, report, "tabs")
    ctype = "text/plain" if encoding == "gbk" else "text/plain; charset=utf-8"
    return Rendered("tabs", data, ctype, encoding, report)


# --- layout: space-separated rows (seed 001) -----------------------------------------------------


def render_spaces(report: GeneratedReport, rng: random.Random) -> Rendered:
    """Each table row on one line, cells separated by spaces; a cell broken over lines ("（三）不予
    \\n\\n  公开", a vertical 自然人) starts and ends its own lines. Blanks are printed visibly, since an
    empty cell would vanish (call `render`, or pass a report from `with_visible_blanks`)."""
    report = with_visible_blanks(report, rng)
    st = _style(report, rng, "spaces")

    def table(grid: Grid) -> list[str]:
        out = ["  "]
        for row in grid:
            line = ""
            prev_multi = False
            for n, cell in enumerate(row):
                text = cell.text or (VISIBLE_BLANKS[0] if cell.value else "")
                multi = "\n" in text
                if multi:
                    text = text.replace("\n", "\n\n  ")
                if n == 0:
                    line = text
                else:
                    line += ("\n" if multi or prev_multi else " ") + text
                prev_multi = multi
            out.append(line)
        out.append("")
        return out

    indent = "  " + ("　　" if report.knobs.indent_headings else "")
    text = _compose_with(report, rng, st, table=table, indent=indent, para_indent="  ", blank_between=True)
    if rng.random() < 0.5:
        text = text.rstrip("\n") + "\n" + _finish("分享到：", report)
    data, encoding = _encode(text, report, "spaces")
    return Rendered("spaces", data, "text/plain; charset=utf-8", encoding, report)


# --- layout: portal HTML -------------------------------------------------------------------------


def _esc(text: str) -> str:
    return html_lib.escape(text, quote=False)


def _html_cell(cell: GridCell, wrap: str, blank: str) -> str:
    attrs = ""
    if cell.rowspan > 1:
        attrs += f' rowspan="{cell.rowspan}"'
    if cell.colspan > 1:
        attrs += f' colspan="{cell.colspan}"'
    if not cell.text:
        return f"<td{attrs}>{blank}</td>"
    parts = [_esc(p) for p in cell.text.split("\n")]
    if wrap == "plain":
        inner = "<br/>".join(parts)
    elif wrap == "p":
        inner = "".join(f"<p>{p}</p>" for p in parts)
    else:  # Word pasted into the CMS
        inner = "".join('<p class="MsoNormal" align="center" style="text-align:center">'
                        f'<span style="font-size:10.5pt;font-family:宋体">{p}</span></p>' for p in parts)
    return f'<td{attrs} valign="middle" style="border:solid windowtext 1px">{inner}</td>'


def _html_table(grid: Grid, rng: random.Random) -> str:
    wrap = rng.choice(("plain", "p", "word"))
    blank = rng.choice(("", "&nbsp;", "<p>&nbsp;</p>"))
    rows = "".join("<tr>" + "".join(_html_cell(c, wrap, blank) for c in row) + "</tr>\n" for row in grid)
    return ('<table border="1" cellspacing="0" cellpadding="0" width="600" '
            f'style="border-collapse:collapse"><tbody>\n{rows}</tbody></table>')


def render_html(report: GeneratedReport, rng: random.Random) -> Rendered:
    """A portal page: nav, breadcrumb, 索引号/发布机构/发布日期 block, the report with its three tables
    as real <table>s in the official rowspan/colspan layout, 分享到, footer; maybe GBK."""
    st = _style(report, rng, "html")
    knobs = report.knobs
    known = report.agency is not None
    site = f"{report.place}人民政府" if known else "政府信息公开专栏"
    gbk = knobs.gbk
    charset_meta = (rng.choice(('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
                                '<meta charset="gb2312">')) if gbk else '<meta charset="utf-8">')
    page_title = f"{report.title}_{site}" if report.title else site
    when = _date_text(report.published, rng) if report.published else None
    label = _date_label(rng)

    meta_rows = [f"<td>索引号：</td><td>{report.index_no}</td>"]
    if known:
        meta_rows.append(f"<td>发布机构：</td><td>{_esc(report.agency or '')}</td>")
    if when:
        meta_rows.append(f"<td>{label}：</td><td>{when}</td>")
    meta_rows.append("<td>主题分类：</td><td>政务公开</td>")
    if report.title:
        meta_rows.append(f"<td>名　　称：</td><td>{_esc(report.title)}</td>")
    meta = '<table class="xxgk-meta">' + "".join(f"<tr>{r}</tr>" for r in meta_rows) + "</table>"

    heading_style = rng.choice(("strong", "h3", "plain"))
    indent = "　　" if knobs.indent_headings else ""
    body: list[str] = []
    for block in _blocks(report, st, indent):
        if block.kind == "table":
            body.append(_html_table(block.grid, rng))
        elif block.kind == "heading":
            text = _esc(block.text)
            body.append({"strong": f"<p><strong>{text}</strong></p>", "h3": f"<h3>{text}</h3>",
                         "plain": f'<p style="text-indent:2em">{text}</p>'}[heading_style])
        else:
            body.append(f'<p style="text-indent:2em">{_esc(block.text)}</p>')

    h1 = ""
    if report.title:
        lines = _title_lines(report, rng)
        h1 = f'<h1 class="article-title">{"<br/>".join(_esc(t) for t in lines)}</h1>'
    info = f'<div class="info">{label}：{when}　　来源：{_esc(report.agency or site)}　　' \
           '字号：[ 大 中 小 ]</div>' if when else ""
    neighbours = ""
    if knobs.page_noise:
        prev = (f"{report.agency}{report.year - 1}年政府信息公开工作年度报告" if known
                else "关于做好政务公开工作的通知")
        neighbours = (f'<div class="pager"><p>上一篇：<a href="#">{_esc(prev)}</a></p>'
                      '<p>下一篇：<a href="#">关于开展政务公开第三方评估工作的通知</a></p></div>')
    footer_owner = f"主办单位：{site}办公室　　" if known else ""
    page = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
{charset_meta}
<title>{_esc(page_title)}</title>
<meta name="keywords" content="政府信息公开,年度报告">
<link rel="stylesheet" href="/css/style.css">
</head>
<body>
<div class="top"><div class="logo">{_esc(site)}</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/zwfw/">政务服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政府信息公开</a> &gt;
<a href="/zwgk/ndbg/">政府信息公开年报</a></div>
{meta}
<div class="article">
{h1}
{info}
<div class="TRS_Editor" id="zoom">
{chr(10).join(body)}
</div>
<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a> <a href="javascript:window.print()">打印本页</a>
<a href="javascript:window.close()">关闭窗口</a></div>
{neighbours}
</div>
<div class="footer"><p>{footer_owner}网站标识码：{rng.randint(1000000000, 9999999999)}</p>
<p>ICP备案号：蜀ICP备{rng.randint(10000000, 99999999)}号　　联系我们　　网站地图</p></div>
</body>
</html>
"""
    text = _finish(page, report)
    if gbk:
        try:  # most pages say gb2312 and are; traditional text needs the GBK superset, declared so
            text.encode("gb2312")
        except UnicodeEncodeError:
            text = text.replace("charset=gb2312", "charset=gbk")
    data, encoding = _encode(text, report, "html")
    declared = "gbk" if "charset=gbk" in text else "gb2312"
    ctype = rng.choice(("text/html", f"text/html; charset={declared}")) if gbk else "text/html; charset=utf-8"
    year = (report.published or date(report.year + 1, 1, 20)).strftime("%Y%m%d")
    url = f"http://www.example.gov.cn/zwgk/ndbg/{year[:6]}/t{year}_{rng.randint(100000, 999999)}.html"
    return Rendered("html", data, ctype, encoding, report, url=url)


RENDERERS: dict[Layout, Callable[[GeneratedReport, random.Random], Rendered]] = {
    "pipes": render_pipes,
    "cell_per_line": render_cell_per_line,
    "tabs": render_tabs,
    "spaces": render_spaces,
    "html": render_html,
}


def render(report: GeneratedReport, layout: Layout, rng: random.Random) -> Rendered:
    """Print `report` in `layout`; `Rendered.report` is the expectation for those exact bytes."""
    return RENDERERS[layout](report, rng)


def sample(rng: random.Random, layout: Layout | None = None, **kwargs: Any) -> Rendered:
    """One generated and rendered report (for bench scripts): `generate(rng, **kwargs)` then render."""
    report = generate(rng, **kwargs)
    return render(report, layout or rng.choice(LAYOUTS), rng)


def iter_expected_raw(report: GeneratedReport) -> Iterable[tuple[str, CellKey, str]]:
    """(table, key, raw) for every printed (non-empty) cell, to check a rendering carries them."""
    for name, cells in report.cells.items():
        for key, (_value, raw) in cells.items():
            if raw:
                yield name, key, raw
