"""Report-back step 2: whole-number counts of one period (internal only, never shown as such).

PROTOCOL M6: the counts `build_figures` (figures.py) suppresses and publishes; PROTOCOL P1 for
the plan areas; PROTOCOL T6 for who is an active participant.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from services.reports.report_back.activity import Activity, active_between, active_spans
from services.reports.report_back.periods import Period, month_label
from services.reports.report_back.vocabulary import (
    ACHIEVED,
    DOMAIN_LABELS,
    FUNDING_LABELS,
    GENDER_LABELS,
    HOUSED,
    HOUSING_LABELS,
    LANGUAGE_LABELS,
    RACE_LABELS,
    REFERRAL_TYPES,
    domain_group,
)


def _counts(labels, values) -> dict[str, int]:
    counted = Counter(values)
    return {label: counted.get(label, 0) for label in labels}


def raw_counts(act: Activity, period: Period, spans=None) -> dict:
    """Whole-number counts for one period: internal only, never shown as such."""
    spans = active_spans(act) if spans is None else spans
    start, end = period.start, period.end
    first_referral = _first_referrals(act, start, end)
    referred = list(first_referral)
    intake_days = [
        (intake - referral_date).days
        for _pid, _kind, referral_date, intake in act.referrals
        if intake and start <= intake <= end
    ]
    active = active_between(spans, start, end)
    achieved, with_plan, domain_of = _goals(act, start, end)
    housed_gain = _housing_gains(act, start, end)
    services = [s for s in act.services if start <= s[2] <= end]
    spend: dict[str, int] = defaultdict(int)
    for _pid, category, _on, cents, _funding in services:
        spend[domain_group(category)] += cents
    people = act.people
    return {
        "referrals_by_type": _counts(
            REFERRAL_TYPES.values(), [REFERRAL_TYPES[first_referral[p][0]] for p in referred]
        ),
        "referrals_by_month": _counts(
            [month_label(m) for m in period.months],
            [month_label(first_referral[p][1].replace(day=1)) for p in referred],
        ),
        "referral_race": _counts(RACE_LABELS, [people[p]["race"] for p in referred]),
        "referral_gender": _counts(GENDER_LABELS, [people[p]["gender"] for p in referred]),
        "referral_language": _counts(LANGUAGE_LABELS, [people[p]["language"] for p in referred]),
        "intakes": len(intake_days),
        "intake_days": sorted(intake_days),
        "active": len(active),
        "plan": {
            "With a plan": len(active & with_plan),
            "Without a plan yet": len(active - with_plan),
        },
        "participant_race": _counts(RACE_LABELS, [people[p]["race"] for p in active]),
        "participant_gender": _counts(GENDER_LABELS, [people[p]["gender"] for p in active]),
        "participant_language": _counts(LANGUAGE_LABELS, [people[p]["language"] for p in active]),
        "participant_housing": _counts(HOUSING_LABELS, [_housing_at(act, p, end) for p in active]),
        "goals_by_domain": _counts(DOMAIN_LABELS, [domain_group(domain_of[g]) for g in achieved]),
        "housing_gained": housed_gain,
        "services_by_category": _counts(DOMAIN_LABELS, [domain_group(s[1]) for s in services]),
        "spend_cents_by_category": {label: spend.get(label, 0) for label in DOMAIN_LABELS},
        "services_by_funding": _counts(
            FUNDING_LABELS.values(),
            [FUNDING_LABELS.get(s[4], FUNDING_LABELS["new_capacity"]) for s in services],
        ),
        # Periods are whole months (a month or a quarter): their months' counts add up.
        "contacts": sum(act.contacts_by_month.get(m, 0) for m in period.months),
        "months": len(period.months),
    }


def _first_referrals(act: Activity, start: date, end: date) -> dict[int, tuple]:
    """Each person referred in the period: the kind and date of their first referral in it."""
    first_referral: dict[int, tuple] = {}
    for pid, kind, referred, _intake in act.referrals:
        if start <= referred <= end and pid not in first_referral:
            first_referral[pid] = (kind, referred)
    return first_referral


def _goals(act: Activity, start: date, end: date) -> tuple[set[int], set[int], dict[int, str]]:
    """Goals achieved in the period, people with a plan by its end, and each goal's domain."""
    achieved = {
        goal_id
        for goal_id, status, on in act.goal_changes
        if status.casefold() in ACHIEVED and start <= on <= end
    }
    with_plan: set[int] = set()
    domain_of: dict[int, str] = {}
    for goal_id, pid, domain, status, started, on in act.goals:  # one pass: 31,780 at 10,000
        domain_of[goal_id] = domain
        if started <= end:
            with_plan.add(pid)
        if status.casefold() in ACHIEVED and start <= on <= end:
            achieved.add(goal_id)
    return achieved, with_plan, domain_of


def _housing_gains(act: Activity, start: date, end: date) -> int:
    """People who moved from another situation into housing during the period."""
    housed_gain = 0
    for history in act.housing.values():
        before = None
        for on, situation in history:
            if on > end:
                break
            if on >= start and situation == HOUSED and before not in (None, HOUSED):
                housed_gain += 1
                break
            before = situation
    return housed_gain


def _housing_at(act: Activity, pid: int, day: date) -> str:
    situation = None
    for on, value in act.housing.get(pid, []):
        if on > day:
            break
        situation = value
    return situation or act.people[pid]["housing_now"]
