"""The project manager's review of the names sent: the inbox with ranked matches and likely
duplicates, held and late names, and placing, holding or carrying a name.

PROTOCOL B14 (the one matcher), C3 (only a participant whose release covers every attending
organization is placed; otherwise the name is held and the reason kept for the PM), S5 (a
referral candidate placed as such) and M2 (a late name pulled in by the PM's call).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from models import AgendaItem, Participant, ParticipantStatus, StaffingSession, Submission, User
from services.access.auth import CurrentUser
from services.core import audit
from services.core.clock import local_time_text, utcnow
from services.core.db import bump_version, read_session, write_session
from services.core.errors import ValidationError
from services.core.site import get_settings
from services.referrals import MATCH_COLUMNS
from services.reports.memo import AuditKeyedCache
from services.staffing.consent import consent_problem
from services.staffing.items import (
    _add_item,
    _agenda_changed,
    _get,
    _require_pm,
    _text,
    _urgent_first,
)
from services.staffing.rules import likely_duplicates, prepare_candidates, rank_matches
from services.staffing.sessions import _following_session
from services.staffing.vocabulary import (
    CANDIDATE_KIND,
    INBOX_STATUSES,
    MAX_HOLD_REASON,
    MAX_NAME,
    NOT_A_PARTICIPANT,
    PARTICIPANT_MINUTES,
    URGENCIES,
    _local_day,
)


def _candidates(session: Session) -> list[dict]:
    rows = session.exec(select(*MATCH_COLUMNS).order_by(Participant.lead_id))
    return [
        {
            "id": pid,
            "lead_id": lead_id,
            "legal_name": legal,
            "preferred_name": preferred,
            "aliases": list(aliases or []),
            "dob": dob,
            "status": status.value if isinstance(status, ParticipantStatus) else status,
        }
        for pid, lead_id, legal, preferred, aliases, dob, status in rows
    ]


def _candidate_label(p: dict) -> str:
    born = f" · born {p['dob']}" if p["dob"] else ""
    return f"{p['lead_id']} · {p['legal_name']} ({p['preferred_name']}){born} · {p['status']}"


def _submission_row(sub: Submission, submitters: dict[str, str], time_zone: str) -> dict:
    at = sub.at if sub.at.tzinfo else sub.at.replace(tzinfo=UTC)
    return {
        "id": sub.id,
        "session_id": sub.session_id,
        "sent": local_time_text(at, time_zone),
        "organization": sub.organization_code,
        "submitted_by": submitters.get(sub.submitted_by, sub.submitted_by),
        "name": sub.person_name,
        "alias": sub.person_alias,
        "dob": sub.person_dob,
        "reason": sub.reason,
        "urgency": sub.urgency,
        "status": sub.status,
        "participant_id": sub.participant_id,
        "held_reason": sub.held_reason,
    }


def _submitters(session: Session) -> dict[str, str]:
    return dict(session.exec(select(User.username, User.display_name)).all())


AGENDA_WORK = AuditKeyedCache()  # the inbox's matches and the suggestions, per state of the data


def inbox(engine: Engine, user: CurrentUser, *, session_id: int) -> list[dict]:
    """Names waiting for the PM, urgent first, each with ranked participant suggestions.

    Computed once per state of the data (`services.reports.memo`): matching reads every
    participant."""
    _require_pm(user)
    return AGENDA_WORK.get(engine, ("inbox", session_id), lambda: _inbox(engine, session_id))


def _inbox(engine: Engine, session_id: int) -> list[dict]:
    with read_session(engine) as session:
        subs = list(
            session.exec(
                select(Submission).where(
                    Submission.session_id == session_id,
                    col(Submission.status).in_(INBOX_STATUSES),
                )
            )
        )
        if not subs:  # nothing to match: do not read every participant's names
            return []
        people = _candidates(session)
        submitters = _submitters(session)
    time_zone = get_settings(engine).time_zone
    by_id = {p["id"]: p for p in people}
    index = prepare_candidates(people)
    order = {u: i for i, u in enumerate(reversed(URGENCIES))}
    subs.sort(key=lambda s: (order.get(s.urgency, 9), s.at, s.id))
    rows = []
    for sub in subs:
        row = _submission_row(sub, submitters, time_zone)
        typed = {"name": sub.person_name, "alias": sub.person_alias, "dob": sub.person_dob}
        ranked = rank_matches(typed, people, people=index)
        if sub.participant_id in by_id:  # the submitter picked a participant from their list
            picked = by_id[sub.participant_id]
            ranked = [
                {**picked, "score": 1.0, "band": "strong", "why": "picked by the submitter"}
            ] + [r for r in ranked if r["id"] != picked["id"]]
        # Only a strong match is preselected; otherwise the agenda page asks the PM to choose.
        row["confident"] = bool(ranked) and ranked[0]["band"] == "strong"
        row["suggestions"] = [
            {
                "participant_id": r["id"],
                "band": r["band"],
                "label": f"{_candidate_label(r)} · {r['band']} match ({r['why']})",
            }
            for r in ranked
        ]
        rows.append(row)
    return _mark_duplicates(rows)


def _mark_duplicates(rows: list[dict]) -> list[dict]:
    """Each typed name's likely duplicates (`together` on the group's first row, `same_as` on the
    others): the PM places or holds them as one. Picked participants need no guessing."""
    typed = [
        {"id": r["id"], "name": r["name"], "alias": r["alias"], "dob": r["dob"]}
        for r in rows
        if r["participant_id"] is None
    ]
    by_id = {r["id"]: r for r in rows}
    for row in rows:
        row["together"], row["same_as"] = [], None
    for first, *others in likely_duplicates(typed):
        by_id[first]["together"] = others
        for other in others:
            by_id[other]["same_as"] = first
    return rows


def held_submissions(engine: Engine, user: CurrentUser, *, session_id: int) -> list[dict]:
    """Held names with the reason: for the project manager's eyes only."""
    _require_pm(user)
    with read_session(engine) as session:
        subs = session.exec(
            select(Submission)
            .where(Submission.session_id == session_id, Submission.status == "held")
            .order_by(col(Submission.at))
        ).all()
        submitters = _submitters(session)
    time_zone = get_settings(engine).time_zone
    return [_submission_row(s, submitters, time_zone) for s in subs]


