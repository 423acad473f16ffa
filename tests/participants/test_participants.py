"""Who sees what of a participant: the release gate and minimum necessary (SECURITY 1-3, 8, 20)."""

import pytest
from sqlmodel import select

from models import AuditEvent, Participant, Role
from services.access import policy
from services.access.policy import (
    ALL_FIELDS,
    CONSENT_STATES,
    PARTNER_ROLES,
    PARTNER_SAFE_FIELDS,
    PROVIDER_FIELDS,
    RESTRICTED_FIELDS,
    policy_cells,
    release_state,
    visible_fields,
)
from services.core.db import read_session, write_session
from services.core.errors import ValidationError
from services.participants import search, view_record
from tests.checks_participants import access_matrix
from tests.factories import days, make_participant, make_release, make_user, sign_in
from tests.factories_participants import CONSENT_SETUP, ROLE_USERS, TODAY, marker


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


def every_restricted_value(person) -> dict[str, str]:
    return {
        "case_notes": person.case_notes,
        "substance_use": person.substance_use,
        "mental_health": person.mental_health,
        "criminal_history": person.criminal_history,
    }


def test_access_matrix_over_roles_fields_and_consent_states(engine):
    """Generated: every role x field x release state on fully filled records; 0 leaks."""
    result = access_matrix(engine)
    assert result["cells"] == len(Role) * len(ALL_FIELDS) * len(CONSENT_STATES)
    assert result["details"] == []
    assert (result["leaks"], result["misses"]) == (0, 0)


def test_the_access_matrix_catches_a_loosened_policy(engine, monkeypatch):
    """The check can fail: give police the case notes and it reports the leak."""
    truth = {
        (role, state): visible_fields(role, state) for role in Role for state in CONSENT_STATES
    }
    loose = dict(policy.FIELD_POLICY)
    loose[Role.law_enforcement] = loose[Role.law_enforcement] | {"case_notes", "plan_goals"}
    monkeypatch.setattr(policy, "FIELD_POLICY", loose)
    monkeypatch.setattr(
        "tests.checks_participants.visible_fields", lambda role, state: truth[(role, state)]
    )
    result = access_matrix(engine)
    assert result["leaks"] == 2
    assert sorted(result["details"]) == [
        "law_enforcement/active/case_notes: shown, not allowed",
        "law_enforcement/active/plan_goals: shown, not allowed",
    ]


def test_the_policy_table_has_one_cell_per_role_field_and_state():
    cells = policy_cells()
    assert len(cells) == len(Role) * len(ALL_FIELDS) * len(CONSENT_STATES)
    assert set(PARTNER_SAFE_FIELDS) < set(PROVIDER_FIELDS) and not set(PROVIDER_FIELDS) & set(
        RESTRICTED_FIELDS
    )
    partner_cells = {(f, s) for r, f, s, ok in cells if r in PARTNER_ROLES and ok}
    assert partner_cells == {(f, "active") for f in PARTNER_SAFE_FIELDS}


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
        assert set(record.sections) == {"plan_domains", "open_deadlines"}
        for value in every_restricted_value(people[state]).values():
            assert value not in record.shown_text()
    else:
        assert (record.fields, record.sections, record.participant_id) == ({}, {}, None)
    with read_session(engine) as session:
        rows = list(session.exec(select(AuditEvent).where(AuditEvent.action == "participant.view")))
    assert len(rows) == 1 and rows[0].subject == people[state].lead_id
    assert rows[0].outcome == ("ok" if state == "active" else f"denied ({state} release)")


def test_partners_see_treatment_plan_domains_only_as_health(engine):
    from tests.factories_participants import matrix_world

    staff, people = matrix_world(engine)
    record = view_record(engine, sign_in(engine, "bpd"), people["active"].id, TODAY, purpose="t")
    assert record.sections["plan_domains"] == [
        {"Domain": "health", "Status": "in progress", "Since": (TODAY - days(5)).isoformat()}
    ]
    assert "treatment" not in record.shown_text().lower()
    assert "chemical" not in record.shown_text().lower()


@pytest.mark.parametrize(
    "username, rules",
    [
        pytest.param("bpd", ["T4"], id="police-see-the-intake-deadline-only"),
        pytest.param("kcpao", ["T4", "T5"], id="prosecutors-also-see-the-notice-they-are-owed"),
        pytest.param("doc", ["T4"], id="corrections-see-the-intake-deadline"),
        pytest.param("cm", ["T4", "T5"], id="case-managers-see-everything-open"),
    ],
)
def test_open_deadlines_are_those_that_concern_the_viewer(engine, username, rules):
    from tests.factories_participants import matrix_world

    staff, people = matrix_world(engine)
    record = view_record(engine, sign_in(engine, username), people["active"].id, TODAY, "t")
    assert [row["Rule"] for row in record.sections["open_deadlines"]] == rules


