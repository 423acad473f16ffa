"""Who sees what of a participant: the release gate and minimum necessary (SECURITY 1-3, 8, 20)."""

from datetime import date

import pytest
from sqlmodel import select

from models import AuditEvent, Role
from services.db import read_session
from services.errors import ValidationError
from services.participants import search, view_record
from services.policy import (
    CONSENT_STATES,
    PARTNER_ROLES,
    RESTRICTED_FIELDS,
    release_state,
    visible_fields,
)
from tests.factories import days, make_participant, make_release, make_user, sign_in

TODAY = date(2026, 11, 27)

# One participant per consent state as seen by BPD, KCPAO and DOC.
CONSENT_SETUP = {
    "none": None,
    "pending": {"signed": TODAY + days(3)},
    "active": {"signed": TODAY - days(30), "expires": TODAY + days(300)},
    "expired": {"signed": TODAY - days(400), "expires": TODAY - days(1)},
    "rescinded": {"signed": TODAY - days(30), "rescinded": TODAY - days(2)},
}
ROLE_USERS = {
    Role.project_manager: "pm",
    Role.case_manager: "cm",
    Role.clinical_supervisor: "sup",
    Role.law_enforcement: "bpd",
    Role.corrections: "doc",
    Role.prosecutor: "kcpao",
    Role.community: "comm",
}


@pytest.fixture
def world(engine):
    users = {role: make_user(engine, name, role) for role, name in ROLE_USERS.items()}
    people = {}
    for i, (state, release) in enumerate(CONSENT_SETUP.items(), start=1):
        person = make_participant(
            engine,
            f"BUR-{i:04d}",
            name=f"Person{state.title()}",
            case_manager=users[Role.case_manager],
        )
        if release:
            make_release(engine, person, ["BPD", "KCPAO", "DOC"], **release)
        people[state] = person
    return users, people


def every_value(person) -> dict[str, str]:
    return {
        "case_notes": person.case_notes,
        "substance_use": person.substance_use,
        "mental_health": person.mental_health,
        "criminal_history": person.criminal_history,
    }


def test_access_matrix_over_roles_fields_and_consent_states(engine, world):
    """Generated: every role x consent state x field; partners only under an active release."""
    users, people = world
    cells = leaks = 0
    for role, name in ROLE_USERS.items():
        current = sign_in(engine, name)
        for state, person in people.items():
            record = view_record(engine, current, person.id, TODAY, purpose="test")
            shown = " ".join(record.fields.values())
            for field, value in every_value(person).items():
                cells += 1
                allowed = field in visible_fields(role, state)
                if (value in shown) and not allowed:
                    leaks += 1
            cells += 1
            if role in PARTNER_ROLES and state != "active" and record.allowed:
                leaks += 1
            if role == Role.community and record.allowed:
                leaks += 1
            if not record.allowed:
                assert record.fields == {}
    assert cells == 7 * 5 * 5
    assert leaks == 0


@pytest.mark.parametrize("role", sorted(PARTNER_ROLES))
@pytest.mark.parametrize("state", CONSENT_STATES)
def test_partners_see_a_person_only_under_an_active_release(engine, world, role, state):
    users, people = world
    current = sign_in(engine, ROLE_USERS[role])
    record = view_record(engine, current, people[state].id, TODAY, purpose="test")
    assert record.allowed is (state == "active")
    if record.allowed:
        assert set(record.fields) == {
            "LEAD id",
            "Preferred name",
            "Status",
            "Case manager",
            "How to reach the case manager",
            "Last contact",
        }
        for value in every_value(people[state]).values():
            assert value not in record.fields.values()
    with read_session(engine) as session:
        rows = list(session.exec(select(AuditEvent).where(AuditEvent.action == "participant.view")))
    assert len(rows) == 1 and rows[0].subject == people[state].lead_id
    assert rows[0].outcome == ("ok" if state == "active" else f"denied ({state} release)")


def test_case_managers_see_restricted_fields_of_their_agency(engine, world):
    users, people = world
    record = view_record(engine, sign_in(engine, "cm"), people["none"].id, TODAY, purpose="t")
    assert record.allowed and record.fields["Case notes"] == "NOTE-BUR-0001"