def late_submissions(engine: Engine, user: CurrentUser, *, session_id: int) -> list[dict]:
    """Names sent after this session's cut-off (filed for a later one) the PM may pull in."""
    _require_pm(user)
    with read_session(engine) as session:
        row = _get(session, StaffingSession, session_id, "Session")
        later = session.exec(
            select(Submission)
            .join(StaffingSession, col(StaffingSession.id) == col(Submission.session_id))
            .where(
                StaffingSession.on > row.on,
                col(Submission.status).in_(INBOX_STATUSES),
            )
            .order_by(col(Submission.at))
        ).all()
        submitters = _submitters(session)
        settings = get_settings(engine)
    late = [s for s in later if _local_day(s.at, settings.time_zone) > row.cutoff_on]
    return [_submission_row(s, submitters, settings.time_zone) for s in late]


def pull_in(
    engine: Engine,
    user: CurrentUser,
    *,
    submission_id: int,
    session_id: int,
    now: datetime | None = None,
) -> None:
    """Take a name sent after the cut-off into this session anyway (PM's call, PROTOCOL M2)."""
    _require_pm(user)
    now = now or utcnow()
    with write_session(engine) as session:
        sub = _get(session, Submission, submission_id, "Submission")
        row = _get(session, StaffingSession, session_id, "Session")
        if sub.status not in INBOX_STATUSES:
            raise ValidationError("Submission: it was already handled.")
        sub.session_id = row.id
        session.add(sub)
        audit.append(
            session,
            actor=user.actor,
            action="submission.pull_in",
            subject=f"session {row.on}",
            now=now,
        )


