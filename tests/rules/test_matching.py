"""The one person matcher (PROTOCOL B14) as tables of named pairs, and the same pairs through every
caller: New referral's match preview, the agenda inbox's suggestions and the caseload import."""

from datetime import date

import pytest

from models import Participant, Role
from services.core.clock import utcnow
from services.core.db import write_session
from services.participants.imports import check_file
from services.referrals import Person, find_matches
from services.rules.matching import Names, People, compare, dob_closeness, name_similarity
from services.staffing import inbox, submit_name
from tests.factories import make_user, org_id, sign_in
from tests.factories_participants import TODAY as IMPORT_DAY
from tests.factories_participants import csv_bytes, import_row
from tests.factories_staffing import TODAY, at_noon, make_session, make_team

DOB = date(1990, 1, 2)
D = date

# (typed: legal name, alias, date of birth), (on file: legal, preferred, aliases, date of birth),
# the band every page must give.
PAIRS = [
    pytest.param(
        ("Avery Sample", "", DOB), ("Avery Sample", "Avery", [], DOB), "strong", id="exact"
    ),
    pytest.param(
        ("Sample, Avery", "", None), ("Avery Sample", "Avery", [], DOB), "strong", id="reordered"
    ),
    pytest.param(
        ("Avery Sample", "", None),
        ("Avery Jordan Sample", "Avery", [], DOB),
        "strong",
        id="middle-name-left-out",
    ),
    pytest.param(
        ("Avery Sample", "", None),
        ("Avery Q. Legalname", "Avery Sample", [], DOB),
        "strong",
        id="the-preferred-name",
    ),
    pytest.param(
        ("Jon Smyth", "", None),
        ("John Smith", "John", [], DOB),
        "possible",
        id="spelling-variant-no-dob",
    ),
    pytest.param(
        ("Jon Smyth", "", DOB),
        ("John Smith", "John", [], DOB),
        "strong",
        id="spelling-variant-same-dob",
    ),
    pytest.param(
        ("Avery Sampel", "", None), ("Avery Sample", "Avery", [], DOB), "possible", id="a-typo"
    ),
    pytest.param(
        ("Avery Simple", "", D(1990, 1, 3)),
        ("Avery Sample", "Avery", [], DOB),
        "strong",
        id="typo-and-dob-one-digit-off",
    ),
    pytest.param(
        ("Avery Sample", "", D(1990, 2, 1)),
        ("Avery Sample", "Avery", [], DOB),
        "strong",
        id="dob-day-and-month-swapped",
    ),
    pytest.param(
        ("A. Sample", "", None),
        ("Avery Sample", "Avery", [], DOB),
        "possible",
        id="an-initial-for-the-first-name",
    ),
    pytest.param(
        ("Quinn Placeholder", "Ace", None),
        ("Rowan Prototype", "Rowan", ["Ace"], DOB),
        "possible",
        id="the-same-street-name",
    ),
    pytest.param(
        ("Riley Sample", "", None),
        ("Avery Sample", "Avery", [], DOB),
        "none",
        id="same-surname-other-first-name",
    ),
    pytest.param(
        ("Riley Sample", "", DOB),
        ("Avery Sample", "Avery", [], DOB),
        "strong",
        id="same-surname-and-dob-twins-take-a-reason",
    ),
    pytest.param(
        ("Averi Simpel", "", D(1995, 6, 7)),
        ("Avery Sample", "Avery", [], DOB),
        "none",
        id="sounds-alike-but-another-dob",
    ),
    pytest.param(
        ("Avery", "", DOB), ("Avery Sample", "Avery", [], D(1980, 3, 4)), "none", id="first-name"
    ),
    pytest.param(
        ("Taylor Mockup", "", DOB),
        ("Avery Sample", "Avery", [], DOB),
        "none",
        id="nobody-alike",
    ),
]


def typed_names(typed) -> Names:
    name, alias, dob = typed
    return Names(name, "", (alias,) if alias else (), dob)


def known_names(known) -> Names:
    legal, preferred, aliases, dob = known
    return Names(legal, preferred, tuple(aliases), dob)


