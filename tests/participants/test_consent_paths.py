"""One path per consent write: a release, an activation, and the T6/C3 gate that both obey.

The participant record and the referral's intake form record releases and activate people
through the same functions, so they agree with each other and with Today's C3 alert
(PROTOCOL T6, C1-C3; services/rules/consent.py).
"""

import pytest
from sqlalchemy import text
from sqlmodel import select

from models import AuditEvent, Participant, Referral, Release, StatusChange
from services import referrals as R
from services.core.db import read_session
from services.core.errors import ValidationError
from services.participants import casework, consent, record_intake, search, view_record
from services.today import open_alerts
from tests.factories import days
from tests.factories_referrals import TODAY, arrest_sheet, person, referral, team

FACTORS = {"housing": "need identified"} | {
    key: "not asked" for key in casework.INTAKE_FACTORS if key != "housing"
}


@pytest.fixture
def users(engine):
    return team(engine)


NAMES = ("Avery Sample", "Jordan Fake-Person", "Riley Example", "Casey Placeholder")


def new_referral(engine, users, **changes) -> tuple[int, int]:
    """A referral of a new synthetic person (distinct names: no B14 match between them)."""
    with read_session(engine) as session:
        known = len(session.exec(select(Participant.id)).all())
    who = person(NAMES[known], dob=None)
    saved = referral(engine, users["cma"], arrest_sheet(**changes), who=who)
    with read_session(engine) as session:
        row = session.get(Referral, saved["referral_id"])
    return row.id, row.participant_id


def version(engine, rid) -> int:
    with read_session(engine) as session:
        return session.get(Referral, rid).version


def complete(engine, user, rid, **kw):
    return R.complete_intake(
        engine, user, referral_id=rid, expected_version=version(engine, rid), today=TODAY, **kw
    )


def intake(engine, user, pid, on):
    record_intake(
        engine,
        user,
        participant_id=pid,
        on=on,
        factors=FACTORS,
        immediate_needs_met="",
        today=TODAY,
    )


def status(engine, pid) -> str:
    with read_session(engine) as session:
        return session.get(Participant, pid).status.value


RELEASE = {"kind": "verbal", "covered": ["BPD", "KCPAO"], "expires": TODAY + days(365)}


def on_the_record(engine, user, pid, signed, **changes):
    values = RELEASE | changes
    return consent.add_release(
        engine,
        user,
        participant_id=pid,
        kind=values["kind"],
        signed_date=signed,
        covered=values["covered"],
        purpose="LEAD coordination and staffing",
        expires_date=values["expires"],
        today=TODAY,
    )


def on_the_intake_form(engine, user, rid, signed, **changes):
    values = RELEASE | changes
    return complete(
        engine,
        user,
        rid,
        on=signed,
        release_signed_on=signed,
        release_kind=values["kind"],
        release_orgs=values["covered"],
        release_expires_on=values["expires"],
    )


def saved_release(engine, pid) -> tuple:
    with read_session(engine) as session:
        row = session.exec(select(Release).where(Release.participant_id == pid)).one()
        audit = session.exec(
            select(AuditEvent.purpose).where(AuditEvent.action == "release.add")
        ).all()
    return (row.kind, row.memorialised_by, row.covered_org_codes, row.purpose), audit


# --- One function records a release ---------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"kind": "telepathic"}, id="unknown-kind"),
        pytest.param({"covered": []}, id="covering-no-one"),
        pytest.param({"covered": ["FBI"]}, id="unknown-organization"),
        pytest.param({"expires": None}, id="no-expiry"),
        pytest.param({"expires": TODAY - days(1)}, id="expires-before-signing"),
        pytest.param({"incapacitated": True}, id="unable-to-consent-c2"),
    ],
)
def test_the_same_release_entered_on_both_forms_gets_the_same_check(engine, users, changes):
    cma = users["cma"]
    messages = []
    for form in ("record", "intake"):
        rid, pid = new_referral(engine, users)
        if changes.get("incapacitated"):
            R.set_incapacitated(
                engine, cma, referral_id=rid, expected_version=version(engine, rid),
                incapacitated=True,
            )  # fmt: skip
        kwargs = {k: v for k, v in changes.items() if k != "incapacitated"}
        with pytest.raises(ValidationError) as refused:
            if form == "record":
                on_the_record(engine, cma, pid, TODAY, **kwargs)
            else:
                on_the_intake_form(engine, cma, rid, TODAY, **kwargs)
        messages.append(str(refused.value))
    assert messages[0] == messages[1]


def test_the_same_release_entered_on_both_forms_gets_the_same_label(engine, users):
    cma = users["cma"]
    rid_a, pid_a = new_referral(engine, users)
    intake(engine, cma, pid_a, TODAY)
    on_the_record(engine, cma, pid_a, TODAY - days(1))
    rid_b, pid_b = new_referral(engine, users, referral_date=TODAY - days(2))
    on_the_intake_form(engine, cma, rid_b, TODAY - days(1))
    assert saved_release(engine, pid_a)[0] == saved_release(engine, pid_b)[0]
    first, second = saved_release(engine, pid_a)[1]
    assert first == second == "verbal release covering BPD, KCPAO"
    assert consent.RELEASE_KINDS is R.RELEASE_KINDS  # one set of labels on both forms


