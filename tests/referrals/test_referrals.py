"""Referrals: the cover sheet, the screen's mapping, person matching and every transition."""

from datetime import date, time

import pytest
from sqlmodel import col, func, select

from models import Participant, Referral, ReferralEvent, Release, StatusChange
from services import referrals as R
from services.core.audit import AuditFilter, browse
from services.core.db import read_session
from services.core.errors import StaleEditError, ValidationError
from services.referrals import Person
from services.rules.matching import Names, compare
from services.today import open_alerts
from tests.factories import days, make_participant, make_referral
from tests.factories_referrals import (
    NOW,
    TODAY,
    arrest_sheet,
    person,
    referral,
    social_sheet,
    team,
)


@pytest.fixture
def users(engine):
    return team(engine)


def count(engine, model) -> int:
    with read_session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def stored(engine, referral_id) -> Referral:
    with read_session(engine) as session:
        return session.get(Referral, referral_id)


def actions(engine, subject=None) -> list[str]:
    rows = browse(engine, AuditFilter(subject=subject or ""))
    return [r["action"] for r in reversed(rows)]


# --- Creating a referral ------------------------------------------------------------------------


def test_a_new_person_gets_the_next_lead_id_and_the_screen_is_stored(engine, users):
    make_participant(engine, "BUR-0002")
    make_participant(engine, "BUR-0009")
    make_participant(engine, "OTHER-0500")  # another prefix does not count
    saved = referral(engine, users["cma"])
    assert saved["lead_id"] == "BUR-0010" and saved["new_participant"]
    assert (saved["eligible"], saved["reasons"]) == (True, [])
    row = stored(engine, saved["referral_id"])
    assert (row.screen_eligible, row.screen_reasons, row.stage) == (True, [], "referred")
    assert row.supervising_sergeant == "Sgt. Demo-Sergeant" and row.prosecutor_office == "KCPAO"
    assert row.referred_at is not None and row.referred_at.hour == 17  # 09:30 PST in UTC
    with read_session(engine) as session:
        participant = session.get(Participant, row.participant_id)
    assert participant.case_manager_id == users["cma"].id  # a case manager takes their own
    assert R.referral_events(engine, row.id) == [("referred", "cma"), ("screen", "cma")]
    assert actions(engine, "BUR-0010") == ["participant.create", "referral.create"]


def test_an_excluded_arrest_is_stored_with_its_reasons_and_offers_the_social_contact_route(
    engine, users
):
    sheet = arrest_sheet(
        drug_grams=9.5,
        convictions=[{"offense": "robbery_1", "date": date(2001, 5, 1), "attempt": True}],
        override_recommended=True,
        override_reason="Sergeant knows the person is engaged with outreach already.",
    )
    saved = referral(engine, users["cma"], sheet)
    assert saved["reasons"] == ["B2", "B9"] and saved["social_contact_route"]
    row = stored(engine, saved["referral_id"])
    assert row.screen_eligible is False and row.override_recommended
    assert row.override_reason.startswith("Sergeant knows")
    assert ("override recommended", "cma") in R.referral_events(engine, row.id)
    audit_text = str(browse(engine, AuditFilter()))
    assert "Sergeant knows" not in audit_text  # reasons never go in audit rows


def test_a_referral_for_an_existing_participant_adds_no_person(engine, users):
    first = referral(engine, users["cma"])
    with read_session(engine) as session:
        pid = session.get(Referral, first["referral_id"]).participant_id
    again = referral(engine, users["cma"], arrest_sheet(), participant_id=pid)
    assert again["lead_id"] == first["lead_id"] and not again["new_participant"]
    assert count(engine, Participant) == 1 and count(engine, Referral) == 2


def test_a_supervisor_may_refer_an_existing_participant_and_a_partner_may_not(engine, users):
    existing = make_participant(engine, "BUR-0001")
    saved = referral(engine, users["sup"], participant_id=existing.id)
    assert saved["lead_id"] == "BUR-0001"
    with pytest.raises(ValidationError, match="only case management staff"):
        referral(engine, users["bpd1"], participant_id=existing.id)


@pytest.mark.parametrize(
    "changes, who, message",
    [
        pytest.param(
            {"referral_date": TODAY + days(1)},
            None,
            "Referral date: it cannot be in the future",
            id="referral-tomorrow",
        ),
        pytest.param(
            {"referral_time": time(13, 0)},
            None,
            "Referral time: it cannot be in the future",
            id="referral-later-today",
        ),
        pytest.param(
            {"referral_date": None}, None, "Referral date: required", id="no-referral-date"
        ),
        pytest.param(
            {"referring_officer": "  "}, None, "Referring officer: required", id="no-officer"
        ),
        pytest.param(
            {"referring_org_code": ""}, None, "Referring agency: required", id="no-agency"
        ),
        pytest.param(
            {"referring_org_code": "NOPE"},
            None,
            "Referring agency: choose one",
            id="unknown-agency",
        ),
        pytest.param(
            {"supervising_sergeant": ""},
            None,
            "Supervising sergeant: required",
            id="arrest-without-sergeant",
        ),
        pytest.param(
            {"prosecutor_office": ""},
            None,
            "Prosecutor with jurisdiction: required",
            id="arrest-without-prosecutor",
        ),
        pytest.param(
            {"prosecutor_office": "FBI"},
            None,
            "Prosecutor with jurisdiction: choose",
            id="unknown-prosecutor",
        ),
        pytest.param({"offense": ""}, None, "Offense: required", id="arrest-without-offense"),
        pytest.param({"offense": "jaywalking"}, None, "Offense: choose one", id="unknown-offense"),
        pytest.param({"drug_grams": -1.0}, None, "Drug grams: a number", id="negative-grams"),
        pytest.param(
            {"victim_sheet_date": TODAY},
            None,
            "only when a victim is involved",
            id="victim-sheet-without-victim",
        ),
        pytest.param(
            {"victim_involved": True, "victim_sheet_date": TODAY - days(1)},
            None,
            "cannot be before the referral date",
            id="victim-sheet-before-referral",
        ),
        pytest.param(
            {"convictions": [{"offense": "robbery_2", "date": TODAY + days(1)}]},
            None,
            "Prior conviction 1: the date cannot be after",
            id="conviction-after-referral",
        ),
        pytest.param(
            {"convictions": [{"offense": "robbery_2", "date": None}]},
            None,
            "Prior conviction 1: a conviction date is required",
            id="conviction-without-date",
        ),
        pytest.param(
            {"convictions": [{"offense": "arson_9", "date": date(2020, 1, 1)}]},
            None,
            "Prior conviction 1: choose the offense",
            id="unknown-conviction",
        ),
        pytest.param(
            {"override_recommended": True, "override_reason": " "},
            None,
            "Override reason: say why",
            id="override-without-reason",
        ),
        pytest.param(
            {"approving_sergeant": "Sgt. X", "approved_date": TODAY},
            None,
            "only social contact and DOC referrals are approved",
            id="arrest-with-approval",
        ),
        pytest.param({}, Person(legal_name=""), "Legal name: required", id="no-legal-name"),
        pytest.param(
            {},
            person(dob=TODAY + days(1)),
            "Date of birth: it cannot be in the future",
            id="born-tomorrow",
        ),
        pytest.param(
            {}, person(dob=date(2008, 11, 28)), "must be 18 or older", id="one-day-short-of-18"
        ),
        pytest.param(
            {},
            person(dob=date(1899, 12, 31)),
            "Date of birth: check the year",
            id="born-before-1900",
        ),
    ],
)
def test_a_bad_cover_sheet_is_refused_with_a_field_message_and_nothing_is_saved(
    engine, users, changes, who, message
):
    with pytest.raises(ValidationError, match=message):
        referral(engine, users["cma"], arrest_sheet(**changes), who or person())
    assert count(engine, Referral) == 0 and count(engine, Participant) == 0


