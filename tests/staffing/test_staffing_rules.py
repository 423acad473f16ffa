"""The staffing rules as tables of named cases: cut-off (PROTOCOL M2), recurrence (M1), running
times, the timer, name matching, consent (C3) and what may be shown (C4). No database."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.core.free_text import clinical_phrases
from services.staffing import (
    consent_gaps,
    display_name,
    is_business_day,
    meeting_day,
    next_occurrence,
    rank_matches,
    running_times,
    submission_cutoff,
    timer_state,
)
from services.staffing.sections import is_restricted_topic

D = date


@pytest.mark.parametrize(
    "session_on, business_days, cutoff",
    [
        pytest.param(D(2026, 12, 3), 2, D(2026, 12, 1), id="thursday-session-names-due-tuesday"),
        pytest.param(D(2026, 12, 7), 2, D(2026, 12, 3), id="monday-session-skips-the-weekend"),
        pytest.param(D(2026, 12, 8), 2, D(2026, 12, 4), id="tuesday-session-names-due-friday"),
        pytest.param(D(2026, 11, 30), 2, D(2026, 11, 24), id="thanksgiving-and-the-day-after"),
        pytest.param(D(2026, 12, 1), 2, D(2026, 11, 25), id="day-after-the-thanksgiving-weekend"),
        pytest.param(D(2026, 12, 29), 2, D(2026, 12, 24), id="christmas-friday-skipped"),
        pytest.param(D(2027, 1, 4), 2, D(2026, 12, 30), id="new-year-across-the-year-end"),
        pytest.param(D(2027, 1, 5), 2, D(2026, 12, 31), id="new-year-eve-is-a-business-day"),
        pytest.param(D(2026, 11, 13), 2, D(2026, 11, 10), id="veterans-day-skipped"),
        pytest.param(D(2026, 10, 1), 2, D(2026, 9, 29), id="across-a-30-day-month-end"),
        pytest.param(D(2027, 3, 2), 2, D(2027, 2, 26), id="across-february-in-a-common-year"),
        pytest.param(D(2028, 3, 2), 2, D(2028, 2, 29), id="leap-day-is-a-business-day"),
        pytest.param(D(2028, 3, 1), 2, D(2028, 2, 28), id="day-after-leap-day"),
        pytest.param(D(2027, 12, 27), 2, D(2027, 12, 22), id="christmas-observed-friday-2027"),
        pytest.param(D(2026, 12, 3), 0, D(2026, 12, 3), id="zero-days-means-the-session-day"),
        pytest.param(D(2026, 12, 3), 1, D(2026, 12, 2), id="one-business-day"),
        pytest.param(D(2026, 12, 3), 5, D(2026, 11, 24), id="a-week-across-thanksgiving"),
    ],
)
def test_the_submission_cut_off_counts_business_days_back(session_on, business_days, cutoff):
    assert submission_cutoff(session_on, business_days) == cutoff


def test_a_negative_cut_off_is_refused():
    with pytest.raises(ValueError):
        submission_cutoff(D(2026, 12, 3), -1)


@pytest.mark.parametrize(
    "day, expected",
    [
        pytest.param(D(2026, 11, 26), False, id="thanksgiving"),
        pytest.param(D(2026, 11, 27), False, id="native-american-heritage-day-wa"),
        pytest.param(D(2026, 7, 3), False, id="independence-day-observed"),
        pytest.param(D(2026, 12, 5), False, id="a-saturday"),
        pytest.param(D(2026, 12, 4), True, id="an-ordinary-friday"),
    ],
)
def test_business_days_skip_weekends_and_washington_holidays(day, expected):
    assert is_business_day(day) is expected


@pytest.mark.parametrize(
    "nominal, expected",
    [
        pytest.param(D(2026, 11, 26), D(2026, 11, 30), id="thanksgiving-moves-to-monday"),
        pytest.param(D(2026, 12, 25), D(2026, 12, 28), id="christmas-moves-to-monday"),
        pytest.param(D(2026, 12, 3), D(2026, 12, 3), id="an-ordinary-thursday-stays"),
    ],
)
def test_a_meeting_on_a_holiday_moves_to_the_next_business_day(nominal, expected):
    assert meeting_day(nominal) == expected


@pytest.mark.parametrize(
    "anchor, after, interval, expected",
    [
        pytest.param(D(2026, 11, 12), D(2026, 11, 12), 14, D(2026, 11, 30), id="onto-thanksgiving"),
        pytest.param(D(2026, 11, 12), D(2026, 11, 30), 14, D(2026, 12, 10), id="back-on-the-grid"),
        pytest.param(D(2026, 12, 3), D(2026, 12, 3), 28, D(2026, 12, 31), id="monthly-staffing"),
        pytest.param(D(2026, 12, 3), D(2027, 1, 20), 14, D(2027, 1, 28), id="far-after-the-anchor"),
        pytest.param(D(2026, 12, 3), D(2026, 11, 1), 14, D(2026, 12, 3), id="before-the-anchor"),
    ],
)
def test_sessions_recur_on_their_grid(anchor, after, interval, expected):
    assert next_occurrence(anchor, after, interval) == expected


def test_running_times_add_each_time_box_and_wrap_past_midnight():
    assert running_times("23:50", [5, 15]) == [("23:50", "23:55"), ("23:55", "00:10")]
    assert running_times("10:00", []) == []


@pytest.mark.parametrize(
    "elapsed, minutes, text, over",
    [
        pytest.param(0, 5, "Time: 00:00 of 5 minutes (05:00 left)", False, id="just-started"),
        pytest.param(300, 5, "Time: 05:00 of 5 minutes (00:00 left)", False, id="exactly-on-time"),
        pytest.param(301, 5, "Over time: 05:01 of 5 minutes (00:01 over)", True, id="one-second"),
        pytest.param(-5, 5, "Time: 00:00 of 5 minutes (05:00 left)", False, id="clock-skew"),
    ],
)
def test_the_timer_counts_against_the_time_box(elapsed, minutes, text, over):
    start = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    state = timer_state(start, start + timedelta(seconds=elapsed), minutes)
    assert (state["text"], state["over"]) == (text, over)
    assert 0 <= state["fraction"] <= 1


# How alike two names and two dates of birth are: tests/rules/test_matching.py (one matcher).


PEOPLE = [
    {
        "id": 1,
        "lead_id": "BUR-0001",
        "legal_name": "Avery Q. Sample",
        "preferred_name": "Avery",
        "aliases": ["Ace"],
        "dob": D(1990, 1, 2),
    },
    {
        "id": 2,
        "lead_id": "BUR-0002",
        "legal_name": "Avery R. Sampson",
        "preferred_name": "Avery",
        "aliases": [],
        "dob": D(1985, 5, 5),
    },
    {
        "id": 3,
        "lead_id": "BUR-0003",
        "legal_name": "Jordan Placeholder",
        "preferred_name": "Jo",
        "aliases": [],
        "dob": None,
    },
]


@pytest.mark.parametrize(
    "query, first, why",
    [
        pytest.param(
            {"name": "Avery Sampson", "dob": None}, 2, "legal name", id="closest-name-wins"
        ),
        pytest.param(
            {"name": "Avery Samp", "dob": D(1990, 1, 2)},
            1,
            "same date of birth",
            id="the-birth-date-breaks-a-tie",
        ),
        pytest.param({"name": "", "alias": "Ace", "dob": None}, 1, "alias", id="an-alias-alone"),
        pytest.param(
            {"name": "Jo Placeholder", "dob": None}, 3, "legal name", id="a-short-first-name"
        ),
    ],
)
def test_matches_are_ranked_with_their_reasons(query, first, why):
    ranked = rank_matches(query, PEOPLE)
    assert ranked[0]["id"] == first and why in ranked[0]["why"]
    order = [(("strong", "possible").index(r["band"]), -r["score"]) for r in ranked]
    assert order == sorted(order)  # strong matches first, then by score


def test_nobody_is_suggested_for_a_name_unlike_anyone():
    assert rank_matches({"name": "Xq Zzyzx", "dob": D(2001, 9, 9)}, PEOPLE) == []


def _release(orgs, signed, expires=None, rescinded=None):
    return {
        "signed_date": signed,
        "expires_date": expires,
        "rescinded_date": rescinded,
        "covered_org_codes": orgs,
    }


@pytest.mark.parametrize(
    "releases, gaps",
    [
        pytest.param([_release(["BPD", "KCPAO"], D(2026, 1, 1))], [], id="both-covered"),
        pytest.param([_release(["BPD"], D(2026, 1, 1))], ["KCPAO"], id="one-org-missing"),
        pytest.param(
            [_release(["BPD"], D(2026, 1, 1)), _release(["KCPAO"], D(2026, 2, 1))],
            [],
            id="two-releases-together",
        ),
        pytest.param(
            [_release(["BPD", "KCPAO"], D(2026, 1, 1), expires=D(2026, 12, 2))],
            ["BPD", "KCPAO"],
            id="expires-the-day-before-the-session",
        ),
        pytest.param(
            [_release(["BPD", "KCPAO"], D(2026, 1, 1), expires=D(2026, 12, 3))],
            [],
            id="expires-on-the-session-day",
        ),
        pytest.param(
            [_release(["BPD", "KCPAO"], D(2026, 1, 1), rescinded=D(2026, 11, 30))],
            ["BPD", "KCPAO"],
            id="rescinded",
        ),
        pytest.param(
            [_release(["BPD", "KCPAO"], D(2026, 12, 1))],
            ["BPD", "KCPAO"],
            id="signed-after-today-is-pending",
        ),
        pytest.param([], ["BPD", "KCPAO"], id="no-release"),
    ],
)
def test_consent_must_hold_today_and_on_the_session_day(releases, gaps):
    assert consent_gaps(releases, ["BPD", "KCPAO"], [D(2026, 11, 30), D(2026, 12, 3)]) == gaps


@pytest.mark.parametrize(
    "label, restricted",
    [
        pytest.param("treatment (chemical dependency)", True, id="treatment"),
        pytest.param("Mental health counseling", True, id="mental-health"),
        pytest.param("health", True, id="health"),
        pytest.param("medication-assisted", True, id="medication"),
        pytest.param("housing", False, id="housing"),
        pytest.param("job training", False, id="job-training"),
        pytest.param("benefits (SSI/GAU)", False, id="benefits"),
    ],
)
def test_treatment_and_health_topics_are_never_presented(label, restricted):
    assert is_restricted_topic(label) is restricted


def test_clinical_words_are_found_on_whole_words_from_the_vocabulary():
    assert clinical_phrases("Relapsed; went to DETOX") == ["relapsed", "detox"]
    assert clinical_phrases("Housing found, engaged weekly") == []
    assert clinical_phrases("Dope-sick again") == ["dope sick"]  # the longer term, once


@pytest.mark.parametrize(
    "preferred, legal, shown",
    [
        pytest.param("Avery", "Avery Q. Sample", "Avery S.", id="first-and-last-initial"),
        pytest.param("Ace Avery", "Avery Sample", "Ace S.", id="only-the-first-preferred-word"),
        pytest.param("", "Avery Sample", "Avery S.", id="no-preferred-name"),
        pytest.param("Avery", "Avery", "Avery", id="a-single-name"),
    ],
)
def test_names_are_shown_as_first_name_and_last_initial(preferred, legal, shown):
    assert display_name(preferred, legal) == shown


def test_a_name_with_typos_in_every_word_is_still_compared():
    ranked = rank_matches({"name": "Avrey Sampel", "dob": None}, PEOPLE)
    assert ranked and ranked[0]["id"] == 1
