"""The one person matcher (PROTOCOL B14): may this typed person be someone already on file?

New referral, the agenda inbox and the caseload import all ask it, so one person gets one answer
on every page. Pure: plain values in (names, aliases, a date of birth), a `Match` out (a score,
a band and the reason in plain words); no database, no clock.

How alike two names are (0..1, `name_similarity`): accents, case, punctuation and initials are
ignored and the words may come in any order ("Sample, Avery Q." is "Avery Sample"); then the best
of rapidfuzz's similarity of the words in order or sorted, a name given without a middle name
(0.95), every word sounding alike by jellyfish's metaphone ("Jon Smyth", "John Smith": 0.88), and
an initial standing for a word ("A. Sample", "Avery Sample": 0.88).
A single word (a first name alone) says too little: it only counts as the same street name, an
alias equal to an alias (0.85).

The band, by how close the dates of birth are (PROTOCOL B14: a prior referral does not preclude a
new one, so a match informs and never blocks; a new person beside a strong match takes a reason):

    date of birth                                possible from   strong from
    the same                                         0.50            0.75
    one typo away (one of day, month, year differs,
      or day and month swapped)                      0.75            0.85
    unknown on either side                           0.85            0.95
    different (two or more parts)                    0.90            0.95

Earlier, New referral treated a different date of birth as unknown (0.85): a name that only
sounds alike ("Averi Simpel") beside a clearly different date of birth is now no candidate.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import combinations

import jellyfish
from rapidfuzz import fuzz, process

# PROTOCOL B14: (possible from, strong from) by how close the dates of birth are.
THRESHOLDS = {
    "same": (0.50, 0.75),
    "near": (0.75, 0.85),
    "": (0.85, 0.95),
    "differs": (0.90, 0.95),
}
SUBSET = 0.95  # every word of a 2+ word name inside the other: a middle name left out
SOUNDS_ALIKE = 0.88  # every word sounds alike (metaphone): a spelling variant
INITIALS_AGREE = 0.88  # "A. Sample" for "Avery Sample": the words agree, an initial stands for one
SAME_STREET_NAME = 0.85  # a one-word alias equal to a one-word alias
DOB_BONUS = {"same": 0.5, "near": 0.2}  # how much a date of birth adds when ranking
DOB_WORDS = {
    "same": "same date of birth",
    "near": "date of birth one typo away",
    "differs": "date of birth differs",
}
BANDS = ("strong", "possible", "none")
_NO_DOB_FLOOR = min(THRESHOLDS[""][0], THRESHOLDS["differs"][0])  # below it, a date must help
MAX_SUBSET_WORDS = 8  # a longer typed name finds "theirs inside mine" through any shared word


@dataclass(frozen=True)
class Names:
    """A person's names as typed or stored: legal, preferred and other names (aliases)."""

    legal_name: str = ""
    preferred_name: str = ""
    aliases: Sequence[str] = ()
    dob: date | None = None

    def labelled(self) -> list[tuple[str, str]]:
        found = [("legal name", self.legal_name), ("preferred name", self.preferred_name)]
        found += [("alias", alias) for alias in self.aliases or ()]
        return [(label, name) for label, name in found if name and name.strip()]


@dataclass(frozen=True)
class Match:
    """How alike two people are: a band (strong / possible / none) and the reason."""

    band: str
    score: float  # 0..1 for ranking: the name's similarity with the date of birth's weight
    name_score: float
    dob: str  # "same", "near", "differs" or "" (unknown on either side)
    reason: str

    @property
    def found(self) -> bool:
        return self.band != "none"


NO_MATCH = Match("none", 0.0, 0.0, "", "")


# --- Names ----------------------------------------------------------------------------------------


def normalize(name: str) -> str:
    """Accents, case and punctuation off: "Zoë  SAMPLE-Doe" is "zoe sample doe"."""
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


@dataclass(frozen=True)
class _Form:
    """One name prepared once: its words (initials dropped when 2+ words remain)."""

    words: tuple[str, ...]
    direct: str
    sorted: str
    sound: tuple[str, ...]
    single: str  # a one-word name, kept only for the same-street-name rule
    full: tuple[str, ...]  # the words of 2+ letters (or digits)
    initials: tuple[str, ...]  # the single letters
    index_keys: tuple[tuple, ...]  # where `People` files this name for its prefilter