def test_every_problem_of_a_sheet_is_reported_at_once(engine, users):
    sheet = arrest_sheet(referring_officer="", prosecutor_office="", offense="")
    with pytest.raises(ValidationError) as caught:
        referral(engine, users["cma"], sheet)
    text = str(caught.value)
    for field in ("Referring officer", "Prosecutor with jurisdiction", "Offense"):
        assert f"{field}:" in text


def test_a_person_turning_18_on_the_referral_date_is_accepted(engine, users):
    assert referral(engine, users["cma"], who=person(dob=date(2008, 11, 27)))["lead_id"]


def test_a_social_contact_with_a_future_violation_or_approval_is_refused(engine, users):
    for changes, message in (
        ({"last_violation_date": TODAY + days(1)}, "Last known violation date: it cannot be in"),
        ({"approved_date": TODAY + days(1)}, "Approval date: it cannot be in the future"),
        ({"approving_sergeant": ""}, "Approving sergeant: name who approved"),
        ({"verification_basis": "gossip"}, "Verification basis: choose"),
    ):
        with pytest.raises(ValidationError, match=message):
            referral(engine, users["cma"], social_sheet(**changes))


def test_partners_cannot_create_referrals(engine, users):
    with pytest.raises(ValidationError, match="only case management staff"):
        referral(engine, users["bpd1"])


def test_choose_a_person_or_a_participant_not_both(engine, users):
    with pytest.raises(ValidationError, match="Person: choose an existing participant"):
        R.create_referral(
            engine,
            users["cma"],
            arrest_sheet(),
            today=TODAY,
            person=person(),
            participant_id=1,
            now=NOW,
        )


# --- A new person beside a strong match (issue 11) ------------------------------------------------


def test_a_new_person_beside_a_strong_match_is_refused_without_a_reason(engine, users):
    make_participant(engine, "BUR-0001", name="Avery Sample")
    with pytest.raises(
        ValidationError, match=r"BUR-0001 \(name 100% similar to the preferred name\) may be this"
    ):
        referral(engine, users["cma"], who=person("Avery Sample", dob=None))
    assert count(engine, Participant) == 1 and count(engine, Referral) == 0


def test_a_new_person_beside_a_strong_match_stores_and_audits_the_reason(engine, users):
    make_participant(engine, "BUR-0001", name="Avery Sample")
    saved = referral(
        engine,
        users["cma"],
        who=person("Avery Sample", dob=date(1975, 6, 7)),
        new_person_reason="other",
        new_person_note="Different middle name and tattoo; checked with outreach",
    )
    assert saved["new_participant"] and saved["lead_id"] == "BUR-0002"
    with read_session(engine) as session:
        events = session.exec(
            select(ReferralEvent).where(ReferralEvent.referral_id == saved["referral_id"])
        ).all()
    [event] = [e for e in events if e.event == "new person beside a match"]
    assert event.detail == (
        "beside BUR-0001: Another reason (say which): Different middle name and tattoo; checked "
        "with outreach"
    )
    [row] = browse(engine, AuditFilter(action="participant.new_beside_match"))
    assert (row["subject"], row["outcome"]) == ("BUR-0002", "reason: other")
    assert "BUR-0001" in row["purpose"] and "tattoo" not in str(row)  # typed text stays out


@pytest.mark.parametrize(
    "reason, note, message",
    [
        pytest.param("guess", "", "choose a reason from the list", id="unknown-reason"),
        pytest.param("other", " ", "say briefly why", id="other-without-a-note"),
        pytest.param("other", "x" * 151, "at most 150 characters", id="note-too-long"),
    ],
)
def test_a_bad_reason_for_a_new_person_is_refused(engine, users, reason, note, message):
    make_participant(engine, "BUR-0001", name="Avery Sample")
    with pytest.raises(ValidationError, match=message):
        referral(
            engine,
            users["cma"],
            who=person("Avery Sample"),
            new_person_reason=reason,
            new_person_note=note,
        )
    assert count(engine, Participant) == 1


def test_a_possible_but_not_strong_match_needs_no_reason(engine, users):
    make_participant(engine, "BUR-0001", name="Avery Simple")  # 92% similar, another date of birth
    typed = R.typed_names(person("Avery Sample"))
    assert compare(typed, Names("Avery Simple", dob=date(1990, 1, 2))).band == "possible"
    saved = referral(engine, users["cma"], who=person("Avery Sample"))
    assert saved["lead_id"] == "BUR-0002"
    assert browse(engine, AuditFilter(action="participant.new_beside_match")) == []


@pytest.mark.parametrize(
    "typed_dob, their_name, strong",
    [
        pytest.param(None, "Avery Sample", True, id="same-name-no-dob-strong"),
        pytest.param(None, "Avery Simple", False, id="name-92-percent-no-dob-possible"),
        pytest.param(date(1990, 1, 2), "Avery Simple", True, id="name-92-percent-same-dob-strong"),
        pytest.param(date(1990, 2, 1), "Avery Simple", True, id="name-92-percent-near-dob-strong"),
        pytest.param(date(1990, 1, 2), "Avery Jones", False, id="name-half-same-dob-possible"),
    ],
)
def test_which_matches_are_strong(engine, users, typed_dob, their_name, strong):
    make_participant(engine, "BUR-0001", name=their_name)  # born 1990-01-02
    [match] = R.find_matches(engine, users["cma"], person("Avery Sample", dob=typed_dob))
    assert match["Match"] == ("strong" if strong else "possible")


# --- No determination is pre-answered (issue 11) -------------------------------------------------


def test_an_arrest_referral_with_unanswered_determinations_is_refused_and_names_them(engine, users):
    sheet = arrest_sheet()
    del sheet.determinations["amenable"], sheet.determinations["interested"]
    with pytest.raises(ValidationError) as caught:
        referral(engine, users["cma"], sheet)
    assert "Determinations: answer yes or no to each one before saving: Amenable to diversion " in (
        str(caught.value)
    )
    assert "Says they are interested in diversion (B10)" in str(caught.value)
    assert count(engine, Referral) == 0 and count(engine, Participant) == 0