def test_case_managers_see_restricted_fields_of_their_agency(engine, world):
    users, people = world
    record = view_record(engine, sign_in(engine, "cm"), people["none"].id, TODAY, purpose="t")
    assert record.allowed and record.fields["Case notes"] == "NOTE-BUR-0001"


def test_case_managers_of_another_agency_see_nothing(engine, world):
    users, people = world
    from models import Organization, OrgKind

    with write_session(engine) as session:
        session.add(Organization(code="CMP2", name="Second provider", kind=OrgKind.provider))
    make_user(engine, "cm.two", Role.case_manager, "CMP2")
    record = view_record(engine, sign_in(engine, "cm.two"), people["none"].id, TODAY, "t")
    assert not record.allowed and record.fields == {}


def test_the_project_manager_never_sees_treatment_detail(engine):
    from tests.factories_participants import matrix_world

    staff, people = matrix_world(engine)
    record = view_record(engine, sign_in(engine, "pm"), people["active"].id, TODAY, purpose="t")
    assert record.allowed
    text = record.shown_text()
    for field in RESTRICTED_FIELDS:
        assert marker(field, "BUR-0003") not in text, field
    assert "Case note" not in record.sections["contacts"][0]
    assert "mental health treatment" not in text


def test_community_representatives_never_see_a_record(engine, world):
    users, people = world
    current = sign_in(engine, "comm")
    assert search(engine, current, "", TODAY) == []
    assert not view_record(engine, current, people["active"].id, TODAY, purpose="t").allowed


def test_expiry_takes_effect_on_the_next_read(engine, world):
    users, people = world
    current = sign_in(engine, "bpd")
    person = people["active"]
    assert view_record(engine, current, person.id, TODAY, purpose="t").allowed
    assert view_record(engine, current, person.id, TODAY + days(300), purpose="t").allowed
    assert not view_record(engine, current, person.id, TODAY + days(301), purpose="t").allowed


def test_partner_search_lists_only_released_people(engine, world):
    users, people = world
    rows = search(engine, sign_in(engine, "kcpao"), "", TODAY)
    assert [r["LEAD id"] for r in rows] == [people["active"].lead_id]
    assert len(search(engine, sign_in(engine, "cm"), "", TODAY)) == 5


def test_partners_cannot_find_a_released_person_by_legal_name_or_alias(engine, world):
    users, people = world
    with write_session(engine) as session:
        session.get(Participant, people["active"].id).aliases = ["Secret Alias"]
    kcpao = sign_in(engine, "kcpao")
    assert search(engine, kcpao, "PersonActive Legal", TODAY) == []
    assert search(engine, kcpao, "secret alias", TODAY) == []
    assert [r["LEAD id"] for r in search(engine, kcpao, "personactive", TODAY)] == ["BUR-0003"]


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
    with write_session(engine) as session:
        session.get(Participant, people["none"].id).aliases = ["Alias-X"]
    rows = search(engine, sign_in(engine, "cm"), query, TODAY)
    assert [r["LEAD id"] for r in rows] == expected


def test_an_overlong_search_gets_a_validation_message(engine, world):
    with pytest.raises(ValidationError, match="at most 80"):
        search(engine, sign_in(engine, "cm"), "x" * 500, TODAY)


def release(signed, expires=None, rescinded=None, orgs=("BPD",), treatment=False) -> dict:
    return {
        "signed_date": signed,
        "expires_date": expires,
        "rescinded_date": rescinded,
        "covered_org_codes": list(orgs),
        "treatment_information": treatment,
    }


@pytest.mark.parametrize(
    "releases, expected",
    [
        pytest.param([], "none", id="no-release"),
        pytest.param([release(TODAY, orgs=["DOC"])], "none", id="other-org-only"),
        pytest.param([release(TODAY, expires=TODAY)], "active", id="expires-today-still-active"),
        pytest.param([release(TODAY, expires=TODAY - days(1))], "expired", id="expired-yesterday"),
        pytest.param([release(TODAY, rescinded=TODAY)], "rescinded", id="rescinded-today"),
        pytest.param(
            [release(TODAY, rescinded=TODAY + days(1))], "active", id="rescinded-tomorrow-active"
        ),
        pytest.param([release(TODAY + days(1))], "pending", id="signed-tomorrow"),
        pytest.param(
            [release(TODAY, treatment=True)], "none", id="treatment-release-opens-nothing"
        ),
        pytest.param(
            [release(TODAY - days(9), rescinded=TODAY - days(1)), release(TODAY)],
            "active",
            id="a-new-release-after-a-rescinded-one",
        ),
    ],
)
def test_release_state(releases, expected):
    assert release_state(releases, "BPD", TODAY) == expected


def test_restricted_fields_are_visible_to_no_partner_in_any_state():
    for role in PARTNER_ROLES | {Role.community, Role.project_manager}:
        for state in CONSENT_STATES:
            assert not visible_fields(role, state) & set(RESTRICTED_FIELDS)