def test_the_project_manager_never_sees_treatment_detail(engine, world):
    users, people = world
    record = view_record(engine, sign_in(engine, "pm"), people["active"].id, TODAY, purpose="t")
    assert record.allowed
    assert not set(record.fields) & {
        "Case notes",
        "Substance use",
        "Mental health",
        "Criminal history",
    }


def test_community_representatives_never_see_a_record(engine, world):
    users, people = world
    current = sign_in(engine, "comm")
    assert search(engine, current, "", TODAY) == []
    assert not view_record(engine, current, people["active"].id, TODAY, purpose="t").allowed


def test_revocation_takes_effect_on_the_next_read(engine, world):
    users, people = world
    current = sign_in(engine, "bpd")
    person = people["active"]
    assert view_record(engine, current, person.id, TODAY, purpose="t").allowed
    assert not view_record(engine, current, person.id, TODAY + days(400), purpose="t").allowed


def test_partner_search_lists_only_released_people(engine, world):
    users, people = world
    rows = search(engine, sign_in(engine, "kcpao"), "", TODAY)
    assert [r["LEAD id"] for r in rows] == [people["active"].lead_id]
    assert search(engine, sign_in(engine, "cm"), "", TODAY).__len__() == 5


@pytest.mark.parametrize(
    "query, expected",
    [
        pytest.param("BUR-0003", ["BUR-0003"], id="lead-id-exact"),
        pytest.param("bur-0003", ["BUR-0003"], id="lead-id-any-case"),
        pytest.param("personactive", ["BUR-0003"], id="name-part"),
        pytest.param("' OR 1=1 --", [], id="sql-injection-is-just-text"),
        pytest.param("%", [], id="percent-is-not-a-wildcard"),
        pytest.param("_", [], id="underscore-is-not-a-wildcard"),
        pytest.param("Ünïcödé 名前", [], id="unicode"),
        pytest.param("alias-x", ["BUR-0001"], id="alias"),
    ],
)
def test_search_returns_exact_matches_and_never_extra_rows(engine, world, query, expected):
    users, people = world
    make_participant(engine, "BUR-0099", name="Other", aliases=[])
    from models import Participant
    from services.db import write_session

    with write_session(engine) as session:
        session.get(Participant, people["none"].id).aliases = ["Alias-X"]
    rows = search(engine, sign_in(engine, "cm"), query, TODAY)
    assert [r["LEAD id"] for r in rows] == expected


def test_an_overlong_search_gets_a_validation_message(engine, world):
    with pytest.raises(ValidationError, match="at most 80"):
        search(engine, sign_in(engine, "cm"), "x" * 500, TODAY)


@pytest.mark.parametrize(
    "releases, expected",
    [
        pytest.param([], "none", id="no-release"),
        pytest.param(
            [
                {
                    "signed_date": TODAY,
                    "expires_date": None,
                    "rescinded_date": None,
                    "covered_org_codes": ["DOC"],
                }
            ],
            "none",
            id="other-org-only",
        ),
        pytest.param(
            [
                {
                    "signed_date": TODAY,
                    "expires_date": TODAY,
                    "rescinded_date": None,
                    "covered_org_codes": ["BPD"],
                }
            ],
            "active",
            id="expires-today-still-active",
        ),
        pytest.param(
            [
                {
                    "signed_date": TODAY,
                    "expires_date": None,
                    "rescinded_date": TODAY,
                    "covered_org_codes": ["BPD"],
                }
            ],
            "rescinded",
            id="rescinded-today",
        ),
        pytest.param(
            [
                {
                    "signed_date": TODAY + days(1),
                    "expires_date": None,
                    "rescinded_date": None,
                    "covered_org_codes": ["BPD"],
                }
            ],
            "pending",
            id="signed-tomorrow",
        ),
    ],
)
def test_release_state(releases, expected):
    assert release_state(releases, "BPD", TODAY) == expected


def test_restricted_fields_are_visible_to_no_partner_in_any_state():
    for role in PARTNER_ROLES | {Role.community, Role.project_manager}:
        for state in CONSENT_STATES:
            assert not visible_fields(role, state) & set(RESTRICTED_FIELDS)