def test_an_unanswered_determination_is_not_answered_yet_never_eligible():
    sheet = arrest_sheet()
    sheet.determinations = {}
    verdict = R.preview(sheet, TODAY)
    assert (verdict["verdict"], verdict["eligible"], verdict["reasons"]) == (
        "Not answered yet",
        False,
        [],
    )
    assert verdict["unanswered"][0] == "Amenable to diversion (B3)"
    assert len(verdict["unanswered"]) == 9
    assert "amenable" not in R.case_dict(sheet, TODAY)  # no guess goes to the screen


def test_an_exclusion_found_stands_while_other_determinations_are_unanswered():
    sheet = arrest_sheet(offense="other")
    sheet.determinations = {"amenable": True}
    verdict = R.preview(sheet, TODAY)
    assert verdict["verdict"] == "Excluded" and [r["rule"] for r in verdict["reasons"]] == ["B1"]
    assert len(verdict["unanswered"]) == 8


def test_a_saved_referral_keeps_only_the_determinations_its_form_asked(engine, users):
    saved = referral(engine, users["cma"], social_sheet())
    assert stored(engine, saved["referral_id"]).determinations == {
        "protective_order_with_participant": False
    }
    answers = arrest_sheet().determinations
    saved = referral(engine, users["cma"], arrest_sheet(), who=person("Rowan Example", dob=None))
    assert stored(engine, saved["referral_id"]).determinations == answers


# --- B9 names the conviction and its window (issue 11) --------------------------------------------


@pytest.mark.parametrize(
    "conviction, text",
    [
        pytest.param(
            {"offense": "robbery_2", "date": date(2019, 5, 2)},
            "Robbery 2, 2019-05-02: within 10 years (to 2029-05-02).",
            id="robbery-2-ten-years",
        ),
        pytest.param(
            {"offense": "robbery_1", "date": date(2019, 5, 2), "attempt": True},
            "Robbery 1 (attempt), 2019-05-02: no time limit.",
            id="attempted-robbery-1-lifetime",
        ),
        pytest.param(
            {"offense": "burglary_2", "date": date(2021, 11, 27)},
            "Burglary 2, 2021-11-27: within 5 years (to 2026-11-27).",
            id="burglary-2-on-the-fifth-anniversary",
        ),
    ],
)
def test_b9s_reason_names_the_conviction_and_the_window_that_applies(conviction, text):
    other = {"offense": "burglary_2", "date": date(2021, 11, 26)}  # out of its window
    verdict = R.preview(arrest_sheet(convictions=[other, conviction]), TODAY)
    assert verdict["reasons"] == [{"rule": "B9", "text": text}]


# --- The screen, mapped from the form ------------------------------------------------------------

FIVE_YEARS_AGO = date(2021, 11, 27)


@pytest.mark.parametrize(
    "sheet, reasons",
    [
        pytest.param(arrest_sheet(drug_grams=5.0), [], id="five-grams-eligible"),
        pytest.param(arrest_sheet(drug_grams=7.0), [], id="exactly-seven-grams-eligible"),
        pytest.param(arrest_sheet(drug_grams=7.01), ["B2"], id="just-over-seven-grams-b2"),
        pytest.param(arrest_sheet(drug_grams=8.0), ["B2"], id="eight-grams-b2"),
        pytest.param(arrest_sheet(drug="", drug_grams=8.0), ["B2"], id="no-drug-named-still-b2"),
        pytest.param(
            arrest_sheet(offense="vucsa_pwi", drug="marijuana", drug_grams=30.0),
            [],
            id="marijuana-pwi-amount-ignored",
        ),
        pytest.param(
            arrest_sheet(drug="marijuana", drug_grams=30.0),
            ["B2"],
            id="marijuana-possession-amount-counts",
        ),
        pytest.param(
            arrest_sheet(drug="prescription_pills", drug_grams=30.0),
            [],
            id="pills-possession-amount-ignored",
        ),
        pytest.param(arrest_sheet(offense="other"), ["B1"], id="another-offense-b1"),
        pytest.param(arrest_sheet(offense=""), ["B1"], id="offense-not-chosen-yet-b1"),
        pytest.param(
            arrest_sheet(determinations={"amenable": False}), ["B3"], id="not-amenable-b3"
        ),
        pytest.param(
            arrest_sheet(determinations={"dealing_for_profit": True}), ["B4"], id="dealing-b4"
        ),
        pytest.param(
            arrest_sheet(determinations={"exploits_others": True}), ["B5"], id="exploits-b5"
        ),
        pytest.param(
            arrest_sheet(determinations={"promoting_prostitution": True}), ["B6"], id="promoting-b6"
        ),
        pytest.param(
            arrest_sheet(determinations={"protective_order_with_participant": True}),
            ["B7"],
            id="order-b7",
        ),
        pytest.param(arrest_sheet(determinations={"safety_concern": True}), ["B8"], id="safety-b8"),
        pytest.param(
            arrest_sheet(
                determinations={
                    "needs_medical_care": True,
                    "unable_to_consent": True,
                    "interested": False,
                }
            ),
            [],
            id="b10-recorded-never-excludes",
        ),
        pytest.param(
            arrest_sheet(convictions=[{"offense": "burglary_2", "date": FIVE_YEARS_AGO}]),
            ["B9"],
            id="burglary-2-exactly-5-years-b9",
        ),
        pytest.param(
            arrest_sheet(convictions=[{"offense": "burglary_2", "date": FIVE_YEARS_AGO - days(1)}]),
            [],
            id="burglary-2-five-years-and-a-day",
        ),
        pytest.param(
            arrest_sheet(convictions=[{"offense": "murder_2", "date": date(1980, 1, 1)}]),
            ["B9"],
            id="murder-2-lifetime-b9",
        ),
        pytest.param(
            arrest_sheet(convictions=[{"offense": "other", "date": date(2026, 1, 1)}]),
            [],
            id="other-conviction-no-effect",
        ),
        pytest.param(
            arrest_sheet(warrant_doc_notes="DOC warrant; other-charge warrant"),
            [],
            id="warrants-do-not-exclude-b12",
        ),
        pytest.param(social_sheet(), [], id="social-contact-eligible"),
        pytest.param(
            social_sheet(verification_basis=""), ["S1"], id="social-contact-unverified-s1"
        ),
        pytest.param(social_sheet(in_catchment=None), ["S2"], id="catchment-unknown-s2"),
        pytest.param(social_sheet(in_catchment=False), ["S2"], id="outside-catchment-s2"),
        pytest.param(
            social_sheet(last_violation_date=date(2024, 11, 27)),
            [],
            id="violation-exactly-24-months-back",
        ),
        pytest.param(
            social_sheet(last_violation_date=date(2024, 11, 26)),
            ["S3"],
            id="violation-24-months-and-a-day-s3",
        ),
        pytest.param(social_sheet(last_violation_date=None), ["S3"], id="no-violation-date-s3"),
        pytest.param(
            social_sheet(determinations={"protective_order_with_participant": True}),
            ["S4"],
            id="order-s4",
        ),
        pytest.param(social_sheet(referral_type="doc"), [], id="doc-screened-like-social-contact"),
        pytest.param(
            social_sheet(referral_type="doc", verification_basis=""), ["S1"], id="doc-unverified-s1"
        ),
    ],
)
def test_the_form_maps_to_the_contracts_screen(sheet, reasons):
    verdict = R.preview(sheet, TODAY)
    assert [r["rule"] for r in verdict["reasons"]] == reasons
    assert verdict["verdict"] == ("Eligible" if not reasons else "Excluded")
    # B9 names its conviction and window instead (test_b9s_reason_names_...).
    assert all(
        r["text"] == R.REASON_TEXT[r["rule"]] for r in verdict["reasons"] if r["rule"] != "B9"
    )
    assert verdict["social_contact_route"] == (sheet.referral_type == "arrest" and bool(reasons))
    assert (
        "never a verdict" in verdict["decision_support"]
        or "not a verdict" in verdict["decision_support"]
    )


