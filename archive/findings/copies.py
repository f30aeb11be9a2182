"""`copied_section`: a section that is a near-copy of the same section in this agency's previous-year
report, or in another agency's report for the same year.

How: each section loses the stock sentences every report shares (those found in the reports of at least
`STOCK_MIN_AGENCIES` agencies, digits masked, plus the few in stock_sentences.txt); what is left, its own
text, is compared only when it is `MIN_CHARS` characters or more. Candidates for the same year come from
MinHash LSH (datasketch) over character shingles, per year and section kind, so the pass never compares
all pairs; each candidate and each previous-year pair is then measured with RapidFuzz's normalised Indel
similarity, and `MIN_SIMILARITY` or more is a copy.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from datasketch import MinHash, MinHashLSH
from rapidfuzz.distance import Indel

from archive.findings.model import Flag
from archive.findings.snapshot import Current, Snapshot

MIN_CHARS = 200
MIN_SIMILARITY = 0.9
STOCK_MIN_AGENCIES = 5
SHINGLE = 4
NUM_PERM = 64
LSH_THRESHOLD = 0.4
STOCK_FILE = Path(__file__).with_name("stock_sentences.txt")

_SPLIT = re.compile(r"(?<=[。！？；!?;\n])")
_DIGITS = re.compile(r"\d+")


def clean(text: str) -> str:
    """What is compared: NFKC-folded, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def sentences(text: str) -> list[str]:
    return [c for s in _SPLIT.split(text) if (c := clean(s))]


def stock_hash(sentence: str) -> int:
    """A sentence's stock form (digits masked: the year changes, the boilerplate does not) as 64 bits."""
    form = _DIGITS.sub("#", sentence)
    return int.from_bytes(hashlib.blake2b(form.encode("utf-8"), digest_size=8).digest(), "big")


def shipped_stock() -> set[int]:
    lines = STOCK_FILE.read_text(encoding="utf-8").splitlines()
    return {stock_hash(clean(line)) for line in lines if line.strip() and not line.startswith("#")}


class StockSentences:
    """Counts in how many agencies' reports each sentence occurs; feed it one agency at a time."""

    def __init__(self, min_agencies: int = STOCK_MIN_AGENCIES) -> None:
        self.min_agencies = min_agencies
        self.counts: Counter[int] = Counter()
        self.shipped = shipped_stock()

    def add_agency(self, hashes: Iterable[int]) -> None:
        self.counts.update(set(hashes))

    def is_stock(self, h: int) -> bool:
        return h in self.shipped or self.counts[h] >= self.min_agencies


@dataclass
class Own:
    """A section's own text (stock sentences removed), long enough to be compared."""

    report: Current
    seq: int
    number: int | None
    kind: str
    heading: str | None
    text: str

    @property
    def name(self) -> str:
        return f"{self.report.id}:{self.seq}"


def own_text(text: str, stock: StockSentences) -> str:
    return "".join(s for s in sentences(text) if not stock.is_stock(stock_hash(s)))


def _minhash(text: str) -> MinHash:
    m = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=lambda s: zlib.crc32(s.encode("utf-8")))
    m.update_batch([text[i:i + SHINGLE] for i in range(len(text) - SHINGLE + 1)])
    return m


def similarity(a: str, b: str) -> float:
    return float(Indel.normalized_similarity(a, b))


def _flag(mine: Own, other: Own, sim: float, relation: str) -> Flag:
    where = "上年报告" if relation == "previous_year" else "同年报告"
    chars = min(len(mine.text), len(other.text))
    return Flag(mine.report.id, "copied_section",
                f"第{mine.number or mine.seq}部分（{mine.heading or mine.kind}）与 {other.report.agency or '?'}"
                f"{other.report.year}年{where}第{other.number or other.seq}部分相似 {sim:.0%} ({chars} 字)",
                {"relation": relation, "section": mine.kind, "seq": mine.seq, "heading": mine.heading,
                 "other_seq": other.seq, "other_heading": other.heading, "other_agency": other.report.agency,
                 "other_year": other.report.year, "similarity": round(sim, 4), "chars": chars},
                other_report_id=other.report.id)


def find_copies(owns: list[Own], snap: Snapshot) -> list[Flag]:
    """Copies from the previous year (flagged on the later report) and among agencies of one year (flagged
    on both, each naming the other)."""
    flags: list[Flag] = []
    by_report: dict[str, list[Own]] = defaultdict(list)
    for own in owns:
        by_report[own.report.id].append(own)
    for own in owns:  # this agency's previous year: a direct comparison, no search needed
        prev = snap.previous(own.report)
        if prev is None:
            continue
        best = max(((similarity(own.text, p.text), p) for p in by_report.get(prev.id, ()) if p.kind == own.kind),
                   default=None, key=lambda t: t[0])
        if best and best[0] >= MIN_SIMILARITY:
            flags.append(_flag(own, best[1], best[0], "previous_year"))
    groups: dict[tuple[int, str], list[Own]] = defaultdict(list)
    for own in owns:
        if own.report.year is not None:
            groups[(own.report.year, own.kind)].append(own)
    for members in groups.values():
        if len(members) < 2:
            continue
        lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        hashes = {}
        for own in members:
            hashes[own.name] = _minhash(own.text)
            lsh.insert(own.name, hashes[own.name])
        named = {own.name: own for own in members}
        done: set[tuple[str, str]] = set()
        for own in members:
            for cand in lsh.query(hashes[own.name]):
                other = named[cand]
                pair = (min(own.name, cand), max(own.name, cand))
                if cand == own.name or pair in done or other.report.key == own.report.key:
                    continue
                done.add(pair)
                sim = similarity(own.text, other.text)
                if sim >= MIN_SIMILARITY and min(len(own.text), len(other.text)) >= MIN_CHARS:
                    flags.append(_flag(own, other, sim, "same_year"))
                    flags.append(_flag(other, own, sim, "same_year"))
    return flags