@lru_cache(maxsize=131072)
def _form(name: str) -> _Form:
    tokens = normalize(name).split()
    full = [t for t in tokens if len(t) > 1 or not t.isalpha()]  # initials off, digits kept
    initials = tuple(t for t in tokens if len(t) == 1 and t.isalpha())
    words = full if len(full) >= 2 else (tokens if len(tokens) >= 2 else [])
    single = tokens[0] if len(tokens) == 1 and len(tokens[0]) > 1 else ""
    sound = tuple(sorted(jellyfish.metaphone(w) or w for w in words))
    direct, sorted_ = " ".join(words), " ".join(sorted(words))
    keys = [("word", w) for w in sorted(set(full) | set(words))]
    if words:
        keys += [("sound", sound), ("words", tuple(sorted(set(words))))]
    if initials and full:
        keys.append(("initialled", tuple(sorted(set(full)))))
    return _Form(tuple(words), direct, sorted_, sound, single, tuple(full), initials, tuple(keys))


def _initials_agree(x: _Form, y: _Form) -> bool:
    """x's words all in y, and each of x's initials starts another of y's words: "A. Sample"
    and "Avery Q. Sample"."""
    if not x.initials or not x.full or not set(x.full) <= set(y.full):
        return False
    rest = [w[0] for w in y.full if w not in x.full]
    for initial in x.initials:
        if initial not in rest:
            return False
        rest.remove(initial)
    return True


def _similarity(a: _Form, b: _Form, alias_pair: bool) -> float:
    if not a.words or not b.words:
        same_street_name = alias_pair and a.single and a.single == b.single
        return SAME_STREET_NAME if same_street_name else 0.0
    if a.sorted == b.sorted:
        return 1.0
    best = max(fuzz.ratio(a.sorted, b.sorted), fuzz.ratio(a.direct, b.direct)) / 100
    short, long_ = sorted((set(a.words), set(b.words)), key=len)
    if len(short) >= 2 and short <= long_:
        best = max(best, SUBSET)
    if a.sound == b.sound:
        best = max(best, SOUNDS_ALIKE)
    if _initials_agree(a, b) or _initials_agree(b, a):
        best = max(best, INITIALS_AGREE)
    return best


def name_key(name: str) -> str:
    """The name's words sorted, initials dropped: two names with one key are the same name.

    >>> name_key("Sample, Avery Q."), name_key("Avery")
    ('avery sample', 'avery')
    """
    return _form(name).sorted or normalize(name)


def name_similarity(a: str, b: str, *, both_aliases: bool = False) -> float:
    """How alike two names are, 0..1, in any order, accents, case and initials ignored.

    >>> name_similarity("Sample, Avery Q.", "avery sample")
    1.0
    >>> name_similarity("Jon Smyth", "John Smith")
    0.88
    >>> name_similarity("Avery", "Avery")  # a first name alone says too little
    0.0
    """
    return round(_similarity(_form(a), _form(b), both_aliases), 3)


# --- Dates of birth -------------------------------------------------------------------------------


def dob_closeness(a: date | None, b: date | None) -> str:
    """'same', 'near' (day and month swapped, or one of day, month, year differs), 'differs',
    or '' when either is unknown.

    >>> dob_closeness(date(1990, 1, 2), date(1990, 2, 1)), dob_closeness(date(1990, 1, 2), None)
    ('near', '')
    """
    if a is None or b is None:
        return ""
    if a == b:
        return "same"
    swapped = a.day == b.month and a.month == b.day and a.year == b.year
    differing = (a.day != b.day) + (a.month != b.month) + (a.year != b.year)
    return "near" if swapped or differing == 1 else "differs"


# --- One pair -------------------------------------------------------------------------------------


def _best_name(typed: Names, known: Names) -> tuple[float, str]:
    best, label = 0.0, ""
    for typed_label, mine in typed.labelled():
        for known_label, theirs in known.labelled():
            both_aliases = typed_label == known_label == "alias"
            score = _similarity(_form(mine), _form(theirs), both_aliases)
            if score > best:
                best, label = score, known_label
    return best, label


def compare(typed: Names, known: Names) -> Match:
    """The band of one pair, with its reason.

    >>> compare(Names("Avery Sample", dob=date(1990, 1, 2)), Names("Sample, Avery")).reason
    'name 100% similar to the legal name'
    >>> compare(Names("Jon Smyth"), Names("John Smith", dob=date(1990, 1, 2))).band
    'possible'
    >>> born = date(1990, 1, 2)
    >>> compare(Names("Riley Jones", dob=born), Names("Avery Sample", dob=born)).band
    'none'
    """
    name_score, label = _best_name(typed, known)
    return _banded(name_score, label, dob_closeness(typed.dob, known.dob))


def _banded(name_score: float, label: str, closeness: str) -> Match:
    possible_from, strong_from = THRESHOLDS[closeness]
    if name_score <= 0.0 or name_score < possible_from - 1e-9:
        return NO_MATCH
    band = "strong" if name_score >= strong_from - 1e-9 else "possible"
    why = [f"name {round(name_score * 100)}% similar to the {label}"]
    if closeness in DOB_WORDS:
        why.append(DOB_WORDS[closeness])
    score = (name_score + DOB_BONUS.get(closeness, 0.0)) / (1 + DOB_BONUS["same"])
    return Match(band, round(score, 3), round(name_score, 3), closeness, ", ".join(why))