def _why_lines(session: Session, row: StaffingSession, participant_id: int, item: AgendaItem):
    """Every reason and submitter for one person, plus why the item was suggested."""
    keep = [line for line in item.why.splitlines() if line.startswith("Suggested: ")]
    subs = session.exec(
        select(Submission).where(
            Submission.session_id == row.id,
            Submission.participant_id == participant_id,
            Submission.status == "on_agenda",
        )
    ).all()
    return "\n".join(keep + _reason_lines(session, list(subs)))


def _reason_lines(session: Session, subs: list[Submission]) -> list[str]:
    names = _submitters(session)
    return [
        f"{s.organization_code} ({names.get(s.submitted_by, s.submitted_by)}, {s.urgency}): "
        f"{s.reason}"
        for s in sorted(subs, key=lambda s: (s.at, s.id))
    ]


def _subs(session: Session, ids: list[int]) -> tuple[list[Submission], StaffingSession]:
    """The submissions (one session, none placed yet) and their session."""
    subs = [_get(session, Submission, sid, "Submission") for sid in dict.fromkeys(ids)]
    row = _get(session, StaffingSession, subs[0].session_id, "Session")
    if any(s.session_id != row.id for s in subs):
        raise ValidationError("Submissions: handle names of one session together.")
    if any(s.status == "on_agenda" for s in subs):
        raise ValidationError("Submission: it is already on the agenda.")
    return subs, row


def confirm_match(
    engine: Engine,
    user: CurrentUser,
    *,
    submission_id: int,
    participant_id: int | None,
    today: date,
    lead_id: str = "",
    together: list[int] | tuple = (),
    now: datetime | None = None,
) -> dict:
    """Confirm who a name is and place it on the agenda, merged with other names for the person.

    `lead_id`, when given, names the participant instead of `participant_id` (someone the
    suggestions missed). `together`: likely duplicates of the name (`likely_duplicates`), placed
    or held with it. Not a participant, or no active release covering every attending
    organization outside the LEAD team: the name is held and the reason kept for the PM only
    (PROTOCOL C3).
    """
    _require_pm(user)
    now = now or utcnow()
    with write_session(engine) as session:
        if lead_id.strip():
            participant_id = session.exec(
                select(Participant.id).where(Participant.lead_id == lead_id.strip().upper())
            ).first()
            if participant_id is None:
                raise ValidationError(f"LEAD id: no participant {lead_id.strip().upper()}.")
        subs, row = _subs(session, [submission_id, *together])
        results = [_confirm(session, user, row, sub, participant_id, today, now) for sub in subs]
    if len(results) == 1:
        return results[0]
    return {**results[0], "message": f"{results[0]['message']} {len(results)} names together."}


def _confirm(
    session: Session,
    user: CurrentUser,
    row: StaffingSession,
    sub: Submission,
    participant_id: int | None,
    today: date,
    now: datetime,
) -> dict:
    subject = "not a participant"
    if participant_id is None:
        problem = NOT_A_PARTICIPANT
    else:
        participant = _get(session, Participant, participant_id, "Participant")
        subject = participant.lead_id
        problem = consent_problem(session, row, participant_id, today)
    sub.participant_id = participant_id
    if problem:
        sub.status, sub.held_reason = "held", problem
        session.add(sub)
        audit.append(
            session,
            actor=user.actor,
            action="submission.hold",
            subject=subject,
            outcome="held",
            purpose=f"agenda for session {row.on}",
            now=now,
        )
        return {"placed": False, "message": f"Held: {problem}"}
    item = session.exec(
        select(AgendaItem).where(
            AgendaItem.session_id == row.id, AgendaItem.participant_id == participant_id
        )
    ).first()
    merged = item is not None
    if item is None:
        item = _add_item(
            session,
            row,
            AgendaItem(
                kind="participant",
                participant_id=participant_id,
                title=subject,
                minutes=PARTICIPANT_MINUTES,
            ),
        )
    sub.status, sub.held_reason, sub.agenda_item_id = "on_agenda", "", item.id
    session.add(sub)
    session.flush()
    item.why = _why_lines(session, row, participant_id, item)
    bump_version(item, now, user.username)
    session.add(item)
    _urgent_first(session, row, item)
    _agenda_changed(session, row, user, f"{subject} placed", now)
    verb = "Merged into" if merged else "Placed on the agenda as"
    return {"placed": True, "message": f"{verb} item {item.position} ({subject})."}