def test_the_screen_date_is_the_referral_date_not_today():
    sheet = arrest_sheet(
        referral_date=date(2026, 11, 1),
        convictions=[{"offense": "burglary_2", "date": date(2021, 11, 15)}],
    )
    case = R.case_dict(sheet, TODAY)
    assert case["date"] == "2026-11-01" and case["convictions"][0]["date"] == "2021-11-15"
    assert [r["rule"] for r in R.preview(sheet, TODAY)["reasons"]] == ["B9"]


def test_every_rule_id_has_a_plain_sentence():
    from services.eligibility import screen

    rules = set()
    for sheet in (
        arrest_sheet(
            offense="other",
            drug_grams=9.0,
            determinations={
                "amenable": False,
                "dealing_for_profit": True,
                "exploits_others": True,
                "promoting_prostitution": True,
                "protective_order_with_participant": True,
                "safety_concern": True,
            },
            convictions=[{"offense": "murder_1", "date": date(1999, 1, 1)}],
        ),
        social_sheet(
            verification_basis="",
            in_catchment=False,
            last_violation_date=None,
            determinations={"protective_order_with_participant": True},
        ),
    ):
        rules |= set(screen(R.case_dict(sheet, TODAY))["reasons"])
    assert rules == set(R.REASON_TEXT)
    assert all(text.endswith(".") and len(text) > 30 for text in R.REASON_TEXT.values())


# --- Person matching (B14) ----------------------------------------------------------------------

# The matcher's own tables (names, aliases, dates of birth): tests/rules/test_matching.py.


def test_matches_list_prior_referrals_and_the_lookup_is_audited(engine, users):
    cma = users["cma"]
    p = make_participant(engine, "BUR-0001", name="Avery Sample", aliases=["Ave S."])
    make_referral(engine, p, referred=date(2025, 3, 1), closed_date=date(2025, 5, 1))
    make_participant(engine, "BUR-0002", name="Taylor Mockup")
    found = R.find_matches(engine, cma, Person(legal_name="Avery Sample"))
    assert [m["LEAD id"] for m in found] == ["BUR-0001"]
    assert found[0]["Prior referrals"] == "2025-03-01 arrest diversion (closed)"
    assert found[0]["Date of birth"] == "1990-01-02" and "name 100% similar" in found[0]["Why"]
    row = browse(engine, AuditFilter(action="participant.match"))[0]
    assert (row["user"], row["subject"], row["outcome"]) == ("cma", "BUR-0001", "1 candidate(s)")


def test_nothing_typed_means_no_lookup_and_no_audit_row(engine, users):
    assert R.find_matches(engine, users["cma"], Person(legal_name="A")) == []
    assert browse(engine, AuditFilter(action="participant.match")) == []


@pytest.mark.parametrize("payload", ["' OR 1=1 --", "%", "_", "名前", "x" * 120])
def test_sql_ish_names_are_plain_strings(engine, users, payload):
    make_participant(engine, "BUR-0001", name="Avery Sample")
    assert R.find_matches(engine, users["cma"], Person(legal_name=payload)) == []


def test_a_too_long_name_is_refused(engine, users):
    with pytest.raises(ValidationError, match="Name: use at most 120"):
        R.find_matches(engine, users["cma"], Person(legal_name="x" * 121))


def test_partners_cannot_look_people_up(engine, users):
    make_participant(engine, "BUR-0001", name="Avery Sample")
    with pytest.raises(ValidationError):
        R.find_matches(engine, users["bpd1"], Person(legal_name="Avery Sample"))


def test_case_managers_only_match_their_agencys_people(engine, users):
    from models import Organization, OrgKind
    from services.core.db import write_session

    with write_session(engine) as session:
        session.add(Organization(code="CMP2", name="Second provider", kind=OrgKind.provider))
    p = make_participant(engine, "BUR-0001", name="Avery Sample")
    with write_session(engine) as session:
        row = session.get(Participant, p.id)
        row.organization_id = session.exec(
            select(Organization.id).where(Organization.code == "CMP2")
        ).one()
    assert R.find_matches(engine, users["cma"], Person(legal_name="Avery Sample")) == []
    assert len(R.find_matches(engine, users["pm1"], Person(legal_name="Avery Sample"))) == 1


# --- The lifecycle ------------------------------------------------------------------------------


def new_referral(engine, users, **changes):
    saved = referral(engine, users["cma"], arrest_sheet(**changes))
    return saved["referral_id"]


def step(engine, user, fn, rid, **kw):
    version = stored(engine, rid).version
    kw.setdefault("today", TODAY)
    return fn(engine, user, referral_id=rid, expected_version=version, **kw)


def test_the_whole_story_writes_an_event_and_an_audit_row_per_step(engine, users):
    cma = users["cma"]
    rid = new_referral(engine, users, referral_date=TODAY - days(12))
    step(engine, cma, R.record_screening, rid, on=TODAY - days(12))
    step(engine, cma, R.schedule_intake, rid, on=TODAY)
    activated = step(
        engine,
        cma,
        R.complete_intake,
        rid,
        on=TODAY,
        release_signed_on=TODAY,
        release_kind="verbal",
        release_orgs=["BPD", "KCPAO"],
        release_expires_on=TODAY + days(365),
    )
    assert activated
    row = stored(engine, rid)
    assert (row.stage, row.version) == ("participant", 4)
    assert [e for e, _ in R.referral_events(engine, rid)] == [
        "referred",
        "screen",
        "screened",
        "intake scheduled",
        "intake completed",
    ]
    lead = "BUR-0001"
    assert actions(engine, lead) == [
        "participant.create",
        "referral.create",
        "referral.screen",
        "referral.intake_scheduled",
        "release.add",
        "referral.intake",
        "participant.activate",
    ]
    with read_session(engine) as session:
        participant = session.get(Participant, row.participant_id)
        release = session.exec(select(Release)).one()
        change = session.exec(select(StatusChange)).one()
    assert participant.status.value == "active"  # PROTOCOL T6
    assert (release.kind, release.memorialised_by, release.covered_org_codes) == (
        "verbal",
        "cma",
        ["BPD", "KCPAO"],
    )
    assert (change.status, change.on) == ("active", TODAY)
    assert open_alerts(engine, cma, TODAY) == []