@pytest.mark.parametrize("typed, known, band", PAIRS)
def test_each_pair_of_people_gets_its_band_with_a_reason(typed, known, band):
    match = compare(typed_names(typed), known_names(known))
    assert match.band == band
    assert bool(match.reason) == (band != "none")


# A crowd for the prefilter: many names, many sharing words, dates and sounds with the pairs.
FIRST = ["Avery", "Averi", "Jordan", "Riley", "Quinn", "Rowan", "Jon", "John", "Casey", "A."]
LAST = ["Sample", "Simple", "Sampel", "Smith", "Smyth", "Mockup", "Example", "Fake-Person"]
CROWD = [
    Names(f"{first} {last}", first, (), D(1990, 1 + (i % 12), 1 + (i % 28)) if i % 3 else None)
    for i, (first, last) in enumerate((f, la) for f in FIRST for la in LAST)
]


@pytest.mark.parametrize("typed, known, band", PAIRS)
def test_the_prefilter_drops_nobody_the_full_comparison_would_find(typed, known, band):
    everyone = [*CROWD, known_names(known)]
    people = People.of(enumerate(everyone))
    found = {n: m for n, m in people.find(typed_names(typed))}
    expected = {n: compare(typed_names(typed), k) for n, k in enumerate(everyone)}
    assert found == {n: m for n, m in expected.items() if m.found}


# --- The same pairs through every caller ---------------------------------------------------------


def _on_file(engine, known) -> Participant:
    legal, preferred, aliases, dob = known
    provider = org_id(engine, "CMP")
    with write_session(engine) as session:
        person = Participant(
            lead_id="BUR-0001",
            legal_name=legal,
            preferred_name=preferred,
            aliases=aliases,
            date_of_birth=dob,
            organization_id=provider,
            created_at=utcnow(),
        )
        session.add(person)
        session.flush()
        return person


def _referral_band(engine, user, typed) -> str:
    name, alias, dob = typed
    typed_person = Person(legal_name=name, aliases=[alias] if alias else [], date_of_birth=dob)
    found = find_matches(engine, user, typed_person)
    return found[0]["Match"] if found else "none"


def _agenda_band(engine, team, typed, participant_id) -> str:
    name, alias, dob = typed
    session_id = make_session(engine)
    submit_name(
        engine,
        team.bpd,
        person_name=name,
        person_alias=alias,
        person_dob=dob,
        reason="Seen daily at the station",
        today=TODAY,
        now=at_noon(TODAY),
    )
    [row] = inbox(engine, team.pm, session_id=session_id)
    bands = [s["band"] for s in row["suggestions"] if s["participant_id"] == participant_id]
    return bands[0] if bands else "none"


def _import_band(engine, typed) -> str:
    name, alias, dob = typed
    make_user(engine, "sup", Role.clinical_supervisor)
    row = import_row(
        "BUR-0900", legal_name=name, aliases=alias, date_of_birth=dob.isoformat() if dob else ""
    )
    user = sign_in(engine, "sup")
    check = check_file(engine, user, filename="c.csv", data=csv_bytes([row]), today=IMPORT_DAY)
    if any("already recorded" in e["Error"] for e in check.errors):
        return "strong"  # the same name and date of birth: refused, the strongest match
    assert not check.errors, check.errors
    return check.matches[0]["Match"] if check.matches else "none"


@pytest.mark.parametrize("typed, known, band", PAIRS)
def test_the_same_person_matches_alike_on_new_referral_agenda_and_import(
    engine, typed, known, band
):
    team = make_team(engine)
    person = _on_file(engine, known)
    bands = {
        "matcher": compare(typed_names(typed), known_names(known)).band,
        "new referral": _referral_band(engine, team.pm, typed),
        "agenda inbox": _agenda_band(engine, team, typed, person.id),
        "caseload import": _import_band(engine, typed),
    }
    assert bands == dict.fromkeys(bands, band)


# --- How alike two names, two dates of birth are -------------------------------------------------


