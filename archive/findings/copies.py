"""`copied_section`: a section that is a near-copy of the same section in this agency's previous-year
report, or in another agency's report for the same year.

How: each section loses the stock sentences every report shares (those found in the reports of at least
`STOCK_MIN_AGENCIES` agencies, digits masked, plus the few in stock_sentences.txt); what is left, its own
text, is compared only when it is `MIN_CHARS` characters or more. Candidates for the same year come from
MinHash LSH (datasketch) over character shingles, per year and section kind, so the pass never compares
all pairs; each candidate and each previous-year pair is then measured with RapidFuzz: the longest common
subsequence of the two own texts must be `MIN_CHARS` or more and cover `MIN_SIMILARITY` of the shorter
one (a section copied whole into a longer one is a copy too); the Indel similarity of the two is reported
beside it.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH
from rapidfuzz.distance import Indel, LCSseq

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


# Full-width ASCII (０-９, Ａ-Ｚ, ，) folded to half-width: what NFKC would change in these reports, at
# str.translate's speed (NFKC itself was a sixth of the pass).
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def clean(text: str) -> str:
    """What is compared: full-width folded, no whitespace."""
    return "".join(text.translate(_FOLD).split())


def sentences(text: str) -> list[str]:
    """The text's sentences, each cleaned (the text is folded once, not sentence by sentence)."""
    return [c for s in _SPLIT.split(text.translate(_FOLD)) if (c := "".join(s.split()))]


def stock_hash(sentence: str) -> int:
    """A sentence's stock form (digits masked: the year changes, the boilerplate does not) as 64 bits."""
    form = _DIGITS.sub("#", sentence)
    return int.from_bytes(hashlib.blake2b(form.encode("utf-8"), digest_size=8).digest(), "big")


def shipped_stock() -> set[int]:
    lines = STOCK_FILE.read_text(encoding="utf-8").splitlines()
    return {stock_hash(clean(line)) for line in lines if line.strip() and not line.startswith("#")}


class StockSentences:
    """Counts in how many agencies' reports each sentence occurs: feed it one agency at a time, then
    `finish()`. Each agency's distinct hashes are kept as a numpy array and counted once at the end: a
    Counter of every sentence of 100,000 reports took gigabytes."""

    def __init__(self, min_agencies: int = STOCK_MIN_AGENCIES) -> None:
        self.min_agencies = min_agencies
        self.parts: list[np.ndarray] = []
        self.stock: set[int] = shipped_stock()

    def add_agency(self, hashes: Iterable[int]) -> None:
        self.parts.append(np.unique(np.fromiter(hashes, dtype=np.uint64)))

    def finish(self) -> None:
        if self.parts:
            values, counts = np.unique(np.concatenate(self.parts), return_counts=True)
            self.stock.update(int(v) for v in values[counts >= self.min_agencies])
        self.parts = []

    def is_stock(self, h: int) -> bool:
        return h in self.stock


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


_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=1).permutations  # made once: the same for every section


def _minhash(text: str) -> MinHash:
    """MinHash of the text's distinct character shingles (as UTF-32 bytes, so every shingle is SHINGLE
    characters whatever the script), hashed by zlib's C crc32: a Python hash function per shingle
    was most of the pass's time."""
    data = text.encode("utf-32-le")
    width = 4 * SHINGLE
    m = MinHash(num_perm=NUM_PERM, hashfunc=zlib.crc32, permutations=_PERMUTATIONS, scheme="affine32")
    m.update_batch({data[i:i + width] for i in range(0, len(data) - width + 4, 4)})
    return m


@dataclass(frozen=True)
class Match:
    common: int  # characters in common, in order (longest common subsequence)
    coverage: float  # common ÷ the shorter text
    similarity: float  # RapidFuzz normalised Indel similarity of the two texts

    @property
    def is_copy(self) -> bool:
        return self.common >= MIN_CHARS and self.coverage >= MIN_SIMILARITY


def measure(a: str, b: str) -> Match:
    common = int(LCSseq.similarity(a, b))
    return Match(common, common / max(1, min(len(a), len(b))), float(Indel.normalized_similarity(a, b)))


def _flag(mine: Own, other: Own, match: Match, relation: str) -> Flag:
    where = "上年报告" if relation == "previous_year" else "同年报告"
    return Flag(mine.report.id, "copied_section",
                f"第{mine.number or mine.seq}部分（{mine.heading or mine.kind}）与 {other.report.agency or '?'}"
                f"{other.report.year}年{where}第{other.number or other.seq}部分有 {match.common} 字相同"
                f" (占较短者 {match.coverage:.0%}, 相似度 {match.similarity:.0%})",
                {"relation": relation, "section": mine.kind, "seq": mine.seq, "heading": mine.heading,
                 "other_seq": other.seq, "other_heading": other.heading, "other_agency": other.report.agency,
                 "other_year": other.report.year, "chars": match.common, "coverage": round(match.coverage, 4),
                 "similarity": round(match.similarity, 4)},
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
        best = max(((measure(own.text, p.text), p) for p in by_report.get(prev.id, ()) if p.kind == own.kind),
                   default=None, key=lambda t: t[0].common)
        if best and best[0].is_copy:
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
                same_agency = own.report.key is not None and other.report.key == own.report.key
                if cand == own.name or pair in done or same_agency:  # one agency's two postings are not a copy
                    continue
                done.add(pair)
                match = measure(own.text, other.text)
                if match.is_copy:
                    flags.append(_flag(own, other, match, "same_year"))
                    flags.append(_flag(other, own, match, "same_year"))
    return flags