def test_left_before_screening_lists_the_t2_notifications(engine, users):
    rid = new_referral(engine, users, prosecutor_office="BCA")
    notices = step(engine, users["cma"], R.record_left_before_screening, rid)
    assert notices == [
        "Supervising sergeant: Sgt. Demo-Sergeant, by phone or email.",
        "Prosecutor with jurisdiction: Burien City Attorney, by phone or email.",
    ]
    assert stored(engine, rid).stage == "left_before_screening"
    detail = R.referral_detail(engine, users["cma"], rid, TODAY, purpose="test")
    assert detail["t2_notifications"] == notices and detail["stage"] == "left_before_screening"
    # The person came back: screening is still recorded from there.
    step(engine, users["cma"], R.record_screening, rid, on=TODAY)
    assert stored(engine, rid).stage == "screened"


@pytest.mark.parametrize(
    "prepare, fn, kwargs, message",
    [
        pytest.param(
            [],
            R.record_screening,
            {"on": TODAY - days(11)},
            "Screening date: it cannot be before the referral date",
            id="screening-before-referral",
        ),
        pytest.param(
            [],
            R.record_screening,
            {"on": TODAY + days(1)},
            "Screening date: it cannot be in the future",
            id="screening-tomorrow",
        ),
        pytest.param(
            [],
            R.record_screening,
            {"on": None},
            "Screening date: required",
            id="screening-without-date",
        ),
        pytest.param(
            ["screen"], R.record_screening, {"on": TODAY}, "already recorded", id="screening-twice"
        ),
        pytest.param(
            ["screen"],
            R.record_left_before_screening,
            {},
            "already recorded",
            id="left-after-screening",
        ),
        pytest.param(
            [],
            R.schedule_intake,
            {"on": TODAY},
            "record the initial screening first",
            id="schedule-before-screening",
        ),
        pytest.param(
            ["screen"],
            R.schedule_intake,
            {"on": TODAY - days(1)},
            "cannot be in the past",
            id="schedule-in-the-past",
        ),
        pytest.param(
            ["screen"],
            R.schedule_intake,
            {"on": TODAY + days(21)},
            "after the intake deadline 2026-12-17",
            id="schedule-past-the-deadline",
        ),
        pytest.param(
            [],
            R.complete_intake,
            {"on": TODAY - days(11)},
            "Intake date: it cannot be before the referral date",
            id="intake-before-referral",
        ),
        pytest.param(
            [],
            R.complete_intake,
            {"on": TODAY + days(1)},
            "Intake date: it cannot be in the future",
            id="intake-tomorrow",
        ),
        pytest.param(
            ["screen"],
            R.complete_intake,
            {"on": TODAY - days(10)},
            "cannot be before the screening",
            id="intake-before-screening",
        ),
        pytest.param(
            [],
            R.complete_intake,
            {
                "on": TODAY - days(1),
                "release_signed_on": TODAY,
                "release_orgs": ["BPD"],
                "release_expires_on": TODAY + days(90),
            },
            "no later than the intake",
            id="release-after-intake-t6",
        ),
        pytest.param(
            ["incapacitated"],
            R.complete_intake,
            {
                "on": TODAY,
                "release_signed_on": TODAY,
                "release_orgs": ["BPD"],
                "release_expires_on": TODAY + days(90),
            },
            "unable to consent",
            id="consent-while-incapacitated-c2",
        ),
        pytest.param(
            [],
            R.complete_intake,
            {"on": TODAY, "release_signed_on": TODAY, "release_orgs": ["BPD"]},
            "Expiry: required",
            id="release-without-expiry",
        ),
        pytest.param(
            [],
            R.complete_intake,
            {
                "on": TODAY,
                "release_signed_on": TODAY,
                "release_orgs": [],
                "release_expires_on": TODAY + days(9),
            },
            "Covered organizations",
            id="release-covering-no-one",
        ),
        pytest.param(
            ["intake"], R.complete_intake, {"on": TODAY}, "already complete", id="intake-twice"
        ),
        pytest.param(
            ["close"],
            R.record_screening,
            {"on": TODAY},
            "the referral is closed",
            id="screening-a-closed-referral",
        ),
        pytest.param(
            [],
            R.extend_deadline,
            {"new_date": TODAY + days(19), "extended_by": "Sgt. X", "on": TODAY},
            "after the current deadline 2026-12-17",
            id="extension-not-later",
        ),
        pytest.param(
            [],
            R.extend_deadline,
            {"new_date": TODAY + days(30), "extended_by": " ", "on": TODAY},
            "Extended by: name",
            id="extension-by-nobody",
        ),
        pytest.param(
            [],
            R.extend_deadline,
            {"new_date": None, "extended_by": "Sgt. X", "on": TODAY},
            "New deadline: required",
            id="extension-without-date",
        ),
        pytest.param(
            [],
            R.record_prosecutor_notice,
            {"on": TODAY, "office": "KCPAO", "method": "phone"},
            "has not passed yet",
            id="notice-before-a-missed-deadline",
        ),
        pytest.param(
            [],
            R.record_prosecutor_notice,
            {"on": TODAY, "office": "FBI", "method": "phone"},
            "Office notified: choose",
            id="notice-to-an-unknown-office",
        ),
        pytest.param(
            [],
            R.record_prosecutor_notice,
            {"on": TODAY, "office": "KCPAO", "method": "fax"},
            "How: phone or email",
            id="notice-by-fax",
        ),
        pytest.param(
            [],
            R.close_referral,
            {"on": TODAY, "outcome": "vanished", "reason": "x"},
            "Outcome: choose",
            id="close-with-unknown-outcome",
        ),
        pytest.param(
            [],
            R.close_referral,
            {"on": TODAY, "outcome": "declined", "reason": ""},
            "Reason: say briefly",
            id="close-without-reason",
        ),
        pytest.param(
            ["close"],
            R.close_referral,
            {"on": TODAY, "outcome": "declined", "reason": "again"},
            "already closed",
            id="close-twice",
        ),
        pytest.param(
            [],
            R.record_reassessment,
            {"on": TODAY},
            "has no social-contact approval",
            id="reassess-an-arrest",
        ),
    ],
)
def test_each_transition_is_validated_and_nothing_changes(
    engine, users, prepare, fn, kwargs, message
):
    cma = users["cma"]
    rid = new_referral(engine, users, referral_date=TODAY - days(10))
    for name in prepare:
        if name == "screen":
            step(engine, cma, R.record_screening, rid, on=TODAY - days(9))
        elif name == "intake":
            step(engine, cma, R.complete_intake, rid, on=TODAY)
        elif name == "incapacitated":
            step(engine, cma, _set_incapacitated, rid, incapacitated=True)
        elif name == "close":
            step(engine, cma, R.close_referral, rid, on=TODAY, outcome="lapsed", reason="gone")
    before = stored(engine, rid)
    audit_rows = len(browse(engine, AuditFilter()))
    with pytest.raises(ValidationError, match=message):
        step(engine, cma, fn, rid, **kwargs)
    after = stored(engine, rid)
    assert after.version == before.version and after.stage == before.stage
    assert len(browse(engine, AuditFilter())) == audit_rows


