"""Demo staffing sessions: a past workgroup with outcomes and an open action item, the next one
with names waiting to be matched (one about a person without a release, one not a participant),
and a monthly staffing session. Deterministic: it draws nothing from the random generator."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from models import (
    ActionItem,
    AgendaItem,
    Participant,
    Release,
    SiteSettings,
    Submission,
    User,
)
from services.access.policy import release_state
from services.staffing import ACTION_ITEMS_TITLE, _new_session, display_name, meeting_day

DEMO_ORGS = ["BPD", "KCPAO", "PDA", "CMP"]
DEMO_PLACE = "Burien City Hall, conference room B (demo)"


def _covered(releases: list[Release], today: date) -> bool:
    plain = [
        {
            "signed_date": r.signed_date,
            "expires_date": r.expires_date,
            "rescinded_date": r.rescinded_date,
            "covered_org_codes": list(r.covered_org_codes),
        }
        for r in releases
    ]
    return all(release_state(plain, org, today) == "active" for org in ("BPD", "KCPAO"))


def seed_staffing_demo(session: Session, rng: random.Random, today: date, now: datetime) -> None:
    del rng  # nothing random here, so other seeders' data never shifts
    users = {u.username: u for u in session.exec(select(User))}
    if not {"pm", "bpd", "kcpao", "kcso"} <= set(users):
        return
    covered, not_covered = _by_consent(session, today)
    if len(covered) < 2 or not not_covered:
        return
    first, second, absent = covered[0], covered[1], not_covered[0]
    past, upcoming = _sessions(session, today, now)
    _past_outcomes(session, past, first, users, today, now)
    _upcoming_names(session, upcoming, (first, second, absent), users, now)
    session.flush()


def _by_consent(session: Session, today: date) -> tuple[list, list]:
    """Participants whose releases cover BPD and KCPAO (PROTOCOL C3), and those not covered."""
    people = list(session.exec(select(Participant).order_by(Participant.lead_id)))
    releases: dict[int, list[Release]] = {}
    for release in session.exec(select(Release)):
        releases.setdefault(release.participant_id, []).append(release)
    covered = [p for p in people if _covered(releases.get(p.id, []), today)]
    not_covered = [p for p in people if not _covered(releases.get(p.id, []), today)]
    return covered, not_covered


def _sessions(session: Session, today: date, now: datetime):
    """PROTOCOL M1: the past and the next workgroup, and the monthly staffing session after."""
    cutoff_days = (session.get(SiteSettings, 1) or SiteSettings()).submission_cutoff_business_days
    next_on = meeting_day(today + timedelta(days=6))

    def new(kind: str, on: date):
        return _new_session(
            session,
            kind=kind,
            on=on,
            starts_at="10:00",
            place=DEMO_PLACE,
            orgs=DEMO_ORGS,
            cutoff_days=cutoff_days,
            now=now,
            username="pm",
        )

    past = new("workgroup", next_on - timedelta(days=14))
    upcoming = new("workgroup", next_on)
    new("staffing", meeting_day(next_on + timedelta(days=7)))
    return past, upcoming


def _past_outcomes(session: Session, past, first, users, today: date, now: datetime) -> None:
    """The past session: final, one participant discussed, an action item still open."""
    past.finalized_at, past.agenda_version = now - timedelta(days=15), 1
    session.add(past)
    item = _place(
        session,
        past,
        first,
        "BPD",
        users["bpd"],
        "Demo: often seen near the transit center; officers ask how best to connect.",
        now - timedelta(days=20),
    )
    item.summary = "Demo: engaging weekly with the case manager; housing search under way."
    item.decisions = "Demo: officers call the case manager rather than cite at the transit center."
    item.presented_at = past.finalized_at + timedelta(days=1)
    session.add(item)
    session.add_all(
        [
            ActionItem(
                agenda_item_id=item.id,
                participant_id=first.id,
                text="Demo: confirm a shelter bed and tell BPD the outcome",
                owner_org_code="CMP",
                due_on=today + timedelta(days=3),
                created_by="pm",
                at=now - timedelta(days=14),
            ),
            ActionItem(
                agenda_item_id=item.id,
                participant_id=first.id,
                text="Demo: share the transit center contact card",
                owner_org_code="BPD",
                due_on=today - timedelta(days=2),
                done_on=today - timedelta(days=4),
                created_by="pm",
                at=now - timedelta(days=14),
            ),
        ]
    )
    actions_item = session.exec(
        select(AgendaItem).where(
            AgendaItem.session_id == past.id, AgendaItem.title == ACTION_ITEMS_TITLE
        )
    ).first()
    if actions_item:
        actions_item.summary = "Demo: two earlier action items reviewed; both done."
        session.add(actions_item)


def _upcoming_names(session: Session, upcoming, people, users, now: datetime) -> None:
    """The next session: one person already on the agenda, four names waiting to be matched.

    PROTOCOL M2: one name is a participant's nickname, one an alias, one a person without a
    release (C3), one not a participant at all.
    """
    first, second, absent = people
    _place(
        session,
        upcoming,
        second,
        "KCPAO",
        users["kcpao"],
        "Demo: a pending charge could "
        "be resolved if engagement continues; prosecutor asks for an update.",
        now,
    )
    last = first.legal_name.split()[-1]
    waiting = [
        (
            "bpd",
            "BPD",
            f"{first.preferred_name} {last}",
            "",
            first.date_of_birth,
            "Demo: seen sleeping in the library entry most mornings this week.",
            "routine",
        ),
        (
            "kcpao",
            "KCPAO",
            "",
            (first.aliases or [display_name(first.preferred_name, first.legal_name)])[0],
            None,
            "Demo: missed a court date on Monday.",
            "urgent",
        ),
        (
            "bpd",
            "BPD",
            absent.legal_name,
            "",
            None,
            "Demo: asked officers about LEAD on Tuesday.",
            "routine",
        ),
        (
            "kcso",
            "KCSO",
            "Jordan Example-Unknown",
            "",
            None,
            "Demo: repeated trespass complaints at a closed business.",
            "soon",
        ),
    ]
    for n, (username, org, name, alias, dob, reason, urgency) in enumerate(waiting):
        session.add(
            Submission(
                session_id=upcoming.id,
                submitted_by=username,
                organization_code=org,
                person_name=name,
                person_alias=alias,
                person_dob=dob,
                reason=reason,
                urgency=urgency,
                at=now - timedelta(hours=4 - n),
            )
        )


def _place(session, row, person, org, user, reason, at) -> AgendaItem:
    """A name already matched and placed (status on the agenda), as the PM would."""
    session.add(
        Submission(
            session_id=row.id,
            submitted_by=user.username,
            organization_code=org,
            person_name=person.legal_name,
            participant_id=person.id,
            reason=reason,
            urgency="routine",
            status="on_agenda",
            at=at,
        )
    )
    standing = list(
        session.exec(
            select(AgendaItem)
            .where(AgendaItem.session_id == row.id)
            .order_by(col(AgendaItem.position))
        )
    )
    for later in standing[1:]:
        later.position += 1
        session.add(later)
    item = AgendaItem(
        session_id=row.id,
        position=2,
        kind="participant",
        participant_id=person.id,
        title=person.lead_id,
        why=f"{org} ({user.display_name}, routine): {reason}",
        minutes=10,
    )
    session.add(item)
    session.flush()
    return item
