"""One participant and everything that hangs off them: referrals, history, releases, casework.

Each participant draws from their own random generator (seed and index), so one person's rows
never shift another's. Referrals carry the T4/T5 clocks (PROTOCOL T4, T5; some people referred
twice, B14); releases are signed by the intake and renewed every two years while engaged, some
expired, rescinded or for treatment information (C1, C3, C4, T6); intakes, plan goals by P1
domain with their history, services with P2 funding (some withdrawn, P3), and contacts.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from demo.generate.people import Person, at_time, pick
from demo.generate.users import Users
from demo.generate.vocabulary import (
    CLOSE_WITHOUT_INTAKE,
    CONTACT_KINDS,
    CONTACT_NOTES,
    DETERMINATIONS,
    DRUG_OFFENSES,
    DRUGS,
    FACTOR_ANSWERS,
    FIRST_NAMES,
    GENDERS,
    GOAL_PATH,
    HOUSING,
    INITIALS,
    INTAKE_FACTORS,
    LANGUAGES,
    LAST_NAMES,
    OFFENSES,
    PLAN_DOMAINS,
    RACE_ETHNICITY,
    SERVICE_PROVIDERS,
    VERIFICATION,
)
from demo.generate.writer import Writer
from models import (
    Contact,
    HousingChange,
    Intake,
    Participant,
    PlanGoal,
    PlanGoalChange,
    Referral,
    ReferralEvent,
    Release,
    Service,
    StatusChange,
)
from services.rules.deadlines import intake_due, prosecutor_notice_due, prosecutor_notice_owed


def add_participant(writer: Writer, p: Person, seed: int, today: date, orgs, users: Users) -> None:
    rng = random.Random(seed * 7919 + p.index * 104_729 + 1)
    cm_id, cm_name = users.case_managers[p.case_manager]
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    middle = rng.choice(INITIALS)
    engaged = p.bucket == "engaged"
    first_contact = p.intake_date or p.referral_date
    span = max(0, ((p.end_date or today) - first_contact).days)
    contact_days = sorted(
        first_contact + timedelta(days=rng.randint(0, span)) for _ in range(p.contacts)
    )
    housing = [pick(rng, HOUSING) for _ in range(1 + rng.randrange(4 if engaged else 1))]
    pid = writer.add(
        Participant,
        lead_id=f"BUR-{p.index:04d}",
        legal_name=f"{first} {middle}. {last}",
        preferred_name=first,
        aliases=[f"{first[0]}. {last}"] if rng.random() < 0.3 else [],
        date_of_birth=date(rng.randint(1958, 2005), rng.randint(1, 12), rng.randint(1, 28)),
        status=p.status,
        case_manager_id=cm_id,
        organization_id=orgs["CMP"],
        case_notes="Sample case notes: synthetic scale data.",
        substance_use="Sample: substance use detail (restricted)" if engaged else "",
        mental_health="Sample: mental health detail (restricted)" if engaged else "",
        criminal_history="Sample: criminal history detail (restricted)",
        last_contact_date=contact_days[-1] if contact_days else None,
        race_ethnicity=pick(rng, RACE_ETHNICITY),
        primary_language=pick(rng, LANGUAGES),
        interpreter_needed=rng.random() < 0.1,
        gender_identity=pick(rng, GENDERS),
        housing_situation=housing[-1],
        created_at=at_time(p.referral_date, rng),
        version=1,
    )
    p.pid = pid
    if p.prior_referral:
        earlier = p.referral_date - timedelta(days=rng.randint(120, 700))
        _referral(writer, rng, p, pid, earlier, orgs, cm_name, today, prior=True)
    _referral(writer, rng, p, pid, p.referral_date, orgs, cm_name, today, prior=False)
    _history(writer, rng, p, pid, cm_name, housing, today)
    if engaged:
        _releases(writer, rng, p, pid, cm_name, today)
        _casework(writer, rng, p, pid, cm_name, today)
    for day in contact_days:
        writer.add(
            Contact,
            participant_id=pid,
            on=day,
            kind=pick(rng, CONTACT_KINDS),
            staff_id=cm_id,
            minutes=rng.choice((10, 15, 20, 30, 45, 60, 90)),
            note=rng.choice(CONTACT_NOTES),
            at=at_time(day, rng),
        )


def _referral(writer, rng, p: Person, pid, referred: date, orgs, cm_name, today, *, prior):
    """One referral and its events; an earlier (`prior`) one closed without an intake (B14)."""
    values = _referral_row(rng, p.referral_type, pid, referred, orgs)
    events = [("referred", referred, "synthetic referral"), ("screen", referred, "eligible")]
    if prior or p.bucket == "closed":
        events += _closed_without_intake(rng, p, values, referred, prior=prior)
    elif p.bucket == "open":
        events += _still_open(rng, values, referred, today)
    else:
        events += _taken_in(rng, p, values, referred, today)
    referral_id = writer.add(Referral, **values)
    for event, day, detail in events:
        writer.add(
            ReferralEvent,
            referral_id=referral_id,
            at=at_time(day, rng),
            username=cm_name,
            event=event,
            detail=detail,
        )


def _referral_row(rng, kind: str, pid, referred: date, orgs) -> dict:
    """The referral as screened eligible: offense, place, determinations (PROTOCOL B1-B10, S1)."""
    arrest = kind == "arrest"
    offense = pick(rng, OFFENSES) if arrest else ""
    drug = rng.choice(DRUGS) if offense in DRUG_OFFENSES else ""
    referring = {"arrest": rng.choice(("BPD", "BPD", "KCSO")), "doc": "DOC"}.get(
        kind, rng.choice(("BPD", "KCSO"))
    )
    return dict(
        participant_id=pid,
        referral_type=kind,
        referral_date=referred,
        referring_organization_id=orgs[referring],
        referring_officer=f"Officer Sample-Patrol {rng.randint(1, 40)}",
        offense=offense,
        referred_at=at_time(referred, rng),
        supervising_sergeant=f"Sergeant Example {rng.randint(1, 8)}" if arrest else "",
        prosecutor_office=rng.choice(("KCPAO", "KCPAO", "BCA")),
        drug=drug,
        drug_grams=round(rng.uniform(0.1, 6.5), 1) if drug else None,
        place=f"{rng.randint(100, 999)} Sample Way (synthetic)",
        in_catchment=True,
        victim_involved=offense == "theft_misdemeanor" and rng.random() < 0.3,
        determinations=dict(DETERMINATIONS),
        convictions=[],
        verification_basis=rng.choice(VERIFICATION) if kind == "social_contact" else "",
        last_violation_date=referred - timedelta(days=rng.randint(1, 300))
        if kind == "social_contact"
        else None,
        approving_sergeant=f"Sergeant Example {rng.randint(1, 8)}"
        if kind == "social_contact"
        else "",
        social_contact_approved_date=referred if kind == "social_contact" else None,
        screen_eligible=True,
        screen_reasons=[],
        override_recommended=False,
        incapacitated=False,
        created_at=at_time(referred, rng),
        version=1,
    )


def _closed_without_intake(rng, p: Person, values: dict, referred: date, *, prior) -> list:
    """Declined, lapsed, charges filed or no longer eligible; no intake (PROTOCOL T4, T5)."""
    outcome, label, reason = rng.choice(CLOSE_WITHOUT_INTAKE)
    closed = p.end_date if not prior else referred + timedelta(days=rng.randint(10, 40))
    values.update(
        initial_screening_date=referred,
        closed_date=closed,
        closed_reason=f"{label}: {reason}",
        stage="closed",
    )
    return [("closed", closed, f"{label} on {closed}")]


def _still_open(rng, values: dict, referred: date, today: date) -> list:
    """A referral whose T4 clock runs; the prosecutor told of most missed intakes (T5)."""
    stage = pick(
        rng,
        (
            ("referred", 20),
            ("left_before_screening", 10),
            ("screened", 35),
            ("intake_scheduled", 35),
        ),
    )
    values["stage"] = stage
    if stage in ("screened", "intake_scheduled"):
        values["initial_screening_date"] = referred
    if stage == "intake_scheduled":
        values["intake_scheduled_date"] = referred + timedelta(days=rng.randint(1, 20))
    due = intake_due("arrest", referred, None)  # PROTOCOL T4 (the protocol's default)
    # PROTOCOL T5: the prosecutor told within the notice window, for most missed intakes.
    if (
        values["referral_type"] == "arrest"
        and prosecutor_notice_owed(due, today, None)
        and rng.random() < 0.6
    ):
        notice_by = prosecutor_notice_due(due)
        notified = min(today, due + timedelta(days=rng.randint(1, (notice_by - due).days)))
        values.update(
            prosecutor_notified_date=notified,
            prosecutor_notice_office=values["prosecutor_office"],
            prosecutor_notice_method=rng.choice(("phone", "email")),
        )
        return [("prosecutor notified", notified, values["prosecutor_office"])]
    return []


def _taken_in(rng, p: Person, values: dict, referred: date, today: date) -> list:
    """An intake completed (some after an extension, T4); closes when the person exits."""
    intake = p.intake_date
    events = []
    values.update(
        initial_screening_date=referred,
        intake_scheduled_date=intake,
        intake_completed_date=intake,
        stage="participant",
    )
    if intake > intake_due("arrest", referred, None):  # PROTOCOL T4: extended by the agency
        values.update(
            intake_extended_to=referred + timedelta(days=35),
            intake_extended_by=values["supervising_sergeant"] or "Referring agency",
        )
        events.append(("intake deadline extended", referred + timedelta(days=25), ""))
    if values["referral_type"] == "social_contact":  # PROTOCOL S6: re-assessed every six months
        months = ((p.end_date or today) - referred).days // 183
        skip = rng.random() < 0.15  # some re-assessments are late: S6 alerts
        if months - skip >= 1:
            values["reassessed_date"] = referred + timedelta(days=183 * (months - skip))
    events += [("screened", referred, ""), ("intake completed", intake, "")]
    if p.status == "exited":  # the referral closes with the participation
        values.update(
            closed_date=p.end_date,
            closed_reason="No longer eligible: participant exited LEAD",
        )
        events.append(("closed", p.end_date, "participant exited"))
    return events


def _history(writer, rng, p: Person, pid, cm_name, housing, today) -> None:
    steps = [(p.referral_date, "referred", "")]
    if p.intake_date:
        steps.append((p.intake_date, "active", "intake completed and release signed"))
    if p.inactive_since:
        steps.append((p.inactive_since, "inactive", "Sample reason: no contact for weeks"))
    if p.status == "exited":
        reason = (
            "Sample reason: referral closed without an intake"
            if p.bucket == "closed"
            else "Sample reason: goals met, moved on"
        )
        steps.append((p.end_date, "exited", reason))
    for day, status, reason in steps:
        writer.add(
            StatusChange,
            participant_id=pid,
            on=day,
            status=status,
            reason=reason,
            username=cm_name,
            at=at_time(day, rng),
        )
    first = p.intake_date or p.referral_date
    span = max(1, ((p.end_date or today) - first).days)
    for k, situation in enumerate(housing):
        day = first + timedelta(days=span * k // len(housing))
        writer.add(
            HousingChange,
            participant_id=pid,
            on=day,
            situation=situation,
            username=cm_name,
            at=at_time(day, rng),
        )


def _releases(writer, rng, p: Person, pid, cm_name, today) -> None:
    """PROTOCOL C1, T6: signed by the intake; renewed every two years while engaged."""
    codes = ["BPD", "KCPAO"] if rng.random() < 0.85 else ["KCSO", "BCA"]
    if rng.random() < 0.3:
        codes.append("KCSO" if "KCSO" not in codes else "BPD")
    if rng.random() < 0.1:
        codes.append("DOC")
    if rng.random() < 0.2 and "BCA" not in codes:
        codes.append("BCA")
    signed = p.intake_date - timedelta(days=rng.choice((0, 0, 0, 1)))
    end = p.end_date or today
    lapse = rng.random() < 0.08  # the latest release was not renewed: expired
    rescind = rng.random() < 0.03  # PROTOCOL C3
    while True:
        expires = signed + timedelta(days=730)
        last = expires >= end or (lapse and expires + timedelta(days=730) >= end)
        rescinded = (
            signed + timedelta(days=rng.randint(1, max(1, (min(end, today) - signed).days)))
            if last and rescind
            else None
        )
        verbal = rng.random() < 0.15
        writer.add(
            Release,
            participant_id=pid,
            kind="verbal" if verbal else "written",
            signed_date=signed,
            expires_date=expires,
            rescinded_date=rescinded,
            covered_org_codes=list(codes),
            purpose="LEAD coordination and staffing",
            treatment_information=False,
            memorialised_by=cm_name if verbal else "",
            created_at=at_time(signed, rng),
            created_by=cm_name,
        )
        if last:
            break
        signed = expires - timedelta(days=rng.randint(0, 14))
    if rng.random() < 0.15:  # PROTOCOL C4: a separate release for treatment information
        writer.add(
            Release,
            participant_id=pid,
            kind="written",
            signed_date=p.intake_date,
            expires_date=p.intake_date + timedelta(days=365),
            rescinded_date=None,
            covered_org_codes=["CMP"],
            purpose="Consultation with treatment providers",
            treatment_information=True,
            memorialised_by="",
            created_at=at_time(p.intake_date, rng),
            created_by=cm_name,
        )


def _casework(writer, rng, p: Person, pid, cm_name, today) -> None:
    intake = p.intake_date
    end = p.end_date or today
    writer.add(
        Intake,
        participant_id=pid,
        on=intake,
        factors={factor: rng.choice(FACTOR_ANSWERS) for factor in INTAKE_FACTORS},
        immediate_needs_met="Sample: meal voucher, bus pass and a phone charger.",
        username=cm_name,
        at=at_time(intake, rng),
    )
    span = max(1, (end - intake).days)
    for _ in range(rng.randint(2, 5)):  # PROTOCOL P1
        domain = pick(rng, PLAN_DOMAINS)
        started = intake + timedelta(days=rng.randint(1, min(60, span)))
        steps = rng.randint(1, 3)
        status = GOAL_PATH[steps - 1] if rng.random() < 0.9 else "set aside"
        status_on = min(end, started + timedelta(days=rng.randint(0, span)))
        goal_id = writer.add(
            PlanGoal,
            participant_id=pid,
            domain=domain,
            goal=f"Sample goal in the participant's words about {domain}.",
            status=status,
            started_on=started,
            status_on=status_on,
            version=steps,
            updated_at=at_time(status_on, rng),
            updated_by=cm_name,
        )
        path = [*GOAL_PATH[: steps - 1], status]
        for k, step in enumerate(path):
            day = started + (status_on - started) * k // max(1, len(path) - 1)
            writer.add(
                PlanGoalChange,
                goal_id=goal_id,
                status=step,
                on=day,
                username=cm_name,
                at=at_time(day, rng),
            )
    for _ in range(rng.randint(1, 4)):  # PROTOCOL P2, P3
        category = pick(rng, PLAN_DOMAINS)
        begin = intake + timedelta(days=rng.randint(0, span))
        stop = begin + timedelta(days=rng.randint(7, 365))
        withdrawn = begin + timedelta(days=7) if rng.random() < 0.05 else None
        writer.add(
            Service,
            participant_id=pid,
            category=category,
            provider=rng.choice(SERVICE_PROVIDERS),
            start_on=begin,
            end_on=stop if stop < today else None,
            cost_cents=rng.randrange(0, 250_000, 500),
            funding="new_capacity" if rng.random() < 0.6 else "existing_spare",
            withdrawn_on=withdrawn,
            withdrawal_reason="Sample reason: stopped attending" if withdrawn else "",
            username=cm_name,
            at=at_time(begin, rng),
        )