def _set_incapacitated(engine, user, **kw):
    kw.pop("today", None)
    return R.set_incapacitated(engine, user, **kw)


TRANSITIONS = [
    pytest.param(R.record_screening, {"on": TODAY}, id="screening"),
    pytest.param(R.record_left_before_screening, {}, id="left-before-screening"),
    pytest.param(R.complete_intake, {"on": TODAY}, id="intake"),
    pytest.param(_set_incapacitated, {"incapacitated": True}, id="incapacitated"),
    pytest.param(
        R.extend_deadline,
        {"new_date": TODAY + days(40), "extended_by": "Sgt. X", "on": TODAY},
        id="extension",
    ),
    pytest.param(
        R.close_referral, {"on": TODAY, "outcome": "declined", "reason": "no"}, id="close"
    ),
]


@pytest.mark.parametrize("fn, kwargs", TRANSITIONS)
def test_every_transition_refuses_a_stale_version(engine, users, fn, kwargs):
    rid = new_referral(engine, users)
    with pytest.raises(StaleEditError, match="changed by cma"):
        fn(engine, users["cma"], referral_id=rid, expected_version=0, today=TODAY, **kwargs)
    assert stored(engine, rid).version == 1


@pytest.mark.parametrize("fn, kwargs", TRANSITIONS)
def test_partners_can_take_no_step(engine, users, fn, kwargs):
    rid = new_referral(engine, users)
    with pytest.raises(ValidationError):
        fn(engine, users["bpd1"], referral_id=rid, expected_version=1, today=TODAY, **kwargs)


def test_the_project_manager_extends_and_closes_but_leaves_casework_to_case_managers(engine, users):
    pm = users["pm1"]
    rid = new_referral(engine, users)
    with pytest.raises(ValidationError, match="case management staff record this step"):
        step(engine, pm, R.record_screening, rid, on=TODAY)
    with pytest.raises(ValidationError, match="case management staff record this step"):
        step(engine, pm, R.complete_intake, rid, on=TODAY)
    step(engine, pm, R.extend_deadline, rid, new_date=TODAY + days(45), extended_by="BPD", on=TODAY)
    step(engine, pm, R.close_referral, rid, on=TODAY, outcome="charges_filed", reason="KCPAO filed")
    row = stored(engine, rid)
    assert row.closed_reason == "Charges filed: KCPAO filed" and row.stage == "closed"


def test_an_intake_without_a_release_leaves_the_person_referred_and_raises_c3(engine, users):
    cma = users["cma"]
    rid = new_referral(engine, users, referral_date=TODAY - days(3))
    assert step(engine, cma, R.complete_intake, rid, on=TODAY - days(1)) is False
    row = stored(engine, rid)
    assert row.stage == "intake_completed"
    assert [a.rule for a in open_alerts(engine, cma, TODAY)] == ["C3"]


def test_clearing_the_incapacity_mark_lets_consent_be_taken(engine, users):
    cma = users["cma"]
    rid = new_referral(engine, users)
    _set_incapacitated(engine, cma, referral_id=rid, expected_version=1, incapacitated=True)
    with pytest.raises(ValidationError, match="nothing to change"):
        _set_incapacitated(engine, cma, referral_id=rid, expected_version=2, incapacitated=True)
    _set_incapacitated(engine, cma, referral_id=rid, expected_version=2, incapacitated=False)
    assert step(
        engine,
        cma,
        R.complete_intake,
        rid,
        on=TODAY,
        release_signed_on=TODAY,
        release_orgs=["KCPAO"],
        release_expires_on=TODAY + days(30),
    )
    assert [e for e, _ in R.referral_events(engine, rid)][2:4] == [
        "marked unable to consent",
        "able to consent",
    ]


def test_an_extension_moves_the_t4_deadline_and_records_who(engine, users):
    cma = users["cma"]
    rid = new_referral(engine, users, referral_date=TODAY - days(31))
    assert {a.rule for a in open_alerts(engine, cma, TODAY)} == {"T4", "T5"}
    step(
        engine,
        cma,
        R.extend_deadline,
        rid,
        new_date=TODAY + days(14),
        extended_by="Sgt. Demo-Sergeant",
        on=TODAY,
    )
    row = stored(engine, rid)
    assert (row.intake_extended_to, row.intake_extended_by) == (
        TODAY + days(14),
        "Sgt. Demo-Sergeant",
    )
    got = [(a.rule, a.due) for a in open_alerts(engine, cma, TODAY)]
    assert got == [("T4", TODAY + days(14))]
    assert R.referral_events(engine, rid)[-1] == ("intake deadline extended", "cma")


def test_the_prosecutor_notice_records_office_and_method_and_closes_t5(engine, users):
    cma = users["cma"]
    rid = new_referral(engine, users, referral_date=TODAY - days(31))
    with pytest.raises(ValidationError, match="comes after it"):
        step(
            engine,
            cma,
            R.record_prosecutor_notice,
            rid,
            on=TODAY - days(1),
            office="KCPAO",
            method="email",
        )
    step(engine, cma, R.record_prosecutor_notice, rid, on=TODAY, office="BCA", method="email")
    row = stored(engine, rid)
    assert (
        row.prosecutor_notified_date,
        row.prosecutor_notice_office,
        row.prosecutor_notice_method,
    ) == (TODAY, "BCA", "email")
    assert [a.rule for a in open_alerts(engine, cma, TODAY)] == ["T4"]
    with pytest.raises(ValidationError, match="already recorded"):
        step(engine, cma, R.record_prosecutor_notice, rid, on=TODAY, office="BCA", method="email")


def test_a_social_contact_reassessment_restarts_s6(engine, users):
    cma = users["cma"]
    saved = referral(
        engine,
        cma,
        social_sheet(
            referral_date=TODAY - days(200),
            approved_date=TODAY - days(200),
            last_violation_date=TODAY - days(210),
        ),
    )
    rid = saved["referral_id"]
    assert [a.rule for a in open_alerts(engine, cma, TODAY)] == ["S6"]
    step(engine, cma, R.record_reassessment, rid, on=TODAY)
    assert [(a.rule, a.due) for a in open_alerts(engine, cma, TODAY)] == [("S6", date(2027, 5, 27))]


# --- Lists, clock and the project manager's view ------------------------------------------------


