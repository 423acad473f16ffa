"""The standing items' sections (PROTOCOL M3): open action items from earlier sessions, referral
criteria (B1-B14, S1-S7, M4), program capacity (M7), intake timeliness (T4, T5) and community
concerns (M6: places, never people). An action about a person whose release no longer covers
every attending organization is withheld (C3).
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from sqlalchemy import func
from sqlmodel import col, select

from models import (
    AgendaItem,
    CommunityConcern,
    Participant,
    ParticipantStatus,
    Referral,
    ReferralType,
    Role,
    User,
)
from services.staffing.sections import CURTAINED, _Context, _in_window, _owner, _section
from services.staffing.suggested import _open_actions_before, _open_deadlines
from services.staffing.vocabulary import ACTION_ITEMS_TITLE, _day

EFFICIENCY_DAYS = 90


def _action_rows(ctx: _Context) -> tuple[list[dict], list[int]]:
    rows, named = [], []
    for action, on in _open_actions_before(ctx.session, ctx.row):
        about, text = "the workgroup", CURTAINED if ctx.curtain else action.text
        if action.participant_id and ctx.consent(action.participant_id):
            about = text = "withheld (no release covering every attending organization)"
        elif action.participant_id:
            about = ctx.lead_ids.get(action.participant_id, "a participant")
            named.append(action.participant_id)
        rows.append(
            {
                "Due": action.due_on.isoformat(),
                "Owner": _owner(action, ctx.users),
                "About": about,
                "Action": text,
                "From session": _day(on),
            }
        )
    return rows, named


def _open_actions_section(ctx: _Context) -> tuple[list[dict], list[int]]:
    rows, named = _action_rows(ctx)
    lines = [] if rows else ["No open action items from earlier sessions."]
    return [_section("Not done yet", lines, rows=rows)], named


def _referral_criteria(ctx: _Context) -> tuple[list[dict], list[int]]:
    refs = ctx.session.exec(
        select(
            Referral.referral_type, Referral.screen_eligible, Referral.override_recommended
        ).where(_in_window(col(Referral.referral_date), ctx))
    ).all()
    kinds = Counter(getattr(kind, "value", kind) for kind, _e, _o in refs)
    metrics = [
        ("Referrals since the last session", str(len(refs))),
        ("Arrest diversions", str(kinds[ReferralType.arrest.value])),
        ("Social contacts", str(kinds[ReferralType.social_contact.value])),
        ("DOC referrals", str(kinds[ReferralType.doc.value])),
        ("Screened not eligible", str(sum(e is False for _k, e, _o in refs))),
        ("Overrides recommended (B13)", str(sum(bool(o) for _k, _e, o in refs))),
    ]
    lines = [
        "Arrest diversion criteria: PROTOCOL B1-B14; social contact referrals: S1-S7.",
        "The prosecutor keeps filing authority: the workgroup informs, never decides "
        "charges (PROTOCOL M4).",
    ]
    return [_section(f"Since {ctx.since}", lines, metrics)], []


def _program_capacity(ctx: _Context) -> tuple[list[dict], list[int]]:
    """PROTOCOL M7: active participants against case managers x caseload_per_fte."""
    per = dict(
        ctx.session.exec(
            select(Participant.case_manager_id, func.count())
            .where(Participant.status == ParticipantStatus.active)
            .group_by(Participant.case_manager_id)
        ).all()
    )
    managers = ctx.session.exec(
        select(User.id, User.display_name)
        .where(User.role == Role.case_manager, col(User.disabled).is_(False))
        .order_by(User.display_name)
    ).all()
    total = sum(per.values())
    per_fte = ctx.settings.caseload_per_fte
    capacity = len(managers) * per_fte
    metrics = [
        ("Active participants", str(total)),
        ("Case managers", str(len(managers))),
        (f"Capacity ({per_fte} per case manager, M7)", str(capacity)),
        ("Capacity in use", f"{round(100 * total / capacity)}%" if capacity else "no staff"),
    ]
    rows = [
        {"Case manager": name, "Active participants": per.get(uid, 0)} for uid, name in managers
    ]
    if per.get(None):
        rows.append({"Case manager": "unassigned", "Active participants": per[None]})
    return [_section("Caseload", metrics=metrics, rows=rows)], []


def _efficiency(ctx: _Context) -> tuple[list[dict], list[int]]:
    """Intake timeliness over the last EFFICIENCY_DAYS days (PROTOCOL T4, T5)."""
    settings, today = ctx.settings, ctx.today
    arrests = ctx.session.exec(
        select(Referral.referral_date, Referral.intake_completed_date).where(
            Referral.referral_type == ReferralType.arrest,
            Referral.referral_date > today - timedelta(days=EFFICIENCY_DAYS),
        )
    ).all()
    waits = sorted((done - ref).days for ref, done in arrests if done)
    overdue = Counter(
        rule
        for _p, _l, rule, due, _m in _open_deadlines(ctx.session, settings, today)
        if due < today
    )
    metrics = [
        (f"Arrest referrals, last {EFFICIENCY_DAYS} days", str(len(arrests))),
        ("Intakes completed", str(len(waits))),
        (
            f"Within {settings.intake_days} days (T4)",
            str(sum(w <= settings.intake_days for w in waits)),
        ),
        ("Median days to intake", str(waits[len(waits) // 2]) if waits else "none"),
        ("Intake deadlines overdue now (T4)", str(overdue["T4"])),
        ("Prosecutor notices overdue now (T5)", str(overdue["T5"])),
    ]
    return [_section("Intake timeliness", metrics=metrics)], []


def _community_concerns(ctx: _Context) -> tuple[list[dict], list[int]]:
    """Open areas of concern from the report-back log (PROTOCOL M3, M6): places, never people."""
    rows = [
        {
            "Raised": c.raised_on.isoformat(),
            "Area": CURTAINED if ctx.curtain else c.area,
            "Behaviour": CURTAINED if ctx.curtain else c.behaviour,
            "Status": c.status,
        }
        for c in ctx.session.exec(
            select(CommunityConcern)
            .where(CommunityConcern.status != "resolved")
            .order_by(col(CommunityConcern.raised_on))
        )
    ]
    lines = [] if rows else ["No open community concerns in the report-back log."]
    return [_section("Open concerns from the report-back log", lines, rows=rows)], []


STANDING_BUILDERS = {
    ACTION_ITEMS_TITLE: _open_actions_section,
    "Referral criteria": _referral_criteria,
    "Program capacity": _program_capacity,
    "Operational efficiency and effectiveness": _efficiency,
    "Community concerns": _community_concerns,
}


def _standing_sections(ctx: _Context, item: AgendaItem) -> tuple[list[dict], list[int]]:
    builder = STANDING_BUILDERS.get(item.title)
    if builder is not None:
        sections, named = builder(ctx)
        if ctx.curtain and item.curtain_text:
            sections = [_section("For the room", [item.curtain_text]), *sections]
        return sections, named
    why = [line.removeprefix("Suggested: ") for line in item.why.splitlines()]
    return [_section("Why it is on the agenda", why or ["No reason recorded."])], []
