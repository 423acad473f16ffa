"""Input checked by SQLModel create models (ReleaseCreate, ContactCreate): every field's own
message reaches the user, all of them at once."""

import pytest

from models import ContactKind, GoalStatus, ReleaseKind, Role
from services.core.errors import ValidationError
from services.participants import casework, consent, log_contact
from tests.factories import days, make_participant, make_user, sign_in
from tests.factories_participants import TODAY


@pytest.fixture
def cm_and_person(engine):
    cm = make_user(engine, "cm", Role.case_manager)
    person = make_participant(engine, "BUR-0001", name="Avery Sample", case_manager=cm)
    return sign_in(engine, "cm"), person


def test_a_contact_with_several_problems_names_each_field_at_once(engine, cm_and_person):
    cm, person = cm_and_person
    with pytest.raises(ValidationError) as refused:
        log_contact(
            engine, cm, participant_id=person.id, on=TODAY + days(1), kind="carrier pigeon",
            minutes=721, note="", today=TODAY,
        )  # fmt: skip
    assert refused.value.messages == [
        "Date: it cannot be in the future.",
        "Kind: choose one of the listed options.",
        "Minutes: enter 0 to 720.",
    ]


def test_a_release_with_several_problems_names_each_field_at_once(engine, cm_and_person):
    cm, person = cm_and_person
    with pytest.raises(ValidationError) as refused:
        consent.add_release(
            engine, cm, participant_id=person.id, kind="telepathic", signed_date=None,
            covered=["BPD"], purpose=" ", expires_date=None, today=TODAY,
        )  # fmt: skip
    assert refused.value.messages == [
        "Kind: choose written or verbal (memorialised by staff).",
        "Signed date: required.",
        "Purpose: required.",
        "Expiry: required (the date the release ends).",
    ]


def test_typed_kinds_keep_the_stored_values():
    assert [k.value for k in ReleaseKind] == ["written", "verbal"]
    assert casework.CONTACT_KINDS == tuple(ContactKind) == (
        "field", "office", "phone", "text", "jail", "court",
    )  # fmt: skip
    assert casework.GOAL_STATUSES == ("not started", "in progress", "achieved", "set aside")
    assert tuple(GoalStatus) == casework.GOAL_STATUSES