@pytest.mark.parametrize(
    "dates, expected_stage, action_starts",
    [
        pytest.param({}, "referred", "Record the initial screening", id="just-referred"),
        pytest.param(
            {"stage": "left_before_screening"},
            "left_before_screening",
            "Screen the person when they return",
            id="left",
        ),
        pytest.param(
            {"initial_screening_date": TODAY},
            "screened",
            "Schedule the in-depth intake, optimally by 2026-11-29",
            id="screened",
        ),
        pytest.param(
            {"initial_screening_date": TODAY, "intake_scheduled_date": TODAY + days(1)},
            "intake_scheduled",
            "Complete the intake scheduled for 2026-11-28",
            id="scheduled",
        ),
        pytest.param(
            {"referral_date": TODAY - days(31)},
            "referred",
            "Notify the prosecutor of the missed intake by 2026-12-03",
            id="missed-deadline",
        ),
        pytest.param(
            {"referral_date": TODAY - days(31), "prosecutor_notified_date": TODAY},
            "referred",
            "Record the initial screening",
            id="missed-and-notified",
        ),
        pytest.param(
            {"intake_completed_date": TODAY},
            "intake_completed",
            "Obtain a signed release",
            id="intake-no-release",
        ),
        pytest.param(
            {"intake_completed_date": TODAY, "participant_active": True},
            "participant",
            "",
            id="participant",
        ),
        pytest.param({"closed_date": TODAY}, "closed", "", id="closed"),
    ],
)
def test_stage_and_next_action(dates, expected_stage, action_starts):
    from models import SiteSettings

    row = {
        "referral_type": "arrest",
        "referral_date": TODAY - days(2),
        "stage": "referred",
        "closed_date": None,
        "intake_completed_date": None,
        "initial_screening_date": None,
        "intake_scheduled_date": None,
        "intake_extended_to": None,
        "prosecutor_notified_date": None,
    } | dates
    state = R.clock(row, TODAY, SiteSettings())
    assert state.stage == expected_stage
    assert state.next_action.startswith(action_starts) if action_starts else state.next_action == ""


def test_the_clock_counts_days_of_the_intake_window(engine, users):
    from models import SiteSettings

    row = {
        "referral_type": "arrest",
        "referral_date": TODAY - days(12),
        "stage": "referred",
        "closed_date": None,
        "intake_completed_date": None,
        "initial_screening_date": None,
        "intake_scheduled_date": None,
        "intake_extended_to": None,
        "prosecutor_notified_date": None,
    }
    assert R.clock(row, TODAY, SiteSettings()).text == "day 12 of 30"
    late = row | {"referral_date": TODAY - days(31)}
    assert (
        R.clock(late, TODAY, SiteSettings()).text == "day 31 of 30, intake overdue since 2026-11-27"
    )
    extended = late | {"intake_extended_to": TODAY + days(9)}
    assert R.clock(extended, TODAY, SiteSettings()).text == "day 31 of 40 (extended)"


@pytest.mark.parametrize(
    "late",
    [
        pytest.param(0, id="on-the-intake-deadline"),
        pytest.param(1, id="a-day-past-the-deadline"),
        pytest.param(3, id="on-the-notice-due-day"),
        pytest.param(4, id="the-notice-overdue"),
    ],
)
@pytest.mark.parametrize("notified", [False, True], ids=["not-notified", "notified"])
def test_the_referrals_clock_and_actions_owe_the_prosecutor_notice_exactly_when_the_alert_does(
    late, notified
):
    """PROTOCOL T5 has one home: the Referrals page's next action and its "notice" action follow
    the same rule and site windows as the deadline alerts (here 20 and 3 days, not the defaults)."""
    from types import SimpleNamespace

    from models import Role, SiteSettings
    from services.deadlines import alerts_for

    settings = SiteSettings(intake_days=20, prosecutor_notice_days=3)
    referred = TODAY - days(20 + late)
    notified_on = TODAY if notified else None
    row = {
        "referral_type": "arrest",
        "referral_date": referred,
        "stage": "referred",
        "closed_date": None,
        "intake_completed_date": None,
        "initial_screening_date": None,
        "intake_scheduled_date": None,
        "intake_extended_to": None,
        "prosecutor_notified_date": notified_on,
    }
    case = {
        "referral_type": "arrest",
        "referral_date": referred.isoformat(),
        "prosecutor_notified_date": notified_on and notified_on.isoformat(),
    }
    alerts = alerts_for(case, TODAY.isoformat(), intake_days=20, notice_days=3)
    t5 = [a["due"] for a in alerts if a["rule"] == "T5"]
    state = R.clock(row, TODAY, settings)
    action = state.next_action
    on_the_clock = (
        [action.split(" by ")[1][:10]] if action.startswith("Notify the prosecutor") else []
    )
    referral = SimpleNamespace(prosecutor_notified_date=notified_on, victim_involved=False)
    actions = R.available_actions(
        "arrest", state.stage, state.due, TODAY, referral, Role.project_manager
    )
    assert on_the_clock == t5
    assert ("notice" in actions) == bool(t5)


def test_the_list_shows_open_referrals_and_hides_screen_reasons_from_the_project_manager(
    engine, users
):
    cma, pm = users["cma"], users["pm1"]
    referral(engine, cma, arrest_sheet(drug_grams=9.0), person("Riley Example"))
    closed = new_referral(engine, users)
    step(engine, cma, R.close_referral, closed, on=TODAY, outcome="declined", reason="declined")
    rows = R.list_referrals(engine, cma, TODAY)
    assert [(r["LEAD id"], r["Screen"], r["Clock"]) for r in rows] == [
        ("BUR-0001", "Excluded (B2)", "day 0 of 30")
    ]
    assert rows[0]["Next action"].startswith("Record the initial screening")
    assert [r["Screen"] for r in R.list_referrals(engine, pm, TODAY)] == ["Excluded"]
    assert [r["Stage"] for r in R.list_referrals(engine, cma, TODAY, show="closed")] == ["Closed"]
    assert len(R.list_referrals(engine, cma, TODAY, show="all")) == 2


@pytest.mark.parametrize(
    ("fields", "listed_open"),
    [
        pytest.param({}, True, id="just-referred-is-open"),
        pytest.param({"stage": "left_before_screening"}, True, id="left-before-screening-is-open"),
        pytest.param({"initial_screening_date": TODAY}, True, id="screened-is-open"),
        pytest.param({"intake_scheduled_date": TODAY}, True, id="intake-scheduled-is-open"),
        pytest.param({"intake_completed_date": TODAY}, False, id="intake-done-is-not-open"),
        pytest.param(
            {"intake_completed_date": TODAY, "stage": "participant"},
            False,
            id="participant-is-not-open",
        ),
        pytest.param({"closed_date": TODAY}, False, id="closed-is-not-open"),
        pytest.param(
            {"closed_date": TODAY, "intake_completed_date": TODAY - days(3)},
            False,
            id="closed-after-intake-is-not-open",
        ),
        pytest.param({"stage": "closed"}, True, id="a-stage-word-without-dates-is-still-open"),
    ],
)
def test_the_open_list_filtered_in_sql_keeps_the_stages_derived_open(
    engine, users, fields, listed_open
):
    person_ = make_participant(engine, "BUR-0100")
    make_referral(engine, person_, referred=TODAY - days(4), **fields)
    everything = R.list_referrals(engine, users["cma"], TODAY, show="all")
    derived_open = [r for r in everything if r["Stage"] in map(R.STAGE_LABELS.get, R.OPEN_STAGES)]
    assert len(everything) == 1 and (derived_open == everything) == listed_open
    assert R.list_referrals(engine, users["cma"], TODAY, show="open") == derived_open
    closed = [r for r in everything if r not in derived_open]
    assert R.list_referrals(engine, users["cma"], TODAY, show="closed") == closed


