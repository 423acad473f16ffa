"""The consent gate (services/rules/consent.py) agrees with the C3 alert of the contract."""

import doctest
from datetime import date, timedelta

import pytest

from services.deadlines import alerts_for
from services.rules import consent as rules

DAY = date(2026, 3, 1)
TODAY = date(2026, 6, 1)


def release(signed: int, rescinded: int | None = None, orgs=("BPD",), treatment=False) -> dict:
    return {
        "signed_date": DAY + timedelta(days=signed),
        "expires_date": None,
        "rescinded_date": None if rescinded is None else DAY + timedelta(days=rescinded),
        "covered_org_codes": list(orgs),
        "treatment_information": treatment,
    }


def c3_alert(intake: int | None, releases: list[dict]) -> bool:
    general = rules.general(releases)
    signed, rescinded = rules.c3_inputs(
        min((r["signed_date"] for r in general), default=None),
        max((r["rescinded_date"] for r in general if r["rescinded_date"]), default=None),
        sum(1 for r in general if not r["rescinded_date"]),
    )
    case = {
        "referral_type": "social_contact",
        "referral_date": DAY.isoformat(),
        "intake_completed_date": None if intake is None else (DAY + timedelta(days=intake)),
        "roi_signed_date": signed,
        "roi_rescinded_date": rescinded,
    }
    return any(a["rule"] == "C3" for a in alerts_for(case, TODAY.isoformat()))


CASES = [
    pytest.param(5, [release(5)], True, id="release-on-the-intake-day"),
    pytest.param(5, [release(2)], True, id="release-before-the-intake"),
    pytest.param(5, [release(8)], False, id="release-after-the-intake-t6"),
    pytest.param(5, [], False, id="no-release"),
    pytest.param(None, [release(2)], False, id="no-intake-yet"),
    pytest.param(5, [release(2, rescinded=9)], False, id="rescinded-c3"),
    pytest.param(
        5, [release(2, rescinded=9), release(12)], True, id="new-release-after-rescission"
    ),
    pytest.param(5, [release(8), release(3, treatment=True)], False, id="treatment-release-c4"),
]


@pytest.mark.parametrize("intake, releases, participant", CASES)
def test_a_participant_is_exactly_a_person_without_a_c3_alert(intake, releases, participant):
    on = None if intake is None else DAY + timedelta(days=intake)
    assert rules.is_participant(on, releases, TODAY) is participant
    if intake is not None:
        assert c3_alert(intake, releases) is not participant


def test_partners_see_a_late_release_as_pending_until_the_intake_is_redone():
    late = release(8)
    intake = DAY + timedelta(days=5)
    assert rules.release_state([late | {"intake_completed": intake}], "BPD", TODAY) == "pending"
    redone = rules.completion_after_redo(intake, [late], DAY + timedelta(days=8), TODAY)
    assert redone == DAY + timedelta(days=8)
    assert rules.release_state([late | {"intake_completed": redone}], "BPD", TODAY) == "active"
    assert rules.is_participant(redone, [late], TODAY)


def test_an_intake_redone_without_a_gap_keeps_the_first_completion():
    intake = DAY + timedelta(days=5)
    later = DAY + timedelta(days=20)
    assert rules.completion_after_redo(intake, [release(2)], later, TODAY) == intake
    assert rules.completion_after_redo(intake, [release(8)], DAY + timedelta(7), TODAY) == intake
    assert rules.completion_after_redo(None, [], intake, TODAY) == intake


def test_the_gap_says_what_is_missing_and_since_when():
    intake = DAY + timedelta(days=5)
    assert rules.gap(intake, [], TODAY) == rules.Gap("release", intake)
    assert rules.gap(intake, [release(8)], TODAY) == rules.Gap(
        "release by the intake", intake, DAY + timedelta(days=8)
    )
    assert rules.gap(intake, [release(2, rescinded=9)], TODAY).since == DAY + timedelta(days=9)


def test_the_rules_doctests_hold():
    assert doctest.testmod(rules).failed == 0