@pytest.mark.parametrize(
    "a, b, at_least, below",
    [
        pytest.param("Avery Sample", "Avery Q. Sample", 0.95, 1.01, id="middle-initial-missing"),
        pytest.param("SAMPLE, Avery", "Avery Sample", 0.99, 1.01, id="reversed-with-comma"),
        pytest.param("Zoë Example", "Zoe Example", 0.99, 1.01, id="accents-ignored"),
        pytest.param("avery  SAMPLE", "Avery Sample", 0.99, 1.01, id="case-and-spaces"),
        pytest.param("Avery Sampel", "Avery Sample", 0.8, 1.0, id="a-typo"),
        pytest.param("Jordan Fake-Person", "Jordan Fakeperson", 0.95, 1.0, id="a-hyphen"),
        pytest.param("Jon Smyth", "John Smith", 0.85, 0.95, id="sounds-alike"),
        pytest.param("A. Sample", "Avery Sample", 0.85, 0.95, id="an-initial"),
        pytest.param("B. Sample", "Avery Sample", 0.0, 0.85, id="another-initial"),
        pytest.param("Row 1 Sample", "Row 2 Sample", 0.0, 1.0, id="digits-count"),
        pytest.param("Jordan Placeholder", "Avery Sample", 0.0, 0.5, id="someone-else"),
        pytest.param("Avery", "Avery", 0.0, 0.01, id="a-first-name-alone"),
        pytest.param("", "Avery Sample", 0.0, 0.01, id="nothing-given"),
    ],
)
def test_how_alike_two_names_are(a, b, at_least, below):
    assert at_least <= name_similarity(a, b) < below


@pytest.mark.parametrize(
    "a, b, expected",
    [
        pytest.param(D(1990, 1, 2), D(1990, 1, 2), "same", id="same"),
        pytest.param(D(1990, 1, 2), D(1990, 2, 1), "near", id="day-month-swapped"),
        pytest.param(D(1990, 1, 2), D(1990, 1, 3), "near", id="day-differs"),
        pytest.param(D(1990, 1, 2), D(1991, 1, 2), "near", id="year-differs"),
        pytest.param(D(1990, 1, 2), D(1990, 11, 2), "near", id="month-one-digit-more"),
        pytest.param(D(1990, 1, 2), D(1991, 2, 2), "differs", id="two-parts-differ"),
        pytest.param(D(1990, 1, 2), None, "", id="unknown"),
    ],
)
def test_date_of_birth_closeness(a, b, expected):
    assert dob_closeness(a, b) == expected


# Moved from tests/referrals/test_referrals.py: which typed people are candidates at all (B14).
@pytest.mark.parametrize(
    "typed, dob, candidate, expected",
    [
        pytest.param("Avery Sample", None, "Avery Q. Sample", True, id="middle-initial-ignored"),
        pytest.param("Sample, Avery", None, "Avery Sample", True, id="surname-first"),
        pytest.param("Avéry Sample", None, "Avery Sample", True, id="accents-folded"),
        pytest.param("Avery Sampel", None, "Avery Sample", True, id="one-transposition"),
        pytest.param("Avery Madeup", None, "Avery Sample", False, id="different-surname-no-dob"),
        pytest.param("Avery Madeup", DOB, "Avery Sample", True, id="different-surname-same-dob"),
        pytest.param("Riley Jones", DOB, "Avery Sample", False, id="same-dob-unlike-name"),
        pytest.param("Avery Samuels", None, "Avery Sample", False, id="similar-name-no-dob"),
        pytest.param(
            "Avery Samuels", D(1990, 2, 1), "Avery Sample", True, id="similar-name-dob-swapped"
        ),
        pytest.param(
            "Averi Simpel", D(1991, 1, 2), "Avery Sample", True, id="similar-name-dob-year-typo"
        ),
        pytest.param(
            "Averi Simpel", D(1995, 6, 7), "Avery Sample", False, id="similar-name-other-dob"
        ),
        pytest.param("Taylor Mockup", None, "Avery Sample", False, id="nobody-alike"),
    ],
)
def test_person_matching_by_name_and_date_of_birth(typed, dob, candidate, expected):
    assert compare(Names(typed, dob=dob), Names(candidate, dob=DOB)).found == expected


def test_an_alias_on_either_side_matches():
    on_file = Names("Rowan Prototype", aliases=("Quinn Madeup",))
    assert compare(Names("Quinn Placeholder", aliases=("Quinn Madeup",)), on_file).found
    assert compare(Names("Quinn Madeup"), on_file).found
    assert not compare(Names("Nobody Here"), on_file).found