def test_the_detail_view_is_audited_and_the_project_manager_sees_no_criminal_history(engine, users):
    sheet = arrest_sheet(
        convictions=[{"offense": "burglary_2", "date": date(2023, 1, 1)}],
        warrant_doc_notes="DOC warrant 123",
        override_recommended=True,
        override_reason="Known to outreach",
    )
    rid = referral(engine, users["cma"], sheet)["referral_id"]
    cm_view = R.referral_detail(engine, users["cma"], rid, TODAY, purpose="follow-up")
    assert "Burglary 2 2023-01-01" in cm_view["fields"]["Prior convictions"]
    assert cm_view["fields"]["Screen reasons"] == (
        "B9: Burglary 2, 2023-01-01: within 5 years (to 2028-01-01)."
    )
    assert cm_view["actions"] == ["screen", "left", "intake", "extend", "incapacitated", "close"]
    pm_view = R.referral_detail(engine, users["pm1"], rid, TODAY, purpose="follow-up")
    for name in R.RESTRICTED_REFERRAL_FIELDS:
        assert name not in pm_view["fields"]
    assert "DOC warrant 123" not in str(pm_view) and "Known to outreach" not in str(pm_view)
    assert pm_view["actions"] == ["extend", "close"]
    views = browse(engine, AuditFilter(action="referral.view"))
    assert [(v["user"], v["subject"]) for v in views] == [("pm1", "BUR-0001"), ("cma", "BUR-0001")]


def test_the_project_manager_hears_of_every_social_contact_candidate(engine, users):
    cma, pm = users["cma"], users["pm1"]
    referral(engine, cma, social_sheet(), person("Sage Sample"))
    referral(engine, cma, arrest_sheet(offense="other"), person("Rowan Example"))
    referral(engine, cma, arrest_sheet(), person("Quinn Mockup"))  # eligible arrest: not listed
    rows = R.social_contact_candidates(engine, pm, TODAY)
    assert [(r["LEAD id"], r["Candidate"]) for r in rows] == [  # newest first
        ("BUR-0002", "Arrest diversion excluded: social-contact route offered (B13)"),
        ("BUR-0001", "Social contact referral"),
    ]
    assert rows[1]["Approval good until (S6)"] == "2027-05-27"
    assert rows[1]["Approved by (S5)"] == "Sgt. Demo-Approver"
    assert R.social_contact_candidates(engine, cma, TODAY) == []


def test_the_newest_candidates_come_first_with_the_count_of_every_one(engine, users):
    cma, pm = users["cma"], users["pm1"]
    referral(engine, cma, social_sheet(), person("Sage Sample"))
    referral(engine, cma, arrest_sheet(offense="other"), person("Rowan Example"))
    referral(engine, cma, arrest_sheet(), person("Quinn Mockup"))  # eligible arrest: not counted
    referral(engine, cma, social_sheet(), person("Tatum Placeholder"))
    every = R.social_contact_candidates(engine, pm, TODAY)
    assert R.social_contact_candidates(engine, pm, TODAY, limit=2) == every[:2]
    assert R.social_contact_candidates(engine, pm, TODAY, limit=10) == every
    assert R.social_contact_candidate_count(engine, pm) == len(every) == 3
    assert R.social_contact_candidate_count(engine, cma) == 0


def test_the_demo_fills_cover_sheets_without_adding_people(engine):
    from demo.seed import seed_demo

    seed_demo(engine, participants=12)
    with read_session(engine) as session:
        rows = session.exec(select(Referral)).all()
        stages = {r.stage for r in rows}
    assert count(engine, Participant) == 12
    assert all(r.supervising_sergeant and r.screen_eligible is not None for r in rows)
    assert "referred" in stages and stages <= set(R.STAGE_LABELS)
    with read_session(engine) as session:
        assert (
            session.exec(
                select(func.count()).select_from(Referral).where(col(Referral.stage) == "")
            ).one()
            == 0
        )


@pytest.mark.parametrize(
    "last_violation, months, reasons",
    [
        pytest.param(date(2025, 11, 27), 12, [], id="exactly-12-months-back-inside"),
        pytest.param(date(2025, 11, 26), 12, ["S3"], id="12-months-and-a-day-outside"),
        pytest.param(date(2023, 11, 27), 36, [], id="36-month-setting-reaches-further"),
        pytest.param(date(2024, 11, 26), 24, ["S3"], id="default-24-months-as-the-contract"),
    ],
)
def test_the_site_look_back_window_decides_s3(last_violation, months, reasons):
    sheet = social_sheet(last_violation_date=last_violation)
    got = R.preview(sheet, TODAY, lookback_months=months)
    assert [r["rule"] for r in got["reasons"]] == reasons


@pytest.mark.parametrize(
    "last_violation",
    [
        pytest.param(date(2025, 11, 27), id="exactly-12-months-back"),
        pytest.param(date(2025, 11, 26), id="12-months-and-a-day-back"),
        pytest.param(date(2024, 11, 27), id="exactly-24-months-back"),
        pytest.param(None, id="no-violation-date"),
    ],
)
@pytest.mark.parametrize("referral_type", ["social_contact", "doc"])
def test_a_site_window_of_12_months_gives_the_same_s3_verdict_on_the_preview_and_in_the_screen(
    last_violation, referral_type
):
    """PROTOCOL S3 is decided once: New referral's preview passes the site's window to the
    screen instead of re-deciding S3 itself (issue 13)."""
    from services.eligibility import screen

    sheet = social_sheet(referral_type=referral_type, last_violation_date=last_violation)
    reasons = R.preview(sheet, TODAY, lookback_months=12)["reasons"]
    on_the_form = "S3" in [reason["rule"] for reason in reasons]
    in_the_screen = "S3" in screen(R.case_dict(sheet, TODAY), violation_months=12)["reasons"]
    assert on_the_form == in_the_screen


def test_a_saved_social_contact_uses_the_sites_look_back_window(engine, users):
    from services.core.audit import SYSTEM
    from services.core.site import get_settings, update_settings

    update_settings(
        engine,
        actor=SYSTEM,
        expected_version=get_settings(engine).version,
        changes={"social_contact_lookback_months": 6},
    )
    saved = referral(engine, users["cma"], social_sheet(last_violation_date=date(2026, 5, 26)))
    assert saved["reasons"] == ["S3"]


def test_an_intake_deadline_extended_to_a_day_already_past_is_refused_not_saved(engine, users):
    """SECURITY 33: the form's date field no longer stops a past day; the service does."""
    rid = new_referral(engine, users, referral_date=TODAY - days(60))
    with pytest.raises(ValidationError, match="New deadline: it cannot be in the past"):
        step(
            engine,
            users["pm1"],
            R.extend_deadline,
            rid,
            new_date=TODAY - days(1),
            extended_by="Sgt. Example",
            on=TODAY,
        )
    assert stored(engine, rid).intake_extended_to is None