# --- Many people ----------------------------------------------------------------------------------


class People:
    """People on file, prepared once so one typed person is compared with 10,000 quickly.

    `find` compares in full only those a cheap prefilter keeps: the same or a near date of birth
    (looked up), or a name that can reach the lowest band without one: a rapidfuzz ratio of at
    least 85 (in C, with a cutoff), the same sounds, a subset of words, the same street name.
    The prefilter never drops a pair `compare` would band: every caller gets the same answer.
    """

    def __init__(self) -> None:
        self.keys: list = []
        self.people: list[Names] = []
        self._direct: list[str] = []
        self._sorted: list[str] = []
        self._owner: list[int] = []
        self._by_key: defaultdict[tuple, list[int]] = defaultdict(list)  # ("sound", ...) etc.
        self._by_dob: defaultdict[date, list[int]] = defaultdict(list)

    @classmethod
    def of(cls, rows: Iterable[tuple[object, Names]]) -> People:
        people = cls()
        for key, names in rows:
            people.add(key, names)
        return people

    def add(self, key, names: Names) -> None:
        n = len(self.people)
        self.keys.append(key)
        self.people.append(names)
        by_key = self._by_key
        for label, name in names.labelled():
            form = _form(name)
            if form.single and label == "alias":
                by_key[("alias", form.single)].append(n)
            for index_key in form.index_keys:
                by_key[index_key].append(n)
            if form.words:
                self._direct.append(form.direct)
                self._sorted.append(form.sorted)
                self._owner.append(n)
        if names.dob is not None:
            self._by_dob[names.dob].append(n)

    def _get(self, key: tuple) -> list[int]:
        return self._by_key.get(key, [])

    def _near_dob(self, d: date) -> set[int]:
        """The same date, or one part of it changed, or day and month swapped (`dob_closeness`)."""
        found: set[int] = set()
        tries = [(d.year, d.month, day) for day in range(1, 32)]
        tries += [(d.year, month, d.day) for month in range(1, 13)]
        tries += [(year, d.month, d.day) for year in range(d.year - 150, d.year + 151)]
        tries.append((d.year, d.day, d.month))
        for year, month, day in tries:
            try:
                found.update(self._by_dob.get(date(year, month, day), ()))
            except ValueError:
                continue
        return found

    def _shortlist(self, typed: Names) -> set[int]:
        kept = self._near_dob(typed.dob) if typed.dob is not None else set()
        cutoff = _NO_DOB_FLOOR * 100 - 1e-6
        for label, name in typed.labelled():
            form = _form(name)
            if form.single and label == "alias":
                kept.update(self._get(("alias", form.single)))
            if not form.words:
                continue
            for query, choices in ((form.sorted, self._sorted), (form.direct, self._direct)):
                hits = process.extract(
                    query,
                    choices,
                    scorer=fuzz.ratio,
                    processor=None,
                    score_cutoff=cutoff,
                    limit=None,
                )
                kept.update(self._owner[i] for _choice, _score, i in hits)
            kept.update(self._get(("sound", form.sound)))
            kept |= self._by_words_shared(form)
        return kept

    def _by_words_shared(self, form: _Form) -> set[int]:
        """Those a subset of words or an initial standing for a word may make alike."""
        kept: set[int] = set()
        words, full = set(form.words), set(form.full)
        if len(words) >= 2:  # theirs holds all of my words
            kept |= set.intersection(*(set(self._get(("word", w))) for w in words))
        if form.initials and full:  # theirs holds my words beside my initials
            kept |= set.intersection(*(set(self._get(("word", w))) for w in full))
        if len(words | full) > MAX_SUBSET_WORDS:  # mine hold theirs: any shared word, to be safe
            for w in words | full:
                kept.update(self._get(("word", w)))
            return kept
        for size in range(1, len(words | full) + 1):
            for subset in combinations(sorted(words), size) if size >= 2 else ():
                kept.update(self._get(("words", subset)))
            for subset in combinations(sorted(full), size):
                kept.update(self._get(("initialled", subset)))
        return kept

    def find(self, typed: Names, limit: int | None = None) -> list[tuple[object, Match]]:
        """(key, match) of everyone who may be this person, strong first, then by score."""
        found = []
        for n in self._shortlist(typed):
            match = compare(typed, self.people[n])
            if match.found:
                found.append((self.keys[n], match))
        found.sort(key=lambda km: (BANDS.index(km[1].band), -km[1].score, str(km[0])))
        return found[:limit] if limit is not None else found