def place_candidate(
    engine: Engine,
    user: CurrentUser,
    *,
    submission_id: int,
    together: list[int] | tuple = (),
    now: datetime | None = None,
) -> dict:
    """Place a person who is not a participant as a referral candidate item (PROTOCOL S5: the
    PM knows of every candidate): shown by the name typed, marked as not a participant, with
    the reasons sent and no participant data. `together`: likely duplicates placed with it."""
    _require_pm(user)
    now = now or utcnow()
    with write_session(engine) as session:
        subs, row = _subs(session, [submission_id, *together])
        first = subs[0]
        item = _add_item(
            session,
            row,
            AgendaItem(
                kind=CANDIDATE_KIND,
                title=(first.person_name or first.person_alias)[:MAX_NAME],
                minutes=PARTICIPANT_MINUTES,
            ),
        )
        for sub in subs:
            sub.status, sub.held_reason = "on_agenda", ""
            sub.participant_id, sub.agenda_item_id = None, item.id
            session.add(sub)
        session.flush()
        item.why = "\n".join(_reason_lines(session, subs))
        item.updated_at, item.updated_by = now, user.username
        session.add(item)
        _urgent_first(session, row, item)
        _agenda_changed(session, row, user, "referral candidate placed", now)
        position = item.position
    names = f" {len(subs)} names together." if len(subs) > 1 else ""
    return {
        "placed": True,
        "message": f"Placed as item {position}: a referral candidate, not a participant.{names}",
    }


def hold_submission(
    engine: Engine,
    user: CurrentUser,
    *,
    submission_id: int,
    reason: str,
    together: list[int] | tuple = (),
    now: datetime | None = None,
) -> None:
    """Hold a name back for a reason of the PM's own (kept from the submitter); `together`: its
    likely duplicates, held with it."""
    _require_pm(user)
    now = now or utcnow()
    reason = _text(reason, "Reason for holding", MAX_HOLD_REASON, required=True)
    with write_session(engine) as session:
        try:
            subs, row = _subs(session, [submission_id, *together])
        except ValidationError as exc:
            if "already on the agenda" in str(exc):
                raise ValidationError("Submission: remove its agenda item first.") from exc
            raise
        for sub in subs:
            sub.status, sub.held_reason = "held", f"Held by the project manager: {reason}"
            session.add(sub)
            audit.append(
                session,
                actor=user.actor,
                action="submission.hold",
                subject=f"session {row.on}",
                outcome="held",
                now=now,
            )


def carry_submission(
    engine: Engine,
    user: CurrentUser,
    *,
    submission_id: int,
    today: date,
    now: datetime | None = None,
) -> None:
    """Move a name to the next session (status 'carried over')."""
    _require_pm(user)
    now = now or utcnow()
    settings = get_settings(engine)
    with write_session(engine) as session:
        sub = _get(session, Submission, submission_id, "Submission")
        row = _get(session, StaffingSession, sub.session_id, "Session")
        if sub.status == "on_agenda":
            raise ValidationError("Submission: remove its agenda item first.")
        target = _following_session(session, row, settings, today, now)
        sub.session_id, sub.status, sub.held_reason = target.id, "carried", ""
        session.add(sub)
        audit.append(
            session,
            actor=user.actor,
            action="submission.carry",
            subject=f"session {target.on}",
            now=now,
        )