# --- One function activates -----------------------------------------------------------------


def test_both_forms_activate_through_the_one_path_with_the_same_history(engine, users):
    cma = users["cma"]
    rid_a, pid_a = new_referral(engine, users)
    intake(engine, cma, pid_a, TODAY)
    on_the_record(engine, cma, pid_a, TODAY)
    rid_b, pid_b = new_referral(engine, users)
    assert on_the_intake_form(engine, cma, rid_b, TODAY) is True
    with read_session(engine) as session:
        changes = session.exec(select(StatusChange).order_by(StatusChange.participant_id)).all()
    assert [(c.participant_id, c.status, c.on, c.reason) for c in changes] == [
        (pid, "active", TODAY, "intake completed and release signed (PROTOCOL T6)")
        for pid in (pid_a, pid_b)
    ]


def test_a_person_changed_meanwhile_is_not_activated_on_either_path(engine, users, monkeypatch):
    """Activation is version-checked on both paths: a concurrent edit of the person wins."""
    cma = users["cma"]
    gate = casework.gate_inputs

    def edited_meanwhile(session, participant_id):
        session.connection().execute(
            text("UPDATE participant SET version = version + 1 WHERE id = :id"),
            {"id": participant_id},
        )
        return gate(session, participant_id)

    rid_a, pid_a = new_referral(engine, users)
    intake(engine, cma, pid_a, TODAY)
    rid_b, pid_b = new_referral(engine, users)
    monkeypatch.setattr(casework, "gate_inputs", edited_meanwhile)
    on_the_record(engine, cma, pid_a, TODAY)
    assert on_the_intake_form(engine, cma, rid_b, TODAY) is False
    assert (status(engine, pid_a), status(engine, pid_b)) == ("referred", "referred")


# --- The C3 contradiction (PROTOCOL T6, C3) ----------------------------------------------------


def test_a_release_signed_after_the_intake_leaves_no_contradictory_alert(engine, users):
    """T6: a release signed after the intake does not make a participant. Status, the partner
    view and Today's C3 alert agree, and the alert names an action that closes it."""
    cma, bpd = users["cma"], users["bpd1"]
    rid, pid = new_referral(engine, users, referral_date=TODAY - days(10))
    intake(engine, cma, pid, TODAY - days(5))
    on_the_record(engine, cma, pid, TODAY - days(2))  # after the intake

    assert status(engine, pid) == "referred"
    denied = view_record(engine, bpd, pid, TODAY, "t")
    assert not denied.allowed and denied.consent == "pending"
    assert search(engine, bpd, "", TODAY) == []
    (alert,) = [a for a in open_alerts(engine, cma, TODAY) if a.participant_id == pid]
    assert alert.rule == "C3" and "not a participant" in alert.message
    assert alert.action.startswith(f"Record the intake again on or after {TODAY - days(2)}")

    intake(engine, cma, pid, TODAY)  # the closing action, on the participant record
    with read_session(engine) as session:
        assert session.get(Referral, rid).intake_completed_date == TODAY
    assert [a.rule for a in open_alerts(engine, cma, TODAY) if a.participant_id == pid] == []
    assert status(engine, pid) == "active"
    assert view_record(engine, bpd, pid, TODAY, "t").allowed
    assert [r["id"] for r in search(engine, bpd, "", TODAY)] == [pid]


def test_an_intake_redone_before_the_late_release_keeps_the_first_completion(engine, users):
    cma = users["cma"]
    rid, pid = new_referral(engine, users, referral_date=TODAY - days(10))
    intake(engine, cma, pid, TODAY - days(5))
    on_the_record(engine, cma, pid, TODAY - days(2))
    intake(engine, cma, pid, TODAY - days(3))  # still before the release: closes nothing
    with read_session(engine) as session:
        assert session.get(Referral, rid).intake_completed_date == TODAY - days(5)
    assert status(engine, pid) == "referred"
    assert [a.rule for a in open_alerts(engine, cma, TODAY) if a.participant_id == pid] == ["C3"]


def test_closing_the_referral_also_closes_the_c3_alert(engine, users):
    cma, pm = users["cma"], users["pm1"]
    rid, pid = new_referral(engine, users, referral_date=TODAY - days(10))
    intake(engine, cma, pid, TODAY - days(5))
    on_the_record(engine, cma, pid, TODAY - days(2))
    R.close_referral(
        engine, pm, referral_id=rid, expected_version=version(engine, rid), on=TODAY,
        outcome="charges_filed", reason="KCPAO filed", today=TODAY,
    )  # fmt: skip
    assert [a.rule for a in open_alerts(engine, cma, TODAY) if a.participant_id == pid] == []
